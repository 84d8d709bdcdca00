package io.pmaccountstream.ops;

import io.pmaccountstream.config.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Ready when an HTTP {@code GET} answers 2xx within a timeout; for the schema registry, {@code GET
 * /subjects}. The reason names the URL, never the {@code Authorization} value.
 *
 * <pre>{@code
 * HttpReachableCheck registry = HttpReachableCheck.schemaRegistry(connection.schemaRegistryUrl(), Duration.ofSeconds(3))
 *     .withAuthorization(basicOrBearerHeaderValue); // only if the registry needs it
 * health.register(registry.cachedFor(Duration.ofSeconds(5), clock));
 * }</pre>
 */
public final class HttpReachableCheck implements HealthCheck {

  public static final String SCHEMA_REGISTRY = "schema-registry";

  private final String name;
  private final URI uri;
  private final Duration timeout;
  private final Optional<Secret> authorization;
  private final HttpClient client;

  private HttpReachableCheck(
      String name, URI uri, Duration timeout, Optional<Secret> authorization, HttpClient client) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    this.name = Objects.requireNonNull(name, "name");
    this.uri = Objects.requireNonNull(uri, "uri");
    this.timeout = timeout;
    this.authorization = authorization;
    this.client = client;
  }

  /**
   * {@code GET uri}. Credentials in the URL ({@code https://user:password@host}) are moved into a
   * basic {@code Authorization} header, so they never appear in a reason.
   */
  public static HttpReachableCheck get(String name, URI uri, Duration timeout) {
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    Optional<Secret> authorization = Optional.empty();
    URI target = uri;
    if (uri.getRawUserInfo() != null) {
      String userInfo = uri.getUserInfo();
      authorization =
          Optional.of(
              Secret.of(
                  "Basic "
                      + Base64.getEncoder()
                          .encodeToString(userInfo.getBytes(StandardCharsets.UTF_8))));
      target = withoutUserInfo(uri);
    }
    return new HttpReachableCheck(name, target, timeout, authorization, client);
  }

  /**
   * {@code GET <baseUrl>/subjects} of a Confluent-API registry; the base URL keeps its path ({@code
   * http://host/apis/ccompat/v7}).
   */
  public static HttpReachableCheck schemaRegistry(URI baseUrl, Duration timeout) {
    return get(SCHEMA_REGISTRY, subjectsOf(baseUrl), timeout);
  }

  /** The same check sending {@code Authorization: <value>} ("Basic ...", "Bearer ..."). */
  public HttpReachableCheck withAuthorization(Secret headerValue) {
    return new HttpReachableCheck(name, uri, timeout, Optional.of(headerValue), client);
  }

  /** The same check over TLS trusting {@code context} (a registry with a private CA). */
  public HttpReachableCheck withSslContext(SSLContext context) {
    HttpClient tls =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .sslContext(context)
            .build();
    return new HttpReachableCheck(name, uri, timeout, authorization, tls);
  }

  static URI subjectsOf(URI baseUrl) {
    String base = baseUrl.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return URI.create(base + "/subjects");
  }

  public URI uri() {
    return uri;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Result check() {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
    authorization.ifPresent(value -> request.header("Authorization", value.reveal()));
    String shown = "GET " + uri;
    try {
      HttpResponse<Void> response =
          client.send(request.build(), HttpResponse.BodyHandlers.discarding());
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        return Result.up(shown + " answered " + status);
      }
      return Result.down(shown + " answered HTTP " + status);
    } catch (HttpTimeoutException e) {
      return Result.down(shown + " did not answer within " + timeout);
    } catch (IOException e) {
      return Result.down(shown + " failed: " + HealthChecks.describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Result.down(shown + " was interrupted");
    }
  }

  private static URI withoutUserInfo(URI uri) {
    try {
      return new URI(
          uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("cannot remove the credentials from a URL", e);
    }
  }
}
