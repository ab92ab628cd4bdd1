package io.runtrace.stream;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
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
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The size of the pipeline's topics against their {@code retention.bytes}, which Kafka applies per
 * partition: gauges {@code runtrace_kafka_topic_max_partition_bytes{topic}} (the largest replica of
 * the topic's largest partition, over every broker's log directories) and
 * {@code runtrace_kafka_topic_retention_bytes{topic}} (-1 when unlimited). A partition near its
 * limit is deleting its oldest records, read or not. Both are -1 until first measured, and
 * refreshed on their own thread every {@code refresh}.
 */
final class KafkaTopicBytes implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(KafkaTopicBytes.class.getName());
  private static final String SOURCE = "kafka-topic-bytes";
  private final Admin admin;
  private final AuthFailures auth;
  private final List<String> topics;
  private final Map<String, AtomicLong> maxPartitionBytes = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> retentionBytes = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "runtrace-kafka-topic-bytes");
    t.setDaemon(true);
    return t;
  });

  KafkaTopicBytes(SinkSettings settings, List<String> topics, Duration refresh, MeterRegistry registry,
      AuthFailures auth) {
    this.auth = auth;
    this.topics = List.copyOf(topics);
    Properties p = new Properties();
    p.putAll(settings.kafkaProperties());
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, settings.groupId() + "-topic-bytes");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    this.admin = Admin.create(p);
    for (String topic : this.topics) {
      gauge(registry, "runtrace.kafka.topic.max.partition.bytes", topic, maxPartitionBytes,
          "Bytes of the topic's largest partition (its largest replica); -1 until measured");
      gauge(registry, "runtrace.kafka.topic.retention.bytes", topic, retentionBytes,
          "The topic's retention.bytes, per partition; -1 when unlimited or not yet read");
    }
    timer.scheduleWithFixedDelay(this::refresh, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static void gauge(MeterRegistry registry, String name, String topic, Map<String, AtomicLong> values,
      String description) {
    AtomicLong value = values.computeIfAbsent(topic, t -> new AtomicLong(-1));
    Gauge.builder(name, value, AtomicLong::get).tag("topic", topic).description(description).baseUnit("bytes")
        .register(registry);
  }

  /** The largest partition of a topic as last measured, or -1. */
  long maxPartitionBytes(String topic) {
    return maxPartitionBytes.get(topic).get();
  }

  /** The topic's retention.bytes as last read, or -1. */
  long retentionBytes(String topic) {
    return retentionBytes.get(topic).get();
  }

  void refresh() {
    try {
      Collection<Node> brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
      Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(
          brokers.stream().map(Node::id).toList()).allDescriptions().get(30, TimeUnit.SECONDS);
      Map<String, Long> largest = largestPartitions(dirs);
      for (String topic : topics) maxPartitionBytes.get(topic).set(largest.getOrDefault(topic, 0L));
      List<ConfigResource> resources = topics.stream()
          .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
      Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
      configs.forEach((resource, config) -> {
        ConfigEntry entry = config.get(TopicConfig.RETENTION_BYTES_CONFIG);
        long limit = entry == null || entry.value() == null ? -1 : Long.parseLong(entry.value());
        retentionBytes.get(resource.name()).set(limit < 0 ? -1 : limit);
      });
      auth.cleared(SOURCE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      if (!auth.kafkaRefused(SOURCE, e)) LOG.log(Level.DEBUG, "topic sizes not measured this time", e);
    }
  }

  /** Per topic, the size of its largest partition replica over every broker and log directory. */
  static Map<String, Long> largestPartitions(Map<Integer, Map<String, LogDirDescription>> dirs) {
    Map<TopicPartition, Long> partitions = new HashMap<>();
    dirs.values().forEach(byDir -> byDir.values().forEach(dir -> dir.replicaInfos()
        .forEach((tp, info) -> partitions.merge(tp, info.size(), Math::max))));
    Map<String, Long> largest = new HashMap<>();
    partitions.forEach((tp, size) -> largest.merge(tp.topic(), size, Math::max));
    return largest;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    admin.close(Duration.ofSeconds(5));
  }
}
