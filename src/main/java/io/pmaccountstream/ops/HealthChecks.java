package io.pmaccountstream.ops;

import io.pmaccountstream.ops.HealthCheck.Result;
import io.pmaccountstream.ops.HealthCheck.Status;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The readiness checks of one process. Ready means every registered check is UP; with none
 * registered the process is ready. Checks may be registered at any time (a component registers its
 * own once it has started).
 */
public final class HealthChecks {

  private final List<HealthCheck> checks = new CopyOnWriteArrayList<>();

  public HealthChecks register(HealthCheck check) {
    Objects.requireNonNull(check, "check");
    String name = check.name();
    if (checks.stream().anyMatch(c -> c.name().equals(name))) {
      throw new IllegalArgumentException("a health check named '" + name + "' is registered");
    }
    checks.add(check);
    return this;
  }

  /** Registers each of the checks, in order. */
  public HealthChecks register(List<? extends HealthCheck> checks) {
    checks.forEach(this::register);
    return this;
  }

  /** Runs every check now (cached checks answer from their cache). */
  public Report evaluate() {
    List<Outcome> outcomes = checks.stream().map(c -> new Outcome(c.name(), run(c))).toList();
    boolean up = outcomes.stream().allMatch(o -> o.result().isUp());
    return new Report(up ? Status.UP : Status.DOWN, outcomes);
  }

  /** Runs a check; an exception is a DOWN result naming it, never a failed probe response. */
  static Result run(HealthCheck check) {
    try {
      Result result = check.check();
      return result == null ? Result.down("the check returned no result") : result;
    } catch (RuntimeException e) {
      return Result.down(describe(e));
    }
  }

  static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** One check's result under its name. */
  public record Outcome(String name, Result result) {}

  /** The overall status and every check's outcome, in registration order. */
  public record Report(Status status, List<Outcome> checks) {
    public Report {
      checks = List.copyOf(checks);
    }
  }
}
