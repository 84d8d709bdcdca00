package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes events as Avro object container files. One container holds records of one schema, so
 * {@code --out base.avro} becomes two files: {@code base.status-transitions.avro} with {@link
 * AccountStatusTransition} records and {@code base.low-unimmr.avro} with {@link UniMmrLevelEvent}
 * records, each with its schema in the header (decimal and timestamp logical types included).
 */
public final class AvroContainerEventSink implements EventSink {

  private final AvroContainerWriter<AccountStatusTransition> transitions;
  private final AvroContainerWriter<UniMmrLevelEvent> levels;

  public AvroContainerEventSink(Path out) {
    this.transitions =
        new AvroContainerWriter<>(
            transitionsPath(out),
            AccountStatusTransition.class,
            AccountStatusTransition.getClassSchema());
    try {
      this.levels =
          new AvroContainerWriter<>(
              levelEventsPath(out), UniMmrLevelEvent.class, UniMmrLevelEvent.getClassSchema());
    } catch (ReplayException e) {
      transitions.close();
      throw e;
    }
  }

  /** {@code base.avro} → {@code base.status-transitions.avro}. */
  public static Path transitionsPath(Path out) {
    return sibling(out, "status-transitions");
  }

  /** {@code base.avro} → {@code base.low-unimmr.avro}. */
  public static Path levelEventsPath(Path out) {
    return sibling(out, "low-unimmr");
  }

  private static Path sibling(Path out, String kind) {
    String name = out.getFileName().toString();
    String base = name.endsWith(".avro") ? name.substring(0, name.length() - 5) : name;
    return out.resolveSibling(base + "." + kind + ".avro");
  }

  @Override
  public void transition(AccountStatusTransition event) {
    transitions.append(event);
  }

  @Override
  public void levelEvent(UniMmrLevelEvent event) {
    levels.append(event);
  }

  @Override
  public void close() {
    try {
      transitions.close();
    } finally {
      levels.close();
    }
  }

  @Override
  public List<String> destinations() {
    return List.of(
        transitions.path() + " (" + transitions.written() + " status transitions, Avro)",
        levels.path() + " (" + levels.written() + " uniMMR level events, Avro)");
  }
}
