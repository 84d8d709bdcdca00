package io.pmaccountstream.derivation;

import static org.assertj.core.api.Assertions.assertThat;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.avro.AccountStatus;
import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import io.pmaccountstream.testing.FoldedEvents;
import io.pmaccountstream.testing.TestSnapshots;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A poller cut off from the broker (its accounts <em>lost</em>, not revoked) publishes what it
 * still buffered when it reconnects, after the new owner's first snapshots: the same sequences
 * again, older observations after newer ones (docs/scale-out.md, "A partitioned poller's
 * leftovers"). Derive folds the topic in its order; these tests pin what that gives.
 */
class PartitionedPollerLeftoversTest {

  private static final String ACCOUNT = "acct-1";

  /** poller-a's snapshots 1..5, observed at 1..5 s: NORMAL. */
  private static List<AccountSnapshot> beforeTheCut() {
    List<AccountSnapshot> list = new ArrayList<>();
    for (int s = 1; s <= 5; s++) {
      list.add(snapshot("poller-a", s, s * 1000L, AccountStatus.NORMAL, "1.6000"));
    }
    return list;
  }

  @Test
  void leftoversOlderThanTheNewOwnersSnapshotsAreStaleAndDeriveNothing() {
    // poller-b took over at 14 s, restored sequence 5 from the topic and went on with 6..10
    List<AccountSnapshot> newOwner = new ArrayList<>();
    for (int s = 6; s <= 10; s++) {
      newOwner.add(snapshot("poller-b", s, (s + 8) * 1000L, AccountStatus.NORMAL, "1.6000"));
    }
    // poller-a's buffered 6..13, observed at 6..13 s (a margin call from 8 s to 10 s), published
    // when it reconnected
    List<AccountSnapshot> leftovers = new ArrayList<>();
    for (int s = 6; s <= 13; s++) {
      boolean marginCall = s >= 8 && s <= 10;
      leftovers.add(
          snapshot(
              "poller-a",
              s,
              s * 1000L,
              marginCall ? AccountStatus.MARGIN_CALL : AccountStatus.NORMAL,
              marginCall ? "1.3000" : "1.6000"));
    }
    List<AccountSnapshot> topic = concat(beforeTheCut(), newOwner, leftovers);

    FoldedEvents asPublished = fold(topic);
    FoldedEvents withoutLeftovers = fold(concat(beforeTheCut(), newOwner));
    FoldedEvents inObservationOrder =
        fold(topic.stream().sorted(Comparator.comparing(AccountSnapshot::getObservedAt)).toList());

    assertThat(asPublished.stale).as("leftovers derived as stale").isEqualTo(leftovers.size());
    assertThat(asPublished.transitions)
        .as("transitions of the topic as published")
        .isEqualTo(withoutLeftovers.transitions)
        .extracting(t -> t.getPreviousStatus() + "->" + t.getStatus())
        .containsExactly("null->NORMAL");
    assertThat(asPublished.levelEvents).isEqualTo(withoutLeftovers.levelEvents);
    // what the late arrival costs: the margin call poller-a saw is in the topic but in no event
    assertThat(inObservationOrder.transitions)
        .extracting(t -> t.getPreviousStatus() + "->" + t.getStatus())
        .containsExactly("null->NORMAL", "NORMAL->MARGIN_CALL", "MARGIN_CALL->NORMAL");
  }

  @Test
  void leftoversNewerThanTheNewOwnersLastSnapshotAreDerivedInObservationOrderWithUniqueEventIds() {
    // poller-b took over at 14 s and published 6..8 (14..16 s) before poller-a reconnected
    List<AccountSnapshot> newOwnerFirst = new ArrayList<>();
    for (int s = 6; s <= 8; s++) {
      newOwnerFirst.add(snapshot("poller-b", s, (s + 8) * 1000L, AccountStatus.NORMAL, "1.6000"));
    }
    // poller-a kept polling while cut off from the broker, until 16.5 s, when it saw a margin
    // call; all of it is published when it reconnects
    List<AccountSnapshot> leftovers = new ArrayList<>();
    for (int s = 6; s <= 15; s++) {
      leftovers.add(snapshot("poller-a", s, s * 1000L, AccountStatus.NORMAL, "1.6000"));
    }
    leftovers.add(snapshot("poller-a", 16, 16_500, AccountStatus.MARGIN_CALL, "1.3000"));
    // then poller-b goes on: 17 s still a margin call, 18 s back to normal
    List<AccountSnapshot> newOwnerThen =
        List.of(
            snapshot("poller-b", 9, 17_000, AccountStatus.MARGIN_CALL, "1.3000"),
            snapshot("poller-b", 10, 18_000, AccountStatus.NORMAL, "1.6000"));
    List<AccountSnapshot> topic = concat(beforeTheCut(), newOwnerFirst, leftovers, newOwnerThen);

    FoldedEvents asPublished = fold(topic);
    FoldedEvents inObservationOrder =
        fold(topic.stream().sorted(Comparator.comparing(AccountSnapshot::getObservedAt)).toList());

    assertThat(asPublished.stale).as("leftovers older than poller-b's 16 s").isEqualTo(10);
    assertThat(asPublished.transitions)
        .extracting(t -> t.getPreviousStatus() + "->" + t.getStatus())
        .containsExactly("null->NORMAL", "NORMAL->MARGIN_CALL", "MARGIN_CALL->NORMAL");
    assertThat(asPublished.transitions).isEqualTo(inObservationOrder.transitions);
    assertThat(asPublished.levelEvents).isEqualTo(inObservationOrder.levelEvents);
    assertThat(
            Stream.concat(
                asPublished.transitions.stream().map(AccountStatusTransition::getEventId),
                asPublished.levelEvents.stream().map(UniMmrLevelEvent::getEventId)))
        .as("event ids")
        .doesNotHaveDuplicates();
    assertThat(asPublished.accepted)
        .as("accepted snapshots: observation times only move forward")
        .isSortedAccordingTo(Comparator.comparing(AccountSnapshot::getObservedAt));
  }

  private static AccountSnapshot snapshot(
      String instance, long sequence, long millis, AccountStatus status, String uniMmr) {
    AccountSnapshot snapshot =
        TestSnapshots.of(ACCOUNT)
            .uniMmr(uniMmr)
            .status(status)
            .sequence(sequence)
            .atMillis(TestSnapshots.BASE_MILLIS + millis);
    return AccountSnapshot.newBuilder(snapshot).setPollerInstanceId(instance).build();
  }

  @SafeVarargs
  private static List<AccountSnapshot> concat(List<AccountSnapshot>... parts) {
    return Stream.of(parts).flatMap(List::stream).toList();
  }

  private static FoldedEvents fold(List<AccountSnapshot> snapshots) {
    return FoldedEvents.of(snapshots);
  }
}
