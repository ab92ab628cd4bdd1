package io.runtrace.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runtrace.model.KafkaCredentials;

import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ProducerSettingsTest {
  private static Properties properties(KafkaSpanExporter.Builder b) {
    return b.settings().producerSettings().producerProperties();
  }

  @Test
  void idempotentAllAcksBoundedInFlightAndBoundedReconnectBackoff() {
    Properties p = properties(KafkaSpanExporter.builder().bootstrapServers("k:9092").bufferBytes(40L << 20));
    assertThat(p).containsEntry("enable.idempotence", "true").containsEntry("acks", "all")
        .containsEntry("max.in.flight.requests.per.connection", "5")
        .containsEntry("reconnect.backoff.ms", "100").containsEntry("reconnect.backoff.max.ms", "10000")
        .containsEntry("buffer.memory", Long.toString(10L << 20)).containsEntry("max.block.ms", "10");
  }

  @Test
  void reconnectBackoffIsConfigurableButMemoryAndBlockingAreNot() {
    Properties p = properties(KafkaSpanExporter.builder().bootstrapServers("k:9092")
        .reconnectBackoff(Duration.ofMillis(250)).reconnectBackoffMax(Duration.ofSeconds(30))
        .producerProperty("buffer.memory", "999999999").producerProperty("max.block.ms", "60000"));
    assertThat(p).containsEntry("reconnect.backoff.ms", "250").containsEntry("reconnect.backoff.max.ms", "30000")
        .containsEntry("buffer.memory", Long.toString(ByteBudget.kafkaBufferBytes(KafkaSettings.DEFAULT_BUFFER_BYTES)))
        .containsEntry("max.block.ms", "10");
  }

  @Test
  void scramCredentialsBecomeSaslPropertiesAndEqualCredentialsShareAProducer() {
    KafkaCredentials a = KafkaCredentials.scram("SASL_PLAINTEXT", "SCRAM-SHA-512", "runtrace", "pw-1");
    KafkaCredentials b = KafkaCredentials.scram("SASL_PLAINTEXT", "SCRAM-SHA-512", "runtrace", "pw-1");
    ProducerSettings first = KafkaSpanExporter.builder().bootstrapServers("k:9092").kafkaCredentials(a).settings().producerSettings();
    ProducerSettings same = KafkaSpanExporter.builder().bootstrapServers("k:9092").kafkaCredentials(b).settings().producerSettings();
    ProducerSettings other = KafkaSpanExporter.builder().bootstrapServers("k:9092")
        .kafkaCredentials(KafkaCredentials.scram("SASL_PLAINTEXT", "SCRAM-SHA-512", "runtrace", "pw-2")).settings().producerSettings();
    assertThat(first.producerProperties()).containsEntry("security.protocol", "SASL_PLAINTEXT")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsKey("sasl.jaas.config");
    assertThat(first).isEqualTo(same).hasSameHashCodeAs(same).isNotEqualTo(other);
    assertThat(first.toString()).contains("runtrace").doesNotContain("pw-1");
  }

  @Test
  void withoutCredentialsSecurityMayStillComeFromProducerProperties() {
    Properties p = properties(KafkaSpanExporter.builder().bootstrapServers("k:9092").producerProperty("security.protocol", "SSL"));
    assertThat(p).containsEntry("security.protocol", "SSL").doesNotContainKey("sasl.jaas.config");
  }

  @Test
  void credentialsAndTheSamePropertyByHandFailAtBuild() {
    KafkaCredentials c = KafkaCredentials.scram("SASL_PLAINTEXT", "SCRAM-SHA-256", "u", "p");
    assertThatThrownBy(() -> KafkaSpanExporter.builder().bootstrapServers("k:9092").kafkaCredentials(c)
        .producerProperty("sasl.jaas.config", "x").build())
        .hasMessage("kafkaCredentials and producerProperty(\"sasl.jaas.config\") are both set; use kafkaCredentials alone");
    assertThatThrownBy(() -> KafkaSpanExporter.builder().kafkaCredentials(null)).hasMessage("kafkaCredentials");
  }
}
