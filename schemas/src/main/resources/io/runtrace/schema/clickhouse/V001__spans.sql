-- One row per span. Retried writes dedupe twice over: an identical insert block is dropped by
-- insert-block dedup (replicated tables; a single server where it has
-- non_replicated_deduplication_window), and rows with the same (trace_id, span_id) collapse on
-- merge (ReplacingMergeTree keeps the highest version). Read with FINAL or argMax when exactness
-- matters. Macros (${engine:…}, ${lowcardinality:…}, ${codec:…}, ${settings}): see schemas/README.md.
-- ZSTD halves the random hex ids that LZ4 cannot compress; spans are read by key (bin/bench-schema).
CREATE TABLE IF NOT EXISTS ${database}.spans
(
    tenant ${lowcardinality:String},
    environment ${lowcardinality:String},
    trace_id String ${codec:ZSTD(1)},
    span_id String ${codec:ZSTD(1)},
    parent_span_id String ${codec:ZSTD(1)},
    run_id String ${codec:ZSTD(1)},
    app ${lowcardinality:String},
    function ${lowcardinality:String},
    step ${lowcardinality:String},
    attempt UInt32,
    name ${lowcardinality:String},
    kind ${lowcardinality:String},
    service ${lowcardinality:String},
    start_unix_nano UInt64 ${codec:Delta, ZSTD(1)},
    end_unix_nano UInt64 ${codec:Delta, ZSTD(1)},
    status_code ${lowcardinality:String},
    status_message String ${codec:ZSTD(1)},
    attr_keys Array(${lowcardinality:String}),
    attr_values Array(String) ${codec:ZSTD(1)},
    resource_keys Array(${lowcardinality:String}),
    resource_values Array(String) ${codec:ZSTD(1)},
    events String ${codec:ZSTD(1)},
    trimmed UInt8,
    version UInt64 ${codec:Delta, ZSTD(1)},
    start_time DateTime MATERIALIZED toDateTime(intDiv(start_unix_nano, 1000000000)),
    duration_ns UInt64 MATERIALIZED if(end_unix_nano > start_unix_nano, end_unix_nano - start_unix_nano, 0)
)
ENGINE = ${engine:ReplacingMergeTree(version)}
PARTITION BY toYYYYMMDD(start_time)
ORDER BY (trace_id, span_id)
${settings}
