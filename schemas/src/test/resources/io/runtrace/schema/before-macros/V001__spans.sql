-- One row per span. Retried writes dedupe twice over: an identical insert block is dropped by
-- replicated-insert dedup, and rows with the same (trace_id, span_id) collapse on merge
-- (ReplacingMergeTree keeps the highest version). Read with FINAL or argMax when exactness matters.
-- Runs on ClickHouse 18.16 and current releases: no DateTime64, Map, TTL or skip indexes.
CREATE TABLE IF NOT EXISTS ${database}.spans
(
    tenant String,
    environment String,
    trace_id String,
    span_id String,
    parent_span_id String,
    run_id String,
    app String,
    function String,
    step String,
    attempt UInt32,
    name String,
    kind String,
    service String,
    start_unix_nano UInt64,
    end_unix_nano UInt64,
    status_code String,
    status_message String,
    attr_keys Array(String),
    attr_values Array(String),
    resource_keys Array(String),
    resource_values Array(String),
    events String,
    trimmed UInt8,
    version UInt64,
    start_time DateTime MATERIALIZED toDateTime(intDiv(start_unix_nano, 1000000000)),
    duration_ns UInt64 MATERIALIZED if(end_unix_nano > start_unix_nano, end_unix_nano - start_unix_nano, 0)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/${database}/spans', '{replica}', version)
PARTITION BY toYYYYMMDD(start_time)
ORDER BY (trace_id, span_id)
