package io.runtrace.query;

import static io.runtrace.query.RunHistoryServiceIT.SECOND;
import static io.runtrace.query.RunHistoryServiceIT.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.runtrace.clickhouse.ClickHouseDatabase;
import io.runtrace.localstack.ClickHouseDeployment;
import io.runtrace.localstack.ClickHouseEngine;
import io.runtrace.localstack.LocalStack;
import io.runtrace.localstack.LocalStackExtension;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Reads keep working with the writer down: needs a writer and a separate reader, so the 18.16 pair only. */
@ExtendWith(LocalStackExtension.class)
class RunHistoryReadIsolationIT {
  @Test
  void readsGoToTheReaderEvenWithTheWriterDown(LocalStack stack) throws Exception {
    assumeTrue(stack.clickHouseEngines().contains(ClickHouseEngine.V18_16), "needs the replicated 18.16 pair");
    ClickHouseDeployment ch = stack.clickHouse(ClickHouseEngine.V18_16);
    String db = "qa_iso_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    try (ClickHouseDatabase writer = RunHistoryServiceIT.connect(ch.writerUrl(), db);
        ClickHouseDatabase reader = RunHistoryServiceIT.connect(ch.readerUrl(), db)) {
      RunHistoryServiceIT.migrate(ch, writer, reader);
      RunHistoryServiceIT.insertRuns(writer, RunHistoryServiceIT.run("acme", "run-c", "completed", T0, T0 + 9 * SECOND, 1));
      writer.insertJsonEachRow("spans", RunHistoryServiceIT.lines(
          RunHistoryServiceIT.span("root", "", T0 + 2 * SECOND), RunHistoryServiceIT.span("child", "root", T0 + 3 * SECOND)));
      RunHistoryServiceIT.awaitRows(reader, "run_list", 1);
      RunHistoryServiceIT.awaitRows(reader, "spans", 2);
      try (RunHistoryService service = RunHistoryService.builder().reader(reader).apiKeyFile(RunHistoryServiceIT.KEYS.file)
          .host("127.0.0.1").port(0).build().start()) {
        assertThat(service.readerUrl()).isEqualTo(ch.readerUrl()).isNotEqualTo(ch.writerUrl());
        ch.stopWriter();
        try {
          assertThat(RunHistoryServiceIT.getJson(service, "/v1/runs/run-c/trace", 200).get("span_count").asInt()).isEqualTo(2);
          assertThat(RunHistoryServiceIT.getJson(service, "/health", 200).get("status").asText()).isEqualTo("ok");
        } finally {
          ch.startWriter();
        }
      }
      writer.dropDatabaseIfExists(db);
      reader.dropDatabaseIfExists(db);
    }
  }
}
