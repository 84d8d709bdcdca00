package io.pmaccountstream.bench;

import io.pmaccountstream.avro.AccountDerivationState;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.derivation.AccountFold;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.derivation.Deriver;
import io.pmaccountstream.replay.RegistrySnapshotDecoder;
import io.pmaccountstream.serde.ConfluentAvroDeserializer;
import io.pmaccountstream.serde.ConfluentAvroSerializer;
import io.pmaccountstream.streams.DerivationSerdes;
import io.pmaccountstream.testing.InMemorySchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Serde;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Section 6: encoding and decoding one AccountSnapshot. {@code avroOnly*} is plain Avro binary with
 * a reused encoder/decoder: the floor our serde (framing, schema-id cache) is compared with; {@code
 * decodeForReplay} is replay's decoder, which skips the fields the derivation does not read. The
 * snapshots rotate over 1,024 realistic values so that no branch sees one constant input.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SerdeBenchmark {

  static final String TOPIC = "pm.account.snapshots";
  static final String STATE_TOPIC = "pm-account-stream-derive-account-state-changelog";
  private static final int VALUES = 1024;

  private AccountSnapshot[] snapshots;
  private byte[][] avroOnlyBytes;
  private byte[][] confluentBytes;
  private ConfluentAvroSerializer<AccountSnapshot> serializer;
  private ConfluentAvroDeserializer<AccountSnapshot> deserializer;
  private RegistrySnapshotDecoder replayDecoder;
  private AccountDerivationState[] states;
  private byte[][] stateBytes;
  private Serde<AccountDerivationState> stateSerde;
  private int next;

  private final SpecificDatumWriter<AccountSnapshot> avroWriter =
      new SpecificDatumWriter<>(AccountSnapshot.class);
  private final SpecificDatumReader<AccountSnapshot> avroReader =
      new SpecificDatumReader<>(AccountSnapshot.class);
  private final ByteArrayOutputStream avroOut = new ByteArrayOutputStream(256);
  private BinaryEncoder avroEncoder;
  private BinaryDecoder avroDecoder;

  @Setup
  public void setUp() throws IOException {
    RealisticSnapshots source =
        new RealisticSnapshots(
            200, VALUES, 7, RealisticSnapshots.FIXED_START, Duration.ofSeconds(1));
    snapshots = new AccountSnapshot[VALUES];
    avroOnlyBytes = new byte[VALUES][];
    confluentBytes = new byte[VALUES][];
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    serializer = new ConfluentAvroSerializer<>(registry);
    deserializer = new ConfluentAvroDeserializer<>(registry, AccountSnapshot.class);
    replayDecoder = RegistrySnapshotDecoder.forDerivation(registry);
    stateSerde = DerivationSerdes.create(registry).state();
    states = new AccountDerivationState[VALUES];
    stateBytes = new byte[VALUES][];
    AccountFold fold = new AccountFold(new Deriver(DerivationConfig.defaults()));
    AccountFold.States folded = AccountFold.States.inMemory();
    for (int i = 0; i < VALUES; i++) {
      snapshots[i] = source.next();
      avroOnlyBytes[i] = avroEncode(snapshots[i]);
      confluentBytes[i] = serializer.serialize(TOPIC, snapshots[i]);
      String account = snapshots[i].getAccountId();
      fold.apply(account, snapshots[i], folded, AccountFold.Events.none());
      states[i] = folded.get(account);
      stateBytes[i] = stateSerde.serializer().serialize(STATE_TOPIC, states[i]);
    }
  }

  private int nextIndex() {
    int i = next;
    next = (i + 1) & (VALUES - 1);
    return i;
  }

  private byte[] avroEncode(AccountSnapshot snapshot) throws IOException {
    avroOut.reset();
    avroEncoder = EncoderFactory.get().directBinaryEncoder(avroOut, avroEncoder);
    avroWriter.write(snapshot, avroEncoder);
    return avroOut.toByteArray();
  }

  @Benchmark
  public byte[] encode() {
    return serializer.serialize(TOPIC, snapshots[nextIndex()]);
  }

  @Benchmark
  public AccountSnapshot decode() {
    return deserializer.deserialize(TOPIC, confluentBytes[nextIndex()]);
  }

  /** Replay's decode: only the fields the derivation reads (the same framed bytes as decode). */
  @Benchmark
  public AccountSnapshot decodeForReplay() {
    return replayDecoder.decode(TOPIC, confluentBytes[nextIndex()]);
  }

  /** The state store's value serde (what the cache does on a put and a get), one way each. */
  @Benchmark
  public byte[] stateEncode() {
    return stateSerde.serializer().serialize(STATE_TOPIC, states[nextIndex()]);
  }

  @Benchmark
  public AccountDerivationState stateDecode() {
    return stateSerde.deserializer().deserialize(STATE_TOPIC, stateBytes[nextIndex()]);
  }

  @Benchmark
  public byte[] avroOnlyEncode() throws IOException {
    return avroEncode(snapshots[nextIndex()]);
  }

  @Benchmark
  public AccountSnapshot avroOnlyDecode() throws IOException {
    avroDecoder = DecoderFactory.get().binaryDecoder(avroOnlyBytes[nextIndex()], avroDecoder);
    return avroReader.read(null, avroDecoder);
  }
}
