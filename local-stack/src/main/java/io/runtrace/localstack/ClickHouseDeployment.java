package io.runtrace.localstack;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The ClickHouse servers of one engine in a {@link LocalStack}: a writer and one or more reader
 * replicas (18.16), or one server that is both (26.7). Writers insert on {@link #writerUrl()},
 * readers query {@link #readerUrls()}; on a single server the two are equal.
 */
public final class ClickHouseDeployment {
  private final ClickHouseEngine engine;
  private final ClickHouseServer writer;
  private final List<ClickHouseServer> readers;
  private final Duration startTimeout;

  ClickHouseDeployment(ClickHouseEngine engine, ClickHouseServer writer, List<ClickHouseServer> readers,
      Duration startTimeout) {
    this.engine = engine;
    this.writer = writer;
    this.readers = List.copyOf(readers);
    this.startTimeout = startTimeout;
  }

  public ClickHouseEngine engine() {
    return engine;
  }

  /** True for a writer and separate reader replicas; false for one server. */
  public boolean replicated() {
    return readers.get(0) != writer;
  }

  /** HTTP interface of the writer replica, e.g. {@code http://127.0.0.1:8123}. */
  public URI writerUrl() {
    return writer.url();
  }

  /** HTTP interface of the first reader replica; {@link #writerUrl()} on a single server. */
  public URI readerUrl() {
    return readers.get(0).url();
  }

  /** HTTP interfaces of every reader replica ({@link LocalStack.Builder#clickHouseReaders}); the writer's on a single server. */
  public List<URI> readerUrls() {
    return readers.stream().map(ClickHouseServer::url).toList();
  }

  /** Stops the writer gracefully (on a single server, the only server), for outage tests. */
  public synchronized void stopWriter() {
    writer.stop();
  }

  /** Starts the writer again on its old port and data, and waits until it answers {@code SELECT 1}. */
  public synchronized void startWriter() {
    writer.start();
    writer.awaitReady(Deadline.after(startTimeout));
  }

  /** Kills reader {@code index} (0-based) with SIGKILL, for failover tests; fails on a single server. */
  public synchronized void killReader(int index) {
    separateReader(index).kill();
  }

  /** Stops reader {@code index} gracefully; fails on a single server. */
  public synchronized void stopReader(int index) {
    separateReader(index).stop();
  }

  /** Starts reader {@code index} again on its old port and data and waits until it answers. */
  public synchronized void startReader(int index) {
    ClickHouseServer reader = separateReader(index);
    reader.start();
    reader.awaitReady(Deadline.after(startTimeout));
  }

  private ClickHouseServer separateReader(int index) {
    if (!replicated()) throw new IllegalStateException(engine + " runs one server; it has no separate readers");
    if (index < 0 || index >= readers.size()) {
      throw new IllegalArgumentException("reader index must be 0.." + (readers.size() - 1) + ", was " + index);
    }
    return readers.get(index);
  }

  void start() {
    writer.start();
    if (replicated()) readers.forEach(ClickHouseServer::start);
  }

  void awaitReady(Deadline deadline) {
    writer.awaitReady(deadline);
    if (replicated()) readers.forEach(r -> r.awaitReady(deadline));
  }

  void stop() {
    if (replicated()) readers.forEach(ClickHouseServer::stop);
    writer.stop();
  }

  @Override
  public String toString() {
    return engine + (replicated() ? " writer " + writerUrl() + ", readers " + readerUrls()
        : " single server " + writerUrl());
  }
}
