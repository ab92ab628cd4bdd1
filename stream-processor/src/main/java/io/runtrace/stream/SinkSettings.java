package io.runtrace.stream;

import java.time.Duration;
import java.time.ZoneId;

/**
 * The sink's settings, validated by {@link StreamProcessor.Builder}. A batch is inserted when it
 * holds {@code maxBatchRows} rows or {@code maxBatchBytes} bytes, when its oldest row waited
 * {@code maxBatchDelay} (up to ten times that while a backlog fills it), or before it would open more than {@code maxPartitionsPerBatch}
 * (table, day) groups; each group is one insert, so one insert never spans two partitions. The
 * runs topic's rows go to {@code runListTable}, those starting {@link RowJson#RUN_ID_ROW_PREFIX}
 * to {@code runIdsTable} (monthly partitions).
 * {@code partitionZone} is the ClickHouse server's time zone, which decides where a day starts.
 * {@code kafkaProperties} (security protocol and SASL login) go into every Kafka client of the sink.
 */
record SinkSettings(
    String bootstrapServers,
    java.util.Map<String, String> kafkaProperties,
    String groupId,
    String spansTopic,
    String runsTopic,
    String spansTable,
    String runListTable,
    String runIdsTable,
    int maxBatchRows,
    int maxBatchBytes,
    Duration maxBatchDelay,
    int maxPartitionsPerBatch,
    Duration minBackoff,
    Duration maxBackoff,
    Duration lagRefresh,
    ZoneId partitionZone) {}
