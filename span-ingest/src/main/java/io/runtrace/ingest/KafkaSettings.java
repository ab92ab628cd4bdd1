package io.runtrace.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import io.runtrace.model.KafkaCredentials;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The Kafka side settings that the exporter and the receiver share, validated on build. */
final class KafkaSettings {
  static final String DEFAULT_TOPIC = "runtrace.spans";
  static final int DEFAULT_MAX_RECORD_BYTES = 1_000_000;
  static final long DEFAULT_BUFFER_BYTES = 32L * 1024 * 1024;
  static final long DEFAULT_LINGER_MS = 20;
  static final Duration DEFAULT_FLUSH_TIMEOUT = Duration.ofSeconds(5);
  /** Producer properties that {@link Builder#kafkaCredentials} sets; setting them twice is refused. */
  private static final List<String> CREDENTIAL_PROPERTIES = List.of("security.protocol", "sasl.mechanism", "sasl.jaas.config");

  final String bootstrapServers;
  final String topic;
  final int maxRecordBytes;
  final long bufferBytes;
  final long lingerMs;
  final Duration flushTimeout;
  final MeterRegistry meterRegistry;
  final Map<String, String> producerProperties;
  final KafkaCredentials credentials;

  private KafkaSettings(Builder<?> b) {
    ProducerSettings.validate(b.bootstrapServers, b.topic, b.maxRecordBytes, b.bufferBytes, b.lingerMs, b.flushTimeout);
    this.bootstrapServers = b.bootstrapServers.trim();
    this.topic = b.topic;
    this.maxRecordBytes = b.maxRecordBytes;
    this.bufferBytes = b.bufferBytes;
    this.lingerMs = b.lingerMs;
    this.flushTimeout = b.flushTimeout;
    this.meterRegistry = b.meterRegistry;
    this.producerProperties = Map.copyOf(b.producerProperties);
    this.credentials = b.credentials;
    if (credentials.authenticates()) {
      for (String key : CREDENTIAL_PROPERTIES) {
        if (producerProperties.containsKey(key)) {
          throw new IllegalArgumentException("kafkaCredentials and producerProperty(\"" + key + "\") are both set; use kafkaCredentials alone");
        }
      }
    }
    try {
      new ProducerConfig(producerSettings().producerProperties());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("producerProperties are invalid: " + e.getMessage(), e);
    }
  }

  ProducerSettings producerSettings() {
    return new ProducerSettings(bootstrapServers, topic, maxRecordBytes, bufferBytes, lingerMs, producerProperties, credentials);
  }

  /** Setters shared by the exporter's and the receiver's builders. */
  abstract static class Builder<B extends Builder<B>> {
    private String bootstrapServers;
    private String topic = DEFAULT_TOPIC;
    private int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
    private long bufferBytes = DEFAULT_BUFFER_BYTES;
    private long lingerMs = DEFAULT_LINGER_MS;
    private Duration flushTimeout = DEFAULT_FLUSH_TIMEOUT;
    private MeterRegistry meterRegistry;
    private final Map<String, String> producerProperties = new LinkedHashMap<>();
    private KafkaCredentials credentials = KafkaCredentials.NONE;

    @SuppressWarnings("unchecked")
    private B self() {
      return (B) this;
    }

    /** Kafka bootstrap servers, {@code host:port[,host:port]}. Required. */
    public B bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
      return self();
    }

    /** The spans topic. Default {@code runtrace.spans}. */
    public B topic(String topic) {
      this.topic = topic;
      return self();
    }

    /** Largest record value in bytes; keep it below the topic's {@code max.message.bytes}. Default 1,000,000. */
    public B maxRecordBytes(int maxRecordBytes) {
      this.maxRecordBytes = maxRecordBytes;
      return self();
    }

    /**
     * All memory for spans not yet acknowledged by Kafka, in bytes, including Kafka's
     * {@code buffer.memory} (a quarter of it). Default 32 MiB; at least 4 x (maxRecordBytes + 1024).
     */
    public B bufferBytes(long bufferBytes) {
      this.bufferBytes = bufferBytes;
      return self();
    }

    /** Kafka {@code linger.ms}: how long the producer waits to fill a batch, in milliseconds. Default 20. */
    public B lingerMs(long lingerMs) {
      this.lingerMs = lingerMs;
      return self();
    }

    /** How long flush and shutdown wait for Kafka to acknowledge held spans. Default 5 seconds. */
    public B flushTimeout(Duration flushTimeout) {
      this.flushTimeout = flushTimeout;
      return self();
    }

    /** Where the ingest metrics are registered. Default: a private registry. */
    public B meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
      return self();
    }

    /** Kafka {@code reconnect.backoff.ms}: first wait before reconnecting to an unreachable broker. Default 100 ms. */
    public B reconnectBackoff(Duration backoff) {
      return producerProperty("reconnect.backoff.ms", Long.toString(positiveMillis(backoff, "reconnectBackoff")));
    }

    /** Kafka {@code reconnect.backoff.max.ms}: the bound of the exponential reconnect backoff. Default 10 seconds. */
    public B reconnectBackoffMax(Duration backoff) {
      return producerProperty("reconnect.backoff.max.ms", Long.toString(positiveMillis(backoff, "reconnectBackoffMax")));
    }

    private static long positiveMillis(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive, was " + d);
      return d.toMillis();
    }

    /**
     * How the producer authenticates to Kafka: SASL/SCRAM user and password
     * ({@link KafkaCredentials#scram}), or {@link KafkaCredentials#NONE} (PLAINTEXT), the default.
     * A login or permission Kafka refuses at run time shows in readiness, in
     * {@code runtrace_auth_failures_total{credential="kafka"}} and in the log, and the spans are
     * counted dropped as {@code auth}.
     */
    public B kafkaCredentials(KafkaCredentials credentials) {
      this.credentials = Objects.requireNonNull(credentials, "kafkaCredentials");
      return self();
    }

    /**
     * An extra Kafka producer property, for example security settings. {@code buffer.memory},
     * {@code max.block.ms} and the serializers are owned by this module and cannot be overridden.
     */
    public B producerProperty(String key, String value) {
      producerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return self();
    }

    KafkaSettings settings() {
      return new KafkaSettings(this);
    }
  }
}
