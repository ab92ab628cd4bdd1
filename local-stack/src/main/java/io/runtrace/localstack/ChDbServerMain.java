package io.runtrace.localstack;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM that serves ClickHouse 26.7 from chDB's library: clickhouse-local opens its HTTP
 * listener and runs a query that never ends, and the listener lives while that query runs.
 * SIGTERM kills that query, so clickhouse-local shuts down as it would after any query. If the
 * call returns on its own, the server failed and the JVM exits with status 1.
 *
 * <p>Arguments: the library path, the HTTP port, then clickhouse-local arguments.
 */
final class ChDbServerMain {
  static final String KEEP_ALIVE_QUERY_ID = "runtrace-keep-alive";
  /** Printed once the server answers and the JVM has shown it still handles its own traps. */
  static final String READY_LINE = "runtrace: JVM trap check passed (StackOverflowError caught)";
  // Costs nothing and never ends; an aggregate around it would let the optimizer drop the sleep.
  private static final String KEEP_ALIVE = "SYSTEM START LISTEN HTTP; SELECT sleepEachRow(2)"
      + " FROM numbers(1000000000000) SETTINGS max_block_size = 1, max_threads = 1,"
      + " max_execution_time = 0 FORMAT Null";

  /** The three calls of chDB's C API this launcher needs. */
  interface ChDb extends Library {
    Pointer chdb_query_cmdline(int argc, String[] argv);

    String chdb_result_error(Pointer result);

    void chdb_set_signal_handlers_enabled(int enabled);
  }

  private static volatile boolean stopping;

  private ChDbServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    String library = args[0];
    int httpPort = Integer.parseInt(args[1]);
    ChDb chdb = Native.load(library, ChDb.class);
    // ClickHouse's own SIGSEGV/SIGBUS handlers would take the JVM's traps (null checks, safepoint
    // polls) and kill it silently; see RATIONALE.md. libjsig (LD_PRELOAD) guards the same.
    chdb.chdb_set_signal_handlers_enabled(0);
    List<String> argv = new ArrayList<>(List.of("clickhouse"));
    argv.addAll(Arrays.asList(args).subList(2, args.length));
    argv.addAll(List.of("--query_id=" + KEEP_ALIVE_QUERY_ID, "--query", KEEP_ALIVE));

    Thread check = new Thread(() -> checkTraps(httpPort), "chdb-trap-check");
    check.setDaemon(true);
    check.start();
    CountDownLatch returned = new CountDownLatch(1);
    Thread stopper = new Thread(() -> stop(httpPort, returned), "chdb-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    Pointer result = chdb.chdb_query_cmdline(argv.size(), argv.toArray(String[]::new));
    returned.countDown();
    if (stopping) {
      return;
    }
    String error = result == null ? null : chdb.chdb_result_error(result);
    System.err.println("runtrace: ClickHouse 26.7 (chDB) failed or stopped on port " + httpPort + ": "
        + (error == null || error.isBlank() ? "no error message; see the lines above" : error));
    Runtime.getRuntime().removeShutdownHook(stopper);
    System.exit(1);
  }

  /**
   * Once the server answers, overflows a thread's stack: HotSpot turns the guard-page SIGSEGV into
   * a StackOverflowError only while its own handler is installed, so a JVM whose traps ClickHouse
   * took dies here, at start, instead of later under load.
   */
  static void checkTraps(int httpPort) {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!answersPing(httpPort)) {
      if (System.nanoTime() > deadline) return;
      sleep(50);
    }
    System.out.println("runtrace: ClickHouse 26.7 answers on port " + httpPort
        + "; checking that the JVM still handles its own traps (a crash here means it does not)");
    Thread deep = new Thread(null, () -> {
      try {
        recurse(0);
      } catch (StackOverflowError expected) {
        System.out.println(READY_LINE);
      }
    }, "chdb-trap-check-stack", 256 * 1024);
    deep.start();
  }

  private static int recurse(int depth) {
    return recurse(depth + 1) + 1;
  }

  private static boolean answersPing(int httpPort) {
    try {
      HttpURLConnection http = (HttpURLConnection) URI.create("http://127.0.0.1:" + httpPort + "/ping")
          .toURL().openConnection();
      http.setConnectTimeout(1000);
      http.setReadTimeout(1000);
      return http.getResponseCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kills the keep-alive query and waits up to 10 s for clickhouse-local to finish. */
  private static void stop(int httpPort, CountDownLatch returned) {
    stopping = true;
    String kill = "KILL QUERY WHERE query_id = '" + KEEP_ALIVE_QUERY_ID + "' SYNC";
    try {
      HttpURLConnection http = (HttpURLConnection) URI.create("http://127.0.0.1:" + httpPort + "/")
          .toURL().openConnection();
      http.setConnectTimeout(2000);
      http.setReadTimeout(5000);
      http.setDoOutput(true);
      http.getOutputStream().write(kill.getBytes(StandardCharsets.UTF_8));
      http.getInputStream().readAllBytes();
      returned.await(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      System.err.println("runtrace: could not stop ClickHouse 26.7 gracefully: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
