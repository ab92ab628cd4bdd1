package io.runtrace.query.routing;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Settings for {@link ReaderRouter}; each setter validates and names the setting. */
public final class ReaderRouterBuilder {
  /** Default time between two checks of one reader: 2 s. */
  public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(2);
  /** Default replication delay past which a reader is skipped while a fresher one is up: 30 s. */
  public static final Duration DEFAULT_MAX_REPLICA_DELAY = Duration.ofSeconds(30);

  List<ReaderClient> readers;
  Duration checkInterval = DEFAULT_CHECK_INTERVAL;
  Duration maxReplicaDelay = DEFAULT_MAX_REPLICA_DELAY;
  MeterRegistry meterRegistry;

  ReaderRouterBuilder() {}

  /** The reader replicas, 1..16, with distinct names and one database. Required. */
  public ReaderRouterBuilder readers(List<? extends ReaderClient> readers) {
    Objects.requireNonNull(readers, "readers");
    if (readers.isEmpty() || readers.size() > 16) {
      throw new IllegalArgumentException("readers must list 1..16 ClickHouse readers, was " + readers.size());
    }
    Set<String> names = new HashSet<>();
    for (ReaderClient r : readers) {
      Objects.requireNonNull(r, "readers must not contain null");
      if (!names.add(r.name())) throw new IllegalArgumentException("readers lists " + r.name() + " twice");
      if (!r.database().equals(readers.get(0).database())) {
        throw new IllegalArgumentException("readers must all read one database, but " + r.name() + " reads "
            + r.database() + " and " + readers.get(0).name() + " reads " + readers.get(0).database());
      }
    }
    this.readers = List.copyOf(readers);
    return this;
  }

  /** Time between two checks of one reader, 100 ms..1 h. Default 2 s. */
  public ReaderRouterBuilder checkInterval(Duration interval) {
    this.checkInterval = validateCheckInterval(interval);
    return this;
  }

  /**
   * Replication delay past which a reader is skipped while one within it is up, whole seconds,
   * 0 s..1 day. When every up reader lags more, the freshest serves. Default 30 s.
   */
  public ReaderRouterBuilder maxReplicaDelay(Duration delay) {
    this.maxReplicaDelay = validateMaxReplicaDelay(delay);
    return this;
  }

  /** Fails naming {@code readerCheckInterval} unless 100 ms..1 h. */
  public static Duration validateCheckInterval(Duration interval) {
    Objects.requireNonNull(interval, "readerCheckInterval");
    if (interval.compareTo(Duration.ofMillis(100)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("readerCheckInterval must be 100 ms..1 h, was " + interval);
    }
    return interval;
  }

  /** Fails naming {@code maxReplicaDelay} unless 0 s..1 day. */
  public static Duration validateMaxReplicaDelay(Duration delay) {
    Objects.requireNonNull(delay, "maxReplicaDelay");
    if (delay.isNegative() || delay.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("maxReplicaDelay must be 0 s..1 day, was " + delay);
    }
    return delay;
  }

  /** Registry for the readers' meters. Default: a registry of its own. */
  public ReaderRouterBuilder meterRegistry(MeterRegistry registry) {
    this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
    return this;
  }

  /** Builds the router; {@link ReaderRouter#start()} begins the checks. */
  public ReaderRouter build() {
    if (readers == null) throw new IllegalStateException("readers are required: at least one ClickHouse reader");
    ReaderRouterBuilder copy = new ReaderRouterBuilder();
    copy.readers = readers;
    copy.checkInterval = checkInterval;
    copy.maxReplicaDelay = maxReplicaDelay;
    copy.meterRegistry = meterRegistry == null ? new SimpleMeterRegistry() : meterRegistry;
    return new ReaderRouter(copy);
  }
}
