package io.runtrace.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.query.auth.TenantLimits;
import io.runtrace.localstack.ClickHouseEngine;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bin/bench-query -Dbench.fairness=true}: a quiet tenant (tenant-1) calls the API at a
 * steady {@code bench.fairness.quietRate} per second, first alone, then while the busiest tenant
 * (tenant-0) floods it from {@code bench.fairness.floodClients} threads that send back to back
 * and ignore {@code Retry-After}. Both use the same calls (first page, run by id, its trace,
 * 24 h stats). Once per fair-share setting of {@code bench.fairness.limits} (in flight:rate:burst,
 * or {@code off}; default the service's defaults, then half the rate, then none as a control),
 * each with its own API on the same data. Prints the quiet tenant's p50/p99 in both and a
 * FAIRNESS line each; the target is a ratio of at most 2.
 */
final class FairnessPhase {
  static final int CALLS = Integer.getInteger("bench.fairness.calls", 400);
  static final double QUIET_RATE = Double.parseDouble(System.getProperty("bench.fairness.quietRate", "5"));
  static final int FLOOD_CLIENTS = Integer.getInteger("bench.fairness.floodClients", 16);
  static final String QUIET = "tenant-1";
  static final String FLOOD = "tenant-0";
  static final String LIMITS = System.getProperty("bench.fairness.limits", TenantLimits.DEFAULT_MAX_IN_FLIGHT + ":"
      + (int) TenantLimits.DEFAULT_RATE_PER_SECOND + ":" + TenantLimits.DEFAULT_BURST + ",4:10:20,off");

  private final ClickHouseEngine engine;
  private final String base;
  private final ClickHouseDatabase writer;
  private final long size;
  private final String limits;

  FairnessPhase(ClickHouseEngine engine, String base, ClickHouseDatabase writer, long size, String limits) {
    this.engine = engine;
    this.base = base;
    this.writer = writer;
    this.size = size;
    this.limits = limits;
  }

  /** One phase per setting of {@link #LIMITS}, each with its own API; the FAIRNESS lines, one a line. */
  static String measureAll(ClickHouseEngine engine, ClickHouseDatabase reader, Path keyFile, ClickHouseDatabase writer,
      long size) throws Exception {
    List<String> lines = new ArrayList<>();
    for (String setting : LIMITS.split(",")) {
      RunHistoryServiceBuilder b = RunHistoryService.builder().reader(reader).apiKeyFile(keyFile).host("127.0.0.1").port(0);
      if (setting.equals("off")) {
        b.tenantMaxInFlight(256).tenantRatePerSecond(100_000).tenantBurst(100_000);
      } else {
        String[] p = setting.split(":");
        b.tenantMaxInFlight(Integer.parseInt(p[0])).tenantRatePerSecond(Double.parseDouble(p[1]))
            .tenantBurst(Integer.parseInt(p[2]));
      }
      try (RunHistoryService api = b.build().start()) {
        String line = new FairnessPhase(engine, "http://127.0.0.1:" + api.port(), writer, size, setting).measure();
        System.out.println(line);
        lines.add(line);
      }
    }
    return String.join(System.lineSeparator(), lines);
  }

  String measure() throws Exception {
    List<String> quiet = calls(QUIET);
    List<String> flood = calls(FLOOD);
    for (String c : quiet) QueryBenchmark.get(base + c);
    for (String c : flood) QueryBenchmark.get(base + c);
    Paced alone = paced(quiet);

    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicLong ok = new AtomicLong();
    AtomicLong throttled = new AtomicLong();
    AtomicLong other = new AtomicLong();
    List<Thread> flooders = new ArrayList<>();
    for (int t = 0; t < FLOOD_CLIENTS; t++) {
      int offset = t;
      Thread thread = new Thread(() -> {
        for (int i = offset; flooding.get(); i++) {
          try {
            int status = QueryBenchmark.send(base + flood.get(i % flood.size())).statusCode();
            (status == 200 ? ok : status == 429 ? throttled : other).incrementAndGet();
          } catch (Exception e) {
            other.incrementAndGet();
          }
        }
      }, "flood-" + t);
      thread.setDaemon(true);
      flooders.add(thread);
      thread.start();
    }
    long floodStart = System.nanoTime();
    Paced flooded;
    try {
      Thread.sleep(2000); // the flood at its steady state before the quiet tenant is measured
      flooded = paced(quiet);
    } finally {
      flooding.set(false);
      for (Thread t : flooders) t.join(30_000);
    }
    double floodSeconds = (System.nanoTime() - floodStart) / 1e9;
    double ratio = flooded.p99() / alone.p99();
    System.out.printf("fairness, limits %s (in flight:rate:burst per tenant): %s calls %.0f/s (%d calls: first page,"
        + " run by id, trace, stats 24 h), %s floods from %d clients back to back%n", limits, QUIET, QUIET_RATE, CALLS,
        FLOOD, FLOOD_CLIENTS);
    System.out.printf("%s alone:   p50 %.1f ms, p99 %.1f ms, %d not 200%n", QUIET, alone.p50(), alone.p99(), alone.errors);
    System.out.printf("%s flooded: p50 %.1f ms, p99 %.1f ms, %d not 200%n", QUIET, flooded.p50(), flooded.p99(),
        flooded.errors);
    System.out.printf("%s flood over %.0f s: %,d answered 200 (%.1f/s), %,d answered 429 (%.0f/s), %d other%n", FLOOD,
        floodSeconds, ok.get(), ok.get() / floodSeconds, throttled.get(), throttled.get() / floodSeconds, other.get());
    return String.format("FAIRNESS engine=%s runs=%d limits=%s quiet_p99_ms_alone=%.1f quiet_p99_ms_flooded=%.1f ratio=%.2f"
        + " flood_429=%d flood_200=%d quiet_errors=%d", engine.label(), size, limits, alone.p99(), flooded.p99(), ratio,
        throttled.get(), ok.get(), alone.errors + flooded.errors);
  }

  /** The calls of one tenant: its first page, two runs by id and their traces, its 24 h stats. */
  private List<String> calls(String tenant) {
    String scope = "tenant=" + tenant + "&environment=production";
    List<String> calls = new ArrayList<>();
    calls.add("/v1/runs?" + scope);
    for (JsonNode run : writer.query("SELECT run_id FROM " + writer.database() + ".run_ids WHERE tenant = '" + tenant
        + "' AND environment = 'production' LIMIT 2")) {
      String id = Rows.text(run, "run_id");
      calls.add("/v1/runs/" + id + "?" + scope);
      calls.add("/v1/runs/" + id + "/trace?" + scope);
    }
    calls.add("/v1/stats?" + scope);
    return calls;
  }

  /** {@link #CALLS} calls, one every 1/rate s (the next starts at its time, or at once when late). */
  private Paced paced(List<String> calls) throws Exception {
    double[] ms = new double[CALLS];
    int errors = 0;
    long period = (long) (1e9 / QUIET_RATE);
    long next = System.nanoTime();
    for (int i = 0; i < CALLS; i++) {
      long wait = next - System.nanoTime();
      if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      next += period;
      long t = System.nanoTime();
      HttpResponse<String> r = QueryBenchmark.send(base + calls.get(i % calls.size()));
      ms[i] = (System.nanoTime() - t) / 1e6;
      if (r.statusCode() != 200) errors++;
    }
    Arrays.sort(ms);
    return new Paced(ms, errors);
  }

  private record Paced(double[] sorted, int errors) {
    double p50() {
      return sorted[sorted.length / 2];
    }

    double p99() {
      return sorted[(int) Math.ceil(sorted.length * 0.99) - 1];
    }
  }
}
