package io.runtrace.stream;

import static io.runtrace.stream.TestRows.failed;
import static io.runtrace.stream.TestRows.run;
import static io.runtrace.stream.TestRows.step;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowJsonTest {

  @Test
  void spanRowsReadBackEqualEnrichedAndOnePerLineWithTheStartTimeFirst() {
    SpanRow root = run("completed", 0, 900);
    SpanRow child = new SpanRow("", "", TestRows.TRACE, "0000000000000002", TestRows.RUN_SPAN, "", "", "", "a \"quoted\"\nstep",
        2, "step", "internal", "executor", 5, 6, "error", "boom é", List.of("k1", "k2"), List.of("v1", "ü"),
        List.of("service.name"), List.of("executor"), "[{\"name\":\"e\"}]", 1, 7, "", 0, "boom é");
    RunState state = new RunState();
    state.merge(root);
    state.merge(child);

    byte[] value = RowJson.spans(List.of(root, child), state);

    List<byte[]> rows = SinkBatch.rows(value);
    assertThat(rows).hasSize(2);
    assertThat(Json.read(rows.get(0), SpanRow.class)).isEqualTo(root.enrich(state));
    assertThat(Json.read(rows.get(1), SpanRow.class)).isEqualTo(child.enrich(state));
    assertThat(Json.read(rows.get(1), SpanRow.class).tenant()).isEqualTo("acme");
    assertThat(new String(rows.get(1), StandardCharsets.UTF_8)).startsWith("{\"start_unix_nano\":5,");
  }

  @Test
  void runRowReadsBackEqualWithTheCreatedTimeFirst() {
    RunState state = new RunState();
    state.merge(run("failed", 0, 900));
    state.merge(failed(step("0000000000000002", "a", 3, 100, 200, true), "card declined"));
    RunRow row = state.toRow(42);

    byte[] json = RowJson.run(row);

    assertThat(Json.read(json, RunRow.class)).isEqualTo(row);
    assertThat(new String(json, StandardCharsets.UTF_8)).startsWith("{\"created_unix_nano\":" + row.createdUnixNano() + ",");
  }
}
