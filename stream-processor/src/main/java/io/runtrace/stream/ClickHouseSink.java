package io.runtrace.stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.runtrace.clickhouse.ClickHouseDatabase;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Consumes the enriched spans and runs topics ({@code read_committed}) and inserts them into the
 * ClickHouse writer in batches bounded by rows, bytes, time and partitions. Offsets are committed
 * only after ClickHouse accepted every insert of the batch; while it refuses, consumption pauses
 * (memory stays at one batch) and the same bytes are retried with backoff. Nothing here stops the
 * loop: errors are counted, the batch is dropped and read again from the last commit.
 */
final class ClickHouseSink implements Runnable, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ClickHouseSink.class.getName());
  static final String KAFKA_SOURCE = "kafka-sink-consumer";
  static final String CLICKHOUSE_SOURCE = "clickhouse-sink";

  final KafkaConsumer<byte[], byte[]> consumer;
  final SinkBatch batch;
  final SinkMetrics metrics;
  private final ClickHouseDatabase writer;
  private final SinkSettings settings;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean healthy = new AtomicBoolean(true);
  /** Why the last insert attempt failed, for health; null after a success. */
  private volatile String insertProblem;
  private final AuthFailures auth;
  /** Set when Kafka refused the consumer; cleared once it has partitions again. */
  private boolean kafkaRefused;
  private long kafkaBackoffMs;
  private final KafkaClientMetrics consumerMetrics;
  private final SinkRebalance rebalance;
  /** Told the hours of the run_list rows each insert wrote. */
  private final java.util.function.Consumer<java.util.Set<Long>> runsWritten;
  private final ExecutorService inserters = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "runtrace-clickhouse-insert");
    t.setDaemon(true);
    return t;
  });

  ClickHouseSink(SinkSettings settings, ClickHouseDatabase writer, MeterRegistry registry,
      java.util.function.Consumer<java.util.Set<Long>> runsWritten, AuthFailures auth) {
    this.settings = settings;
    this.auth = auth;
    this.kafkaBackoffMs = settings.minBackoff().toMillis();
    this.runsWritten = runsWritten;
    this.writer = writer;
    this.batch = new SinkBatch(settings, System::currentTimeMillis);
    this.metrics = new SinkMetrics(registry, batch);
    Properties p = new Properties();
    p.putAll(settings.kafkaProperties());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(settings.maxBatchRows(), 5_000));
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Math.max(1 << 20, Math.min(settings.maxBatchBytes() / 4, 50 << 20)));
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.groupId() + "-" + ProcessHandle.current().pid()
        + "-" + Integer.toHexString(System.identityHashCode(this)));
    consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumerMetrics = new KafkaClientMetrics(consumer);
    consumerMetrics.bindTo(registry);
    rebalance = new SinkRebalance(this);
  }

  /** Records already in Kafka for this consumer, as of its last fetches; no request is made. */
  private long lagRecords() {
    long lag = 0;
    for (TopicPartition tp : consumer.assignment()) lag += consumer.currentLag(tp).orElse(0);
    return lag;
  }

  /** True unless the last insert attempt failed. */
  boolean healthy() {
    return healthy.get();
  }

  /** Why the last insert attempt failed, or null when it succeeded. */
  String problem() {
    return healthy.get() ? null : insertProblem;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(settings.spansTopic(), settings.runsTopic()), rebalance);
      while (running.get()) {
        try {
          accept(consumer.poll(Duration.ofMillis(100)));
          if (kafkaRefused && !consumer.assignment().isEmpty()) {
            kafkaRefused = false;
            kafkaBackoffMs = settings.minBackoff().toMillis();
            auth.cleared(KAFKA_SOURCE);
          }
          if (batch.dueByTime(this::lagRecords)) flush();
        } catch (WakeupException e) {
          if (running.get()) throw e;
        } catch (RuntimeException e) {
          if (refusedByKafka(e)) {
            // Every poll would be refused at once: back off as for a ClickHouse outage.
            sleep(kafkaBackoffMs);
            kafkaBackoffMs = Math.min(kafkaBackoffMs * 2, settings.maxBackoff().toMillis());
          } else {
            metrics.loopErrors.increment();
            LOG.log(Level.WARNING, "ClickHouse sink error; re-reading from the last commit", e);
          }
          restartFromCommitted();
        }
      }
      if (!batch.isEmpty() && insertPending()) commit();
    } catch (RuntimeException e) {
      if (!(e instanceof WakeupException)) {
        LOG.log(Level.ERROR, "ClickHouse sink stopped", e);
        healthy.set(false);
      }
    } finally {
      consumerMetrics.close();
      try {
        // Before the inserters stop: leaving the group revokes partitions, which inserts what is pending.
        consumer.close(Duration.ofSeconds(5));
      } catch (KafkaException e) {
        LOG.log(Level.WARNING, "closing the sink's consumer failed; uncommitted rows are read again", e);
      } finally {
        inserters.shutdown();
      }
    }
  }

  private void accept(ConsumerRecords<byte[], byte[]> records) {
    long generation = rebalance.generation();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      List<byte[]> rows = SinkBatch.rows(r.value());
      long[] keys = batch.keys(r.topic(), rows);
      // A record's rows go into one batch, so its offset is committed only with all of them.
      if (!rows.isEmpty() && batch.full(keys, rows)) {
        flush();
        // A rebalance reset every kept partition to its last commit: the rest of this poll is read again.
        if (rebalance.generation() != generation) return;
      }
      batch.add(new TopicPartition(r.topic(), r.partition()), r.offset(), rows, keys);
      if (!rows.isEmpty()) batch.recordTime(r.timestamp());
    }
  }

  /** Inserts the batch, retrying with backoff while paused, then commits its offsets. */
  void flush() {
    long backoffMs = settings.minBackoff().toMillis();
    while (!insertPending()) {
      if (!running.get()) return;
      pause(true);
      long until = System.currentTimeMillis() + backoffMs;
      // Polling while paused keeps the group membership alive and runs rebalance callbacks.
      while (System.currentTimeMillis() < until && running.get()) rewind(consumer.poll(Duration.ofMillis(100)));
      if (batch.isEmpty()) break; // a rebalance dropped the batch; it is read again
      backoffMs = Math.min(backoffMs * 2, settings.maxBackoff().toMillis());
    }
    commit();
    pause(false);
  }

  /** Tries every buffer not yet accepted once, in parallel; true when all are in ClickHouse. */
  boolean insertPending() {
    List<SinkBuffer> pending = batch.pending();
    List<CompletableFuture<Boolean>> results = new ArrayList<>();
    for (SinkBuffer b : pending) {
      // The spans and runs tables, and each day of late rows, are separate inserts: overlap them.
      results.add(pending.size() == 1 ? CompletableFuture.completedFuture(insert(b))
          : CompletableFuture.supplyAsync(() -> insert(b), inserters));
    }
    boolean all = true;
    for (CompletableFuture<Boolean> r : results) all &= r.join();
    if (all) {
      auth.cleared(CLICKHOUSE_SOURCE);
      if (!healthy.getAndSet(true)) LOG.log(Level.INFO, "ClickHouse accepts inserts again");
    }
    return all;
  }

  private boolean insert(SinkBuffer b) {
    long start = System.nanoTime();
    String tag = b.table.substring(b.table.indexOf('.') + 1);
    try {
      writer.insertJsonEachRow(b.table, b.body(), b.bytes());
    } catch (RuntimeException e) {
      metrics.failed(tag);
      insertProblem = "ClickHouse at " + writer.url() + " refuses inserts: " + AuthFailures.oneLine(e.getMessage());
      // A refused credential is logged by AuthFailures, naming the user, once per change.
      boolean refused = auth.clickHouseRefused(CLICKHOUSE_SOURCE, e);
      if (healthy.getAndSet(false) && !refused) LOG.log(Level.WARNING, "insert into " + b.table + " failed; retrying", e);
      return false;
    }
    metrics.inserted(tag, b.rows(), b.bytes(), System.nanoTime() - start);
    b.markInserted();
    if (!b.hours.isEmpty()) runsWritten.accept(b.hours);
    return true;
  }

  /** Commits the batch's offsets; on failure the batch is read again (re-inserts are deduplicated). */
  void commit() {
    try {
      if (!batch.offsets().isEmpty()) consumer.commitSync(batch.offsets());
      batch.clear();
    } catch (KafkaException e) {
      if (e instanceof WakeupException) throw e;
      metrics.commitFailures.increment();
      if (!refusedByKafka(e)) LOG.log(Level.WARNING, "offset commit failed; re-reading from the last commit", e);
      restartFromCommitted();
    }
  }

  /** Records a refused Kafka credential; true when {@code e} is one. */
  private boolean refusedByKafka(RuntimeException e) {
    if (!auth.kafkaRefused(KAFKA_SOURCE, e)) return false;
    kafkaRefused = true;
    return true;
  }

  /** Drops the batch and moves every assigned partition back to its last commit, retrying until Kafka answers. */
  void restartFromCommitted() {
    while (running.get()) {
      try {
        rebalance.dropAndRewind(List.of());
        return;
      } catch (WakeupException e) {
        throw e;
      } catch (RuntimeException e) {
        if (!refusedByKafka(e)) LOG.log(Level.WARNING, "cannot read committed offsets; retrying", e);
        sleep(settings.maxBackoff().toMillis());
      }
    }
  }

  private void rewind(ConsumerRecords<byte[], byte[]> unexpected) {
    Map<TopicPartition, Long> first = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : unexpected) {
      first.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
    }
    first.forEach((tp, offset) -> {
      if (consumer.assignment().contains(tp)) consumer.seek(tp, offset);
    });
  }

  private void pause(boolean pause) {
    if (pause) consumer.pause(consumer.assignment());
    else consumer.resume(new ArrayList<>(consumer.paused()));
    metrics.paused.set(pause ? 1 : 0);
  }

  boolean paused() {
    return metrics.paused.get() == 1;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
  }
}
