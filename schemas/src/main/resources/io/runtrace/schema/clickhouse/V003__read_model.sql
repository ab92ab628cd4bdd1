-- The read model: run_list keyed for one tenant's runs newest first in a time window, run_ids
-- for a run by id, run_stats as the hourly rollup /v1/stats reads. The processor writes
-- run_list and run_ids (runs is no longer written); the stream processor's stats refresher keeps
-- run_stats. Macros: see schemas/README.md.
--
-- A run's tenant or environment can arrive after its first spans. Its key then changes, so the
-- processor also writes a row with deleted = 1 under every key the run had before; reads take
-- FINAL (the highest version per key) and skip deleted rows, so the run is listed once, under
-- its current tenant. created_unix_nano is fixed at first sight: one partition, one cursor position.
--
-- Granules of 1,024 rows (not 8,192) on all three: a page, a point read and one tenant's day of
-- stats each read one or two granules per partition, and FINAL reads whole granules.
CREATE TABLE IF NOT EXISTS ${database}.run_list
(
    tenant ${lowcardinality:String},
    environment ${lowcardinality:String},
    created_unix_nano UInt64,
    trace_id String,
    run_id String,
    app ${lowcardinality:String},
    function ${lowcardinality:String},
    status ${lowcardinality:String},
    stale UInt8,
    queued_unix_nano UInt64,
    started_unix_nano UInt64,
    ended_unix_nano UInt64,
    last_span_unix_nano UInt64,
    updated_unix_nano UInt64,
    span_count UInt32,
    attempts UInt32,
    error String,
    error_span_id String,
    deleted UInt8,
    version UInt64,
    created_time DateTime MATERIALIZED toDateTime(intDiv(created_unix_nano, 1000000000))
)
ENGINE = ${engine:ReplacingMergeTree(version)}
PARTITION BY toYYYYMMDD(created_time)
ORDER BY (tenant, environment, created_unix_nano, trace_id)
${settings:index_granularity = 1024};

-- A run id to its run's key. A row under an old tenant is a hint, checked against run_list.
CREATE TABLE IF NOT EXISTS ${database}.run_ids
(
    tenant ${lowcardinality:String},
    run_id String,
    trace_id String,
    environment ${lowcardinality:String},
    created_unix_nano UInt64,
    version UInt64,
    created_time DateTime MATERIALIZED toDateTime(intDiv(created_unix_nano, 1000000000))
)
ENGINE = ${engine:ReplacingMergeTree(version)}
PARTITION BY toYYYYMM(created_time)
ORDER BY (tenant, run_id, trace_id)
${settings:index_granularity = 1024};

-- Runs per status, and their durations, per tenant, environment, function and hour first seen.
-- The stream processor's RunStatsRefresher recomputes an hour from run_list whenever it wrote
-- runs of that hour, and at start every hour that has runs but no stats (so this fills itself
-- after an upgrade). Each refresh rewrites all the hour's rows with a higher version, so a
-- repeated or concurrent refresh leaves the same counts.
CREATE TABLE IF NOT EXISTS ${database}.run_stats
(
    tenant ${lowcardinality:String},
    environment ${lowcardinality:String},
    hour DateTime,
    app ${lowcardinality:String},
    function ${lowcardinality:String},
    status ${lowcardinality:String},
    runs UInt64,
    durations AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64),
    version UInt64
)
ENGINE = ${engine:ReplacingMergeTree(version)}
PARTITION BY toYYYYMMDD(hour)
ORDER BY (tenant, environment, hour, app, function, status)
${settings:index_granularity = 1024};

-- Data statements run on the first server given (the writer); replication brings them to readers.
INSERT INTO ${database}.run_list (tenant, environment, created_unix_nano, trace_id, run_id, app, function,
    status, stale, queued_unix_nano, started_unix_nano, ended_unix_nano, last_span_unix_nano, updated_unix_nano,
    span_count, attempts, error, error_span_id, deleted, version)
SELECT tenant, environment, created_unix_nano, trace_id, run_id, app, function, status, stale,
    queued_unix_nano, started_unix_nano, ended_unix_nano, last_span_unix_nano, updated_unix_nano, span_count,
    attempts, error, error_span_id, 0, version
FROM ${database}.runs FINAL;

INSERT INTO ${database}.run_ids (tenant, run_id, trace_id, environment, created_unix_nano, version)
SELECT tenant, run_id, trace_id, environment, created_unix_nano, version
FROM ${database}.runs FINAL WHERE run_id != '';
