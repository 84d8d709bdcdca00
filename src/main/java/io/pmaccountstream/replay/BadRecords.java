package io.pmaccountstream.replay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts history records that could not be read, by kind of problem, and keeps the first few with
 * their partition and offset so they can be found ({@code kafka-console-consumer --partition P
 * --offset O --max-messages 1}). Reading never stops for a bad record.
 */
public final class BadRecords {

  private static final Logger log = LoggerFactory.getLogger(BadRecords.class);

  /** How many bad records are logged and kept with their position. */
  public static final int SAMPLES = 5;

  private final Map<String, Long> byKind = new TreeMap<>();
  private final List<String> samples = new ArrayList<>(SAMPLES);
  private long count;

  /**
   * Records one bad record.
   *
   * @param kind the problem, worded the same for every record that has it
   * @param detail this record's specifics (may be empty)
   */
  public synchronized void add(
      String topic, int partition, long offset, String kind, String detail) {
    count++;
    byKind.merge(kind, 1L, Long::sum);
    if (samples.size() < SAMPLES) {
      String sample =
          topic
              + "-"
              + partition
              + " offset "
              + offset
              + ": "
              + kind
              + (detail.isEmpty() ? "" : " (" + detail + ")");
      samples.add(sample);
      log.warn("Skipping a bad record at {}", sample);
    }
  }

  public synchronized long count() {
    return count;
  }

  /** Counts by kind of problem, in the order of the kinds' names (so reports are stable). */
  public synchronized Map<String, Long> byKind() {
    return Collections.unmodifiableMap(new TreeMap<>(byKind));
  }

  /** The first {@link #SAMPLES} bad records, as "topic-partition offset N: kind (detail)". */
  public synchronized List<String> samples() {
    return List.copyOf(samples);
  }
}
