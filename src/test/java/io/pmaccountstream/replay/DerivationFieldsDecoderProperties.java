package io.pmaccountstream.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.avro.AccountDerivationState;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.derivation.AccountFold;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.derivation.Deriver;
import io.pmaccountstream.serde.ConfluentAvroDeserializer;
import io.pmaccountstream.serde.ConfluentAvroSerializer;
import io.pmaccountstream.serde.ConfluentWireFormat;
import io.pmaccountstream.testing.InMemorySchemaRegistry;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.avro.Schema;

/**
 * {@link DerivationFieldsDecoder} gives the full decode's values for every field it keeps, never
 * accepts bytes the full decode rejects, and the derivation cannot tell its snapshots from fully
 * decoded ones.
 */
class DerivationFieldsDecoderProperties {

  private static final String TOPIC = "pm.account.snapshots";

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final ConfluentAvroSerializer<AccountSnapshot> serializer =
      new ConfluentAvroSerializer<>(registry);
  private final ConfluentAvroDeserializer<AccountSnapshot> full =
      new ConfluentAvroDeserializer<>(registry, AccountSnapshot.class);
  private final DerivationFieldsDecoder decoder = DerivationFieldsDecoder.create().orElseThrow();

  @Example
  void readsTheCurrentClassSchema() {
    assertThat(DerivationFieldsDecoder.create()).isPresent();
    assertThat(DerivationFieldsDecoder.reads(AccountSnapshot.getClassSchema())).isTrue();
    assertThat(
            DerivationFieldsDecoder.reads(
                new Schema.Parser().parse(AccountSnapshot.getClassSchema().toString())))
        .isTrue();
  }

  @Example
  void doesNotReadAnotherLayout() {
    Schema older =
        Schema.createRecord(
            "AccountSnapshot",
            null,
            "io.pmaccountstream.avro",
            false,
            AccountSnapshot.getClassSchema().getFields().stream()
                .filter(f -> !f.name().equals("usedWeight1m"))
                .map(f -> new Schema.Field(f, f.schema()))
                .toList());

    assertThat(DerivationFieldsDecoder.reads(older)).isFalse();
  }

  @Property(tries = 300)
  void keepsTheFullDecodesValueOfEveryFieldItReads(@ForAll("snapshots") AccountSnapshot snapshot) {
    byte[] bytes = serializer.serialize(TOPIC, snapshot);

    Optional<AccountSnapshot> read = decodeFast(bytes);

    assertThat(read).contains(projection(full.deserialize(TOPIC, bytes)));
  }

  @Property(tries = 1000)
  void neverAcceptsBytesTheFullDecodeRejects(
      @ForAll("snapshots") AccountSnapshot snapshot,
      @ForAll @IntRange(min = 0, max = 400) int at,
      @ForAll byte replacement,
      @ForAll @IntRange(min = -3, max = 3) int lengthChange) {
    byte[] valid = serializer.serialize(TOPIC, snapshot);
    byte[] bytes = Arrays.copyOf(valid, Math.max(6, valid.length + lengthChange));
    int position = ConfluentWireFormat.HEADER_SIZE + at % (bytes.length - 5);
    bytes[position] = replacement;

    Optional<AccountSnapshot> read = decodeFast(bytes);

    AccountSnapshot fully;
    try {
      fully = full.deserialize(TOPIC, bytes);
    } catch (RuntimeException e) {
      assertThat(read).as("accepted what the full decode rejects: %s", e).isEmpty();
      return;
    }
    read.ifPresent(r -> assertThat(r).isEqualTo(projection(fully)));
  }

  @Property(tries = 100)
  void theDerivationGivesTheSameEventsAndStatesFromEitherDecode(
      @ForAll @Size(min = 1, max = 40) List<@From("snapshots") AccountSnapshot> raw) {
    List<AccountSnapshot> history = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      AccountSnapshot s = AccountSnapshot.newBuilder(raw.get(i)).build();
      s.setAccountId("acct-" + (i % 2));
      s.setObservedAt(Instant.ofEpochMilli(1_732_363_200_000L + i * 1000L));
      s.setUpdateTime(s.getObservedAt().minusMillis(i % 3 * 700L));
      history.add(s);
    }
    List<AccountSnapshot> fast = new ArrayList<>();
    for (AccountSnapshot s : history) {
      fast.add(decodeFast(serializer.serialize(TOPIC, s)).orElseThrow());
    }

