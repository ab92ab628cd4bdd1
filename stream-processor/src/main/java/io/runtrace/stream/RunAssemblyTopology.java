package io.runtrace.stream;

import java.util.function.Supplier;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Spans topic in; enriched spans, run versions and dead letters out. Spans are keyed by trace
 * id, and one run is one trace, so run state lives in one store keyed by trace id and needs no
 * repartition; spans that arrive under another key are re-sent to the spans topic under theirs.
 */
final class RunAssemblyTopology implements Supplier<Topology> {
  static final String RUN_STORE = "run-state";
  static final String SOURCE = "spans-source";
  static final String ASSEMBLER = "run-assembler";
  static final String ENRICHED_SINK = "enriched-spans-sink";
  static final String RUNS_SINK = "runs-sink";
  static final String DEAD_LETTER_SINK = "dead-letter-sink";
  static final String REKEY_SINK = "rekey-sink";

  private final String spansTopic;
  private final String enrichedTopic;
  private final String runsTopic;
  private final String deadLetterTopic;
  private final int maxRecordBytes;
  private final StreamMetrics metrics;

  RunAssemblyTopology(String spansTopic, String enrichedTopic, String runsTopic, String deadLetterTopic,
      int maxRecordBytes, StreamMetrics metrics) {
    this.spansTopic = spansTopic;
    this.enrichedTopic = enrichedTopic;
    this.runsTopic = runsTopic;
    this.deadLetterTopic = deadLetterTopic;
    this.maxRecordBytes = maxRecordBytes;
    this.metrics = metrics;
  }

  @Override
  public Topology get() {
    Topology topology = new Topology();
    topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), spansTopic);
    topology.addProcessor(ASSEMBLER, () -> new RunAssembler(maxRecordBytes, metrics), SOURCE);
    topology.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(RUN_STORE), Serdes.String(), Json.serde(RunState.class)), ASSEMBLER);
    ByteArraySerializer bytes = new ByteArraySerializer();
    topology.addSink(ENRICHED_SINK, enrichedTopic, bytes, bytes, ASSEMBLER);
    topology.addSink(RUNS_SINK, runsTopic, bytes, bytes, ASSEMBLER);
    topology.addSink(DEAD_LETTER_SINK, deadLetterTopic, bytes, bytes, ASSEMBLER);
    topology.addSink(REKEY_SINK, spansTopic, bytes, bytes, ASSEMBLER);
    return topology;
  }
}
