package io.runtrace.stream;

import java.time.Duration;
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
  static final String EXPIRY_INDEX = "run-expiry-index";
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
  private final Duration staleAfter;
  private final Duration runRetention;
  private final StreamMetrics metrics;

  /** With the default stale period (15 min) and run retention (24 h). */
  RunAssemblyTopology(String spansTopic, String enrichedTopic, String runsTopic, String deadLetterTopic,
      int maxRecordBytes, StreamMetrics metrics) {
    this(spansTopic, enrichedTopic, runsTopic, deadLetterTopic, maxRecordBytes, RunExpiry.DEFAULT_STALE_AFTER,
        RunExpiry.DEFAULT_RETENTION, metrics);
  }

  RunAssemblyTopology(String spansTopic, String enrichedTopic, String runsTopic, String deadLetterTopic,
      int maxRecordBytes, Duration staleAfter, Duration runRetention, StreamMetrics metrics) {
    this.spansTopic = spansTopic;
    this.enrichedTopic = enrichedTopic;
    this.runsTopic = runsTopic;
    this.deadLetterTopic = deadLetterTopic;
    this.maxRecordBytes = maxRecordBytes;
    this.staleAfter = staleAfter;
    this.runRetention = runRetention;
    this.metrics = metrics;
  }

  @Override
  public Topology get() {
    Topology topology = new Topology();
    topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), spansTopic);
    topology.addProcessor(ASSEMBLER,
        () -> new RunAssembler(maxRecordBytes, new RunExpiry(staleAfter, runRetention), metrics), SOURCE);
    topology.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(RUN_STORE), Serdes.String(),
        Serdes.serdeFrom(new RunStateSerde(), new RunStateSerde())), ASSEMBLER);
    // Runs by next due time, so the punctuator reads only what is due, not the whole store.
    topology.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(EXPIRY_INDEX), Serdes.Bytes(), Serdes.ByteArray()), ASSEMBLER);
    ByteArraySerializer bytes = new ByteArraySerializer();
    topology.addSink(ENRICHED_SINK, enrichedTopic, bytes, bytes, ASSEMBLER);
    topology.addSink(RUNS_SINK, runsTopic, bytes, bytes, ASSEMBLER);
    topology.addSink(DEAD_LETTER_SINK, deadLetterTopic, bytes, bytes, ASSEMBLER);
    topology.addSink(REKEY_SINK, spansTopic, bytes, bytes, ASSEMBLER);
    return topology;
  }
}
