package io.pmaccountstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.simulator.AccountState;
import io.pmaccountstream.simulator.ServedAnswer;
import io.pmaccountstream.simulator.http.HttpResponse;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The served-answer accounting on hand-made logs. */
class ServeAccountingTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final Duration DEADLINE = Duration.ofSeconds(1);

  @Test
  void goodStatesPublishedInOrderAndInTimeAndBadBodiesDeadLetteredAccountForEverything() {
    List<ServedAnswer> log =
        List.of(
            good(1, "1.50000000", 0),
            hostile(2, "scale-9-uniMMR", "{\"uniMMR\":\"1.123456789\"}", 500),
            good(3, "1.40000000", 1000));
    ServeAccounting.Result result =
        ServeAccounting.account(
            log,
            Map.of(
                "a", List.of(published("1.50000000", 0, 300), published("1.40000000", 1000, 1200))),
            Map.of(
                "a",
                List.of(new ServeAccounting.Letter("BAD_PAYLOAD", "{\"uniMMR\":\"1.123456789\"}"))),
            DEADLINE);

    assertThat(result.problems()).isEmpty();
    assertThat(result.acceptedStates().get("a")).hasSize(2);
  }

  @Test
  void theStartUpAllowanceCoversOnlyStatesServedInTheStartUpWindow() {
    List<ServedAnswer> log = List.of(good(1, "1.50000000", 0), good(2, "1.40000000", 10_000));
    Map<String, List<ServeAccounting.Published>> published =
        Map.of(
            "a",
            List.of(published("1.50000000", 0, 2_500), published("1.40000000", 10_000, 12_500)));

    ServeAccounting.Result result =
        ServeAccounting.account(
            log, published, Map.of(), DEADLINE, Duration.ofSeconds(5), Duration.ofSeconds(3));

    assertThat(result.problems())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("good state published late: good (a request #2")
        .endsWith("readable after 2500 ms (allowed 1000 ms)");
  }

  @Test
  void reportsAMissingDeadLetterALateStateAndAPhantom() {
    List<ServedAnswer> log =
        List.of(
            good(1, "1.50000000", 0),
            hostile(2, "duplicate-uniMMR", "{\"uniMMR\":\"1.5\",\"uniMMR\":\"0.5\"}", 500),
            good(3, "1.40000000", 1000));
    ServeAccounting.Result result =
        ServeAccounting.account(
            log,
            Map.of(
                "a",
                List.of(
                    published("1.50000000", 0, 2500),
                    published("0.50000000", 500, 700),
                    published("1.40000000", 1000, 1100))),
            Map.of(),
            DEADLINE);

    assertThat(result.problems())
        .hasSize(3)
        .anyMatch(p -> p.startsWith("good state published late: good (a request #1"))
        .anyMatch(
            p -> p.startsWith("hostile answer without a BAD_PAYLOAD dead letter: duplicate-uniMMR"))
        .anyMatch(
            p ->
                p.startsWith("published snapshot no good answer accounts for")
                    && p.contains("uniMMR 0.50000000"));
  }

  @Test
  void aDeadLetteredCopyOfTheStateTheNextGoodAnswerShowsLeavesItsSnapshotToThatAnswer() {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    String json = "{\"uniMMR\":\"1.50000000\",\"updateTime\":" + T0.toEpochMilli() + "}";
    List<ServedAnswer> log =
        List.of(
            new ServedAnswer(
                1,
                "a",
                1,
                ServedAnswer.Kind.HOSTILE,
                "utf8-bom",
                200,
                HttpResponse.Delivery.COMPLETE,
                Optional.of(state("1.50000000", 0)),
                T0,
                concat(bom, json.getBytes(StandardCharsets.UTF_8))),
            good(2, "1.50000000", 0));

    ServeAccounting.Result result =
        ServeAccounting.account(
            log,
            Map.of("a", List.of(published("1.50000000", 0, 600))),
            Map.of("a", List.of(new ServeAccounting.Letter("BAD_PAYLOAD", json))),
            DEADLINE);

    assertThat(result.problems()).isEmpty();
    assertThat(result.acceptedStates().get("a")).hasSize(1);
  }

  @Test
  void aPublishedCopyOfTheStateTheNextGoodAnswerShowsIsNotCountedTwice() {
    List<ServedAnswer> log =
        List.of(
            new ServedAnswer(
                1,
                "a",
                1,
                ServedAnswer.Kind.HOSTILE,
                "utf16",
                200,
                HttpResponse.Delivery.COMPLETE,
                Optional.of(state("1.50000000", 0)),
                T0,
                "{}".getBytes(StandardCharsets.UTF_16)),
            good(2, "1.50000000", 0));

    ServeAccounting.Result result =
        ServeAccounting.account(
            log, Map.of("a", List.of(published("1.50000000", 0, 600))), Map.of(), DEADLINE);

    assertThat(result.problems())
        .singleElement()
        .asString()
        .startsWith("good state served but never published: good (a request #2");
  }

  @Test
  void reportsAGoodStateNeverPublished() {
    ServeAccounting.Result result =
        ServeAccounting.account(List.of(good(1, "1.50000000", 0)), Map.of(), Map.of(), DEADLINE);

    assertThat(result.problems())
        .singleElement()
        .asString()
        .startsWith("good state served but never published: good (a request #1");
  }

  @Test
  void countsEveryAnswerUnderTheStatusTheClientSeesAndADripAsAnIoError() {
    List<ServedAnswer> log =
        List.of(
            good(1, "1.5", 0),
            answer(
                2, ServedAnswer.Kind.HOSTILE, "waf-403", 403, HttpResponse.Delivery.COMPLETE, ""),
            answer(3, ServedAnswer.Kind.HOSTILE, "slow-drip", 200, HttpResponse.Delivery.DRIP, ""));

    assertThat(ServeAccounting.countsByClientTag(log))
        .containsExactlyInAnyOrderEntriesOf(Map.of("200", 1L, "403", 1L, "io_error", 1L));
  }

  private static ServedAnswer good(long request, String uniMmr, long atMillis) {
    return new ServedAnswer(
        request,
        "a",
        request,
        ServedAnswer.Kind.GOOD,
        ServedAnswer.GOOD,
        200,
        HttpResponse.Delivery.COMPLETE,
        Optional.of(state(uniMmr, atMillis)),
        T0.plusMillis(atMillis),
        new byte[0]);
  }

  private static ServedAnswer hostile(long request, String name, String body, long atMillis) {
    return new ServedAnswer(
        request,
        "a",
        request,
        ServedAnswer.Kind.HOSTILE,
        name,
        200,
        HttpResponse.Delivery.COMPLETE,
        Optional.empty(),
        T0.plusMillis(atMillis),
        body.getBytes(StandardCharsets.UTF_8));
  }

  private static ServedAnswer answer(
      long request,
      ServedAnswer.Kind kind,
      String name,
      int status,
      HttpResponse.Delivery delivery,
      String body) {
    return new ServedAnswer(
        request,
        "a",
        request,
        kind,
        name,
        status,
        delivery,
        Optional.empty(),
        T0,
        body.getBytes(StandardCharsets.UTF_8));
  }

  private static AccountState state(String uniMmr, long updateMillis) {
    return new AccountState(
        "a",
        new BigDecimal(uniMmr),
        new BigDecimal("1500.00000000"),
        new BigDecimal("1575.00000000"),
        new BigDecimal("1000.00000000"),
        new BigDecimal("1000.00000000"),
        "NORMAL",
        new BigDecimal("500.00000000"),
        "",
        "",
        T0.toEpochMilli() + updateMillis,
        1);
  }

  private static ServeAccounting.Published published(
      String uniMmr, long updateMillis, long readableMillis) {
    AccountSnapshot snapshot =
        TestSnapshots.of("a")
            .uniMmr(uniMmr)
            .equity("1500.00000000")
            .status(AccountStatus.NORMAL)
            .at(0);
    snapshot.setAccountMaintMargin(new BigDecimal("1000.00000000"));
    snapshot.setAccountStatusRaw("NORMAL");
    snapshot.setUpdateTime(T0.plusMillis(updateMillis));
    return new ServeAccounting.Published(snapshot, T0.plusMillis(readableMillis));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
