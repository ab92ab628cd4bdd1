package io.runtrace.ingest;

import io.runtrace.ingest.IngestMetrics.DropReason;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnknownProducerIdException;

/**
 * The one thread that moves held records into the Kafka producer, so callers never wait on Kafka.
 * Records Kafka could not take yet stay held and are retried with backoff; a producer that hit a
 * sequence, epoch or other fatal error is replaced, and its unacknowledged records are sent again
 * (a record at most {@link #MAX_RECOVERIES} times for errors that are not about sequence or epoch).
 */
final class RecordSender implements Runnable {
  private static final System.Logger LOG = System.getLogger(RecordSender.class.getName());
  private static final long MIN_BACKOFF_MS = 50;
  private static final long MAX_BACKOFF_MS = 1000;
  /** Replacements in a row without a success wait this long, doubling up to {@link #MAX_RECREATE_DELAY_MS}. */
  private static final long MIN_RECREATE_DELAY_MS = 100;
  private static final long MAX_RECREATE_DELAY_MS = 10_000;
  /** A record that met this many non-sequence fatal errors is dropped as fatal_producer_error. */
  static final int MAX_RECOVERIES = 3;

  private final SharedProducer owner;
  private final Function<Properties, Producer<String, byte[]>> factory;
  private final Circuit circuit;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean recreate;
  // Callbacks from a replaced producer requeue their records instead of dropping them.
  private volatile int generation;
  // Set by a callback that saw a retriable error; Kafka reports metadata timeouts this way, not by throwing.
  private volatile boolean slowDown;
  private Producer<String, byte[]> producer;
  private long backoffMs;
  private long recreateDelayMs;

  RecordSender(SharedProducer owner, Function<Properties, Producer<String, byte[]>> factory) {
    this.owner = owner;
    this.factory = factory;
    this.circuit = new Circuit(owner.metrics);
    this.thread = new Thread(this, "runtrace-span-sender-" + owner.settings.topic());
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** True while Kafka is considered unreachable. */
  boolean circuitOpen() {
    return circuit.isOpen();
  }

  @Override
  public void run() {
    while (running) {
      try {
        if (producer == null || recreate) replaceProducer();
        TraceRecord record = owner.poll(100);
        if (record != null && producer != null && !recreate) send(record);
        else if (record != null) owner.requeue(record);
        circuit.check(System.nanoTime(), owner.budget.used() > 0);
        if (backoffMs > 0) Thread.sleep(backoffMs);
      } catch (InterruptedException e) {
        if (!running) break;
      } catch (RuntimeException e) {
        LOG.log(Level.ERROR, "Span sender loop failed; continuing", e);
      }
    }
  }

  private void send(TraceRecord record) {
    int gen = generation;
    long start = System.nanoTime();
    try {
      owner.metrics.inFlight.incrementAndGet();
      producer.send(new ProducerRecord<>(owner.settings.topic(), record.key, record.value), (md, e) -> completed(record, gen, start, md, e));
      if (slowDown) backOff();
      else backoffMs = 0;
      slowDown = false;
    } catch (SerializationException | RecordTooLargeException e) {
      owner.metrics.inFlight.decrementAndGet();
      drop(record, e instanceof SerializationException ? DropReason.UNSERIALIZABLE : DropReason.TOO_LARGE, e);
    } catch (RetriableException e) { // no metadata or no buffer space within max.block.ms: Kafka is slow or down
      owner.metrics.inFlight.decrementAndGet();
      // A full Kafka buffer only says Kafka is slower than the load; a stall or failed sends say more.
      if (!(e instanceof BufferExhaustedException)) circuit.failed();
      owner.requeue(record);
      backOff();
    } catch (RuntimeException e) { // the producer is in a fatal state: a fresh one can still send what we hold
      owner.metrics.inFlight.decrementAndGet();
      if (KafkaRefusal.isRefusal(e)) {
        refused(record, e, generation);
        return;
      }
      LOG.log(Level.WARNING, "Kafka producer failed; replacing it", e);
      owner.requeue(record);
      recreate = true;
    }
  }

  private void completed(TraceRecord record, int gen, long start, RecordMetadata metadata, Exception e) {
    owner.metrics.inFlight.decrementAndGet();
    if (e == null) {
      long now = System.nanoTime();
      owner.metrics.sendLatency(now - start);
      owner.metrics.sent.add(record.spans);
      circuit.succeeded(now);
      owner.refusal.accepted();
      recreateDelayMs = 0;
      owner.done(record);
    } else if (KafkaRefusal.isRefusal(e)) {
      refused(record, e, gen);
    } else if (e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException) {
      drop(record, DropReason.TOO_LARGE, e);
    } else if (e instanceof OutOfOrderSequenceException || e instanceof UnknownProducerIdException
        || e instanceof ProducerFencedException || e instanceof InvalidProducerEpochException) {
      if (gen == generation) recreate = true;
      owner.requeue(record);
    } else if (e instanceof RetriableException || gen != generation) {
      if (e instanceof RetriableException) circuit.failed();
      owner.requeue(record);
      slowDown = true;
    } else if (!running) {
      drop(record, DropReason.SHUTDOWN, e);
    } else if (record.recoveries < MAX_RECOVERIES) {
      record.recoveries++;
      if (gen == generation) {
        LOG.log(Level.WARNING, "Kafka producer reported a fatal error; replacing it", e);
        recreate = true;
      }
      owner.requeue(record);
    } else {
      drop(record, DropReason.FATAL_PRODUCER_ERROR, e);
    }
  }

  /**
   * Kafka refused the credentials: the record is dropped as {@code auth} (resending it cannot help
   * until the credentials change), and the producer is replaced, at most every 10 s while refusals
   * go on, so a fixed user or ACL is picked up even if the refusal left the producer in a fatal state.
   */
  private void refused(TraceRecord record, Exception e, int gen) {
    owner.refusal.refused(e, record.spans);
    owner.done(record);
    if (gen == generation) recreate = true;
  }

  private void backOff() {
    backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, backoffMs * 2));
  }

  private void drop(TraceRecord record, DropReason reason, Exception e) {
    owner.metrics.dropped(reason, record.spans);
    owner.done(record);
    LOG.log(Level.WARNING, "Dropped " + record.spans + " spans of trace " + record.key + ": " + reason.tag(), e);
  }

  private void replaceProducer() throws InterruptedException {
    Producer<String, byte[]> old = producer;
    generation++;
    producer = null;
    recreate = false;
    if (old != null) {
      owner.metrics.recreated.increment();
      closeQuietly(old, Duration.ZERO);
      // A producer that fails again at once must not be replaced in a tight loop.
      recreateDelayMs = Math.min(MAX_RECREATE_DELAY_MS, Math.max(MIN_RECREATE_DELAY_MS, recreateDelayMs * 2));
      Thread.sleep(recreateDelayMs);
    }
    try {
      producer = factory.apply(owner.settings.producerProperties());
      backoffMs = 0;
    } catch (RuntimeException e) { // for example a bootstrap host that does not resolve (yet)
      LOG.log(Level.WARNING, "Could not create Kafka producer; retrying", e);
      circuit.failed();
      backoffMs = MAX_BACKOFF_MS;
    }
  }

  /** Stops the thread and closes the producer, waiting up to {@code timeout} for in-flight sends. */
  void stop(Duration timeout) {
    running = false;
    thread.interrupt();
    try {
      thread.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (producer != null) closeQuietly(producer, timeout);
  }

  private static void closeQuietly(Producer<String, byte[]> p, Duration timeout) {
    try {
      p.close(timeout);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Closing Kafka producer failed", e);
    }
  }
}
