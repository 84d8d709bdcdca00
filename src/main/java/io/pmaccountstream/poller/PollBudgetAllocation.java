package io.pmaccountstream.poller;

import io.pmaccountstream.poller.RiskAdaptivePolicy.Wish;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the accounts' wishes and the weight budget into intervals: a pure function.
 *
 * <p>Every account first gets {@code max} (the floor nobody goes below, even when the budget cannot
 * serve it: then the weight budget delays polls, as with fixed intervals). What the budget has left
 * goes to the most urgent accounts first ({@link Wish#compareTo}): each in turn gets its wish if
 * the rest pays for it; the first that cannot be paid for in full gets the shortest interval that
 * the rest pays for, and the accounts after it stay at {@code max}.
 */
public final class PollBudgetAllocation {

  private PollBudgetAllocation() {}

  /**
   * @param wishes one per account, each interval at most {@code max}
   * @param pollsPerSecond the polls the budget pays for, over all these accounts
   * @param max the calm interval
   * @return each account's interval, in [its wish, max]
   */
  public static Map<String, Duration> allocate(
      Collection<Wish> wishes, double pollsPerSecond, Duration max) {
    Map<String, Duration> intervals = new HashMap<>();
    double maxSeconds = seconds(max);
    double left = pollsPerSecond - wishes.size() / maxSeconds;
    List<Wish> byUrgency = new ArrayList<>(wishes);
    byUrgency.sort(null);
    for (Wish wish : byUrgency) {
      Duration granted = max;
      if (wish.interval().compareTo(max) < 0 && left > 0) {
        double extra = 1 / seconds(wish.interval()) - 1 / maxSeconds;
        if (extra <= left) {
          granted = wish.interval();
          left -= extra;
        } else {
          // the shortest interval the rest pays for, rounded up to whole microseconds so that the
          // sum of the rates never exceeds the budget
          double rate = 1 / maxSeconds + left;
          long micros = (long) Math.ceil(1_000_000 / rate);
          granted = min(Duration.ofNanos(micros * 1000), max);
          left = 0;
        }
      }
      intervals.put(wish.account(), granted);
    }
    return intervals;
  }

  /** The polls a second that the weight pays for. */
  public static double pollsPerSecond(int weightPerMinute, int weightPerPoll, double headroom) {
    return weightPerMinute * (1 - headroom) / weightPerPoll / 60.0;
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
