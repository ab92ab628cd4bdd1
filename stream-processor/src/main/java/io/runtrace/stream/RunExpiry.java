package io.runtrace.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * When a run is next looked at without a span: a silent non-terminal run goes stale, a run past
 * its retention is closed (span ids dropped, no more versions), a closed run leaves the store.
 * Times are record timestamps (ms); "now" is the wall clock minus the lag this task last saw
 * (wall clock when the newest record was processed, minus its timestamp), so a task that is
 * catching up on a backlog does not mark runs stale whose spans are still in the backlog, and a
 * quiet task, which sees no records and so no stream time, still marks silent runs stale.
 * A task that has had no record for one punctuation interval is caught up: its lag is zero.
 */
final class RunExpiry {
  /** Default of {@code staleAfter}: 15 minutes. */
  static final Duration DEFAULT_STALE_AFTER = Duration.ofMinutes(15);
  /** Default of {@code runRetention}: 24 hours after a terminal run's last span. */
  static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
  /** A non-terminal run silent this long (30 days, the runs topic's retention) is closed too. */
  static final long ABANDONED_AFTER_MS = Duration.ofDays(30).toMillis();
  /** A closed run's tombstone is kept 7 days (the spans topic's retention), then deleted. */
  static final long CLOSED_RETENTION_MS = Duration.ofDays(7).toMillis();
  /** Most index entries handled per punctuation; the rest wait for the next one. */
  static final int MAX_PER_PUNCTUATION = 10_000;

  final long staleAfterMs;
  final long retentionMs;
  final Duration interval;
  private long maxRecordMs = Long.MIN_VALUE;
  private long lagMs;
  private long lastRecordWallMs;

  RunExpiry(Duration staleAfter, Duration retention) {
    this.staleAfterMs = staleAfter.toMillis();
    this.retentionMs = retention.toMillis();
    this.interval = Duration.ofMillis(Math.max(1_000, Math.min(60_000, staleAfterMs / 4)));
  }

  /** Notes a record's timestamp and the wall clock when it is processed. */
  void observe(long recordMs, long wallMs) {
    lastRecordWallMs = wallMs;
    if (recordMs > maxRecordMs) {
      maxRecordMs = recordMs;
      lagMs = Math.max(0, wallMs - recordMs);
    }
  }

  /** "Now" in record time: everything due at or before it is handled. */
  long now(long wallMs) {
    boolean idle = wallMs - lastRecordWallMs >= interval.toMillis();
    return idle ? wallMs : wallMs - lagMs;
  }

  /** When the run is next due, from its state alone. */
  long dueMs(RunState s) {
    if (s.closed) return s.closedAtMs + CLOSED_RETENTION_MS;
    if (s.runId().isEmpty() || s.terminal()) return s.lastRecordMs + retentionMs;
    return s.lastRecordMs + (s.stale ? ABANDONED_AFTER_MS : staleAfterMs);
  }

  /** Moves the run's index entry to its current due time; the caller puts the state. */
  void reindex(KeyValueStore<Bytes, byte[]> index, String traceId, RunState s) {
    long due = dueMs(s);
    if (due == s.dueMs) return;
    if (s.dueMs != 0) index.delete(key(s.dueMs, traceId));
    index.put(key(due, traceId), new byte[0]);
    s.dueMs = due;
  }

  /** Index key: the due time big-endian, so keys sort by due time, then the trace id. */
  static Bytes key(long dueMs, String traceId) {
    byte[] id = traceId.getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(ByteBuffer.allocate(8 + id.length).putLong(Math.max(0, dueMs)).put(id).array());
  }

  /** The first key after every key due at or before {@code ms}. */
  static Bytes after(long ms) {
    return Bytes.wrap(ByteBuffer.allocate(8).putLong(Math.max(0, ms + 1)).array());
  }

  static String traceId(Bytes key) {
    byte[] k = key.get();
    return new String(k, 8, k.length - 8, StandardCharsets.UTF_8);
  }
}
