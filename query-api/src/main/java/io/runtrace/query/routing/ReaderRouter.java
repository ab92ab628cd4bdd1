package io.runtrace.query.routing;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.clickhouse.ClickHouseSql;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Routes reads across ClickHouse reader replicas. Each reader is checked in the background
 * (a ping, then its replication delay from {@code system.replicas}); a read goes to an up reader
 * whose delay is within the bound, the one with the fewest reads in flight (ties in turn), or to
 * the freshest up reader when all lag. A read that fails because its reader went away or refused
 * the credential marks that reader down at once and runs again on another; a query error does not.
 *
 * <pre>{@code
 * try (ReaderRouter readers = ReaderRouter.builder().readers(clients).build().start()) {
 *   List<JsonNode> rows = readers.read(reader -> reader.query("SELECT 1 AS one"));
 * }
 * }</pre>
 */
public final class ReaderRouter implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ReaderRouter.class.getName());
  /** How long {@link #start()} waits for the first round of checks before serving anyway. */
  private static final Duration FIRST_CHECK_WAIT = Duration.ofSeconds(10);

  private final List<ReaderState> readers;
  private final String database;
  private final Duration checkInterval;
  private final long maxDelaySeconds;
  private final ReaderMetrics metrics;
  private final String delaySql;
  private final AtomicInteger turn = new AtomicInteger();
  private ScheduledExecutorService checker;

  ReaderRouter(ReaderRouterBuilder b) {
    this.readers = new ArrayList<>();
    for (ReaderClient c : b.readers) readers.add(new ReaderState(c));
    this.database = b.readers.get(0).database();
    this.checkInterval = b.checkInterval;
    this.maxDelaySeconds = b.maxReplicaDelay.toSeconds();
    this.metrics = new ReaderMetrics(b.meterRegistry, readers);
    this.delaySql = "SELECT max(absolute_delay) AS delay FROM system.replicas WHERE database = "
        + ClickHouseSql.literal(database);
  }

  /** Starts a builder; {@link ReaderRouterBuilder#readers(List)} is required. */
  public static ReaderRouterBuilder builder() {
    return new ReaderRouterBuilder();
  }

  /** The database every reader holds. */
  public String database() {
    return database;
  }

  /** The readers' names, in the order given. */
  public List<String> readerNames() {
    return readers.stream().map(ReaderState::name).toList();
  }

  /** Checks every reader once (waiting up to 10 s), then keeps checking each in the background. */
  public synchronized ReaderRouter start() {
    if (checker != null) throw new IllegalStateException("reader router already started");
    AtomicInteger threads = new AtomicInteger();
    checker = Executors.newScheduledThreadPool(readers.size(), r -> {
      Thread t = new Thread(r, "runtrace-reader-check-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    List<Future<?>> first = new ArrayList<>();
    for (ReaderState r : readers) first.add(checker.submit(() -> check(r)));
    long deadline = System.nanoTime() + FIRST_CHECK_WAIT.toNanos();
    for (Future<?> f : first) {
      try {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        LOG.log(Level.WARNING, "a ClickHouse reader did not answer its first check within {0}; serving anyway",
            FIRST_CHECK_WAIT);
        break;
      } catch (ExecutionException e) {
        LOG.log(Level.WARNING, "a ClickHouse reader check failed", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    long ms = checkInterval.toMillis();
    for (ReaderState r : readers) checker.scheduleWithFixedDelay(() -> check(r), ms, ms, TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * Runs an idempotent read on a chosen reader; when that reader goes away during the read, runs
   * it again on another (each reader at most once). With no reader up it tries one anyway, in
   * turn, since a reader may be back before its next check. What {@code read} throws otherwise
   * passes through unchanged.
   */
  public <T> T read(Function<ServingReader, T> read) {
    List<ReaderState> tried = new ArrayList<>(2);
    RuntimeException failure = null;
    while (true) {
      ReaderState reader = choose(tried);
      if (reader == null) {
        if (failure != null) throw failure;
        reader = readers.get(Math.floorMod(turn.getAndIncrement(), readers.size()));
      }
      if (!tried.isEmpty()) metrics.failover(tried.get(tried.size() - 1));
      ServingReader serving = new ServingReader(reader, this);
      reader.inFlight.incrementAndGet();
      try {
        return read.apply(serving);
      } catch (RuntimeException e) {
        if (!serving.failedOver()) throw e;
        tried.add(reader);
        failure = e;
      } finally {
        reader.inFlight.decrementAndGet();
      }
    }
  }

  /** The readers' states; before {@link #start()} (tests, tools), each call checks them first. */
  public ReaderHealth health() {
    boolean background;
    synchronized (this) {
      background = checker != null;
    }
    if (!background) readers.forEach(this::check);
    List<ReaderHealth.Reader> states = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    boolean ok = false;
    for (ReaderState r : readers) {
      boolean up = r.up();
      String reason = r.reason();
      ok |= up;
      long delay = r.delaySeconds();
      states.add(new ReaderHealth.Reader(r.name(), up, delay < 0 ? OptionalLong.empty() : OptionalLong.of(delay),
          up ? null : reason));
      reasons.add(r.name() + ": " + (up ? "up" : reason));
    }
    return new ReaderHealth(ok, ok ? null : "no ClickHouse reader is up; " + String.join("; ", reasons), states);
  }

  /** Stops the background checks. */
  @Override
  public synchronized void close() {
    if (checker != null) checker.shutdownNow();
  }

  /** An up reader not yet tried: fresh enough if any is, else the freshest; fewest in flight, ties in turn. */
  private ReaderState choose(List<ReaderState> tried) {
    List<ReaderState> up = new ArrayList<>(readers.size());
    for (ReaderState r : readers) if (r.up() && !tried.contains(r)) up.add(r);
    if (up.isEmpty()) return null;
    long freshest = up.stream().mapToLong(ReaderState::delayForChoice).min().getAsLong();
    long bound = Math.max(maxDelaySeconds, freshest);
    List<ReaderState> candidates = up.stream().filter(r -> r.delayForChoice() <= bound).toList();
    int start = Math.floorMod(turn.getAndIncrement(), candidates.size());
    ReaderState best = null;
    for (int i = 0; i < candidates.size(); i++) {
      ReaderState r = candidates.get((start + i) % candidates.size());
      if (best == null || r.inFlight.get() < best.inFlight.get()) best = r;
    }
    return best;
  }

  /** A query on {@code reader} failed: true when the reader, not the query, is at fault (it is then down). */
  boolean failed(ReaderState reader, RuntimeException e) {
    switch (ReaderFailure.of(e)) {
      case REFUSED_CREDENTIAL -> {
        reader.refused(ReaderFailure.serverCode(e));
        metrics.authFailure();
        return true;
      }
      case UNAVAILABLE -> {
        reader.down(ReaderFailure.describe(e));
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  /**
   * One check: a ping, then the delay, which also proves the credential. A failed ping says
   * nothing of why (the client's ping is a query, so a refused password fails it too): the delay
   * query is sent anyway, and its failure names the cause.
   */
  void check(ReaderState reader) {
    long failuresAtStart = reader.failures();
    boolean pinged = false;
    try {
      pinged = reader.client.ping();
      List<JsonNode> rows = reader.client.query(delaySql);
      if (!pinged) {
        reader.down("does not answer a ping");
        return;
      }
      // max() over no rows is 0: a server without replicated tables does not lag.
      long delay = rows.isEmpty() ? 0 : rows.get(0).path("delay").asLong(0);
      reader.checkedUp(delay, failuresAtStart);
    } catch (RuntimeException e) {
      if (failed(reader, e)) return;
      reader.down(pinged ? "replication delay query failed: " + ReaderFailure.describe(e) : "does not answer a ping");
    }
  }
}
