package io.runtrace.ingest;

import java.time.Duration;
import io.runtrace.model.KafkaCredentials;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The settings that identify one shared producer; equal settings share one producer per process. */
record ProducerSettings(
    String bootstrapServers, String topic, int maxRecordBytes, long bufferBytes, long lingerMs, Map<String, String> extra,
    KafkaCredentials credentials) {

  /** How long {@code send()} may wait for metadata or buffer space; the sender thread retries after it. */
  static final long MAX_BLOCK_MS = 10;
  /** Default Kafka {@code reconnect.backoff.ms}: first wait before reconnecting to a broker. */
  static final long DEFAULT_RECONNECT_BACKOFF_MS = 100;
  /** Default Kafka {@code reconnect.backoff.max.ms}: the bound the exponential reconnect backoff grows to. */
  static final long DEFAULT_RECONNECT_BACKOFF_MAX_MS = 10_000;

  ProducerSettings {
    extra = Map.copyOf(new TreeMap<>(extra));
    Objects.requireNonNull(credentials, "credentials");
  }

  // KafkaCredentials has identity equality; equal user, password and mechanism must share a producer.
  @Override
  public boolean equals(Object o) {
    return o instanceof ProducerSettings p && bootstrapServers.equals(p.bootstrapServers) && topic.equals(p.topic)
        && maxRecordBytes == p.maxRecordBytes && bufferBytes == p.bufferBytes && lingerMs == p.lingerMs
        && extra.equals(p.extra) && credentials.clientProperties().equals(p.credentials.clientProperties());
  }

  @Override
  public int hashCode() {
    return Objects.hash(bootstrapServers, topic, maxRecordBytes, bufferBytes, lingerMs, extra, credentials.clientProperties());
  }

  /** Without the extra properties, which may hold secrets; the credentials show no password. */
  @Override
  public String toString() {
    return "ProducerSettings{bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", credentials=" + credentials + "}";
  }

  /** Validates at configuration time, naming the setting at fault. */
  static void validate(String bootstrapServers, String topic, int maxRecordBytes, long bufferBytes, long lingerMs, Duration flushTimeout) {
    if (bootstrapServers == null || bootstrapServers.isBlank()) throw new IllegalArgumentException("bootstrapServers is required");
    if (topic == null || topic.isBlank()) throw new IllegalArgumentException("topic must not be blank");
    if (maxRecordBytes < 1024) throw new IllegalArgumentException("maxRecordBytes must be at least 1024, was " + maxRecordBytes);
    long min = 4L * (maxRecordBytes + 1024);
    if (bufferBytes < min)
      throw new IllegalArgumentException("bufferBytes must be at least 4 x (maxRecordBytes + 1024) = " + min + ", was " + bufferBytes);
    if (lingerMs < 0) throw new IllegalArgumentException("lingerMs must not be negative, was " + lingerMs);
    if (flushTimeout == null || flushTimeout.isNegative()) throw new IllegalArgumentException("flushTimeout must not be negative");
  }

  /** Kafka producer properties: idempotent, lz4, a fixed share of the budget as buffer.memory, and a send() that barely blocks. */
  Properties producerProperties() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(lingerMs));
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Math.max(1_048_576, maxRecordBytes + 1024)));
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "runtrace-span-ingest");
    p.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, Long.toString(DEFAULT_RECONNECT_BACKOFF_MS));
    p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, Long.toString(DEFAULT_RECONNECT_BACKOFF_MAX_MS));
    p.putAll(extra);
    if (credentials.authenticates()) p.putAll(credentials.clientProperties());
    // Set after the extra properties: these bound memory and blocking, which the budget relies on.
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(ByteBudget.kafkaBufferBytes(bufferBytes)));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(MAX_BLOCK_MS));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }
}
