package io.pmaccountstream.simulator;

import io.pmaccountstream.simulator.scenario.AccountPath;
import io.pmaccountstream.simulator.scenario.AccountSpec;
import io.pmaccountstream.simulator.scenario.AccountValues;
import io.pmaccountstream.simulator.scenario.Credentials;
import io.pmaccountstream.simulator.scenario.StatusThresholds;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated account at runtime: follows its scenario path on the scenario clock until a test
 * {@link #set sets} it directly (which pins it: the scenario stops moving it until {@link
 * #resumeScenario()}). Thread-safe.
 */
public final class SimulatedAccount {

  private final AccountSpec spec;
  private final AccountPath path;
  private final StatusThresholds thresholds;
  private final SimClock clock;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong served = new AtomicLong();
  private final List<Change> pending = new ArrayList<>();
  private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();

  private AccountState state;
  private long pathUpdateAt;
  private boolean pinned;
  private volatile Instant lastServedAt;

  SimulatedAccount(AccountSpec spec, StatusThresholds thresholds, long seed, SimClock clock) {
    this.spec = spec;
    this.thresholds = thresholds;
    this.clock = clock;
    this.path = new AccountPath(spec, thresholds, seed);
    this.pathUpdateAt = path.lastUpdateAt();
    this.state =
        AccountState.of(
            spec,
            path.values(),
            spec.totalAvailableBalance(),
            spec.totalMarginOpenLoss(),
            clock.serverMillisAt(0),
            0);
  }

  public String id() {
    return spec.id();
  }

  public String apiKey() {
    return spec.credentials().apiKey();
  }

  /** The account's credentials (a generated private key included, for the client under test). */
  public Credentials credentials() {
    return spec.credentials();
  }

  public AccountSpec spec() {
    return spec;
  }

  /** The state a request would be served now (advancing the scenario to now). */
  public synchronized AccountState current() {
    if (!pinned && path.advanceTo(clock.scenarioMillis())) {
      followPath();
    }
    return state;
  }

  /** Sets uniMMR (equity follows); the status follows the thresholds. */
  public Change set(String uniMmr) {
    return set(AccountPatch.uniMmr(uniMmr));
  }

  public Change set(BigDecimal uniMmr) {
    return set(AccountPatch.uniMmr(uniMmr));
  }

  /** Sets uniMMR and an explicit status (any string, documented or not). */
  public Change set(BigDecimal uniMmr, String status) {
    return set(AccountPatch.uniMmr(uniMmr).withStatus(status));
  }

  /**
   * Applies a change now and pins the account (the scenario no longer moves it). The {@code
   * updateTime} becomes the server time now, unless the patch keeps it or nothing changed.
   */
  public Change set(AccountPatch patch) {
    Change change;
    synchronized (this) {
      AccountState before = current();
      pinned = true;
      AccountValues values = patched(before.values(), patch);
      AccountState next =
          AccountState.of(
              spec,
              values,
              patch.totalAvailableBalance().orElse(before.totalAvailableBalance()),
              patch.totalMarginOpenLoss().orElse(before.totalMarginOpenLoss()),
              patch.keepUpdateTime() ? before.updateTime() : clock.serverMillis(),
              before.version() + 1);
      if (sameContent(before, next)) {
        next = before;
      }
      state = next;
      change = new Change(next, new CompletableFuture<>());
      pending.add(change);
    }
    changeListeners.forEach(Runnable::run);
    return change;
  }

  /**
   * Hands the account back to its scenario, which sets its values from the path right away (with
   * {@code updateTime} now, if that changes them).
   */
  public void resumeScenario() {
    synchronized (this) {
      if (!pinned) {
        return;
      }
      pinned = false;
      path.advanceTo(clock.scenarioMillis());
      pathUpdateAt = path.lastUpdateAt();
      AccountState next = fromPath(clock.serverMillis());
      if (!sameContent(state, next)) {
        state = next;
      }
    }
    changeListeners.forEach(Runnable::run);
  }

  /**
   * Told (outside the account's lock, on the caller's thread) after every {@link #set} and {@link
   * #resumeScenario()}; scenario moves are seen by reading {@link #current()}.
   */
  void addChangeListener(Runnable listener) {
    changeListeners.add(listener);
  }

  public synchronized boolean isPinned() {
    return pinned;
  }

  /** Authenticated account requests (whatever their outcome). */
  public long requestCount() {
    return requests.get();
  }

  /** Complete, well-formed 200 responses. */
  public long servedCount() {
    return served.get();
  }

  public Optional<Instant> lastServedAt() {
    return Optional.ofNullable(lastServedAt);
  }

  /** Counts an authenticated request; returns its number (from 1). */
  long countRequest() {
    return requests.incrementAndGet();
  }

  /** A response showing {@code shown} was delivered completely at server time {@code at}. */
  void delivered(AccountState shown, Instant at) {
    served.incrementAndGet();
    lastServedAt = at;
    List<Change> done = new ArrayList<>();
    synchronized (this) {
      Iterator<Change> it = pending.iterator();
      while (it.hasNext()) {
        Change change = it.next();
        if (change.version() <= shown.version()) {
          done.add(change);
          it.remove();
        }
      }
    }
    done.forEach(change -> change.served().complete(at));
  }

  private void followPath() {
    long updateTime = state.updateTime();
    if (path.lastUpdateAt() != pathUpdateAt) {
      pathUpdateAt = path.lastUpdateAt();
      updateTime = clock.serverMillisAt(pathUpdateAt);
    }
    AccountState next = fromPath(updateTime);
    if (!sameContent(state, next)) {
      state = next;
    }
  }

  private AccountState fromPath(long updateTime) {
    return AccountState.of(
        spec,
        path.values(),
        state.totalAvailableBalance(),
        state.totalMarginOpenLoss(),
        updateTime,
        state.version() + 1);
  }

  private AccountValues patched(AccountValues current, AccountPatch patch) {
    BigDecimal margin = patch.accountMaintMargin().orElse(current.accountMaintMargin());
    AccountValues values;
    if (patch.uniMmr().isPresent()) {
      values = AccountValues.ofUniMmr(patch.uniMmr().get(), margin, current.status());
    } else if (patch.accountEquity().isPresent()) {
      values = AccountValues.ofEquity(patch.accountEquity().get(), margin, current.status());
    } else {
      values = current.withMaintMargin(margin);
    }
    if (patch.status().isPresent()) {
      return values.withStatus(patch.status().get());
    }
    boolean amountsChanged = !values.uniMmr().equals(current.uniMmr());
    return amountsChanged ? values.withStatus(thresholds.statusOf(values.uniMmr())) : values;
  }

  /** Same served amounts, status and strings (updateTime aside). */
  private static boolean sameContent(AccountState a, AccountState b) {
    return a.values().equals(b.values())
        && a.totalAvailableBalance().equals(b.totalAvailableBalance())
        && a.totalMarginOpenLoss().equals(b.totalMarginOpenLoss());
  }
}
