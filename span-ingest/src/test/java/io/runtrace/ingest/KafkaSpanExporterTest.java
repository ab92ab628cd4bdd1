package io.runtrace.ingest;

import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.runtrace.model.RunAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Against a bootstrap address where nothing listens: Kafka is down for the whole test. */
class KafkaSpanExporterTest {
  private static final String NOTHING_LISTENS = "127.0.0.1:1";
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  // Each test gets its own topic, and so its own shared producer and budget.
  private final String topic = "test-" + UUID.randomUUID();

  private KafkaSpanExporter smallExporter() {
    return KafkaSpanExporter.builder().bootstrapServers(NOTHING_LISTENS).topic(topic)
        .maxRecordBytes(4096).bufferBytes(4 * (4096 + 1024)).flushTimeout(Duration.ofMillis(200))
        .meterRegistry(registry).build();
  }

  private double dropped(String reason) {
    return registry.get("runtrace.ingest.spans.dropped").tag("reason", reason).functionCounter().count();
  }

  private double counter(String name) {
    return registry.get(name).functionCounter().count();
  }

  private static List<SpanData> traces(int count, int payloadBytes, boolean runRoot) {
    List<SpanData> spans = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Attributes a = runRoot
          ? Attributes.of(stringKey("payload"), "x".repeat(payloadBytes), stringKey(RunAttributes.RUN_STATUS), "completed")
          : Attributes.of(stringKey("payload"), "x".repeat(payloadBytes));
      spans.add(TestSpans.span(i, i, "s" + i, a));
    }
    return spans;
  }

  @Test
  void exportReturnsPromptlyAndHoldsSpansWhileKafkaIsDown() {
    KafkaSpanExporter exporter = smallExporter();
    long start = System.nanoTime();
    CompletableResultCode result = exporter.export(traces(3, 100, false));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    assertThat(result.isSuccess()).isTrue();
    assertThat(counter("runtrace.ingest.spans.accepted")).isEqualTo(3);
    assertThat(counter("runtrace.ingest.spans.sent")).isZero();
    assertThat(registry.get("runtrace.ingest.buffered").gauge().value()).isPositive();

    CompletableResultCode shutdown = exporter.shutdown().join(5, TimeUnit.SECONDS);
    assertThat(shutdown.isDone()).isTrue();
    assertThat(shutdown.isSuccess()).isFalse();
    assertThat(dropped("shutdown")).isEqualTo(3);
    assertThat(registry.get("runtrace.ingest.buffered").gauge().value()).isZero();
  }

  @Test
  void fullBudgetDropsAsBufferFullButKeepsRoomForRunRoots() {
    KafkaSpanExporter exporter = smallExporter();
    long start = System.nanoTime();
    CompletableResultCode result = exporter.export(traces(40, 1000, false));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    assertThat(result.isSuccess()).isFalse();
    double accepted = counter("runtrace.ingest.spans.accepted");
    assertThat(dropped("buffer_full")).isPositive().isEqualTo(40 - accepted);

    assertThat(exporter.export(traces(1, 100, true)).isSuccess()).as("run root fits the reserved share").isTrue();
    exporter.shutdown().join(5, TimeUnit.SECONDS);
  }

  @Test
  void spanLargerThanMaxRecordBytesIsTrimmedAndCounted() {
    KafkaSpanExporter exporter = smallExporter();
    assertThat(exporter.export(traces(1, 5000, false)).isSuccess()).isTrue();
    assertThat(counter("runtrace.ingest.spans.trimmed")).isEqualTo(1);
    assertThat(dropped("too_large")).isZero();
    exporter.shutdown().join(5, TimeUnit.SECONDS);
  }

  @Test
  void spanTooLargeEvenTrimmedIsCountedTooLarge() {
    KafkaSpanExporter exporter = smallExporter();
    io.opentelemetry.api.common.AttributesBuilder big = Attributes.builder();
    for (int i = 0; i < 30; i++) big.put("runtrace.x" + i, "y".repeat(200));
    assertThat(exporter.export(List.of(TestSpans.span(2, 2, "huge", big.build()))).isSuccess()).isFalse();
    assertThat(dropped("too_large")).isEqualTo(1);
    exporter.shutdown().join(5, TimeUnit.SECONDS);
  }

  @Test
  void exportAfterShutdownFailsWithoutThrowing() {
    KafkaSpanExporter exporter = smallExporter();
    exporter.shutdown().join(5, TimeUnit.SECONDS);
    assertThat(exporter.export(traces(1, 10, false)).isSuccess()).isFalse();
  }

  @Test
  void exportersWithEqualSettingsShareOneProducer() {
    KafkaSpanExporter a = smallExporter();
    KafkaSpanExporter b = smallExporter();
    a.export(traces(1, 10, false));
    b.export(traces(1, 10, false));
    assertThat(counter("runtrace.ingest.spans.accepted")).isEqualTo(2);
    a.shutdown().join(5, TimeUnit.SECONDS);
    assertThat(dropped("shutdown")).as("b still holds a reference").isZero();
    b.shutdown().join(5, TimeUnit.SECONDS);
    assertThat(dropped("shutdown")).isEqualTo(2);
  }

  @Test
  void shutdownWithKafkaDownReturnsWithinTheDeadlineAndReportsWhatItCouldNotSend() {
    KafkaSpanExporter exporter = smallExporter();
    exporter.export(traces(3, 10, false));
    long start = System.nanoTime();
    CompletableResultCode result = exporter.shutdown().join(30, TimeUnit.SECONDS);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("flushTimeout is 200 ms").isLessThan(Duration.ofSeconds(10));
    assertThat(result.isSuccess()).isFalse();
    assertThat(dropped("shutdown")).isEqualTo(3);
  }

  @Test
  void builderNamesTheSettingAtFault() {
    assertThatThrownBy(() -> KafkaSpanExporter.builder().build()).hasMessageContaining("bootstrapServers");
    assertThatThrownBy(() -> KafkaSpanExporter.builder().bootstrapServers("k:9092").maxRecordBytes(10).build())
        .hasMessageContaining("maxRecordBytes");
    assertThatThrownBy(() -> KafkaSpanExporter.builder().bootstrapServers("k:9092").bufferBytes(1000).build())
        .hasMessageContaining("bufferBytes");
    assertThatThrownBy(() -> KafkaSpanExporter.builder().bootstrapServers("k:9092").lingerMs(-1).build())
        .hasMessageContaining("lingerMs");
    assertThatThrownBy(() -> KafkaSpanExporter.builder().bootstrapServers("k:9092").producerProperty("acks", "sometimes").build())
        .hasMessageContaining("producerProperties");
    assertThatThrownBy(() -> KafkaSpanExporter.builder().reconnectBackoff(Duration.ZERO)).hasMessageContaining("reconnectBackoff");
  }
}
