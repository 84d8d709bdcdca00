package io.pmaccountstream.replay;

import static io.pmaccountstream.replay.Records.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotSinksTest {

  @TempDir Path dir;

  private final AccountSnapshot normal = snapshot("acct-1", 0, "1.8", AccountStatus.NORMAL);
  private final AccountSnapshot noUniMmr = snapshot("acct-2", 5, null, AccountStatus.NORMAL);

  @Test
  void csvHasAHeaderOfTheSchemaFieldsAndOneRowPerSnapshot() throws IOException {
    Path out = dir.resolve("history.csv");
    try (SnapshotSink sink = SnapshotSink.forFile(out)) {
      sink.accept(normal);
      sink.accept(noUniMmr);
    }

    List<String> lines = Files.readAllLines(out);
    assertThat(lines)
        .containsExactly(
            "accountId,uniMMR,accountEquity,actualEquity,accountInitialMargin,accountMaintMargin,"
                + "accountStatus,accountStatusRaw,virtualMaxWithdrawAmount,totalAvailableBalance,"
                + "totalMarginOpenLoss,updateTime,observedAt,requestLatencyMs,usedWeight1m,"
                + "pollerInstanceId,sequence",
            "acct-1,1.80000000,10000.50000000,10100.00000000,2000.00000000,800.12345678,NORMAL,"
                + "NORMAL,,5000.00000000,,2026-11-24T10:00:00Z,2026-11-24T10:00:00.123Z,42,,"
                + "poller-1,1",
            "acct-2,,10000.50000000,10100.00000000,2000.00000000,800.12345678,NORMAL,NORMAL,,"
                + "5000.00000000,,2026-11-24T10:00:05Z,2026-11-24T10:00:05.123Z,42,,poller-1,6");
    assertThat(Files.readString(out)).contains("\r\n");
  }

  @Test
  void csvQuotesCellsThatNeedItAndKeepsEmptyStringsApartFromNull() throws IOException {
    AccountSnapshot odd =
        AccountSnapshot.newBuilder(normal)
            .setAccountId("desk \"A\", main")
            .setAccountStatusRaw("")
            .build();
    Path out = dir.resolve("odd.csv");
    try (SnapshotSink sink = SnapshotSink.forFile(out)) {
      sink.accept(odd);
    }

    String row = Files.readAllLines(out).get(1);
    assertThat(row).startsWith("\"desk \"\"A\"\", main\",1.80000000,");
    assertThat(row).contains(",NORMAL,\"\",,5000.00000000,,");
  }

  @Test
  void avroExportReadsBackAsTheSameSnapshots() throws IOException {
    Path out = dir.resolve("history.avro");
    try (SnapshotSink sink = SnapshotSink.forFile(out)) {
      sink.accept(normal);
      sink.accept(noUniMmr);
      assertThat(sink.destinations()).containsExactly(out + " (2 snapshots, Avro)");
    }

    assertThat(EventSinksTest.readSpecific(out, AccountSnapshot.class))
        .containsExactly(normal, noUniMmr);
  }

  @Test
  void otherExtensionsAreRefusedWithTheSupportedOnes() {
    assertThatThrownBy(() -> SnapshotSink.forFile(dir.resolve("history.json")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be .avro, .csv or .parquet");
  }
}
