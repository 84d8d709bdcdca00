package io.pmaccountstream.poller;

import io.micrometer.core.instrument.MeterRegistry;
import io.pmaccountstream.avro.RiskLevelChange;
import io.pmaccountstream.binance.userdata.UserDataEvent;
import io.pmaccountstream.binance.userdata.UserDataListener;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the poller does with the user-data streams: every event (and every malformed frame) of an
 * account asks for a poll of it now ({@link PollScheduler#pollSoon}), so that the authoritative
 * snapshot follows within one round trip and derivation stays one code path over snapshots; a
 * {@code riskLevelChange} is also published as it came ({@link RiskLevelChangePublisher}); a
 * malformed frame is kept in the dead-letter topic ({@code BAD_PUSH_FRAME}). Never throws.
 */
public final class PushEvents implements UserDataListener {

  /** The dead-letter kind of a frame the stream client could not read as an event. */
  public static final String BAD_PUSH_FRAME = "BAD_PUSH_FRAME";

  /** The dead-letter kind of a riskLevelChange whose values do not fit the schema. */
  public static final String BAD_PUSH_EVENT = "BAD_PUSH_EVENT";

  /** The longest part of a bad frame kept in its dead letter. */
  static final int MAX_FRAME_CHARS = 16_384;

  private static final Logger log = LoggerFactory.getLogger(PushEvents.class);

  private final Consumer<String> pollSoon;
  private final RiskLevelChangePublisher riskLevelChanges;
  private final Consumer<DeadLetter> deadLetters;
  private final String instanceId;
  private final MeterRegistry meters;
  private final Clock clock;

  public PushEvents(
      Consumer<String> pollSoon,
      RiskLevelChangePublisher riskLevelChanges,
      Consumer<DeadLetter> deadLetters,
      String instanceId,
      MeterRegistry meters,
      Clock clock) {
    this.pollSoon = pollSoon;
    this.riskLevelChanges = riskLevelChanges;
    this.deadLetters = deadLetters;
    this.instanceId = instanceId;
    this.meters = meters;
    this.clock = clock;
    meters.counter("pmas.loop.errors", "loop", "push-events");
  }

  @Override
  public void onEvent(UserDataEvent event) {
    try {
      String type =
          event instanceof UserDataEvent.AccountChanged changed
              ? changed.eventType()
              : "riskLevelChange";
      meters.counter("pmas.push.events", "account", event.accountId(), "type", type).increment();
      if (event instanceof UserDataEvent.RiskLevelChange change) {
        publish(change);
      }
    } catch (RuntimeException e) {
      threw(event.accountId(), e);
    } finally {
      askPoll(event.accountId());
    }
  }

  @Override
  public void onMalformed(String accountId, String rawFrame, String reason) {
    try {
      meters.counter("pmas.push.frames.malformed", "account", accountId).increment();
      log.warn(
          "malformed user-data frame of account {} (kept in the dead-letter topic): {}",
          accountId,
          reason);
      deadLetters.accept(
          new DeadLetter(
              accountId,
              clock.instant(),
              BAD_PUSH_FRAME,
              OptionalInt.empty(),
              Optional.empty(),
              reason,
              "The user-data stream sent a frame that is not a well-formed event; the account was"
                  + " polled at once instead. A new event type or field format of Binance's:"
                  + " report it with this record.",
              Optional.ofNullable(rawFrame).map(PushEvents::capped),
              instanceId));
    } catch (RuntimeException e) {
      threw(accountId, e);
    } finally {
      // Something happened on the account: its authoritative state is one poll away.
      askPoll(accountId);
    }
  }

  private void publish(UserDataEvent.RiskLevelChange change) {
    RiskLevelChange record;
    try {
      record = toRecord(change, clock, instanceId);
    } catch (ArithmeticException | NullPointerException e) {
      meters.counter("pmas.push.frames.malformed", "account", change.accountId()).increment();
      log.warn(
          "riskLevelChange of account {} outside the schema: {}", change.accountId(), e.toString());
      deadLetters.accept(
          new DeadLetter(
              change.accountId(),
              clock.instant(),
              BAD_PUSH_EVENT,
              OptionalInt.empty(),
              Optional.empty(),
              "riskLevelChange does not fit the schema (decimal(38,8), fields present): " + e,
              "The account was polled at once instead; the stream client's input policy should"
                  + " have refused this event: report it with this record.",
              Optional.of(capped(change.toString())),
              instanceId));
      return;
    }
    riskLevelChanges.offer(record);
  }

  /** The Avro record of an event, every decimal at scale 8 exactly (never rounded). */
  static RiskLevelChange toRecord(
      UserDataEvent.RiskLevelChange change, Clock clock, String instanceId) {
    return RiskLevelChange.newBuilder()
        .setAccountId(change.accountId())
        .setEventTime(change.eventTime())
        .setRiskLevel(change.riskLevel())
        .setUniMMR(change.uniMmr() == null ? null : scaled(change.uniMmr()))
        .setAccountEquity(scaled(change.accountEquity()))
        .setActualEquity(scaled(change.actualEquity()))
        .setMaintMargin(scaled(change.maintMargin()))
        .setReceivedAt(clock.instant())
        .setPollerInstanceId(instanceId)
        .build();
  }

  private static BigDecimal scaled(BigDecimal value) {
    BigDecimal scaled = value.setScale(SnapshotMapper.SCALE, RoundingMode.UNNECESSARY);
    if (scaled.precision() > 38) {
      throw new ArithmeticException(value + " has more than 30 integer digits");
    }
    return scaled;
  }

  private void askPoll(String accountId) {
    try {
      pollSoon.accept(accountId);
    } catch (RuntimeException e) {
      threw(accountId, e);
    }
  }

  private void threw(String accountId, RuntimeException e) {
    meters.counter("pmas.loop.errors", "loop", "push-events").increment();
    log.error("handling a user-data event of account {} threw; the stream goes on", accountId, e);
  }

  private static String capped(String frame) {
    return frame.length() <= MAX_FRAME_CHARS
        ? frame
        : frame.substring(0, MAX_FRAME_CHARS) + "…(" + frame.length() + " chars)";
  }
}
