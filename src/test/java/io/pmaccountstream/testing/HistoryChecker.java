package io.pmaccountstream.testing;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.derivation.AccountFold;
import io.pmaccountstream.derivation.DerivationConfig;
import io.pmaccountstream.derivation.Deriver;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * The exactly-once check of a run, as a pure function of its logs (in the spirit of Kafka's {@code
 * EosTestDriver} and Jepsen's Kafka workload): the snapshot topic, read in partition/offset order,
 * derived with the plain {@link AccountFold}, against the derived events read {@code
 * read_committed}. Equal means: per account, the same events in the same order; no eventId twice;
 * none missing; none extra.
 */
public final class HistoryChecker {

  /** A record of a topic, where it was. */
  public record Logged<V>(int partition, long offset, String key, V value) {}

  /** What the check found. Lists hold eventIds (at most {@link #SAMPLES} each). */
  public record Result(
      int snapshots,
      int expectedEvents,
      int actualEvents,
      int duplicates,
      int missing,
      int unexpected,
      int accountsOutOfOrder,
      List<String> duplicateIds,
      List<String> missingIds,
      List<String> unexpectedIds,
      List<String> outOfOrderAccounts) {

    public boolean equal() {
      return duplicates == 0 && missing == 0 && unexpected == 0 && accountsOutOfOrder == 0;
    }

    public String describe() {
      return (equal() ? "EQUAL" : "NOT EQUAL")
          + ": "
          + snapshots
          + " snapshots, "
          + expectedEvents
          + " events expected, "
          + actualEvents
          + " derived; duplicates "
          + duplicates
          + " "
          + duplicateIds
          + ", missing "
          + missing
          + " "
          + missingIds
          + ", unexpected "
          + unexpected
          + " "
          + unexpectedIds
          + ", accounts out of order "
          + accountsOutOfOrder
          + " "
          + outOfOrderAccounts;
    }
  }

  public static final int SAMPLES = 10;

  private HistoryChecker() {}

  /**
   * @param snapshots the snapshot topic, any order (sorted here by partition and offset)
   * @param events the derived events (transitions and level events, any mix), read_committed
   */
  public static Result check(
      List<Logged<AccountSnapshot>> snapshots,
      List<Logged<? extends SpecificRecord>> events,
      DerivationConfig config) {
    List<Logged<AccountSnapshot>> input = new ArrayList<>(snapshots);
    input.sort(
        Comparator.comparingInt((Logged<AccountSnapshot> l) -> l.partition())
            .thenComparingLong(Logged::offset));
    Map<String, List<String>> expected = expected(input, config);
    List<Logged<? extends SpecificRecord>> output = new ArrayList<>(events);
    output.sort(
        Comparator.comparing((Logged<? extends SpecificRecord> l) -> stream(l.value()))
            .thenComparingInt(Logged::partition)
            .thenComparingLong(Logged::offset));
    Map<String, List<String>> actual = new TreeMap<>();
    List<String> duplicateIds = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    int duplicates = 0;
    int actualCount = 0;
    for (Logged<? extends SpecificRecord> event : output) {
      String id = field(event.value(), "eventId");
      String account = field(event.value(), "accountId") + " " + stream(event.value());
      actualCount++;
      if (!seen.add(id)) {
        duplicates++;
        sample(duplicateIds, id);
        continue;
      }
      actual.computeIfAbsent(account, a -> new ArrayList<>()).add(id);
    }
    Set<String> expectedIds = new HashSet<>();
    expected.values().forEach(expectedIds::addAll);
    int expectedCount = expectedIds.size();
    List<String> missingIds = new ArrayList<>();
    List<String> unexpectedIds = new ArrayList<>();
    int missing = 0;
    int unexpected = 0;
    for (List<String> ids : expected.values()) {
      for (String id : ids) {
        if (!seen.contains(id)) {
          missing++;
          sample(missingIds, id);
        }
      }
    }
    for (String id : seen) {
      if (!expectedIds.contains(id)) {
        unexpected++;
        sample(unexpectedIds, id);
      }
    }
    List<String> outOfOrder = new ArrayList<>();
    int accountsOutOfOrder = 0;
    for (Map.Entry<String, List<String>> account : actual.entrySet()) {
      List<String> want = new ArrayList<>(expected.getOrDefault(account.getKey(), List.of()));
      List<String> got = new ArrayList<>(account.getValue());
      Set<String> common = new HashSet<>(want);
      common.retainAll(got);
      want.retainAll(common);
      got.retainAll(common);
      if (!want.equals(got)) {
        accountsOutOfOrder++;
        sample(outOfOrder, account.getKey());
      }
    }
    return new Result(
        input.size(),
        expectedCount,
        actualCount,
        duplicates,
        missing,
        unexpected,
        accountsOutOfOrder,
        duplicateIds,
        missingIds,
        unexpectedIds,
        outOfOrder);
  }

  /**
   * The eventIds the plain derivation emits, per account and output, in order: the one {@link
   * AccountFold} that the live processor and replay run, over the log in partition/offset order.
   */
  static Map<String, List<String>> expected(
      List<Logged<AccountSnapshot>> input, DerivationConfig config) {
    AccountFold fold = new AccountFold(new Deriver(config));
    AccountFold.States memory = AccountFold.States.inMemory();
    Map<String, List<String>> events = new LinkedHashMap<>();
    AccountFold.Events collect =
        new AccountFold.Events() {
          @Override
          public void transition(AccountStatusTransition transition) {
            add(transition.getAccountId(), transition, transition.getEventId());
          }

          @Override
          public void levelEvent(UniMmrLevelEvent event) {
            add(event.getAccountId(), event, event.getEventId());
          }

          private void add(String accountId, SpecificRecord record, String eventId) {
            events
                .computeIfAbsent(accountId + " " + stream(record), a -> new ArrayList<>())
                .add(eventId);
          }
        };
    for (Logged<AccountSnapshot> record : input) {
      fold.apply(record.key(), record.value(), memory, collect);
    }
    return events;
  }

  /** Which output an event belongs to: order is kept per account within one output topic. */
  private static String stream(SpecificRecord record) {
    return record.getSchema().getName();
  }

  private static String field(SpecificRecord record, String name) {
    return String.valueOf(record.get(record.getSchema().getField(name).pos()));
  }

  private static void sample(List<String> samples, String id) {
    if (samples.size() < SAMPLES) {
      samples.add(id);
    }
  }
}
