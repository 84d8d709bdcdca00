package io.pmaccountstream.testing;

import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * A real Confluent-API schema registry for {@code *IT} tests: Apicurio Registry 2.4.2 (built by
 * {@code tools/schema-registry}) started as a child process on a free 127.0.0.1 port, or the
 * registry named by the environment variable {@value #EXTERNAL_ENV} when it is set (for example a
 * Confluent Schema Registry: {@code http://host:8081}).
 *
 * <p>One registry serves the whole test run: the first class that needs it starts it, and it is
 * destroyed when the run ends, or by a shutdown hook if the JVM exits first. Tests share it, so
 * they use unique subject names. Usage:
 *
 * <pre>{@code
 * @RegisterExtension static final SchemaRegistryExtension registry = SchemaRegistryExtension.shared();
 * ... registry.url() ...   // http://127.0.0.1:PORT/apis/ccompat/v7
 * }</pre>
 */
public final class SchemaRegistryExtension implements BeforeAllCallback, BeforeEachCallback {

  /** Set to the base URL of a Confluent-API registry to run the ITs against it. */
  public static final String EXTERNAL_ENV = "SCHEMA_REGISTRY_URL";

  private static final Namespace NAMESPACE = Namespace.create(SchemaRegistryExtension.class);

  private final Optional<String> external;
  private volatile SchemaRegistryProcess process;

  private SchemaRegistryExtension(Optional<String> external) {
    this.external = external;
  }

  /** The registry shared by every test class of the run. */
  public static SchemaRegistryExtension shared() {
    return new SchemaRegistryExtension(
        Optional.ofNullable(System.getenv(EXTERNAL_ENV))
            .filter(s -> !s.isBlank())
            .map(s -> s.endsWith("/") ? s.substring(0, s.length() - 1) : s));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    ensureStarted(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    // Also covers registration in a non-static field, where JUnit does not call beforeAll.
    ensureStarted(context);
  }

  private synchronized void ensureStarted(ExtensionContext context) {
    if (external.isPresent() || process != null) {
      return;
    }
    // The root store is closed when the whole run ends.
    process =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(
                "shared", key -> SchemaRegistryProcess.start(), SchemaRegistryProcess.class);
  }

  /** Base URL of the Confluent-compatible API, without a trailing slash. */
  public String url() {
    return external.orElseGet(() -> started().url());
  }

  /** Whether the tests run against the external registry of {@value #EXTERNAL_ENV}. */
  public boolean isExternal() {
    return external.isPresent();
  }

  private SchemaRegistryProcess started() {
    SchemaRegistryProcess current = process;
    if (current == null) {
      throw new IllegalStateException(
          "the schema registry is not started: register SchemaRegistryExtension with"
              + " @RegisterExtension in a static field and use it from tests or @BeforeEach/@BeforeAll");
    }
    return current;
  }
}
