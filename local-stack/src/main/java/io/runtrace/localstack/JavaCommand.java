package io.runtrace.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for child JVMs that reuse this JVM's class path and log to a rotated file. */
final class JavaCommand {
  static final String LOG_FILE = "logs/server.log";
  static final String CONSOLE_FILE = "logs/console.out";
  private static final String LOG4J2_FILE = "log4j2.properties";
  /** System property: extra JVM options for every server JVM (broker, ZooKeeper), space-separated. */
  static final String SERVER_JVM_OPTIONS = "runtrace.stack.serverJvmOptions";

  private JavaCommand() {}

  /**
   * Builds {@code java ... mainClass args} for a server living in {@code dir} and writes its
   * log4j2 configuration: WARN and above to {@code dir/logs/server.log}, 10 MB × 3 files, no console.
   */
  static List<String> forServer(Path workDir, Path dir, String heap, String mainClass, String... args) {
    Path log4j = dir.resolve(LOG4J2_FILE);
    writeLog4j2(log4j, dir.resolve(LOG_FILE));
    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    // First on the line, so a later run finds the work dir in /proc/<pid>/cmdline (leftover check).
    command.add("-Druntrace.stack.dir=" + workDir + "/");
    command.add("-Xmx" + heap);
    command.add("-Djava.awt.headless=true");
    String extra = System.getProperty(SERVER_JVM_OPTIONS, "").trim();
    if (!extra.isEmpty()) command.addAll(List.of(extra.split("\\s+")));
    command.add("-Dlog4j2.configurationFile=" + log4j);
    command.add("-Dlog4j.configurationFile=" + log4j);
    command.add("-cp");
    command.add(absoluteClassPath());
    command.add(mainClass);
    command.addAll(List.of(args));
    return command;
  }

  /** This JVM's class path with every entry absolute: a server runs in its own directory. */
  static String absoluteClassPath() {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      if (!entry.isEmpty()) entries.add(Path.of(entry).toAbsolutePath().toString());
    }
    return String.join(java.io.File.pathSeparator, entries);
  }

  static String javaExecutable() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private static void writeLog4j2(Path config, Path logFile) {
    String text = String.join("\n",
        "status = warn",
        "appender.file.type = RollingFile",
        "appender.file.name = file",
        "appender.file.fileName = " + logFile,
        "appender.file.filePattern = " + logFile + ".%i",
        "appender.file.layout.type = PatternLayout",
        "appender.file.layout.pattern = %d{ISO8601} %-5p [%t] %c: %m%n",
        "appender.file.policies.type = Policies",
        "appender.file.policies.size.type = SizeBasedTriggeringPolicy",
        "appender.file.policies.size.size = 10MB",
        "appender.file.strategy.type = DefaultRolloverStrategy",
        "appender.file.strategy.max = 3",
        "rootLogger.level = warn",
        "rootLogger.appenderRef.file.ref = file",
        "");
    try {
      Files.createDirectories(logFile.getParent());
      Files.writeString(config, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + config, e);
    }
  }
}
