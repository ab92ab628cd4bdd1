package io.runtrace.stream;

import static io.runtrace.stream.TestSpans.T0;
import static io.runtrace.stream.TestSpans.MS;
import static io.runtrace.stream.TestSpans.request;
import static io.runtrace.stream.TestSpans.kv;
import static io.runtrace.stream.TestSpans.runSpan;
import static io.runtrace.stream.TestSpans.span;
import static io.runtrace.stream.TestSpans.spanId;
import static io.runtrace.stream.TestSpans.stepSpan;
import static io.runtrace.stream.TestSpans.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.runtrace.model.RunAttributes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RunAssemblyTopologyTest {
  static final Instant RECORD_TIME = Instant.ofEpochMilli(T0 / MS + 60_000);
  SimpleMeterRegistry registry = new SimpleMeterRegistry();
  TopologyTestDriver driver;
  TestInputTopic<byte[], byte[]> spans;
  TestOutputTopic<byte[], byte[]> enriched;
  TestOutputTopic<byte[], byte[]> runs;
  TestOutputTopic<byte[], byte[]> deadLetters;
  TestOutputTopic<byte[], byte[]> rekeyed;

  @BeforeEach
  void setUp() {
    RunAssemblyTopology topology = new RunAssemblyTopology("spans", "enriched", "runs", "dlq", 64 * 1024,
        new StreamMetrics(registry));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(topology.get(), props, RECORD_TIME);
    ByteArraySerializer ser = new ByteArraySerializer();
    ByteArrayDeserializer de = new ByteArrayDeserializer();
    spans = driver.createInputTopic("spans", ser, ser);
    enriched = driver.createOutputTopic("enriched", de, de);
    runs = driver.createOutputTopic("runs", de, de);
    deadLetters = driver.createOutputTopic("dlq", de, de);
    rekeyed = driver.createOutputTopic("spans", de, de);
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  void send(String key, byte[] value) {
    spans.pipeInput(new TestRecord<>(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, RECORD_TIME));
  }

  JsonNode lastRun() {
    List<byte[]> values = runs.readValuesToList();
    assertThat(values).isNotEmpty();
    return Json.read(values.get(values.size() - 1), JsonNode.class);
  }

  @Test
  void givenRunSpansOutOfOrder_whenAssembled_thenRunIsCompletedWithTimesAndCounts() {
    String t = traceId(1);
    send(t, request(stepSpan(t, 2, "send-receipt", 1, 300, 400, false)));
    send(t, request(runSpan(t, "run-1", "completed", 0, 500)));
    send(t, request(stepSpan(t, 1, "charge", 1, 100, 200, false)));

    JsonNode run = lastRun();
    assertThat(run.get("run_id").asText()).isEqualTo("run-1");
    assertThat(run.get("trace_id").asText()).isEqualTo(t);
    assertThat(run.get("tenant").asText()).isEqualTo("acme");
    assertThat(run.get("environment").asText()).isEqualTo("prod");
    assertThat(run.get("function").asText()).isEqualTo("charge-card");
    assertThat(run.get("status").asText()).isEqualTo("completed");
    assertThat(run.get("span_count").asLong()).isEqualTo(3);
    assertThat(run.get("started_unix_nano").asLong()).isEqualTo(T0);
    assertThat(run.get("ended_unix_nano").asLong()).isEqualTo(T0 + 500 * MS);
    assertThat(run.get("version").asLong()).isEqualTo(2); // the first step span alone had no run id
  }

  @Test
  void givenTerminalRun_whenALaterStepSpanArrives_thenStatusHolds() {
    String t = traceId(2);
    send(t, request(runSpan(t, "run-2", "failed", 0, 500)));
    send(t, request(stepSpan(t, 1, "retry", 2, 900, 950, false)));
    JsonNode run = lastRun();
    assertThat(run.get("status").asText()).isEqualTo("failed");
    assertThat(run.get("attempts").asLong()).isEqualTo(2);
    assertThat(run.get("last_span_unix_nano").asLong()).isEqualTo(T0 + 950 * MS);
  }

  @Test
  void givenDuplicateRecord_whenProcessed_thenNothingIsEmitted() {
    String t = traceId(3);
    byte[] value = request(runSpan(t, "run-3", "running", 0, 10));
    send(t, value);
    runs.readValuesToList();
    enriched.readValuesToList();
    send(t, value);
    assertThat(runs.isEmpty()).isTrue();
    assertThat(enriched.isEmpty()).isTrue();
    assertThat(registry.counter("runtrace.stream.spans.duplicate").count()).isEqualTo(1.0);
  }

  @Test
  void givenStepSpanWithoutTenant_whenRunSpanKnown_thenEnrichedSpanCarriesRunIdentity() {
    String t = traceId(4);
    send(t, request(runSpan(t, "run-4", "running", 0, 10), stepSpan(t, 1, "charge", 1, 1, 5, true)));
    List<byte[]> records = enriched.readValuesToList();
    assertThat(records).as("one record for the spans of one trace in one input record").hasSize(1);
    List<JsonNode> rows = SinkBatch.rows(records.get(0)).stream().map(v -> Json.read(v, JsonNode.class)).toList();
    assertThat(rows).hasSize(2);
    JsonNode step = rows.get(1);
    assertThat(step.get("tenant").asText()).isEqualTo("acme");
    assertThat(step.get("step").asText()).isEqualTo("charge");
    assertThat(step.get("status_code").asText()).isEqualTo("error");
    assertThat(lastRun().get("error").asText()).isEqualTo("step charge failed");
  }

  @Test
  void givenTenantArrivingAfterTheFirstVersion_whenRunSpanKnown_thenTheOldKeyGetsATombstone() {
    String t = traceId(5);
    send(t, request(span(t, spanId(7), spanId(0), "queued", 0, 0, false, kv(RunAttributes.RUN_ID, "run-5"),
        kv(RunAttributes.RUN_STATUS, "queued"))));
    List<JsonNode> first = rows(runs.readValuesToList().get(0));
    assertThat(first).extracting(r -> r.path("t").asText() + "/" + r.get("tenant").asText() + "/" + r.path("deleted").asInt())
        .containsExactly("/" + "/0", "run_id//0");

    send(t, request(runSpan(t, "run-5", "running", 0, 10)));
    List<JsonNode> second = rows(runs.readValuesToList().get(0));
    assertThat(second).extracting(r -> r.path("t").asText() + "/" + r.get("tenant").asText() + "/"
        + r.get("environment").asText() + "/" + r.path("deleted").asInt() + "/" + r.get("version").asLong())
        .containsExactly("/acme/prod/0/2", "//" + "/1/2", "run_id/acme/prod/0/2");
    assertThat(second.get(1).get("created_unix_nano").asLong()).isEqualTo(second.get(0).get("created_unix_nano").asLong());

    send(t, request(stepSpan(t, 1, "charge", 1, 1, 5, false)));
    assertThat(rows(runs.readValuesToList().get(0))).as("the tombstone is repeated in every later version")
        .extracting(r -> r.get("tenant").asText() + "/" + r.path("deleted").asInt()).containsExactly("acme/0", "/1", "acme/0");
  }

  private static List<JsonNode> rows(byte[] record) {
    return SinkBatch.rows(record).stream().map(v -> Json.read(v, JsonNode.class)).toList();
  }

  @Test
  void givenGarbage_whenProcessed_thenDeadLetteredWithReasonAndTopologyContinues() {
    send("k", new byte[] {(byte) 0xff, 0x01, 0x02});
    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(new String(dead.headers().lastHeader(RunAssembler.HEADER_REASON).value(), StandardCharsets.UTF_8))
        .isEqualTo("undecodable");
    assertThat(dead.value()).containsExactly((byte) 0xff, 0x01, 0x02);

    String t = traceId(5);
    send(t, request(runSpan(t, "run-5", "completed", 0, 10)));
    assertThat(lastRun().get("status").asText()).isEqualTo("completed");
    assertThat(registry.counter("runtrace.stream.dead.letters", "reason", "undecodable").count()).isEqualTo(1.0);
  }

  @Test
  void givenRecordUnderAnotherKey_whenProcessed_thenResentKeyedByTraceId() {
    String t = traceId(6);
    send("not-the-trace", request(runSpan(t, "run-6", "completed", 0, 10)));
    TestRecord<byte[], byte[]> again = rekeyed.readRecord();
    assertThat(new String(again.key(), StandardCharsets.UTF_8)).isEqualTo(t);
    // The driver feeds the re-sent record back in, as the spans topic would.
    assertThat(lastRun().get("status").asText()).isEqualTo("completed");
    assertThat(registry.counter("runtrace.stream.spans.rekeyed").count()).isEqualTo(1.0);
  }
}
