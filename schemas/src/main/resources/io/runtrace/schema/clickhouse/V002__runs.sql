-- One row per run version; the highest version is the run's current state. One run is one
-- trace, and the trace id is the only identity that never changes between versions (tenant and
-- run id can arrive late), so it is the key. The partition comes from created_unix_nano, which
-- the processor fixes when it first sees the run, so every version lands in one partition and
-- FINAL collapses them. Macros: see schemas/README.md.
CREATE TABLE IF NOT EXISTS ${database}.runs
(
    tenant ${lowcardinality:String},
    environment ${lowcardinality:String},
    run_id String ${codec:ZSTD(1)},
    trace_id String ${codec:ZSTD(1)},
    app ${lowcardinality:String},
    function ${lowcardinality:String},
    status ${lowcardinality:String},
    stale UInt8,
    queued_unix_nano UInt64 ${codec:Delta, ZSTD(1)},
    started_unix_nano UInt64 ${codec:Delta, ZSTD(1)},
    ended_unix_nano UInt64 ${codec:Delta, ZSTD(1)},
    last_span_unix_nano UInt64 ${codec:Delta, ZSTD(1)},
    created_unix_nano UInt64 ${codec:Delta, ZSTD(1)},
    updated_unix_nano UInt64 ${codec:Delta, ZSTD(1)},
    span_count UInt32,
    attempts UInt32,
    error String ${codec:ZSTD(1)},
    error_span_id String ${codec:ZSTD(1)},
    version UInt64 ${codec:Delta, ZSTD(1)},
    created_time DateTime MATERIALIZED toDateTime(intDiv(created_unix_nano, 1000000000))
    ${index:run_id_bloom run_id TYPE bloom_filter(0.01) GRANULARITY 1}
)
ENGINE = ${engine:ReplacingMergeTree(version)}
PARTITION BY toYYYYMMDD(created_time)
ORDER BY (trace_id)
${settings}
