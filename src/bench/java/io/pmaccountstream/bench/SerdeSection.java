package io.pmaccountstream.bench;

import java.util.Collection;
import org.openjdk.jmh.results.RunResult;

/** Section 6: JMH encode/decode of AccountSnapshot, time and allocation per operation. */
final class SerdeSection implements Section {

  static final String ID = "6";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String title() {
    return "serde (JMH)";
  }

  @Override
  public void run(BenchContext context) throws Exception {
    Report report = context.report();
    report.setting(ID, "jmh", Jmh.describe(context.scale(), true));
    report.setting(
        ID,
        "input",
        "1,024 realistic snapshots in rotation; in-memory registry (ids cached by the serde)");
    Collection<RunResult> results = Jmh.run(context.scale(), SerdeBenchmark.class, true, context);
    figures(report, results, "encode", "encode, ConfluentAvroSerializer");
    figures(report, results, "decode", "decode, ConfluentAvroDeserializer");
    figures(
        report,
        results,
        "decodeForReplay",
        "decode for replay, the derivation's fields only (RegistrySnapshotDecoder.forDerivation)");
    figures(report, results, "stateEncode", "state store value encode (derive's put)");
    figures(report, results, "stateDecode", "state store value decode (derive's get)");
    figures(
        report,
        results,
        "avroOnlyEncode",
        "encode, plain Avro into a ByteArrayOutputStream (reference)");
    figures(
        report, results, "avroOnlyDecode", "decode, plain Avro with a reused decoder (reference)");
  }

  private static void figures(
      Report report, Collection<RunResult> results, String method, String label) {
    RunResult result = Jmh.of(results, method);
    report.figure(ID, label, Jmh.score(result), "ns/op", null, Jmh.error(result));
    Jmh.allocatedBytesPerOp(result)
        .ifPresent(bytes -> report.figure(ID, label + " allocation", bytes, "B/op"));
  }
}
