package io.runtrace.ingest;

import io.runtrace.ingest.IngestMetrics.DropReason;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * One Kafka producer per distinct {@link ProducerSettings} per process, shared by reference count
 * by every exporter and receiver. It owns the byte budget, the metrics, and the records it holds
 * until Kafka acknowledges them; {@link #offer} never blocks.
 */
final class SharedProducer {
  private static final System.Logger LOG = System.getLogger(SharedProducer.class.getName());
  private static final Map<ProducerSettings, SharedProducer> INSTANCES = new HashMap<>();
  // Outlive their producer: meters registered once keep counting when the producer is acquired again.
  private static final Map<ProducerSettings, IngestMetrics> METRICS = new HashMap<>();

  final ProducerSettings settings;
  final ByteBudget budget;
  final IngestMetrics metrics;
  final KafkaRefusal refusal;
  private final Deque<TraceRecord> queue = new ArrayDeque<>();
  private final RecordSender sender;
  private int references;

  private SharedProducer(ProducerSettings settings, Function<Properties, Producer<String, byte[]>> factory) {
    this.settings = settings;
    this.budget = ByteBudget.ofTotal(settings.bufferBytes());
    this.metrics = METRICS.computeIfAbsent(settings, s -> new IngestMetrics(s.topic()));
    metrics.budget(budget);
    this.refusal = new KafkaRefusal(settings.credentials(), settings.bootstrapServers(), metrics);
    this.sender = new RecordSender(this, factory);
  }

  /** The process's producer for {@code settings}, created and started on first use. */
  static SharedProducer acquire(ProducerSettings settings) {
    return acquire(settings, KafkaProducer::new);
  }

  static SharedProducer acquire(ProducerSettings settings, Function<Properties, Producer<String, byte[]>> factory) {
    synchronized (INSTANCES) {
      SharedProducer p = INSTANCES.computeIfAbsent(settings, s -> new SharedProducer(s, factory));
      if (p.references++ == 0) p.sender.start();
      return p;
    }
  }

  /** Holds {@code record} for sending if the budget has room; otherwise counts it dropped as buffer_full. */
  boolean offer(TraceRecord record) {
    if (!budget.tryAcquire(record.bytes(), record.runRoot)) {
      metrics.dropped(DropReason.BUFFER_FULL, record.spans);
      return false;
    }
    metrics.accepted.add(record.spans);
    synchronized (queue) {
      queue.addLast(record);
      queue.notifyAll();
    }
    return true;
  }

  /** True when Kafka is considered reachable, takes the credentials, and the budget still has room for a full record. */
  boolean ready() {
    return refusal.reason() == null && !sender.circuitOpen() && budget.wouldFit(settings.maxRecordBytes());
  }

  /** What Kafka refused (credential, user, brokers), or null while it accepts the sends. */
  String credentialRefused() {
    return refusal.reason();
  }

  /** True while Kafka is considered unreachable. */
  boolean circuitOpen() {
    return sender.circuitOpen();
  }

  /** Waits up to {@code timeout} until every held record is acknowledged or dropped; true if none is left. */
  boolean flush(Duration timeout) {
    try {
      return budget.awaitEmpty(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Drops one reference; the last one flushes within {@code timeout}, closes the producer, and counts what is left. */
  boolean release(Duration timeout) {
    synchronized (INSTANCES) {
      if (--references > 0) return true;
      INSTANCES.remove(settings);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean flushed = flush(timeout);
    sender.stop(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    int spans = 0;
    int records = 0;
    synchronized (queue) {
      for (TraceRecord r; (r = queue.pollFirst()) != null; ) {
        spans += r.spans;
        records++;
        budget.release(r.bytes());
      }
    }
    if (spans > 0) {
      metrics.dropped(DropReason.SHUTDOWN, spans);
      LOG.log(System.Logger.Level.WARNING, "Shut down with {0} spans in {1} records not sent to {2}", spans, records, settings.topic());
    }
    return flushed && spans == 0;
  }

  /** Next record to send, waiting up to {@code waitMs}; null when none arrived. */
  TraceRecord poll(long waitMs) throws InterruptedException {
    synchronized (queue) {
      if (queue.isEmpty() && waitMs > 0) queue.wait(waitMs);
      return queue.pollFirst();
    }
  }

  /** Puts a record back at the front, keeping it held; used when Kafka could not take it yet. */
  void requeue(TraceRecord record) {
    synchronized (queue) {
      queue.addFirst(record);
      queue.notifyAll();
    }
  }

  /** Releases an acknowledged or dropped record's bytes. */
  void done(TraceRecord record) {
    budget.release(record.bytes());
  }
}
