package io.runtrace.stream;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The sink group's consumer lag per topic (last stable offset minus committed offset, summed over
 * partitions), refreshed every {@code lagRefresh} on its own thread, so it stays current while the
 * sink is stuck retrying and costs the hot path nothing. Gauge {@code runtrace_sink_consumer_lag_records}.
 */
final class SinkLagMonitor implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(SinkLagMonitor.class.getName());
  private final Admin admin;
  private final AuthFailures auth;
  private final String groupId;
  private final List<String> topics;
  private final Map<String, AtomicLong> lag = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "runtrace-sink-lag");
    t.setDaemon(true);
    return t;
  });

  SinkLagMonitor(SinkSettings settings, MeterRegistry registry, AuthFailures auth) {
    this.auth = auth;
    Properties p = new Properties();
    p.putAll(settings.kafkaProperties());
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, settings.groupId() + "-lag");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    this.admin = Admin.create(p);
    this.groupId = settings.groupId();
    this.topics = List.of(settings.spansTopic(), settings.runsTopic());
    for (String topic : topics) {
      AtomicLong value = lag.computeIfAbsent(topic, t -> new AtomicLong(-1));
      Gauge.builder("runtrace.sink.consumer.lag.records", value, AtomicLong::get).tag("topic", topic)
          .description("Records the ClickHouse sink has not committed yet; -1 until first measured")
          .register(registry);
    }
    long ms = settings.lagRefresh().toMillis();
    timer.scheduleWithFixedDelay(this::refresh, 0, ms, TimeUnit.MILLISECONDS);
  }

  /** Lag of one topic as last measured, or -1 before the first measurement. */
  long lag(String topic) {
    return lag.get(topic).get();
  }

  void refresh() {
    try {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
        d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
      }
      var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
          .all().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
          .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      Map<String, Long> sums = new HashMap<>();
      ends.forEach((tp, info) -> {
        OffsetAndMetadata c = committed.get(tp);
        long behind = Math.max(0, info.offset() - (c == null ? 0 : c.offset()));
        sums.merge(tp.topic(), behind, Long::sum);
      });
      sums.forEach((topic, value) -> lag.get(topic).set(value));
      auth.cleared("kafka-lag-monitor");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      if (!auth.kafkaRefused("kafka-lag-monitor", e)) LOG.log(Level.DEBUG, "consumer lag not measured this time", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    admin.close(Duration.ofSeconds(5));
  }
}
