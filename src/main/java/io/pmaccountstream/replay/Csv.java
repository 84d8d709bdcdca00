package io.pmaccountstream.replay;

/** RFC 4180 cells: quoted only when they contain a comma, a quote or a line break. */
final class Csv {

  private Csv() {}

  /**
   * Appends {@code value} as one cell; null is an empty cell, the empty string a quoted {@code ""}
   * so the two stay distinct.
   */
  static void appendCell(StringBuilder row, String value) {
    if (value == null) {
      return;
    }
    boolean quote = value.isEmpty();
    for (int i = 0, n = value.length(); i < n && !quote; i++) {
      char c = value.charAt(i);
      quote = c == ',' || c == '"' || c == '\n' || c == '\r';
    }
    if (!quote) {
      row.append(value);
      return;
    }
    row.append('"');
    for (int i = 0, n = value.length(); i < n; i++) {
      char c = value.charAt(i);
      if (c == '"') {
        row.append('"');
      }
      row.append(c);
    }
    row.append('"');
  }
}
