-- One row per run version; the highest version is the run's current state. One run is one
-- trace, and the trace id is the only identity that never changes between versions (tenant and
-- run id can arrive late), so it is the key. The partition comes from created_unix_nano, which
-- the processor fixes when it first sees the run, so every version lands in one partition and
-- FINAL collapses them.
CREATE TABLE IF NOT EXISTS ${database}.runs
(
    tenant String,
    environment String,
    run_id String,
    trace_id String,
    app String,
    function String,
    status String,
    stale UInt8,
    queued_unix_nano UInt64,
    started_unix_nano UInt64,
    ended_unix_nano UInt64,
    last_span_unix_nano UInt64,
    created_unix_nano UInt64,
    updated_unix_nano UInt64,
    span_count UInt32,
    attempts UInt32,
    error String,
    error_span_id String,
    version UInt64,
    created_time DateTime MATERIALIZED toDateTime(intDiv(created_unix_nano, 1000000000))
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/${database}/runs', '{replica}', version)
PARTITION BY toYYYYMMDD(created_time)
ORDER BY (trace_id)