    assertThat(fold(fast)).isEqualTo(fold(history));
  }

  private Optional<AccountSnapshot> decodeFast(byte[] bytes) {
    return decoder.decode(
        bytes, ConfluentWireFormat.HEADER_SIZE, bytes.length - ConfluentWireFormat.HEADER_SIZE);
  }

  /** {@code snapshot} with the fields the decoder does not read as a new snapshot has them. */
  private static AccountSnapshot projection(AccountSnapshot snapshot) {
    AccountSnapshot projected = new AccountSnapshot();
    for (Schema.Field f : AccountSnapshot.getClassSchema().getFields()) {
      if (!DerivationFieldsDecoder.UNREAD.contains(f.name())) {
        projected.put(f.pos(), snapshot.get(f.pos()));
      }
    }
    return projected;
  }

  /** Everything the fold emits and stores, in order. */
  private static List<Object> fold(List<AccountSnapshot> history) {
    AccountFold fold = new AccountFold(new Deriver(DerivationConfig.defaults()));
    AccountFold.States states = AccountFold.States.inMemory();
    List<Object> out = new ArrayList<>();
    AccountFold.Events events =
        new AccountFold.Events() {
          @Override
          public void transition(AccountStatusTransition transition) {
            out.add(transition);
          }

          @Override
          public void levelEvent(UniMmrLevelEvent event) {
            out.add(event);
          }
        };
    for (AccountSnapshot s : history) {
      out.add(fold.apply(s.getAccountId(), s, states, events).getClass().getSimpleName());
      AccountDerivationState state = states.get(s.getAccountId());
      out.add(state);
    }
    return out;
  }

  @Provide
  Arbitrary<AccountSnapshot> snapshots() {
    Arbitrary<BigDecimal> decimal = decimals();
    Arbitrary<BigDecimal> nullable = decimals().injectNull(0.3);
    Arbitrary<AccountStatus> status = Arbitraries.of(AccountStatus.class);
    Arbitrary<String> text = Arbitraries.strings().ofMaxLength(30);
    Arbitrary<Instant> time =
        Arbitraries.longs().between(0, 4_000_000_000_000L).map(Instant::ofEpochMilli);
    return Combinators.combine(
            Combinators.combine(text, nullable, decimal, decimal, decimal, decimal, status, text)
                .as(
                    (id, uni, eq, act, init, maint, st, raw) ->
                        AccountSnapshot.newBuilder()
                            .setAccountId(id)
                            .setUniMMR(uni)
                            .setAccountEquity(eq)
                            .setActualEquity(act)
                            .setAccountInitialMargin(init)
                            .setAccountMaintMargin(maint)
                            .setAccountStatus(st)
                            .setAccountStatusRaw(raw)),
            Combinators.combine(nullable, nullable, nullable, time, time)
                .as((v, t, o, upd, obs) -> new Object[] {v, t, o, upd, obs}),
            Combinators.combine(
                    Arbitraries.integers(),
                    Arbitraries.integers().injectNull(0.3),
                    text,
                    Arbitraries.longs())
                .as((lat, w, poller, seq) -> new Object[] {lat, w, poller, seq}))
        .as(
            (builder, more, rest) ->
                builder
                    .setVirtualMaxWithdrawAmount((BigDecimal) more[0])
                    .setTotalAvailableBalance((BigDecimal) more[1])
                    .setTotalMarginOpenLoss((BigDecimal) more[2])
                    .setUpdateTime((Instant) more[3])
                    .setObservedAt((Instant) more[4])
                    .setRequestLatencyMs((Integer) rest[0])
                    .setUsedWeight1m((Integer) rest[1])
                    .setPollerInstanceId((String) rest[2])
                    .setSequence((Long) rest[3])
                    .build());
  }

  /** Scale 8, unscaled values from one byte to well past the 8 bytes of a long, both signs. */
  private static Arbitrary<BigDecimal> decimals() {
    return Arbitraries.oneOf(
        Arbitraries.longs().map(l -> BigDecimal.valueOf(l, 8)),
        Arbitraries.bigIntegers()
            .between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))
            .map(b -> new BigDecimal(b, 8)),
        Arbitraries.of(-1L, 0L, 1L, 127L, 128L, -128L, -129L).map(l -> BigDecimal.valueOf(l, 8)));
  }
}
