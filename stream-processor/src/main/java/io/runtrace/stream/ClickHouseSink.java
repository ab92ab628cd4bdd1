package io.runtrace.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.runtrace.clickhouse.ClickHouseDatabase;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Consumes the enriched spans and runs topics and inserts them into the ClickHouse writer in
 * batches bounded by rows, bytes and time. Offsets are committed only after ClickHouse accepted
 * the batch; while it refuses, consumption pauses (memory stays at one batch) and the same
 * batch is retried with backoff.
 */
final class ClickHouseSink implements Runnable, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ClickHouseSink.class.getName());

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final ClickHouseDatabase writer;
  private final Map<String, SinkBuffer> buffers = new HashMap<>();
  private final SinkSettings settings;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean healthy = new AtomicBoolean(true);
  private final Counter insertFailures;
  private final Timer insertLatency;
  private final MeterRegistry registry;
  private final KafkaClientMetrics consumerMetrics;
  private long batchStartedMs = -1;

  ClickHouseSink(SinkSettings settings, ClickHouseDatabase writer, MeterRegistry registry) {
    this.settings = settings;
    this.writer = writer;
    this.registry = registry;
    buffers.put(settings.spansTopic(), new SinkBuffer(settings.spansTable()));
    buffers.put(settings.runsTopic(), new SinkBuffer(settings.runsTable()));
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(settings.maxBatchRows(), 10_000));
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Math.min(settings.maxBatchBytes(), 50 * 1024 * 1024));
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.groupId() + "-" + ProcessHandle.current().pid());
    consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumerMetrics = new KafkaClientMetrics(consumer);
    consumerMetrics.bindTo(registry);
    insertFailures = Counter.builder("runtrace.sink.insert.failures")
        .description("ClickHouse inserts that failed and will be retried").register(registry);
    insertLatency = Timer.builder("runtrace.sink.insert.latency").publishPercentiles(0.5, 0.99)
        .description("Time for one ClickHouse insert").register(registry);
    for (SinkBuffer b : buffers.values()) {
      registry.gauge("runtrace.sink.buffered.rows", List.of(io.micrometer.core.instrument.Tag.of("table", b.table)),
          b, SinkBuffer::rows);
    }
  }

  /** True unless the last insert attempt failed. */
  boolean healthy() {
    return healthy.get();
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(settings.spansTopic(), settings.runsTopic()), new Rebalance());
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          if (r.value() == null) continue;
          if (batchStartedMs < 0) batchStartedMs = System.currentTimeMillis();
          buffers.get(r.topic()).add(new TopicPartition(r.topic(), r.partition()), r.offset(), r.value());
        }
        if (due()) flush();
      }
      flush();
    } catch (WakeupException e) {
      if (running.get()) throw e;
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "ClickHouse sink stopped", e);
      healthy.set(false);
      throw e;
    } finally {
      consumerMetrics.close();
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private boolean due() {
    int rows = 0;
    int bytes = 0;
    for (SinkBuffer b : buffers.values()) {
      rows += b.rows();
      bytes += b.bytes();
    }
    if (rows == 0) return false;
    return rows >= settings.maxBatchRows() || bytes >= settings.maxBatchBytes()
        || System.currentTimeMillis() - batchStartedMs >= settings.maxBatchDelay().toMillis();
  }

  /** Inserts every buffer, retrying with backoff while paused; then commits. */
  private void flush() {
    long backoffMs = settings.minBackoff().toMillis();
    while (!insertAll()) {
      if (!running.get()) return;
      consumer.pause(consumer.assignment());
      long until = System.currentTimeMillis() + backoffMs;
      // Polling while paused keeps the group membership alive and runs rebalance callbacks.
      while (System.currentTimeMillis() < until && running.get()) consumer.poll(Duration.ofMillis(100));
      backoffMs = Math.min(backoffMs * 2, settings.maxBackoff().toMillis());
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    buffers.values().forEach(b -> offsets.putAll(b.offsets()));
    if (!offsets.isEmpty()) consumer.commitSync(offsets);
    buffers.values().forEach(SinkBuffer::clear);
    batchStartedMs = -1;
    consumer.resume(consumer.paused());
  }

  private boolean insertAll() {
    for (SinkBuffer b : buffers.values()) {
      if (b.inserted()) continue;
      try {
        Timer.Sample sample = Timer.start(registry);
        writer.insertJsonEachRow(b.table, b.body());
        sample.stop(insertLatency);
        registry.counter("runtrace.sink.rows", "table", b.table).increment(b.rows());
        b.markInserted();
      } catch (RuntimeException e) {
        insertFailures.increment();
        if (healthy.getAndSet(false)) LOG.log(Level.WARNING, "insert into " + b.table + " failed; retrying", e);
        return false;
      }
    }
    healthy.set(true);
    return true;
  }

  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
  }

  /** On revocation the uncommitted rows are dropped; the partition's next owner reads them again. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      buffers.values().forEach(SinkBuffer::clear);
      batchStartedMs = -1;
      // Partitions we keep must be read again from their last commit, or the dropped rows are lost.
      java.util.Set<TopicPartition> kept = new java.util.HashSet<>(consumer.assignment());
      kept.removeAll(partitions);
      if (kept.isEmpty()) return;
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(kept);
      for (TopicPartition tp : kept) {
        OffsetAndMetadata om = committed.get(tp);
        if (om == null) consumer.seekToBeginning(List.of(tp));
        else consumer.seek(tp, om.offset());
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
  }
}
