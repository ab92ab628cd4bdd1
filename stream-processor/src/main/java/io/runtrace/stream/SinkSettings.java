package io.runtrace.stream;

import java.time.Duration;

/** The sink's settings, validated by {@link StreamProcessor.Builder}. */
record SinkSettings(
    String bootstrapServers,
    String groupId,
    String spansTopic,
    String runsTopic,
    String spansTable,
    String runsTable,
    int maxBatchRows,
    int maxBatchBytes,
    Duration maxBatchDelay,
    Duration minBackoff,
    Duration maxBackoff) {}
