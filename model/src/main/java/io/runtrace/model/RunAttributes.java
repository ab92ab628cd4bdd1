package io.runtrace.model;

/**
 * The span attributes that carry run identity and status, all under the {@code runtrace.}
 * namespace. Documented with an example in {@code schemas/README.md}. Spans without them still
 * land, as plain traces.
 */
public final class RunAttributes {
  /** The run's id, a string unique per tenant. Set on every span of the run, at least the root. */
  public static final String RUN_ID = "runtrace.run.id";
  /** The tenant (customer account) that owns the run. */
  public static final String TENANT = "runtrace.tenant";
  /** The tenant's environment, for example {@code production} or {@code branch-42}. */
  public static final String ENVIRONMENT = "runtrace.environment";
  /** The app that defines the function. */
  public static final String APP = "runtrace.app";
  /** The function the run executes. */
  public static final String FUNCTION = "runtrace.function";
  /** The step name, on step spans only. */
  public static final String STEP = "runtrace.step";
  /** The attempt number, starting at 1, on the run span or a step span. */
  public static final String ATTEMPT = "runtrace.attempt";
  /** The run status this span reports, one of {@link RunStatus} in lower case. */
  public static final String RUN_STATUS = "runtrace.run.status";
  /** The time the run was queued, in epoch nanoseconds, if earlier than the span's start. */
  public static final String QUEUED_AT = "runtrace.run.queued_at_unix_nano";

  private RunAttributes() {}
}
