package io.runtrace.query;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.runtrace.clickhouse.ClickHouseDatabase;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks in the background that the API's ClickHouse user is read-only on each reader
 * ({@code readonly} 1 or 2), once it answers: a reader that cannot be asked is asked again every
 * {@link #RETRY_MS} ms until it can. A user that may write lacks the read-only profile's guards, so it is
 * logged as a warning and shown as {@code runtrace_query_reader_writable{reader}} = 1 (0 when
 * read-only, NaN until checked or while the reader could not be asked).
 */
final class ReaderUserCheck {
  private static final System.Logger LOG = System.getLogger(ReaderUserCheck.class.getName());
  private static final int UNKNOWN = -1;
  static final long RETRY_MS = 2_000;

  private ReaderUserCheck() {}

  static void start(List<ClickHouseDatabase> readers, MeterRegistry registry) {
    for (ClickHouseDatabase reader : readers) {
      AtomicInteger writable = new AtomicInteger(UNKNOWN);
      Gauge.builder("runtrace.query.reader.writable", writable, w -> w.get() == UNKNOWN ? Double.NaN : w.get())
          .description("1 when the API's ClickHouse user may write on this reader (no read-only profile)")
          .tag("reader", reader.url().toString())
          .register(registry);
      Thread t = new Thread(() -> check(reader, writable), "runtrace-query-user-check");
      t.setDaemon(true);
      t.start();
    }
  }

  private static void check(ClickHouseDatabase reader, AtomicInteger writable) {
    boolean logged = false;
    while (writable.get() == UNKNOWN) {
      try {
        String readonly = reader.query("SELECT value FROM system.settings WHERE name = 'readonly'").get(0)
            .get("value").asText();
        writable.set("0".equals(readonly) ? 1 : 0);
        if ("0".equals(readonly)) {
          LOG.log(Level.WARNING, "query-api reads " + reader.url() + " as user \"" + reader.user()
              + "\", which may write: connect as a read-only user with a guarded profile (schemas README, ClickHouse users)");
        }
      } catch (RuntimeException e) {
        // The reader is down or refuses the user: the router reports that; this check stays unknown and tries again.
        if (!logged) LOG.log(Level.DEBUG, "could not check the ClickHouse user on " + reader.url() + "; retrying", e);
        logged = true;
        try {
          Thread.sleep(RETRY_MS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
