package io.pmaccountstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The figures of one run: printed as one table and written as JSON. A figure is measured, never
 * asserted; a target only labels it "met" or "missed". A section that could not run says why
 * instead of giving a number.
 */
final class Report {

  /** A target a figure is compared with; {@code atLeast} false means "at most". */
  record Target(double bound, boolean atLeast) {

    static Target atLeast(double bound) {
      return new Target(bound, true);
    }

    static Target atMost(double bound) {
      return new Target(bound, false);
    }

    boolean metBy(double value) {
      return atLeast ? value >= bound : value <= bound;
    }

    String describe() {
      return (atLeast ? "≥ " : "≤ ") + Figures.format(bound);
    }
  }

  record Figure(
      String section,
      String name,
      double value,
      String unit,
      Optional<Target> target,
      String note) {

    Optional<Boolean> met() {
      return target.map(t -> t.metBy(value));
    }
  }

  record NotRun(String section, String title, String reason) {}

  private final List<Figure> figures = new ArrayList<>();
  private final List<NotRun> notRun = new ArrayList<>();
  private final Map<String, String> sectionTitles = new LinkedHashMap<>();
  private final Map<String, Map<String, Object>> settings = new LinkedHashMap<>();

  synchronized void title(String section, String title) {
    sectionTitles.put(section, title);
  }

  synchronized void figure(String section, String name, double value, String unit) {
    figures.add(new Figure(section, name, value, unit, Optional.empty(), ""));
  }

  synchronized void figure(
      String section, String name, double value, String unit, Target target, String note) {
    figures.add(new Figure(section, name, value, unit, Optional.ofNullable(target), note));
  }

  /**
   * Repeated runs of one figure: their median is the figure (the runs listed in its note, after
   * {@code note} when there is one), and their spread, (max - min) / median, is a figure of its own
   * named {@code name + ", spread (max - min) / median"}. Returns the median.
   */
  synchronized double median(
      String section, String name, List<Double> runs, String unit, Target target, String note) {
    List<Double> sorted = runs.stream().sorted().toList();
    int n = sorted.size();
    double median =
        n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    double spread = median == 0 ? 0 : (sorted.get(n - 1) - sorted.get(0)) / median;
    String listed =
        "median of "
            + n
            + " runs: "
            + runs.stream().map(Figures::format).collect(java.util.stream.Collectors.joining(", "));
    figure(section, name, median, unit, target, note.isEmpty() ? listed : note + "; " + listed);
    figure(section, name + ", spread (max - min) / median", spread * 100, "%");
    return median;
  }

  /** Settings a reader needs to interpret a section's figures (counts, commit interval, ...). */
  synchronized void setting(String section, String key, Object value) {
    settings.computeIfAbsent(section, s -> new LinkedHashMap<>()).put(key, value);
  }

  synchronized void notRun(String section, String reason) {
    notRun.add(new NotRun(section, sectionTitles.getOrDefault(section, section), reason));
  }

  synchronized List<Figure> figures() {
    return List.copyOf(figures);
  }

  synchronized Optional<Figure> find(String section, String name) {
    return figures.stream()
        .filter(f -> f.section().equals(section) && f.name().equals(name))
        .findFirst();
  }

  /** One line of the table: a figure, or a section that did not run. */
  private record Row(String section, Optional<Figure> figure, String notRunReason) {}

