package io.runtrace.ingest;

import java.util.concurrent.TimeUnit;

/**
 * Whether Kafka is considered unreachable: open after a send or metadata failure, or when records
 * have been in flight for {@link #STALL_NANOS} without any acknowledgement; closed by the next
 * acknowledgement, or when nothing has been held for that long (nothing waits on Kafka). Feeds the {@code runtrace_ingest_circuit_open} gauge and readiness.
 */
final class Circuit {
  /** In flight this long with no acknowledgement counts as unreachable: 5 seconds. */
  static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final IngestMetrics metrics;
  private volatile long lastProgress = System.nanoTime();
  private long idleSince = -1;

  Circuit(IngestMetrics metrics) {
    this.metrics = metrics;
  }

  void succeeded(long now) {
    lastProgress = now;
    metrics.circuitOpen.set(0);
  }

  void failed() {
    metrics.circuitOpen.set(1);
  }

  /** Called by the sender thread only, with whether any record is held. */
  void check(long now, boolean holding) {
    if (!holding) {
      if (idleSince < 0) idleSince = now;
      lastProgress = now;
      if (isOpen() && now - idleSince > STALL_NANOS) metrics.circuitOpen.set(0);
      return;
    }
    idleSince = -1;
    // Held but none in flight (backing off) is not a stall by itself; send failures open the circuit.
    if (metrics.inFlight.get() <= 0) lastProgress = now;
    else if (now - lastProgress > STALL_NANOS) failed();
  }

  boolean isOpen() {
    return metrics.circuitOpen.get() == 1;
  }
}
