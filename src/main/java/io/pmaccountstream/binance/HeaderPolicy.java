package io.pmaccountstream.binance;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The domain of each response header the client acts on, in one place (the "Headers" rows of
 * docs/reliability.md). A header outside its domain is ignored as if absent, counted in {@code
 * pmas.binance.headers.ignored} (tag {@code header}) and logged at debug; it never throws.
 *
 * <ul>
 *   <li>{@code Date}: an RFC 1123 date. Whether it is plausible is {@link ServerClock}'s call.
 *   <li>{@code Retry-After}: whole seconds, or an HTTP date later than the response's Date (our
 *       server-clock estimate if the Date is unusable). Zero, negative, past or garbage: absent.
 *       The caps (418: 2 minutes to 3 days; 429: {@code binance.rate.limit.max.pause}) are the
 *       {@link WeightBudget}'s.
 *   <li>{@code X-MBX-USED-WEIGHT-1M}: an integer from 0 to ten times {@code
 *       binance.weight.limit.per.minute}.
 * </ul>
 */
final class HeaderPolicy {

  private static final Logger LOG = LoggerFactory.getLogger(HeaderPolicy.class);
  static final String DATE = "Date";
  static final String RETRY_AFTER = "Retry-After";
  static final String USED_WEIGHT_1M = "X-MBX-USED-WEIGHT-1M";
  private static final Pattern DIGITS = Pattern.compile("\\d{1,18}");
  static final int USED_WEIGHT_PLAUSIBLE_FACTOR = 10;

  private final long maxUsedWeight;
  private final MeterRegistry registry;

  HeaderPolicy(int weightLimitPerMinute, MeterRegistry registry) {
    this.maxUsedWeight = (long) weightLimitPerMinute * USED_WEIGHT_PLAUSIBLE_FACTOR;
    this.registry = registry;
    for (String header : new String[] {DATE, RETRY_AFTER, USED_WEIGHT_1M}) {
      ignoredCounter(header);
    }
  }

  /** The {@code Date} header, if present and an RFC 1123 date. */
  Optional<Instant> date(Exchange.Response response) {
    Optional<String> value = response.header(DATE);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    Optional<Instant> date = parseHttpDate(value.get());
    if (date.isEmpty()) {
      ignored(DATE, value.get(), "not an RFC 1123 date");
    }
    return date;
  }

  /**
   * {@code Retry-After} as a positive duration, if usable.
   *
   * @param serverReceivedAt our server-clock estimate of when the response arrived, the reference
   *     for an HTTP date when the response's own Date is unusable
   */
  Optional<Duration> retryAfter(Exchange.Response response, Instant serverReceivedAt) {
    Optional<String> header = response.header(RETRY_AFTER).map(String::strip);
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String value = header.get();
    if (DIGITS.matcher(value).matches()) {
      long seconds = Long.parseLong(value);
      if (seconds > 0) {
        return Optional.of(Duration.ofSeconds(seconds));
      }
      ignored(RETRY_AFTER, value, "zero");
      return Optional.empty();
    }
    Optional<Instant> at = parseHttpDate(value);
    if (at.isEmpty()) {
      ignored(RETRY_AFTER, value, "neither seconds nor an HTTP date");
      return Optional.empty();
    }
    Instant reference = date(response).orElse(serverReceivedAt);
    Duration wait = Duration.between(reference, at.get());
    if (wait.isNegative() || wait.isZero()) {
      ignored(RETRY_AFTER, value, "not after the response's Date");
      return Optional.empty();
    }
    return Optional.of(wait);
  }

  /** {@code X-MBX-USED-WEIGHT-1M}, if an integer within ten times the configured limit. */
  OptionalInt usedWeight1m(Exchange.Response response) {
    Optional<String> header = response.header(USED_WEIGHT_1M).map(String::strip);
    if (header.isEmpty()) {
      return OptionalInt.empty();
    }
    String value = header.get();
    if (!DIGITS.matcher(value).matches()) {
      ignored(USED_WEIGHT_1M, value, "not a non-negative integer");
      return OptionalInt.empty();
    }
    long used = Long.parseLong(value);
    if (used > maxUsedWeight) {
      ignored(USED_WEIGHT_1M, value, "more than " + maxUsedWeight);
      return OptionalInt.empty();
    }
    return OptionalInt.of((int) used);
  }

  private void ignored(String header, String value, String why) {
    ignoredCounter(header).increment();
    LOG.debug("Ignored response header {}: {} ({})", header, InputPolicy.quote(value), why);
  }

  private Counter ignoredCounter(String header) {
    return Counter.builder("pmas.binance.headers.ignored")
        .description("Response headers outside their domain, ignored as if absent")
        .tag("header", header)
        .register(registry);
  }

  static Optional<Instant> parseHttpDate(String value) {
    try {
      return Optional.of(
          ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }
}
