package io.pmaccountstream.bench;

import java.util.Optional;

/** One part of the suite: measures, and puts its figures into the report. */
interface Section {

  /** Short id used on the command line and in the report ("1", "3b", ...). */
  String id();

  String title();

  /** Why the section cannot run here (a missing piece of the pipeline), or empty. */
  default Optional<String> unavailable(BenchContext context) {
    return Optional.empty();
  }

  /** Whether a run without {@code --sections} runs it (false for long, optional sections). */
  default boolean inDefaultSuite() {
    return true;
  }

  void run(BenchContext context) throws Exception;
}
