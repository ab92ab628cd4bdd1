package io.runtrace.query;

import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.clickhouse.ClickHouseSql;

/**
 * Generates run history inside ClickHouse with {@code INSERT … SELECT} into the real tables
 * ({@code run_list}, {@code run_ids}, {@code spans}), in SQL both 18.16 and current releases run:
 * {@code runs} runs of about six spans each (a run span, a queued marker, four steps; one run in
 * {@value #WIDE_EVERY} has {@value #WIDE_SPANS}), spread over 30 days before the given end, 50 tenants with a
 * skewed share (tenant-0 busiest), 70% production, 20 functions in 5 apps, and statuses
 * 85% completed, 8% failed, 2% cancelled, 1% timed out, 3% running, 1% queued. Every tenth run
 * also has an earlier version (running), so reads must collapse versions. Deterministic: run
 * {@code i} is the same on every engine for the same end.
 */
final class RunHistoryLoad {
  /** 2026-11-30T00:00:00Z. */
  static final long END_NANOS = 1_795_996_800L * 1_000_000_000L;
  static final int SPANS_PER_RUN = 6;
  /** Run {@code i} has {@link #WIDE_SPANS} spans when {@code i % WIDE_EVERY == 7}. */
  static final int WIDE_EVERY = 1000;
  static final int WIDE_SPANS = 50;
  private static final long DAY_MS = 86_400_000L;
  private static final String RUN_COLUMNS = " (tenant, environment, run_id, trace_id, app, function, status, stale,"
      + " queued_unix_nano, started_unix_nano, ended_unix_nano, last_span_unix_nano, created_unix_nano,"
      + " updated_unix_nano, span_count, attempts, error, error_span_id, deleted, version)";

  private RunHistoryLoad() {}

  /** The columns every run shares between its versions and its spans, derived from {@code i}. */
  private static String runFields(String i, long endNanos) {
    return "cityHash64(" + i + ", 1) AS h1, cityHash64(" + i + ", 2) AS h2, cityHash64(" + i + ", 3) AS h3,"
        + " lower(hex(MD5(concat('t', toString(" + i + "))))) AS trace_id,"
        + " concat('run_', substring(trace_id, 1, 12)) AS run_id,"
        + " concat('tenant-', toString(toUInt32(floor(50 * pow((h3 % 10000) / 10000, 2))))) AS tenant,"
        + " if(h3 % 10 < 7, 'production', 'staging') AS environment,"
        + " concat('app-', toString(h2 % 5)) AS app, concat('function-', toString(h2 % 20)) AS function,"
        + " h1 % 1000 AS s,"
        + " multiIf(s < 850, 'completed', s < 930, 'failed', s < 950, 'cancelled', s < 960, 'timed_out',"
        + " s < 990, 'running', 'queued') AS status,"
        + " toUInt64(" + endNanos + " - (h2 % (30 * " + DAY_MS + ")) * 1000000) AS created,"
        + " created + (h3 % 2000) * 1000000 AS started,"
        // A long tail: most runs take seconds, one in a hundred up to ten minutes.
        + " started + if(h1 % 100 = 0, h2 % 600000, h2 % 20000) * 1000000 AS finished,"
        + " s < 960 AS terminal";
  }

  /** Inserts {@code runs} runs ending at {@link #END_NANOS}. */
  static void load(ClickHouseDatabase db, long runs) {
    load(db, runs, END_NANOS);
  }

