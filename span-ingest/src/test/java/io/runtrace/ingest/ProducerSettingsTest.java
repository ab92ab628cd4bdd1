package io.runtrace.ingest;

import static org.assertj.core.api.Assertions.assertThat;

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
}
