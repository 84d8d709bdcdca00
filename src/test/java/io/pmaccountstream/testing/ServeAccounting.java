package io.pmaccountstream.testing;

import io.pmaccountstream.avro.AccountSnapshot;
import io.pmaccountstream.simulator.AccountState;
import io.pmaccountstream.simulator.HostileAnswer.Accounting;
import io.pmaccountstream.simulator.ServedAnswer;
import io.pmaccountstream.simulator.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Accounts for every answer the simulator served, against what the poller made of it: a pure
 * function of the simulator's serve log, the snapshots published (in offset order, with when each
 * became readable) and the dead letters (in offset order).
 *
 * <ul>
 *   <li>a good state is published, as that state, in order, within {@code deadline} of being
 *       served;
 *   <li>a {@code dead letter} answer has a BAD_PAYLOAD dead letter whose raw body is its body;
 *   <li>a {@code state or dead letter} answer is the next snapshot, or has a dead letter;
 *   <li>a {@code counted} answer (a hostile status, a classic fault, a rule rejection) is counted
 *       by the client's request counter under its status ({@code io_error} for a drip): the
 *       per-status totals are compared in {@link #countsByClientTag};
 *   <li>a snapshot no answer accounts for is a phantom.
 * </ul>
 */
public final class ServeAccounting {

  /** A snapshot as published, and when a read_committed consumer first saw it. */
  public record Published(AccountSnapshot snapshot, Instant readableAt) {}

  /** A dead letter's fields that matter here. */
  public record Letter(String errorKind, String rawBody, String message) {
    public Letter(String errorKind, String rawBody) {
      this(errorKind, rawBody, "");
    }
  }

  /** What the accounting found. */
  public record Result(
      List<String> problems,
      Map<String, List<AccountSnapshot>> acceptedStates,
      Map<String, Integer> goodServed,
      Map<String, Integer> hostileServed) {}

  private static final int MATCH_CHARS = 64;

  private ServeAccounting() {}

  public static Result account(
      List<ServedAnswer> log,
      Map<String, List<Published>> published,
      Map<String, List<Letter>> letters,
      Duration deadline) {
    return account(log, published, letters, deadline, Duration.ZERO, Duration.ZERO);
  }

  /**
   * As {@link #account(List, Map, Map, Duration)}, with a one-time start-up allowance: a good state
   * served within {@code startupWindow} of the first served answer may take {@code deadline +
   * startupAllowance} (the first sends pay for the producer's metadata and id and the schema's
   * registration); every later one must make {@code deadline}.
   */
  public static Result account(
      List<ServedAnswer> log,
      Map<String, List<Published>> published,
      Map<String, List<Letter>> letters,
      Duration deadline,
      Duration startupWindow,
      Duration startupAllowance) {
    Instant startupEnd =
        log.stream()
            .map(ServedAnswer::at)
            .min(Instant::compareTo)
            .map(first -> first.plus(startupWindow))
            .orElse(Instant.MIN);
    List<String> problems = new ArrayList<>();
    Map<String, List<AccountSnapshot>> accepted = new TreeMap<>();
    Map<String, Integer> good = new TreeMap<>();
    Map<String, Integer> hostile = new TreeMap<>();
    Map<String, List<ServedAnswer>> byAccount = new LinkedHashMap<>();
    for (ServedAnswer answer : log) {
      byAccount.computeIfAbsent(answer.accountId(), a -> new ArrayList<>()).add(answer);
    }
    for (Map.Entry<String, List<ServedAnswer>> entry : byAccount.entrySet()) {
      String account = entry.getKey();
      List<Published> snapshots = published.getOrDefault(account, List.of());
      List<Letter> deadLetters = letters.getOrDefault(account, List.of());
      boolean[] letterUsed = new boolean[deadLetters.size()];
      List<AccountSnapshot> states = accepted.computeIfAbsent(account, a -> new ArrayList<>());
      int next = 0;
      List<ServedAnswer> answers = entry.getValue();
      for (int a = 0; a < answers.size(); a++) {
        ServedAnswer answer = answers.get(a);
        if (answer.kind() == ServedAnswer.Kind.HOSTILE) {
          hostile.merge(account, 1, Integer::sum);
        }
        Accounting accounting = accountingOf(answer);
        if (answer.isGood()) {
          good.merge(account, 1, Integer::sum);
          int found = find(snapshots, next, answer.state().orElseThrow());
          if (found < 0) {
            problems.add(
                "good state served but never published: "
                    + answer.describe()
                    + " "
                    + show(answer.state().orElseThrow())
                    + lettersOf(deadLetters, answer.state().orElseThrow()));
            continue;
          }
          for (int i = next; i < found; i++) {
            problems.add(phantom(account, snapshots.get(i), "before " + answer.describe()));
          }
          Published p = snapshots.get(found);
          Duration took = Duration.between(answer.at(), p.readableAt());
          Duration allowed =
              answer.at().isBefore(startupEnd) ? deadline.plus(startupAllowance) : deadline;
          if (took.compareTo(allowed) > 0) {
            problems.add(
                "good state published late: "
                    + answer.describe()
                    + " readable after "
                    + took.toMillis()
                    + " ms (allowed "
                    + allowed.toMillis()
                    + " ms)");
          }
          states.add(p.snapshot());
          next = found + 1;
        } else if (accounting == Accounting.STATE_OR_DEAD_LETTER) {
          AccountState shown = answer.state().orElseThrow();
          // The same state may be served again, good, right after (the scenario had not moved):
          // then the one snapshot of that state is the good answer's when this one has a letter.
          boolean goodNextShowsIt =
              nextGood(answers, a + 1).filter(g -> sameContent(g, shown)).isPresent();
          if (goodNextShowsIt && takeLetter(deadLetters, letterUsed, answer, false)) {
            continue;
          }
          if (next < snapshots.size() && sameState(snapshots.get(next).snapshot(), shown)) {
            states.add(snapshots.get(next).snapshot());
            next++;
          } else if (!takeLetter(deadLetters, letterUsed, answer, false)) {
            problems.add(
                "hostile answer neither published as its state nor dead-lettered: "
                    + answer.describe());
          }
        } else if (accounting == Accounting.COUNTED
            && answer.state().isPresent()
            && next < snapshots.size()
            && sameState(snapshots.get(next).snapshot(), answer.state().get())) {
          problems.add(
              "an answer that never completes within a response deadline was published: "
                  + answer.describe()
                  + " readable "
                  + Duration.between(answer.at(), snapshots.get(next).readableAt()).toSeconds()
                  + " s after it started");
          next++;
        } else if (accounting == Accounting.DEAD_LETTER) {
          if (!takeLetter(deadLetters, letterUsed, answer, true)) {
            problems.add(
                "hostile answer without a BAD_PAYLOAD dead letter: "
                    + answer.describe()
                    + " body starts "
                    + quote(answer.bodyPrefixText()));
          }
        }
      }
      for (int i = next; i < snapshots.size(); i++) {
        problems.add(phantom(account, snapshots.get(i), "after the last good state"));
      }
    }
    for (String account : published.keySet()) {
      if (!byAccount.containsKey(account)) {
        published
            .get(account)
            .forEach(p -> problems.add(phantom(account, p, "of an account never served")));
      }
    }
    return new Result(problems, accepted, good, hostile);
  }

  /**
   * What the client's request counter ({@code pmas.binance.requests} by {@code status}) must hold
   * for these answers: the HTTP status, or {@code io_error} for an answer that never completes
   * within a deadline (a drip) or is cut off (a reset, a truncated body).
   */
  public static Map<String, Long> countsByClientTag(List<ServedAnswer> log) {
    Map<String, Long> counts = new TreeMap<>();
    for (ServedAnswer answer : log) {
      counts.merge(clientTag(answer), 1L, Long::sum);
    }
    return counts;
  }

  public static String clientTag(ServedAnswer answer) {
    return answer.delivery() == HttpResponse.Delivery.COMPLETE
        ? Integer.toString(answer.status())
        : "io_error";
  }

  public static Accounting accountingOf(ServedAnswer answer) {
    return switch (answer.kind()) {
      case GOOD -> null;
      case HOSTILE -> answer.hostile().orElseThrow().accounting();
      case FAULT, RULE -> Accounting.COUNTED;
    };
  }

  public static boolean sameState(AccountSnapshot s, AccountState state) {
    return s.getUniMMR() != null
        && s.getUniMMR().compareTo(state.uniMmr()) == 0
        && s.getAccountEquity().compareTo(state.accountEquity()) == 0
        && s.getAccountMaintMargin().compareTo(state.accountMaintMargin()) == 0
        && s.getAccountStatusRaw().equals(state.accountStatus())
        && s.getUpdateTime().toEpochMilli() == state.updateTime();
  }

  /** The state of the first good answer at or after {@code from}, if any. */
  private static Optional<AccountState> nextGood(List<ServedAnswer> answers, int from) {
    return answers.subList(from, answers.size()).stream()
        .filter(ServedAnswer::isGood)
        .findFirst()
        .flatMap(ServedAnswer::state);
  }

  private static boolean sameContent(AccountState a, AccountState b) {
    return a.uniMmr().compareTo(b.uniMmr()) == 0
        && a.accountEquity().compareTo(b.accountEquity()) == 0
        && a.accountMaintMargin().compareTo(b.accountMaintMargin()) == 0
        && a.accountStatus().equals(b.accountStatus())
        && a.updateTime() == b.updateTime();
  }

  private static int find(List<Published> snapshots, int from, AccountState state) {
    for (int i = from; i < snapshots.size(); i++) {
      if (sameState(snapshots.get(i).snapshot(), state)) {
        return i;
      }
    }
    return -1;
  }

  /** Takes the first unused letter whose raw body is this answer's body (prefix-compared). */
  private static boolean takeLetter(
      List<Letter> letters, boolean[] used, ServedAnswer answer, boolean badPayloadOnly) {
    String body = normalized(answer.bodyPrefixText());
    for (int i = 0; i < letters.size(); i++) {
      Letter letter = letters.get(i);
      if (used[i] || (badPayloadOnly && !"BAD_PAYLOAD".equals(letter.errorKind()))) {
        continue;
      }
      String raw = normalized(letter.rawBody() == null ? "" : letter.rawBody());
      int n = Math.min(MATCH_CHARS, Math.min(raw.length(), body.length()));
      boolean matches =
          (raw.isEmpty() && body.isEmpty())
              || (n > 0 && raw.substring(0, n).equals(body.substring(0, n)));
      if (matches) {
        used[i] = true;
        return true;
      }
    }
    return false;
  }

  /** Without byte order marks and NULs (a UTF-16 body read as UTF-8 or Latin-1). */
  private static String normalized(String text) {
    return text.replace("\uFEFF", "")
        .replace("\uFFFD", "")
        .replace("\u0000", "")
        .replace("\u00FE\u00FF", "")
        .replace("\u00EF\u00BB\u00BF", "");
  }

  private static String phantom(String account, Published p, String where) {
    AccountSnapshot s = p.snapshot();
    return "published snapshot no good answer accounts for ("
        + where
        + "): "
        + account
        + " sequence "
        + s.getSequence()
        + " uniMMR "
        + s.getUniMMR()
        + " status "
        + s.getAccountStatusRaw()
        + " updateTime "
        + s.getUpdateTime();
  }

  /** The dead letters whose raw body carries this state's updateTime, to say why it was not. */
  private static String lettersOf(List<Letter> letters, AccountState state) {
    String updateTime = "\"updateTime\":" + state.updateTime();
    List<String> found = new ArrayList<>();
    for (Letter letter : letters) {
      if (letter.rawBody() != null && letter.rawBody().contains(updateTime)) {
        found.add(letter.errorKind() + ": " + letter.message());
      }
    }
    return found.isEmpty()
        ? "; no dead letter carries its updateTime"
        : "; dead-lettered as " + found;
  }

  private static String show(AccountState state) {
    return "[uniMMR "
        + state.uniMmr()
        + ", "
        + state.accountStatus()
        + ", updateTime "
        + Instant.ofEpochMilli(state.updateTime())
        + "]";
  }

  private static String quote(String text) {
    String shown = text.length() > 60 ? text.substring(0, 60) + "..." : text;
    return "'" + shown.replace("\n", "\\n") + "'";
  }
}