  /** Inserts {@code runs} runs created in the 30 days before {@code endNanos}, with their ids and spans. */
  static void load(ClickHouseDatabase db, long runs, long endNanos) {
    String database = ClickHouseSql.identifier(db.database());
    String numbers = " FROM (SELECT number, " + runFields("number", endNanos) + " FROM numbers(" + runs + "))";
    db.execute("INSERT INTO " + database + ".run_list" + RUN_COLUMNS
        + " SELECT tenant, environment, run_id, trace_id, app, function, 'running', 0, created, started, 0, started,"
        + " created, started, 2, 1, '', '', 0, 1" + numbers + " WHERE h1 % 10 = 0");
    db.execute("INSERT INTO " + database + ".run_list" + RUN_COLUMNS
        + " SELECT tenant, environment, run_id, trace_id, app, function, status, 0, created, started,"
        + " if(terminal, finished, 0), if(terminal, finished, started), created,"
        + " if(terminal, finished, started) + 100000000,"
        + " if(number % " + WIDE_EVERY + " = 7, " + WIDE_SPANS + ", " + SPANS_PER_RUN + "), 1 + (h2 % 10 = 0),"
        + " if(status = 'failed', 'step charge: upstream returned 503', ''),"
        + " if(status = 'failed', substring(lower(hex(MD5(concat('s', toString(number), '.3')))), 1, 16), ''), 0, 2"
        + numbers);
    db.execute("INSERT INTO " + database + ".run_ids (tenant, run_id, trace_id, environment, created_unix_nano, version)"
        + " SELECT tenant, run_id, trace_id, environment, created, 2" + numbers);
    insertSpans(database, db, "numbers(" + runs * SPANS_PER_RUN + ")", "intDiv(number, " + SPANS_PER_RUN + ")",
        "number % " + SPANS_PER_RUN, endNanos);
    // The wide runs' further steps: span k of run i is number i * WIDE_SPANS + k, past the six above.
    insertSpans(database, db, "numbers(" + (runs / WIDE_EVERY + 1) * WIDE_SPANS + ")",
        "intDiv(number, " + WIDE_SPANS + ") * " + WIDE_EVERY + " + 7", "number % " + WIDE_SPANS + " AS kk, kk",
        endNanos, "kk >= " + SPANS_PER_RUN + " AND i < " + runs);
  }

  private static void insertSpans(String database, ClickHouseDatabase db, String source, String run, String index,
      long endNanos, String... where) {
    db.execute("INSERT INTO " + database + ".spans (tenant, environment, trace_id, span_id, parent_span_id, run_id,"
        + " app, function, step, attempt, name, kind, service, start_unix_nano, end_unix_nano, status_code,"
        + " status_message, attr_keys, attr_values, resource_keys, resource_values, events, trimmed, version)"
        + " SELECT tenant, environment, trace_id, substring(lower(hex(MD5(concat('s', toString(i), '.',"
        + " toString(k))))), 1, 16),"
        + " if(k = 0, '', substring(lower(hex(MD5(concat('s', toString(i), '.0')))), 1, 16)), run_id, app, function,"
        + " step, 1, multiIf(k = 0, concat('run ', function), k = 1, 'queued', concat('step ', step)),"
        + " if(k = 5, 'client', 'internal'), 'executor',"
        // Every branch UInt64: 18.16 finds no common type for UInt64 and the Int64 that minus gives.
        + " multiIf(k = 0, started, k = 1, created, toUInt64(started + k * 300000000 - 600000000)),"
        + " multiIf(k = 0, if(terminal, finished, started), k = 1, created,"
        + " toUInt64(started + k * 300000000 - 350000000)),"
        + " if(status = 'failed' AND k = 3, 'error', 'ok'),"
        + " if(status = 'failed' AND k = 3, 'step charge: upstream returned 503', ''),"
        + " ['runtrace.run.id', 'runtrace.step', 'runtrace.attempt'], [run_id, step, '1'],"
        + " ['service.name', 'host.name'], ['executor', concat('host-', toString(i % 64))], '[]', 0, 1"
        + " FROM (SELECT " + run + " AS i, " + index + " AS k,"
        + " if(k >= 2, ['fetch', 'charge', 'notify', 'persist'][(k - 2) % 4 + 1], '') AS step, " + runFields("i", endNanos)
        + " FROM " + source + ")" + (where.length == 0 ? "" : " WHERE " + where[0]));
  }

  /** The run id of run {@code i}, as {@link #load} writes it. */
  static String runIdSql(long i) {
    return "SELECT concat('run_', substring(lower(hex(MD5(concat('t', toString(toUInt64(" + i + ")))))), 1, 12)) AS r";
  }

  /** Tenant and environment of run {@code i}, as {@link #load} writes them. */
  static String runKeySql(long i) {
    return "SELECT tenant, environment, run_id FROM (SELECT " + runFields("toUInt64(" + i + ")", END_NANOS) + ")";
  }
}
