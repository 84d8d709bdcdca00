package io.pmaccountstream.poller;

import io.pmaccountstream.poller.RiskAdaptivePolicy.Wish;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the accounts' wishes and the weight budget into intervals: a pure function.
 *
 * <p>Every account first gets {@code max} (the floor nobody goes below, even when the budget cannot
 * serve it: then the weight budget delays polls, as with fixed intervals). When the budget pays for
 * every wish, each account gets its wish. When it does not, the budget is shared by water-filling
 * the poll rates: every account polls at the rate it wishes or at a common ceiling rate, whichever
 * is lower, the ceiling set so that the rates add up to the budget. So an account never polls less
 * often than a less urgent one, the calm keep their wish, and what the budget lacks is taken from
 * the most urgent wishes alike: the accounts near a level all get the same, shortest interval the
 * budget pays for, instead of the first few getting their wish and the rest staying at {@code max}.
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
    if (wishes.size() / maxSeconds >= pollsPerSecond) {
      wishes.forEach(w -> intervals.put(w.account(), max));
      return intervals;
    }
    // the calmest wishes first: each is granted while the rest could still poll as often as it
    List<Wish> calmestFirst = new ArrayList<>(wishes);
    calmestFirst.sort(Comparator.comparing(Wish::interval).reversed());
    double left = pollsPerSecond;
    int i = 0;
    for (; i < calmestFirst.size(); i++) {
      Wish wish = calmestFirst.get(i);
      double rate = 1 / seconds(wish.interval());
      if (rate * (calmestFirst.size() - i) > left) {
        break;
      }
      intervals.put(wish.account(), wish.interval());
      left -= rate;
    }
    if (i < calmestFirst.size()) {
      // the ceiling: the rest share what is left equally (at least 1 / max: see the class doc),
      // rounded up to whole microseconds so that the rates never add up to more than the budget
      double ceiling = left / (calmestFirst.size() - i);
      long micros = (long) Math.ceil(1_000_000 / ceiling);
      Duration shared = min(Duration.ofNanos(micros * 1000), max);
      for (; i < calmestFirst.size(); i++) {
        intervals.put(calmestFirst.get(i).account(), shared);
      }
    }
    return intervals;
  }

  /**
   * The polls a second to plan for with this weight a minute: all of it but the headroom, which
   * absorbs what re-planning adds (an interval that gets shorter brings a tick forward at once, one
   * that gets longer waits for the next), so that the minute's weight does not run out before its
   * end and hold every poll until the next.
   */
  public static double pollsPerSecond(int weightPerMinute, int weightPerPoll, double headroom) {
    return Math.max(0, weightPerMinute) * (1 - headroom) / weightPerPoll / 60.0;
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
