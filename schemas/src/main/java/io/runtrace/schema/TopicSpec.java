package io.runtrace.schema;

import java.util.Map;

/**
 * A Kafka topic runtrace owns: its name, partition count and configuration. Every topic has a
 * byte limit as well as a time limit, so a slow consumer can't fill a broker's disk.
 */
record TopicSpec(String name, int partitions, Map<String, String> configs) {
  static final long MIB = 1024L * 1024;
  static final long DAY_MS = 24L * 3600 * 1000;

  static TopicSpec spans(String name, int partitions, long retentionMs, long retentionBytes) {
    return new TopicSpec(name, partitions, Map.of(
        "cleanup.policy", "delete",
        "retention.ms", Long.toString(retentionMs),
        "retention.bytes", Long.toString(retentionBytes),
        "segment.bytes", Long.toString(Math.min(256 * MIB, Math.max(MIB, retentionBytes / 4))),
        "max.message.bytes", Integer.toString(2 * 1024 * 1024),
        "compression.type", "producer"));
  }

  /** The runs changelog: compacted, and also deleted by age and size so it stays bounded. */
  static TopicSpec runs(String name, int partitions, long retentionMs, long retentionBytes) {
    return new TopicSpec(name, partitions, Map.of(
        "cleanup.policy", "compact,delete",
        "retention.ms", Long.toString(retentionMs),
        "retention.bytes", Long.toString(retentionBytes),
        "segment.bytes", Long.toString(Math.min(256 * MIB, Math.max(MIB, retentionBytes / 4))),
        "min.compaction.lag.ms", "60000",
        "max.message.bytes", Integer.toString(1024 * 1024)));
  }
}