  /** Rows in the order the sections ran: each section's figures, then why it did not (finish). */
  private List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, String> s : sectionTitles.entrySet()) {
      String label = s.getKey() + " " + s.getValue();
      for (Figure f : figures) {
        if (f.section().equals(s.getKey())) {
          rows.add(new Row(label, Optional.of(f), ""));
        }
      }
      for (NotRun n : notRun) {
        if (n.section().equals(s.getKey())) {
          rows.add(new Row(label, Optional.empty(), n.reason()));
        }
      }
    }
    return rows;
  }

  /** The one table, in the order the sections ran. */
  synchronized void printTable(PrintStream out, Machine machine) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"section", "figure", "value", "unit", "target", "result"});
    for (Row row : rows()) {
      rows.add(
          row.figure()
              .map(
                  f ->
                      new String[] {
                        row.section(),
                        f.name(),
                        Figures.format(f.value()),
                        f.unit(),
                        f.target().map(Target::describe).orElse(""),
                        f.met().map(m -> m ? "met" : "MISSED").orElse("")
                      })
              .orElseGet(
                  () ->
                      new String[] {
                        row.section(), "not run: " + row.notRunReason(), "", "", "", ""
                      }));
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    out.println();
    out.println("pm-account-stream benchmarks — " + machine.summary());
    for (int r = 0; r < rows.size(); r++) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < widths.length; i++) {
        String cell = rows.get(r)[i];
        boolean numeric = i == 2 && r > 0;
        line.append(numeric ? pad(cell, widths[i], true) : pad(cell, widths[i], false));
        line.append(i + 1 < widths.length ? " | " : "");
      }
      out.println(line.toString().stripTrailing());
      if (r == 0) {
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
          rule.append("-".repeat(widths[i])).append(i + 1 < widths.length ? "-+-" : "");
        }
        out.println(rule);
      }
    }
    List<Figure> noted = figures.stream().filter(f -> !f.note().isEmpty()).toList();
    if (!noted.isEmpty()) {
      out.println("notes:");
      noted.forEach(f -> out.println("  " + f.section() + " " + f.name() + ": " + f.note()));
    }
    out.println();
  }

  /** The same table in Markdown, notes included, for docs/performance.md. */
  synchronized void writeMarkdown(Path file, Machine machine) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("Measured ").append(machine.summary()).append(".\n\n");
    md.append("| section | figure | value | unit | target | result |\n");
    md.append("|---|---|---:|---|---|---|\n");
    for (Row row : rows()) {
      md.append("| ").append(row.section()).append(" | ");
      if (row.figure().isEmpty()) {
        md.append("not run: ")
            .append(row.notRunReason().replace("|", "\\|"))
            .append(" | | | | |\n");
        continue;
      }
      Figure f = row.figure().get();
      md.append(f.name())
          .append(f.note().isEmpty() ? "" : " (" + f.note() + ")")
          .append(" | ")
          .append(Figures.format(f.value()))
          .append(" | ")
          .append(f.unit())
          .append(" | ")
          .append(f.target().map(Target::describe).orElse(""))
          .append(" | ")
          .append(f.met().map(m -> m ? "met" : "**missed**").orElse(""))
          .append(" |\n");
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, md.toString());
  }

  private static String pad(String s, int width, boolean right) {
    String spaces = " ".repeat(Math.max(0, width - s.length()));
    return right ? spaces + s : s + spaces;
  }

  synchronized void writeJson(Path file, Machine machine, Map<String, Object> run)
      throws IOException {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.set("machine", mapper.valueToTree(machine.asMap()));
    root.set("run", mapper.valueToTree(run));
    ArrayNode sections = root.putArray("sections");
    for (Map.Entry<String, String> s : sectionTitles.entrySet()) {
      ObjectNode node = sections.addObject();
      node.put("id", s.getKey());
      node.put("title", s.getValue());
      notRun.stream()
          .filter(n -> n.section().equals(s.getKey()))
          .findFirst()
          .ifPresentOrElse(
              n -> {
                node.put("ran", false);
                node.put("reason", n.reason());
              },
              () -> node.put("ran", true));
      node.set("settings", mapper.valueToTree(settings.getOrDefault(s.getKey(), Map.of())));
      ArrayNode list = node.putArray("figures");
      for (Figure f : figures) {
        if (!f.section().equals(s.getKey())) {
          continue;
        }
        ObjectNode fig = list.addObject();
        fig.put("name", f.name());
        fig.put("value", f.value());
        fig.put("unit", f.unit());
        f.target()
            .ifPresent(
                t -> {
                  fig.put("target", t.describe());
                  fig.put("met", t.metBy(f.value()));
                });
        if (!f.note().isEmpty()) {
          fig.put("note", f.note());
        }
      }
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    mapper.writeValue(tmp.toFile(), root);
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Number formatting shared by the table and the targets. */
  static final class Figures {
    private Figures() {}

    static String format(double v) {
      if (Double.isNaN(v)) {
        return "n/a";
      }
      double abs = Math.abs(v);
      if (abs >= 100) {
        return String.format(Locale.ROOT, "%,.0f", v);
      }
      if (abs >= 1) {
        return String.format(Locale.ROOT, "%.2f", v);
      }
      return String.format(Locale.ROOT, "%.3f", v);
    }
  }
}
