package io.runtrace.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's Prometheus ({@code /usr/bin/prometheus}, package {@code prometheus}) on 127.0.0.1,
 * scraping {@code /metrics} of the given jobs' targets and evaluating the given rule files. Its
 * TSDB is bounded by size and age and wiped at every start; the process stops on {@link #close()}
 * or JVM shutdown, and a later start in the same work dir kills one left by a JVM that died harder.
 */
public final class LocalPrometheus implements AutoCloseable {
  /** Where Debian's package installs the server. */
  public static final String DEFAULT_BINARY = "/usr/bin/prometheus";
  public static final Duration DEFAULT_SCRAPE_INTERVAL = Duration.ofSeconds(15);
  public static final long DEFAULT_RETENTION_BYTES = 256L << 20;
  public static final Duration DEFAULT_RETENTION_TIME = Duration.ofDays(1);
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern TARGET = Pattern.compile("[A-Za-z0-9.\\-]+:[0-9]{1,5}");
  private static final Pattern JOB = Pattern.compile("[A-Za-z0-9_.\\-]+");
  private final Builder settings;
  private PrometheusServer server;
  private Thread shutdownHook;

  private LocalPrometheus(Builder builder) {
    this.settings = builder.copy();
  }

  /** A builder with the defaults documented on its methods. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Writes the configuration, starts Prometheus and waits until {@code /-/ready} answers 200, within
   * {@link Builder#startTimeout}. Fails naming the Debian package when the binary is missing, and
   * with the tail of Prometheus' output when it exits (a rule file it cannot load, a port taken).
   */
  public synchronized LocalPrometheus start() {
    if (server != null) return this;
    if (!Files.isExecutable(Path.of(settings.binary))) {
      throw new IllegalStateException("Prometheus not found at " + settings.binary
          + "; on Debian: apt-get update && apt-get install -y prometheus (or set LocalPrometheus.Builder.binary)");
    }
    Path workDir = settings.workDir.toAbsolutePath().normalize();
    Path dir = workDir.resolve(PrometheusServer.DIR);
    ChildProcess.killLeftovers(dir);
    deleteRecursively(dir.resolve("data"));
    int port = new Ports().pick(settings.port, "prometheusPort");
    PrometheusServer started = new PrometheusServer(workDir, settings.binary, port, settings.scrapeInterval,
        settings.jobs, settings.ruleFiles, settings.retentionBytes, settings.retentionTime);
    started.start(Deadline.after(settings.startTimeout));
    server = started;
    shutdownHook = new Thread(this::close, "runtrace-prometheus-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    return this;
  }

  /** {@code http://127.0.0.1:<port>}; fails before {@link #start()}. */
  public synchronized String url() {
    if (server == null) throw new IllegalStateException("LocalPrometheus is not started; call start() first");
    return server.url();
  }

  /** SIGTERM, SIGKILL after 20 s. Never throws; may be called repeatedly. */
  @Override
  public synchronized void close() {
    PrometheusServer running = server;
    server = null;
    if (running != null) running.stop();
    Thread hook = shutdownHook;
    shutdownHook = null;
    if (hook != null && Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is exiting; the hook will find Prometheus stopped.
      }
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot wipe " + dir, e);
    }
  }

  /** Settings of a {@link LocalPrometheus}; every setting has a default, so {@code build()} alone works. */
  public static final class Builder {
    Path workDir = Path.of(System.getProperty("user.dir"), "target", "runtrace-stack");
    String binary = DEFAULT_BINARY;
    int port;
    Duration scrapeInterval = DEFAULT_SCRAPE_INTERVAL;
    Map<String, List<String>> jobs = new LinkedHashMap<>();
    List<Path> ruleFiles = new ArrayList<>();
    long retentionBytes = DEFAULT_RETENTION_BYTES;
    Duration retentionTime = DEFAULT_RETENTION_TIME;
    Duration startTimeout = DEFAULT_START_TIMEOUT;

    private Builder() {}

    /**
     * The stack's work dir; Prometheus' config, data and console output go to its {@code prometheus}
     * directory. Default {@code ${user.dir}/target/runtrace-stack}, as {@link LocalStack}'s.
     */
    public Builder workDir(Path workDir) {
      this.workDir = Objects.requireNonNull(workDir, "workDir");
      return this;
    }

    /** The Prometheus executable. Default {@value #DEFAULT_BINARY} (Debian package {@code prometheus}). */
    public Builder binary(String binary) {
      if (binary == null || binary.isBlank()) throw new IllegalArgumentException("binary must not be blank");
      this.binary = binary;
      return this;
    }

    /** Port of the UI and HTTP API on 127.0.0.1. Default 0: a free port. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) throw new IllegalArgumentException("port must be 0 (free port) or 1..65535, was " + port);
      this.port = port;
      return this;
    }

    /** How often targets are scraped and rules evaluated. Default 15 s; at least 100 ms. */
    public Builder scrapeInterval(Duration interval) {
      if (interval == null || interval.toMillis() < 100) {
        throw new IllegalArgumentException("scrapeInterval must be at least 100 ms, was " + interval);
      }
      this.scrapeInterval = interval;
      return this;
    }

    /**
     * A scrape job: {@code /metrics} of each {@code host:port} target, labelled {@code job=<job>}. A
     * second call for the same job replaces its targets. Default: no jobs.
     */
    public Builder scrapeJob(String job, List<String> targets) {
      if (job == null || !JOB.matcher(job).matches()) {
        throw new IllegalArgumentException("scrapeJob name must be letters, digits, '_', '.' or '-', was " + job);
      }
      if (targets == null || targets.isEmpty()) {
        throw new IllegalArgumentException("scrapeJob " + job + " needs at least one host:port target");
      }
      for (String target : targets) {
        if (target == null || !TARGET.matcher(target).matches()) {
          throw new IllegalArgumentException("scrapeJob " + job + " target must be host:port, was " + target);
        }
      }
      jobs.put(job, List.copyOf(targets));
      return this;
    }

    /** As {@link #scrapeJob(String, List)}. */
    public Builder scrapeJob(String job, String... targets) {
      return scrapeJob(job, List.of(targets));
    }

    /** Rule files Prometheus loads (recording and alerting rules); each must exist. Default none. */
    public Builder ruleFiles(List<Path> files) {
      for (Path file : Objects.requireNonNull(files, "ruleFiles")) {
        if (file == null || !Files.isRegularFile(file)) {
          throw new IllegalArgumentException("ruleFiles: " + file + " is not a file");
        }
      }
      this.ruleFiles = new ArrayList<>(files);
      return this;
    }

    /** Largest size of the TSDB in bytes ({@code --storage.tsdb.retention.size}). Default 256 MiB; at least 1 MiB. */
    public Builder retentionBytes(long bytes) {
      if (bytes < 1L << 20) throw new IllegalArgumentException("retentionBytes must be at least 1 MiB, was " + bytes);
      this.retentionBytes = bytes;
      return this;
    }

    /** Age past which samples are dropped ({@code --storage.tsdb.retention.time}). Default 1 day; at least 1 minute. */
    public Builder retentionTime(Duration age) {
      if (age == null || age.toSeconds() < 60) {
        throw new IllegalArgumentException("retentionTime must be at least 1 minute, was " + age);
      }
      this.retentionTime = age;
      return this;
    }

    /** How long {@link LocalPrometheus#start()} waits for {@code /-/ready}. Default 60 s. */
    public Builder startTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("startTimeout must be positive, was " + timeout);
      }
      this.startTimeout = timeout;
      return this;
    }

    public LocalPrometheus build() {
      return new LocalPrometheus(this);
    }

    private Builder copy() {
      Builder b = new Builder();
      b.workDir = workDir;
      b.binary = binary;
      b.port = port;
      b.scrapeInterval = scrapeInterval;
      b.jobs = new LinkedHashMap<>(jobs);
      b.ruleFiles = List.copyOf(ruleFiles);
      b.retentionBytes = retentionBytes;
      b.retentionTime = retentionTime;
      b.startTimeout = startTimeout;
      return b;
    }
  }
}
