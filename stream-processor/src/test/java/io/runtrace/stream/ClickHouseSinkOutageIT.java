package io.runtrace.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.ForEachClickHouseEngine;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The ClickHouse writer (on 26.7 the one server) stops under load: the sink pauses with at most one batch in memory, shows
 * it in its metrics, resumes by itself when the writer is back, and every run and span arrives
 * exactly once on the reader replica.
 */
@ForEachClickHouseEngine
class ClickHouseSinkOutageIT {
  static final int MAX_ROWS = 500;
  static final int MAX_BYTES = 256 * 1024;
  private final ClickHouseEngine engine;

  ClickHouseSinkOutageIT(ClickHouseEngine engine) {
    this.engine = engine;
  }

  @Test
  void writerOutageUnderLoadPausesWithBoundedMemoryAndResumesExactlyOnce(LocalStack stack) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (SinkFixture f = new SinkFixture(stack, engine, "outage_it");
        StreamProcessor p = f.processor(Files.createTempDirectory("outage-it")).meterRegistry(registry)
            .maxBatchRows(MAX_ROWS).maxBatchBytes(MAX_BYTES).consumerLagRefresh(Duration.ofSeconds(1))
            .build().start()) {
      AtomicBoolean producing = new AtomicBoolean(true);
      AtomicInteger sent = new AtomicInteger();
      Thread load = new Thread(() -> {
        while (producing.get()) {
          f.sendRun(sent.getAndIncrement());
          SinkFixture.sleep(10);
        }
      });
      load.start();
      SinkFixture.await(() -> f.readerCount("SELECT count() AS n FROM " + f.database + ".run_list FINAL WHERE deleted = 0") > 50,
          Duration.ofMinutes(3), "runs flow before the outage");

      f.clickHouse.stopWriter();
      double maxRows = 0;
      double maxBytes = 0;
      boolean sawPaused = false;
      double maxLag = 0;
      double maxFreshness = 0;
      long outageEnd = System.currentTimeMillis() + 20_000;
      while (System.currentTimeMillis() < outageEnd) {
        maxRows = Math.max(maxRows, registry.get("runtrace.sink.buffered.rows").gauge().value());
        maxBytes = Math.max(maxBytes, registry.get("runtrace.sink.buffered.bytes").gauge().value());
        sawPaused |= registry.get("runtrace.sink.paused").gauge().value() == 1;
        maxLag = Math.max(maxLag, registry.get("runtrace.sink.consumer.lag.records").tag("topic", f.enriched)
            .gauge().value());
        maxFreshness = Math.max(maxFreshness, registry.get("runtrace.sink.freshness").gauge().value());
        Thread.sleep(20);
      }
      assertThat(p.healthy()).as("unhealthy while ClickHouse refuses").isFalse();
      f.clickHouse.startWriter();
      producing.set(false);
      load.join();

      assertThat(sawPaused).isTrue();
      assertThat(maxRows).isPositive().isLessThanOrEqualTo(MAX_ROWS);
      assertThat(maxBytes).isPositive().isLessThanOrEqualTo(MAX_BYTES);
      assertThat(maxLag).as("lag grows during the outage").isGreaterThan(MAX_ROWS);
      assertThat(registry.get("runtrace.sink.insert.failures").counters().stream().mapToDouble(c -> c.count()).sum())
          .isPositive();
      // The batch waiting since the writer stopped is about as old as the outage (20 s).
      assertThat(maxFreshness).as("freshness grows while rows wait for ClickHouse").isGreaterThan(15);
      f.assertExactlyOnceOnReader(Duration.ofMinutes(4));
      SinkFixture.await(() -> registry.get("runtrace.sink.paused").gauge().value() == 0 && p.healthy(),
          Duration.ofMinutes(1), "the sink resumed and reports healthy");
      SinkFixture.await(() -> registry.get("runtrace.sink.freshness").gauge().value() < 5,
          Duration.ofMinutes(1), "freshness is back within seconds once the backlog is written");
      assertThat(registry.get("runtrace.sink.bytes").tag("table", "run_list").counter().count())
          .as("bytes inserted are counted").isGreaterThan(sent.get() * 100.0);
      // SinkFixture creates the topics with retention.bytes 256 MiB per partition.
      SinkFixture.await(() -> registry.get("runtrace.kafka.topic.max.partition.bytes").tag("topic", f.enriched)
          .gauge().value() > 0, Duration.ofSeconds(30), "the enriched topic's size is measured");
      assertThat(registry.get("runtrace.kafka.topic.retention.bytes").tag("topic", f.enriched).gauge().value())
          .isEqualTo(256.0 * 1024 * 1024);
      assertThat(registry.get("runtrace.kafka.topic.max.partition.bytes").tag("topic", f.enriched).gauge().value())
          .as("no larger than the whole topic's worth of runs").isLessThan(256.0 * 1024 * 1024);
    }
  }

  @Test
  void closingWhileTheWriterIsDownStopsCleanlyAndTheNextProcessorDeliversEverything(LocalStack stack) throws Exception {
    List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    try (SinkFixture f = new SinkFixture(stack, engine, "outage_close_it")) {
      var state = Files.createTempDirectory("outage-close-it");
      try (StreamProcessor p = f.processor(state).build().start()) {
        for (int i = 0; i < 50; i++) f.sendRun(i);
        f.producer.flush();
        SinkFixture.await(() -> f.readerCount("SELECT count() AS n FROM " + f.database + ".run_list FINAL WHERE deleted = 0") > 0,
            Duration.ofMinutes(2), "the first runs arrived");
        f.clickHouse.stopWriter();
        try {
          for (int i = 50; i < 100; i++) f.sendRun(i);
          f.producer.flush();
          SinkFixture.await(() -> !p.healthy(), Duration.ofMinutes(1), "the sink saw ClickHouse refuse");
        } finally {
          // Closed with a batch pending and ClickHouse down: leaving the group must not throw.
          p.close();
          f.clickHouse.startWriter();
        }
      }
      assertThat(uncaught).as("uncaught exceptions while closing").isEmpty();
      try (StreamProcessor next = f.processor(state).build().start()) {
        f.assertExactlyOnceOnReader(Duration.ofMinutes(3));
      }
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(previous);
    }
  }
}
