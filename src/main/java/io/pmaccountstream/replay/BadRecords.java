package io.pmaccountstream.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts history records that could not be read, by reason, and keeps the first few with their
 * partition and offset so they can be found ({@code kafka-console-consumer --partition P --offset O
 * --max-messages 1}). Reading never stops for a bad record.
 */
public final class BadRecords {

  private static final Logger log = LoggerFactory.getLogger(BadRecords.class);

  /** How many bad records are logged and kept with their position. */
  public static final int SAMPLES = 5;

  private final Map<String, Long> byReason = new TreeMap<>();
  private final List<String> samples = new ArrayList<>(SAMPLES);
  private long count;

  /** Records one bad record. */
  public void add(String topic, int partition, long offset, String reason) {
    count++;
    byReason.merge(reasonKind(reason), 1L, Long::sum);
    if (samples.size() < SAMPLES) {
      String sample = topic + "-" + partition + " offset " + offset + ": " + reason;
      samples.add(sample);
      log.warn("Skipping a bad record at {}", sample);
    }
  }

  public long count() {
    return count;
  }

  /** Counts by the first clause of the reason ("unknown schema id 42" → "unknown schema id"). */
  public Map<String, Long> byReason() {
    return Map.copyOf(byReason);
  }

  /** The first {@link #SAMPLES} bad records, as "topic-partition offset N: reason". */
  public List<String> samples() {
    return List.copyOf(samples);
  }

  /** The reason without the parts that vary from record to record (numbers, quoted values). */
  static String reasonKind(String reason) {
    String kind = reason;
    int colon = kind.indexOf(':');
    if (colon > 0) {
      kind = kind.substring(0, colon);
    }
    return kind.replaceAll("\\d+", "N").trim();
  }
}
