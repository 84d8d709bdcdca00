package io.pmaccountstream.replay;

import io.pmaccountstream.avro.AccountStatusTransition;
import io.pmaccountstream.avro.UniMmrLevelEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where a replay's derived events go: a file or prefixed topics. Events arrive in the order the
 * derivation emitted them.
 */
public interface EventSink extends OutputSink {

  /** File extensions of the JSON lines sink. */
  String[] JSON_LINES = {".jsonl", ".json"};

  /** File extension of the Avro container sink. */
  String[] AVRO = {".avro"};

  void transition(AccountStatusTransition event);

  void levelEvent(UniMmrLevelEvent event);

  /**
   * The sink for a file, by its extension: {@code .jsonl} or {@code .json} (JSON lines), {@code
   * .avro} (two Avro container files, see {@link AvroContainerEventSink}).
   *
   * @throws IllegalArgumentException for any other extension
   */
  static EventSink forFile(Path out) {
    if (OutputSink.hasExtension(out, JSON_LINES)) {
      return new JsonLinesEventSink(out);
    }
    if (OutputSink.hasExtension(out, AVRO)) {
      return new AvroContainerEventSink(out);
    }
    throw new IllegalArgumentException(refusal(out).orElseThrow());
  }

  /**
   * Why {@link #forFile} would refuse {@code out}, if it would; checks the name without creating
   * anything (for start-up validation).
   */
  static Optional<String> refusal(Path out) {
    return OutputSink.hasExtension(out, JSON_LINES) || OutputSink.hasExtension(out, AVRO)
        ? Optional.empty()
        : Optional.of(
            "--out " + out + ": the extension must be .jsonl, .json (JSON lines) or .avro");
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
