package io.runtrace.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/** The topology in a {@link TopologyTestDriver}, with its topics, store and metrics. */
final class TopologyFixture implements AutoCloseable {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final TopologyTestDriver driver;
  final TestInputTopic<byte[], byte[]> spans;
  final TestOutputTopic<byte[], byte[]> enriched;
  final TestOutputTopic<byte[], byte[]> runs;
  final TestOutputTopic<byte[], byte[]> deadLetters;

  TopologyFixture(Instant wallClock, int maxRecordBytes, Duration staleAfter, Duration retention) {
    RunAssemblyTopology topology = new RunAssemblyTopology("spans", "enriched", "runs", "dlq", maxRecordBytes,
        staleAfter, retention, new StreamMetrics(registry));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(topology.get(), props, wallClock);
    ByteArraySerializer ser = new ByteArraySerializer();
    ByteArrayDeserializer de = new ByteArrayDeserializer();
    spans = driver.createInputTopic("spans", ser, ser);
    enriched = driver.createOutputTopic("enriched", de, de);
    runs = driver.createOutputTopic("runs", de, de);
    deadLetters = driver.createOutputTopic("dlq", de, de);
  }

  void send(String key, byte[] value, Instant recordTime) {
    spans.pipeInput(new TestRecord<>(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, recordTime));
  }

  /** Every run version emitted since the last call, in order: each record's first row. */
  List<RunRow> runVersions() {
    return runRecords().stream().map(rows -> Json.read(rows.get(0), RunRow.class)).toList();
  }

  /** Every runs-topic record since the last call, as its rows (current, tombstones, run id). */
  List<List<byte[]>> runRecords() {
    return runs.readValuesToList().stream().map(SinkBatch::rows).toList();
  }

  /** The last version of each run emitted since the last call, by trace id. */
  Map<String, RunRow> latestRuns() {
    Map<String, RunRow> latest = new LinkedHashMap<>();
    for (RunRow r : runVersions()) latest.put(r.traceId(), r);
    return latest;
  }

  List<JsonNode> enrichedSpans() {
    return new ArrayList<>(enriched.readValuesToList().stream().flatMap(v -> SinkBatch.rows(v).stream())
        .map(v -> Json.read(v, JsonNode.class)).toList());
  }

  KeyValueStore<String, RunState> store() {
    return driver.getKeyValueStore(RunAssemblyTopology.RUN_STORE);
  }

  double counter(String name, String... tags) {
    return registry.counter(name, tags).count();
  }

  @Override
  public void close() {
    driver.close();
  }
}
