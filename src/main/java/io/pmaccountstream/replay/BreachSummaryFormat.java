package io.pmaccountstream.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pmaccountstream.avro.AccountStatus;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@link BreachSummary} as an aligned table for the terminal, as CSV and as JSON.
 *
 * <p>CSV has one row per account and level, with the account's numbers (snapshots, min uniMMR,
 * transitions by target status, one {@code transitionsTo<STATUS>} column per status) repeated on
 * each of its rows, so the file loads as one flat table. Durations are seconds with millisecond
 * precision ({@code 3600.250}); JSON adds them as ISO-8601 ({@code PT1H0.25S}).
 */
public final class BreachSummaryFormat {

  private static final List<AccountStatus> STATUSES =
      List.of(AccountStatus.values()).stream().filter(s -> s != AccountStatus.UNKNOWN).toList();

  private BreachSummaryFormat() {}

  /** Two aligned tables: breaches per account and level, then transitions per account. */
  public static String table(BreachSummary summary) {
    StringBuilder out = new StringBuilder();
    out.append("Breaches in ")
        .append(summary.range())
        .append(", hysteresis ")
        .append(summary.hysteresis().toPlainString())
        .append(" (open breaches measured to the account's last snapshot)\n");
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "ACCOUNT", "LEVEL", "BREACHES", "TIME BELOW", "LONGEST", "AT END", "MIN UNIMMR", "MIN AT"
        });
    for (BreachSummary.Account account : summary.accounts()) {
      for (BreachSummary.Level level : account.levels()) {
        rows.add(
            new String[] {
              account.accountId(),
              FieldValues.decimal(level.level()),
              Integer.toString(level.breaches()),
              Durations.human(level.timeBelow()),
              Durations.human(level.longestBreach()),
              level.breachedAtEnd() ? "breached" : "-",
              account.minUniMmr().map(FieldValues::decimal).orElse("-"),
              account.minUniMmrAt().map(Object::toString).orElse("-")
            });
      }
    }
    appendAligned(out, rows, 2);
    out.append('\n').append("Status transitions by target status\n");
    List<String[]> transitions = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("ACCOUNT", "SNAPSHOTS", "STALE"));
    STATUSES.forEach(s -> header.add(s.name()));
    header.add(AccountStatus.UNKNOWN.name());
    transitions.add(header.toArray(String[]::new));
    for (BreachSummary.Account account : summary.accounts()) {
      List<String> row = new ArrayList<>();
      row.add(account.accountId());
      row.add(Long.toString(account.snapshots()));
      row.add(Long.toString(account.staleSnapshots()));
      STATUSES.forEach(s -> row.add(Integer.toString(account.transitionsTo(s))));
      row.add(Integer.toString(account.transitionsTo(AccountStatus.UNKNOWN)));
      transitions.add(row.toArray(String[]::new));
    }
    appendAligned(out, transitions, 2);
    return out.toString();
  }

  /** Writes the CSV form (one row per account and level). */
  public static void writeCsv(BreachSummary summary, Path path) {
    try (Writer out = Files.newBufferedWriter(path)) {
      StringBuilder row = new StringBuilder();
      row.append(
          "accountId,level,breaches,timeBelowSeconds,longestBreachSeconds,breachedAtEnd,"
              + "minUniMMR,minUniMMRAt,snapshots,staleSnapshots,lastObservedAt");
      for (AccountStatus status : AccountStatus.values()) {
        row.append(",transitionsTo").append(status.name());
      }
      out.append(row).append("\r\n");
      for (BreachSummary.Account account : summary.accounts()) {
        for (BreachSummary.Level level : account.levels()) {
          row.setLength(0);
          Csv.appendCell(row, account.accountId());
          row.append(',').append(FieldValues.decimal(level.level()));
          row.append(',').append(level.breaches());
          row.append(',').append(Durations.seconds(level.timeBelow()));
          row.append(',').append(Durations.seconds(level.longestBreach()));
          row.append(',').append(level.breachedAtEnd());
          row.append(',').append(account.minUniMmr().map(FieldValues::decimal).orElse(""));
          row.append(',').append(account.minUniMmrAt().map(Object::toString).orElse(""));
          row.append(',').append(account.snapshots());
          row.append(',').append(account.staleSnapshots());
          row.append(',').append(account.lastObservedAt().map(Object::toString).orElse(""));
          for (AccountStatus status : AccountStatus.values()) {
            row.append(',').append(account.transitionsTo(status));
          }
          out.append(row).append("\r\n");
        }
      }
    } catch (IOException e) {
      throw new ReplayException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  /** Writes the JSON form (one document, accounts with their levels nested). */
  public static void writeJson(BreachSummary summary, Path path) {
    try (BufferedWriter out = Files.newBufferedWriter(path);
        JsonGenerator json = new JsonFactory().createGenerator(out).useDefaultPrettyPrinter()) {
      json.writeStartObject();
      json.writeStringField("from", summary.range().from().toString());
      json.writeStringField("to", summary.range().to().toString());
      json.writeArrayFieldStart("levels");
      for (BigDecimal level : summary.levels()) {
        json.writeString(FieldValues.decimal(level));
      }
      json.writeEndArray();
      json.writeStringField("hysteresis", summary.hysteresis().toPlainString());
      json.writeStringField("openBreachesMeasuredTo", "last snapshot of the account");
      json.writeArrayFieldStart("accounts");
      for (BreachSummary.Account account : summary.accounts()) {
        writeAccount(json, account);
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new ReplayException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes the summary to {@code path} in the format its extension names ({@code .csv} or {@code
   * .json}).
   */
  public static void write(BreachSummary summary, Path path) {
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".csv")) {
      writeCsv(summary, path);
    } else if (name.endsWith(".json")) {
      writeJson(summary, path);
    } else {
      throw new IllegalArgumentException(
          "--summary-out " + path + ": the extension must be .csv or .json");
    }
  }

  private static void writeAccount(JsonGenerator json, BreachSummary.Account account)
      throws IOException {
    json.writeStartObject();
    json.writeStringField("accountId", account.accountId());
    json.writeNumberField("snapshots", account.snapshots());
    json.writeNumberField("staleSnapshots", account.staleSnapshots());
    writeOptional(json, "minUniMMR", account.minUniMmr().map(FieldValues::decimal).orElse(null));
    writeOptional(json, "minUniMMRAt", account.minUniMmrAt().map(Object::toString).orElse(null));
    writeOptional(
        json, "lastObservedAt", account.lastObservedAt().map(Object::toString).orElse(null));
    json.writeObjectFieldStart("transitionsTo");
    for (AccountStatus status : AccountStatus.values()) {
      json.writeNumberField(status.name(), account.transitionsTo(status));
    }
    json.writeEndObject();
    json.writeArrayFieldStart("levels");
    for (BreachSummary.Level level : account.levels()) {
      json.writeStartObject();
      json.writeStringField("level", FieldValues.decimal(level.level()));
      json.writeNumberField("breaches", level.breaches());
      json.writeNumberField(
          "timeBelowSeconds", new BigDecimal(Durations.seconds(level.timeBelow())));
      json.writeStringField("timeBelow", level.timeBelow().toString());
      json.writeNumberField(
          "longestBreachSeconds", new BigDecimal(Durations.seconds(level.longestBreach())));
      json.writeStringField("longestBreach", level.longestBreach().toString());
      json.writeBooleanField("breachedAtEnd", level.breachedAtEnd());
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeEndObject();
  }

  private static void writeOptional(JsonGenerator json, String name, String value)
      throws IOException {
    if (value == null) {
      json.writeNullField(name);
    } else {
      json.writeStringField(name, value);
    }
  }

  private static void appendAligned(StringBuilder out, List<String[]> rows, int gap) {
    int columns = rows.get(0).length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int c = 0; c < columns; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        line.append(row[c]);
        if (c < columns - 1) {
          line.append(" ".repeat(widths[c] - row[c].length() + gap));
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
  }
}
