package io.pmaccountstream.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples out of a Prometheus text exposition ({@code /metrics}). */
public final class PrometheusText {

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** One sample: the metric name, its labels, its value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private PrometheusText() {}

  public static java.util.List<Sample> parse(String text) {
    java.util.List<Sample> samples = new java.util.ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line.strip());
      if (!m.matches()) {
        continue;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
    }
    return samples;
  }

  /** The sum of the samples of {@code name} whose labels include {@code labels}. */
  public static double sum(String text, String name, Map<String, String> labels) {
    return parse(text).stream()
        .filter(s -> s.name().equals(name))
        .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
        .mapToDouble(Sample::value)
        .sum();
  }

  /** Sums of {@code name} grouped by the value of one label. */
  public static Map<String, Double> byLabel(String text, String name, String label) {
    Map<String, Double> sums = new java.util.TreeMap<>();
    for (Sample s : parse(text)) {
      if (s.name().equals(name) && s.labels().containsKey(label)) {
        sums.merge(s.labels().get(label), s.value(), Double::sum);
      }
    }
    return sums;
  }
}
