package io.pmaccountstream.replay;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What every output of {@code replay} ({@link EventSink}) and {@code export} ({@link SnapshotSink})
 * has in common: closing finishes it, and it says where its records went for the end-of-run report.
 */
public interface OutputSink extends AutoCloseable {

  /** Flushes and releases; a sink that cannot finish writing throws {@link ReplayException}. */
  @Override
  void close();

  /** Where the records went, one line per file or topic, for the end-of-run report. */
  List<String> destinations();

  /** Whether {@code out}'s file name ends with one of {@code extensions}, case-insensitively. */
  static boolean hasExtension(Path out, String... extensions) {
    String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
    for (String extension : extensions) {
      if (name.endsWith(extension)) {
        return true;
      }
    }
    return false;
  }
}
