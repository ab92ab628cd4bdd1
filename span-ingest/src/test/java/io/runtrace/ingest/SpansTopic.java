package io.runtrace.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Creates the spans topic for integration tests and reads back the records of given traces. */
final class SpansTopic {
  private SpansTopic() {}

  /** Creates {@code topic} with 3 partitions unless it exists; the real definition belongs to schemas. */
  static void create(String bootstrap, String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      short replicas = (short) Math.min(3, admin.describeCluster().nodes().get().size());
      admin.createTopics(List.of(new NewTopic(topic, 3, replicas))).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) throw e;
    }
  }

  /** Reads the topic from the start until records with the given keys hold {@code spans} spans, or 60 s pass. */
  static List<ConsumerRecord<String, byte[]>> read(String bootstrap, String topic, Set<String> keys, int spans) throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (count(found) < spans && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (keys.contains(r.key())) found.add(r);
        }
      }
    }
    assertThat(count(found)).as("spans read back").isEqualTo(spans);
    return found;
  }

  /** Creates {@code topic} with 3 partitions, replication factor 3 and min.insync.replicas=2. */
  static void createReplicated(String bootstrap, String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 3).configs(Map.of("min.insync.replicas", "2")))).all().get();
    }
  }

  /**
   * Distinct span ids in the whole topic, read until {@code expected} are found or nothing new
   * arrived for 15 s (at most 3 minutes).
   */
  static Set<String> spanIds(String bootstrap, String topic, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "4194304");
    Set<String> ids = new java.util.HashSet<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      long lastNew = System.nanoTime();
      while (ids.size() < expected && System.nanoTime() < deadline && System.nanoTime() - lastNew < Duration.ofSeconds(15).toNanos()) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          for (Span s : spans(r)) {
            if (ids.add(TraceRecordBatcher.hex(s.getSpanId()))) lastNew = System.nanoTime();
          }
        }
      }
    }
    return ids;
  }

  /** The keys of every record in {@code topic}, read from the start to the end offsets of now. */
  static Set<String> keys(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    Set<String> keys = new java.util.HashSet<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        assertThat(System.nanoTime()).as("read to the end within 60 s").isLessThan(deadline);
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) keys.add(r.key());
      }
    }
    return keys;
  }

  static List<Span> spans(ConsumerRecord<String, byte[]> record) {
    try {
      return ExportTraceServiceRequest.parseFrom(record.value()).getResourceSpansList().stream()
          .flatMap(rs -> rs.getScopeSpansList().stream()).flatMap(ss -> ss.getSpansList().stream())
          .collect(Collectors.toList());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError("record value is not an ExportTraceServiceRequest", e);
    }
  }

  private static int count(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().mapToInt(r -> spans(r).size()).sum();
  }
}
