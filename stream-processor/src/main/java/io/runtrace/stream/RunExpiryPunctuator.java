package io.runtrace.stream;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Runs on the wall clock: takes the runs whose index entry is due, at most
 * {@link RunExpiry#MAX_PER_PUNCTUATION} at a time, and marks each stale (emitting a version),
 * closes it, or deletes it, as {@link RunExpiry} says. Only due entries are read.
 */
final class RunExpiryPunctuator implements Punctuator {
  private static final System.Logger LOG = System.getLogger(RunExpiryPunctuator.class.getName());

  /** Emits a new version of a run. */
  interface Emitter {
    void emit(String traceId, RunState state, long timestampMs);
  }

  private final RunExpiry expiry;
  private final KeyValueStore<String, RunState> store;
  private final KeyValueStore<Bytes, byte[]> index;
  private final StreamMetrics metrics;
  private final Emitter emitter;

  RunExpiryPunctuator(RunExpiry expiry, KeyValueStore<String, RunState> store, KeyValueStore<Bytes, byte[]> index,
      StreamMetrics metrics, Emitter emitter) {
    this.expiry = expiry;
    this.store = store;
    this.index = index;
    this.metrics = metrics;
    this.emitter = emitter;
  }

  @Override
  public void punctuate(long wallMs) {
    long now = expiry.now(wallMs);
    List<Bytes> due = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it = index.range(RunExpiry.key(0, ""), RunExpiry.after(now))) {
      while (it.hasNext() && due.size() < RunExpiry.MAX_PER_PUNCTUATION) due.add(it.next().key);
    }
    for (Bytes key : due) {
      index.delete(key);
      String traceId = RunExpiry.traceId(key);
      try {
        expire(traceId, now, wallMs);
      } catch (StreamsException e) {
        throw e; // the store or the producer failed: Streams must handle it
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "Could not expire run of trace " + traceId + "; it leaves the index", e);
        metrics.expiryFailures.increment();
      }
    }
  }

  private void expire(String traceId, long now, long wallMs) {
    RunState s = store.get(traceId);
    if (s == null) return;
    s.dueMs = 0; // its index entry was just deleted
    long due = expiry.dueMs(s);
    if (due > now) {
      // A span moved it on since the entry was written; index it again.
    } else if (s.closed || s.runId().isEmpty()) {
      store.delete(traceId);
      metrics.runsDeleted.increment();
      return;
    } else if (s.terminal() || s.stale) {
      s.closed = true;
      s.closedAtMs = due;
      s.spanIds.clear();
      metrics.runsClosed.increment();
    } else {
      s.stale = true;
      emitter.emit(traceId, s, wallMs);
      metrics.staleRuns.increment();
    }
    expiry.reindex(index, traceId, s);
    store.put(traceId, s);
  }
}
