package io.runtrace.localstack;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds chDB's {@code libchdb.so} (ClickHouse 26.7.2.1 built as a library, from the npm package
 * {@code chdb@3.4.0}), or explains how to install it. {@code bin/prerequisites} installs it under
 * {@code $RUNTRACE_CACHE_DIR} (default {@code ~/.cache/runtrace}).
 */
final class ChDbLibrary {
  static final String NPM_PACKAGE = "chdb@3.4.0";
  static final String RELATIVE_PATH = "chdb-3.4.0/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so";

  private ChDbLibrary() {}

  /** {@code RUNTRACE_CHDB_LIBRARY}, else {@code $RUNTRACE_CACHE_DIR/} + {@link #RELATIVE_PATH}. */
  static Path defaultPath() {
    String explicit = System.getenv("RUNTRACE_CHDB_LIBRARY");
    if (explicit != null && !explicit.isBlank()) return Path.of(explicit);
    return cacheDir().resolve(RELATIVE_PATH);
  }

  private static Path cacheDir() {
    String cache = System.getenv("RUNTRACE_CACHE_DIR");
    return cache != null && !cache.isBlank() ? Path.of(cache)
        : Path.of(System.getProperty("user.home"), ".cache", "runtrace");
  }

  static Path resolve(Path library) {
    if (Files.isRegularFile(library) && Files.isReadable(library)) return library.toAbsolutePath();
    Path prefix = cacheDir().resolve(RELATIVE_PATH.substring(0, RELATIVE_PATH.indexOf('/')));
    throw new IllegalStateException("ClickHouse 26.7 needs chDB's library, not found at " + library
        + "; install it with bin/prerequisites, or: npm install --prefix " + prefix
        + " --ignore-scripts " + NPM_PACKAGE
        + " (or point RUNTRACE_CHDB_LIBRARY / LocalStack.Builder.chDbLibrary at libchdb.so)");
  }
}
