package io.pmaccountstream.replay;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The end-of-run report on stderr: what was read, what was written, what was skipped. */
final class ReportPrinter {

  private ReportPrinter() {}

  static void printReplay(
      PrintWriter err, ReplayReport report, List<String> destinations, Duration took) {
    err.println(
        String.format(
            Locale.ROOT,
            "replay: done in %s: %,d records read (%,d warm-up), %,d snapshots in range from %d"
                + " accounts (%,d stale, ignored as live), %,d records of other accounts skipped",
            Durations.human(took),
            report.recordsRead(),
            report.warmUpRecords(),
            report.rangeRecords(),
            report.accounts(),
            report.staleInRange(),
            report.otherAccounts()));
    err.println(
        String.format(
            Locale.ROOT,
            "replay: %,d status transitions, %,d uniMMR level events%s",
            report.transitions(),
            report.levelEvents(),
            destinations.isEmpty() ? "" : ", written to:"));
    destinations.forEach(d -> err.println("  " + d));
    printBadRecords(err, "replay", report.badRecords());
  }

  static void printExport(
      PrintWriter err, ReplayReport report, List<String> destinations, Duration took) {
    err.println(
        String.format(
            Locale.ROOT,
            "export: done in %s: %,d records read, %,d snapshots of %d accounts exported,"
                + " %,d records of other accounts skipped, written to:",
            Durations.human(took),
            report.recordsRead(),
            report.rangeRecords(),
            report.accounts(),
            report.otherAccounts()));
    destinations.forEach(d -> err.println("  " + d));
    printBadRecords(err, "export", report.badRecords());
  }

  private static void printBadRecords(PrintWriter err, String label, BadRecords bad) {
    if (bad.count() == 0) {
      return;
    }
    err.println(
        String.format(
            Locale.ROOT,
            "%s: %,d bad records skipped %s; the first ones:",
            label,
            bad.count(),
            bad.byKind()));
    bad.samples().forEach(s -> err.println("  " + s));
  }
}
