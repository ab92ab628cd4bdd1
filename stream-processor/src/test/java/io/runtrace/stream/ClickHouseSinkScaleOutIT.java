package io.runtrace.stream;

import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.ForEachClickHouseEngine;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Two processor instances share the partitions (same application id, own state dirs); one is
 * closed midway, and the rebalance loses and duplicates nothing on the reader replica.
 */
@ForEachClickHouseEngine
class ClickHouseSinkScaleOutIT {
  static final int RUNS = 600;
  private final ClickHouseEngine engine;

  ClickHouseSinkScaleOutIT(ClickHouseEngine engine) {
    this.engine = engine;
  }

  @Test
  void closingOneOfTwoInstancesMidStreamLosesNothing(LocalStack stack) throws Exception {
    try (SinkFixture f = new SinkFixture(stack, engine, "scale_it");
        StreamProcessor a = f.processor(Files.createTempDirectory("scale-a")).build().start();
        StreamProcessor b = f.processor(Files.createTempDirectory("scale-b")).build().start()) {
      for (int i = 0; i < RUNS / 2; i++) {
        f.sendRun(i);
        if (i % 20 == 19) SinkFixture.sleep(100);
      }
      SinkFixture.await(() -> f.readerCount("SELECT count() AS n FROM " + f.database + ".run_list FINAL WHERE deleted = 0") >= RUNS / 4,
          Duration.ofMinutes(3), "a quarter of the runs arrived");
      a.close();
      for (int i = RUNS / 2; i < RUNS; i++) {
        f.sendRun(i);
        if (i % 20 == 19) SinkFixture.sleep(100);
      }
      f.assertExactlyOnceOnReader(Duration.ofMinutes(4));
    }
  }
}
