package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Where a replay's derived events go: a file or prefixed topics. Events arrive in the order the
 * derivation emitted them.
 */
public interface EventSink extends AutoCloseable {

  void transition(AccountStatusTransition event);

  void levelEvent(UniMmrLevelEvent event);

  /** Flushes and releases; a sink that cannot finish writing throws {@link ReplayException}. */
  @Override
  void close();

  /** Where the events went, one line per file or topic, for the end-of-run report. */
  List<String> destinations();

  /**
   * The sink for a file, by its extension: {@code .jsonl} or {@code .json} (JSON lines), {@code
   * .avro} (two Avro container files, see {@link AvroContainerEventSink}).
   *
   * @throws IllegalArgumentException for any other extension
   */
  static EventSink forFile(Path out) {
    String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".jsonl") || name.endsWith(".json")) {
      return new JsonLinesEventSink(out);
    }
    if (name.endsWith(".avro")) {
      return new AvroContainerEventSink(out);
    }
    throw new IllegalArgumentException(
        "--out " + out + ": the extension must be .jsonl, .json (JSON lines) or .avro");
  }

  /** Checks an output file name without creating anything (for start-up validation). */
  static boolean supportsFile(Path out) {
    String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".avro");
  }

  /** A sink that drops everything (a summary-only run). */
  static EventSink discarding() {
    return new EventSink() {
      @Override
      public void transition(AccountStatusTransition event) {}

      @Override
      public void levelEvent(UniMmrLevelEvent event) {}

      @Override
      public void close() {}

      @Override
      public List<String> destinations() {
        return List.of();
      }
    };
  }
}
