package io.pmaccountstream.replay;

import static io.pmaccountstream.replay.Records.at;
import static io.pmaccountstream.replay.Records.dec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pmaccountstream.avro.AccountStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BreachSummaryFormatTest {

  @TempDir Path dir;

  private final BreachSummary summary =
      new BreachSummary(
          new TimeRange(at(0), at(3_600)),
          List.of(dec("1.2"), dec("1.05")),
          dec("0.02"),
          List.of(
              new BreachSummary.Account(
                  "acct-1",
                  120,
                  1,
                  Optional.of(dec("1.01")),
                  Optional.of(at(900)),
                  Optional.of(at(3_590)),
                  Map.of(AccountStatus.MARGIN_CALL, 2, AccountStatus.NORMAL, 1),
                  List.of(
                      new BreachSummary.Level(
                          dec("1.2"),
                          2,
                          Duration.ofMillis(1_845_250),
                          Duration.ofMinutes(20),
                          true),
                      new BreachSummary.Level(
                          dec("1.05"), 1, Duration.ofSeconds(42), Duration.ofSeconds(42), false))),
              new BreachSummary.Account(
                  "b",
                  3,
                  0,
                  Optional.empty(),
                  Optional.empty(),
                  Optional.of(at(10)),
                  Map.of(),
                  List.of(
                      new BreachSummary.Level(dec("1.2"), 0, Duration.ZERO, Duration.ZERO, false),
                      new BreachSummary.Level(
                          dec("1.05"), 0, Duration.ZERO, Duration.ZERO, false)))));

  @Test
  void tableIsAlignedWithOneRowPerAccountAndLevel() {
    String table = BreachSummaryFormat.table(summary);

    assertThat(table)
        .contains(
            "ACCOUNT  LEVEL       BREACHES  TIME BELOW  LONGEST  AT END    MIN UNIMMR  MIN AT\n"
                + "acct-1   1.20000000  2         30m45s      20m00s   breached  1.01000000"
                + "  2026-11-24T10:15:00Z\n"
                + "acct-1   1.05000000  1         42s         42s      -         1.01000000"
                + "  2026-11-24T10:15:00Z\n"
                + "b        1.20000000  0         0s          0s       -         -           -\n")
        .contains(
            "ACCOUNT  SNAPSHOTS  STALE  NORMAL  MARGIN_CALL  SUPPLY_MARGIN  REDUCE_ONLY"
                + "  ACTIVE_LIQUIDATION  FORCE_LIQUIDATION  BANKRUPTED  UNKNOWN\n"
                + "acct-1   120        1      1       2            0              0");
  }

  @Test
  void csvHasOneFlatRowPerAccountAndLevel() throws IOException {
    Path out = dir.resolve("summary.csv");
    BreachSummaryFormat.write(summary, out);

    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(5);
    assertThat(lines.get(0))
        .isEqualTo(
            "accountId,level,breaches,timeBelowSeconds,longestBreachSeconds,breachedAtEnd,"
                + "minUniMMR,minUniMMRAt,snapshots,staleSnapshots,lastObservedAt,"
                + "transitionsToUNKNOWN,transitionsToNORMAL,transitionsToMARGIN_CALL,"
                + "transitionsToSUPPLY_MARGIN,transitionsToREDUCE_ONLY,"
                + "transitionsToACTIVE_LIQUIDATION,transitionsToFORCE_LIQUIDATION,"
                + "transitionsToBANKRUPTED");
    assertThat(lines.get(1))
        .isEqualTo(
            "acct-1,1.20000000,2,1845.250,1200.000,true,1.01000000,2026-11-24T10:15:00Z,120,1,"
                + "2026-11-24T10:59:50Z,0,1,2,0,0,0,0,0");
    assertThat(lines.get(4))
        .isEqualTo("b,1.05000000,0,0.000,0.000,false,,,3,0,2026-11-24T10:00:10Z,0,0,0,0,0,0,0,0");
  }

  @Test
  void jsonNestsLevelsUnderAccountsWithSecondsAndIsoDurations() throws IOException {
    Path out = dir.resolve("summary.json");
    BreachSummaryFormat.write(summary, out);

    JsonNode json = new ObjectMapper().readTree(out.toFile());
    assertThat(json.get("from").asText()).isEqualTo("2026-11-24T10:00:00Z");
    assertThat(json.get("levels").get(1).asText()).isEqualTo("1.05000000");
    assertThat(json.get("openBreachesMeasuredTo").asText())
        .isEqualTo("last snapshot of the account");
    JsonNode account = json.get("accounts").get(0);
    assertThat(account.get("minUniMMR").asText()).isEqualTo("1.01000000");
    assertThat(account.get("transitionsTo").get("MARGIN_CALL").asInt()).isEqualTo(2);
    JsonNode level = account.get("levels").get(0);
    assertThat(level.get("timeBelowSeconds").decimalValue()).isEqualByComparingTo("1845.25");
    assertThat(level.get("timeBelow").asText()).isEqualTo("PT30M45.25S");
    assertThat(level.get("breachedAtEnd").asBoolean()).isTrue();
    assertThat(json.get("accounts").get(1).get("minUniMMR").isNull()).isTrue();
  }

  @Test
  void summaryFileMustBeCsvOrJson() {
    assertThatThrownBy(() -> BreachSummaryFormat.write(summary, dir.resolve("summary.txt")))
        .hasMessageContaining("must be .csv or .json");
  }

  @Test
  void humanDurationsAreShortAndExact() {
    assertThat(Durations.human(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.human(Duration.ofMillis(12_500))).isEqualTo("12.5s");
    assertThat(Durations.human(Duration.ofSeconds(245))).isEqualTo("4m05s");
    assertThat(Durations.human(Duration.ofSeconds(7_385))).isEqualTo("2h03m05s");
    assertThat(Durations.human(Duration.ofHours(76).plusMinutes(5))).isEqualTo("3d04h05m");
  }
}
