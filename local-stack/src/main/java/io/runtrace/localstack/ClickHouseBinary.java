package io.runtrace.localstack;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds the clickhouse-server executable, or explains how to install it. */
final class ClickHouseBinary {
  static final String DEFAULT = "clickhouse-server";

  private ClickHouseBinary() {}

  static String resolve(String setting) {
    if (setting.contains("/")) {
      if (Files.isExecutable(Path.of(setting))) {
        return setting;
      }
      throw new IllegalStateException("clickHouseServerBinary " + setting
          + " is not an executable file; on Debian: apt-get install -y clickhouse-server clickhouse-client");
    }
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(File.pathSeparator)));
    }
    dirs.addAll(List.of("/usr/sbin", "/usr/bin", "/usr/local/bin"));
    for (String dir : dirs) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, setting);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException(setting + " not found on PATH or in /usr/sbin, /usr/bin;"
        + " on Debian: apt-get update && apt-get install -y clickhouse-server clickhouse-client"
        + " (or set LocalStack.Builder.clickHouseServerBinary)");
  }
}
