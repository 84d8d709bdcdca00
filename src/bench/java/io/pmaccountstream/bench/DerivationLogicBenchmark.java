package io.pmaccountstream.bench;

import io.pmaccountstream.avro.AccountDerivationState;
import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.derivation.Derivation;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.derivation.Deriver;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Section 3b: the derivation logic alone, one thread, over the random-walk snapshots of {@value
 * #ACCOUNTS} accounts with the default levels. Each operation derives one snapshot against the
 * account's previous state, as the Streams processor and replay do, without Kafka or a state store.
 * When the prepared snapshots run out the states are cleared and the walk starts again (so no
 * snapshot is ever stale).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DerivationLogicBenchmark {

  static final int ACCOUNTS = 200;
  private static final int STEPS = 250;

  private final Deriver deriver = new Deriver(DerivationConfig.defaults());
  private AccountSnapshot[] snapshots;
  private int[] accountOf;
  private final AccountDerivationState[] states = new AccountDerivationState[ACCOUNTS];
  private int next;

  @Setup
  public void setUp() {
    int count = ACCOUNTS * STEPS;
    RealisticSnapshots walk =
        new RealisticSnapshots(
            ACCOUNTS, count, 11, RealisticSnapshots.FIXED_START, Duration.ofSeconds(1));
    snapshots = new AccountSnapshot[count];
    accountOf = new int[count];
    for (int i = 0; i < count; i++) {
      snapshots[i] = walk.next();
      accountOf[i] = i % ACCOUNTS;
    }
  }

  @Benchmark
  public Derivation derive() {
    int i = next;
    if (++next == snapshots.length) {
      next = 0;
      Arrays.fill(states, null);
    }
    int account = accountOf[i];
    Derivation derivation = deriver.derive(states[account], snapshots[i]);
    states[account] = derivation.state();
    return derivation;
  }
}
