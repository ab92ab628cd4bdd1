-- One row per run version; the highest version is the run's current state. One run is one
-- trace, and the trace id is the only identity that never changes between versions (tenant and
-- run id can arrive late), so it is the key. The partition comes from created_unix_nano, which
-- the processor fixes when it first sees the run, so every version lands in one partition and
-- FINAL collapses them. Macros: see schemas/README.md. No codecs here: measured, they halved the
-- speed of list queries for a quarter of the table's bytes (bin/bench-schema, schemas/README.md).
CREATE TABLE IF NOT EXISTS ${database}.runs
(
    tenant ${lowcardinality:String},
    environment ${lowcardinality:String},
    run_id String,
    trace_id String,
    app ${lowcardinality:String},
    function ${lowcardinality:String},
    status ${lowcardinality:String},
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
ENGINE = ${engine:ReplacingMergeTree(version)}
PARTITION BY toYYYYMMDD(created_time)
ORDER BY (trace_id)
${settings}
