package io.runtrace.stream;

import static io.runtrace.stream.TestSpans.MS;
import static io.runtrace.stream.TestSpans.T0;
import static io.runtrace.stream.TestSpans.request;
import static io.runtrace.stream.TestSpans.runSpan;
import static io.runtrace.stream.TestSpans.span;
import static io.runtrace.stream.TestSpans.spanId;
import static io.runtrace.stream.TestSpans.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every dead-letter reason through the topology: headers, counters, and the good spans go on. */
class RunAssemblyDeadLetterTest {
  static final Instant NOW = Instant.ofEpochMilli(T0 / MS + 60_000);
  final TopologyFixture fx = new TopologyFixture(NOW, 4 * 1024, Duration.ofMinutes(15), Duration.ofHours(24));

  @AfterEach
  void tearDown() {
    fx.close();
  }

  TestRecord<byte[], byte[]> deadLetter(String reason) {
    TestRecord<byte[], byte[]> dead = fx.deadLetters.readRecord();
    assertThat(header(dead, RunAssembler.HEADER_REASON)).isEqualTo(reason);
    assertThat(header(dead, RunAssembler.HEADER_SOURCE)).startsWith("spans-0@");
    assertThat(header(dead, RunAssembler.HEADER_DETAIL)).isNotEmpty();
    assertThat(fx.counter("runtrace.stream.dead.letters", "reason", reason)).isEqualTo(1.0);
    return dead;
  }

  static String header(TestRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  void thenTheGoodRunIsAssembled(String t) {
    RunRow run = fx.latestRuns().get(t);
    assertThat(run.status()).isEqualTo("completed");
    assertThat(run.spanCount()).isEqualTo(1);
  }

  @Test
  void givenBytesThatAreNotOtlp_whenProcessed_thenUndecodableAndTheNextRecordIsProcessed() {
    fx.send("k", new byte[] {(byte) 0xff, 0x01, 0x02}, NOW);
    assertThat(deadLetter("undecodable").value()).containsExactly((byte) 0xff, 0x01, 0x02);
    String t = traceId(1);
    fx.send(t, request(runSpan(t, "run-1", "completed", 0, 10)), NOW);
    thenTheGoodRunIsAssembled(t);
  }

  @Test
  void givenARecordLargerThanTheLimit_whenProcessed_thenOversize() {
    fx.send("k", new byte[5 * 1024], NOW);
    assertThat(deadLetter("oversize").value()).hasSize(5 * 1024);
  }

  @Test
  void givenAMixedRecordWithASpanWithoutTraceId_whenProcessed_thenOnlyThatSpanIsDeadLettered() throws Exception {
    String t = traceId(2);
    io.opentelemetry.proto.trace.v1.Span noTrace = span(t, spanId(7), "", "orphan", 0, 1, false).toBuilder()
        .setTraceId(ByteString.EMPTY).build();
    fx.send(t, request(runSpan(t, "run-2", "completed", 0, 10), noTrace), NOW);
    ExportTraceServiceRequest dead = ExportTraceServiceRequest.parseFrom(deadLetter("missing_trace_id").value());
    assertThat(dead.getResourceSpans(0).getScopeSpans(0).getSpans(0).getName()).isEqualTo("orphan");
    thenTheGoodRunIsAssembled(t);
  }

  @Test
  void givenAMixedRecordWithASpanThatIsNotUtf8_whenProcessed_thenInvalidUtf8AndTheGoodSpanGoesOn() {
    String t = traceId(3);
    byte[] ok = request(runSpan(t, "run-3", "completed", 0, 10), span(t, spanId(2), "", "Q~Q~", 0, 1, false));
    fx.send(t, TestEncoding.replace(ok, "Q~Q~", new byte[] {(byte) 0xc3, 0x28, (byte) 0xff, 0x41}), NOW);
    assertThat(header(deadLetter("invalid_utf8"), RunAssembler.HEADER_DETAIL)).contains("1 span(s)");
    thenTheGoodRunIsAssembled(t);
  }

  @Test
  void givenAMixedRecordWithAnAbsurdTimestamp_whenProcessed_thenAbsurdTimestampAndTheGoodSpanGoesOn() {
    String t = traceId(4);
    long before2000Ms = -(T0 / MS) + 1000;
    fx.send(t, request(runSpan(t, "run-4", "completed", 0, 10),
        span(t, spanId(3), "", "1970", before2000Ms, before2000Ms + 1, false)), NOW);
    deadLetter("absurd_timestamp");
    thenTheGoodRunIsAssembled(t);
  }

  @Test
  void givenARecordUnderAnotherKeyWithAnAbsurdSpan_whenReKeyed_thenThatSpanIsDeadLetteredOnce() {
    String t = traceId(5);
    fx.send("other", request(runSpan(t, "run-5", "completed", 0, 10),
        span(t, spanId(3), "", "ends before start", 10, 5, false)), NOW);
    deadLetter("absurd_timestamp");
    assertThat(fx.deadLetters.isEmpty()).isTrue();
    thenTheGoodRunIsAssembled(t);
  }

  @Test
  void givenStateThatBreaksProcessing_whenARecordArrives_thenProcessingErrorAndTheTopologyGoesOn() {
    String t = traceId(6);
    RunState broken = new RunState();
    broken.spanIds = null; // as a store written by an incompatible version might hold
    fx.store().put(t, broken);
    byte[] value = request(runSpan(t, "run-6", "completed", 0, 10));
    fx.send(t, value, NOW);
    TestRecord<byte[], byte[]> dead = deadLetter("processing_error");
    assertThat(dead.value()).isEqualTo(value);
    assertThat(header(dead, RunAssembler.HEADER_DETAIL)).contains("NullPointerException");

    String u = traceId(7);
    fx.send(u, request(runSpan(u, "run-7", "completed", 0, 10)), NOW);
    thenTheGoodRunIsAssembled(u);
  }
}
