package io.runtrace.localstack;

import java.net.URI;
import java.time.Duration;

/**
 * The ClickHouse servers of one engine in a {@link LocalStack}: a writer and a reader replica
 * (18.16), or one server that is both (26.7). Writers insert on {@link #writerUrl()}, readers
 * query {@link #readerUrl()}; on a single server the two are equal.
 */
public final class ClickHouseDeployment {
  private final ClickHouseEngine engine;
  private final ClickHouseServer writer;
  private final ClickHouseServer reader;
  private final Duration startTimeout;

  ClickHouseDeployment(ClickHouseEngine engine, ClickHouseServer writer, ClickHouseServer reader,
      Duration startTimeout) {
    this.engine = engine;
    this.writer = writer;
    this.reader = reader;
    this.startTimeout = startTimeout;
  }

  public ClickHouseEngine engine() {
    return engine;
  }

  /** True for a writer and a separate reader replica; false for one server. */
  public boolean replicated() {
    return writer != reader;
  }

  /** HTTP interface of the writer replica, e.g. {@code http://127.0.0.1:8123}. */
  public URI writerUrl() {
    return writer.url();
  }

  /** HTTP interface of the reader replica; {@link #writerUrl()} on a single server. */
  public URI readerUrl() {
    return reader.url();
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

  void start() {
    writer.start();
    if (reader != writer) reader.start();
  }

  void awaitReady(Deadline deadline) {
    writer.awaitReady(deadline);
    if (reader != writer) reader.awaitReady(deadline);
  }

  void stop() {
    if (reader != writer) reader.stop();
    writer.stop();
  }

  @Override
  public String toString() {
    return engine + (replicated() ? " writer " + writerUrl() + ", reader " + readerUrl()
        : " single server " + writerUrl());
  }
}
