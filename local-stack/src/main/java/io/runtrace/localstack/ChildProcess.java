package io.runtrace.localstack;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One server process of the stack. Its pid goes to {@code server.pid} in its directory so that a
 * later start can kill it if this JVM died without running its shutdown hook.
 */
final class ChildProcess {
  static final String PID_FILE = "server.pid";
  private static final int TAIL_LINES = 30;

  private final String name;
  private final List<String> command;
  private final Path dir;
  private final Path logFile;
  private final Path consoleFile;
  private final Map<String, String> environment;
  private volatile Process process;

  /**
   * @param logFile the server's own (rotated) log, shown on failure
   * @param consoleFile receives stdout and stderr, truncated at every start; the servers log to
   *     their rotated files only, so this holds early start-up errors and crash output
   */
  ChildProcess(String name, List<String> command, Path dir, Path logFile, Path consoleFile) {
    this(name, command, dir, logFile, consoleFile, Map.of());
  }

  /** As above, with variables added to this JVM's environment for the child. */
  ChildProcess(String name, List<String> command, Path dir, Path logFile, Path consoleFile,
      Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
    this.name = name;
    this.command = List.copyOf(command);
    this.dir = dir;
    this.logFile = logFile;
    this.consoleFile = consoleFile;
  }

  String name() {
    return name;
  }

  synchronized void start() {
    if (isAlive()) {
      return;
    }
    try {
      Files.createDirectories(consoleFile.getParent());
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(consoleFile.toFile())
          // clickhouse-local reads a piped stdin as data; none of the servers reads stdin.
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().putAll(environment);
      process = builder.start();
      Files.writeString(dir.resolve(PID_FILE), Long.toString(process.pid()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", command), e);
    }
  }

  boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** Waits for a short-lived command started before (e.g. a storage format); fails unless it exits 0. */
  void awaitSuccessfulExit(Duration timeout) {
    Process process = this.process;
    try {
      if (!process.waitFor(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
        stop(Duration.ZERO);
        throw new IllegalStateException(name + " did not finish within " + timeout + tails());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(Duration.ZERO);
      throw new IllegalStateException(name + " interrupted", e);
    }
    deletePidFile();
    if (process.exitValue() != 0) {
      throw new IllegalStateException(name + " failed with exit code " + process.exitValue() + tails());
    }
  }

  /** SIGTERM, then SIGKILL after {@code grace}. Never throws. */
  synchronized void stop(Duration grace) {
    Process p = process;
    if (p == null) {
      return;
    }
    try {
      p.destroy();
      if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      p.destroyForcibly();
    }
    deletePidFile();
  }

  /** SIGKILL, for failure tests. */
  synchronized void kill() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    deletePidFile();
  }

  /**
   * Waits until {@code ready} while the process lives; on a timeout or failure, stops it at once
   * and throws with the last lines of its logs.
   */
  void awaitReady(Deadline deadline, String what, java.util.function.BooleanSupplier ready) {
    try {
      deadline.await(what, ready, this::isAlive);
    } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
      String tails = tails();
      stop(Duration.ZERO);
      throw new IllegalStateException(e.getMessage() + tails, e);
    }
  }

  /** The last lines of the server log and of the console file, for error messages. */
  String tails() {
    return tailSection(logFile) + tailSection(consoleFile);
  }

  private void deletePidFile() {
    Process p = process;
    Path pidFile = dir.resolve(PID_FILE);
    try {
      // Only our own: a newer stack on the same work dir may have written its pid there since.
      if (p != null && readPid(pidFile).filter(pid -> pid == p.pid()).isPresent()) {
        Files.deleteIfExists(pidFile);
      }
    } catch (IOException ignored) {
      // A stale pid file is harmless: the next start checks the command line before killing.
    }
  }

  private static String tailSection(Path file) {
    String tail = tail(file, TAIL_LINES);
    return tail.isEmpty() ? "" : "\n--- last lines of " + file + " ---\n" + tail;
  }

  static String tail(Path file, int lines) {
    if (!Files.isRegularFile(file)) {
      return "";
    }
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      long from = Math.max(0, length - 64 * 1024);
      byte[] bytes = new byte[(int) (length - from)];
      in.seek(from);
      in.readFully(bytes);
      List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\n"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  /**
   * Kills processes of an earlier run whose pid files are still in {@code workDir}, but only when
   * their command line names the work dir: the pid may have been reused by an unrelated process.
   */
  static List<String> killLeftovers(Path workDir) {
    List<String> killed = new ArrayList<>();
    if (!Files.isDirectory(workDir)) {
      return killed;
    }
    String marker = workDir + File.separator;
    try (Stream<Path> files = Files.find(workDir, 2, (p, a) -> p.endsWith(PID_FILE))) {
      for (Path pidFile : files.toList()) {
        readPid(pidFile).flatMap(ProcessHandle::of)
            .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false))
            .ifPresent(h -> {
              killed.add(h.pid() + " " + h.info().command().orElse("?"));
              h.destroyForcibly();
              h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join();
            });
        Files.deleteIfExists(pidFile);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot scan " + workDir + " for pid files", e);
    }
    return killed;
  }

  private static Optional<Long> readPid(Path pidFile) {
    try {
      return Optional.of(Long.parseLong(Files.readString(pidFile).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
