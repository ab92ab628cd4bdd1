package io.runtrace.query;

import static io.runtrace.query.TestRows.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** RunJson and SpanJson: what a caller sees for a row. */
class JsonMappingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void runInProgress() throws Exception {
    JsonNode run = RunJson.toJson(TestRows.run("r1", "running", T0, T0 + 5));

    assertThat(JSON.writeValueAsString(run)).isEqualTo("{\"run_id\":\"r1\",\"trace_id\":\"trace-r1\","
        + "\"tenant\":\"acme\",\"environment\":\"prod\",\"app\":\"billing\",\"function\":\"charge\","
        + "\"status\":\"running\",\"stale\":false,\"created_at\":\"2025-01-02T03:04:05.123456789Z\",\"queued_at\":\"2025-01-02T03:04:05.123456789Z\","
        + "\"started_at\":null,\"ended_at\":null,\"duration_ms\":null,\"span_count\":0,\"attempts\":1,"
        + "\"error\":null,\"updated_at\":\"2025-01-02T03:04:05.123456794Z\"}");
  }

  @Test
  void finishedFailedStaleRun() {
    ObjectNode row = TestRows.run("r2", "failed", T0, T0);
    row.put("started_unix_nano", Long.toString(T0 + 1_000_000))
        .put("ended_unix_nano", Long.toString(T0 + 2_501_500_000L))
        .put("stale", 1).put("error", "card declined").put("span_count", 12);

    JsonNode run = RunJson.toJson(row);

    assertThat(run.get("ended_at").asText()).isEqualTo("2025-01-02T03:04:07.624956789Z");
    assertThat(run.get("duration_ms").asDouble()).isEqualTo(2500.5);
    assertThat(run.get("stale").asBoolean()).isTrue();
    assertThat(run.get("error").asText()).isEqualTo("card declined");
    assertThat(run.get("span_count").asLong()).isEqualTo(12);
  }

  @Test
  void wholeSecondsKeepNineFractionDigits() {
    assertThat(Rows.isoOrNull(1_700_000_000_000_000_000L)).isEqualTo("2023-11-14T22:13:20.000000000Z");
    assertThat(Rows.isoOrNull(0)).isNull();
  }

  @Test
  void spanAttributesEventsAndParent() {
    ObjectNode row = TestRows.span("s1", "", T0);
    row.putArray("attr_keys").add("http.method").add("runtrace.step");
    row.putArray("attr_values").add("POST").add("charge-card");
    row.put("events", "[{\"name\":\"retry\",\"time_unix_nano\":\"1\"}]").put("trimmed", 1);

    JsonNode span = SpanJson.toJson(row);

    assertThat(span.get("parent_span_id").isNull()).isTrue();
    assertThat(span.get("attributes").toString()).isEqualTo("{\"http.method\":\"POST\",\"runtrace.step\":\"charge-card\"}");
    assertThat(span.get("events").get(0).get("name").asText()).isEqualTo("retry");
    assertThat(span.get("trimmed").asBoolean()).isTrue();
    assertThat(span.get("duration_ms").asDouble()).isEqualTo(1.0);
    assertThat(span.get("start_time").asText()).isEqualTo("2025-01-02T03:04:05.123456789Z");
  }

  @Test
  void badEventsAndUnevenAttributesDegrade() {
    ObjectNode row = TestRows.span("s1", "p", T0);
    row.putArray("attr_keys").add("a").add("b");
    row.putArray("attr_values").add("1");
    row.put("events", "{not json");

    JsonNode span = SpanJson.toJson(row);

    assertThat(span.get("attributes").toString()).isEqualTo("{\"a\":\"1\"}");
    assertThat(span.get("events").isArray()).isTrue();
    assertThat(span.get("events")).isEmpty();
    assertThat(SpanJson.events("{\"an\":\"object\"}")).isEmpty();
    assertThat(span.get("parent_span_id").asText()).isEqualTo("p");
  }
}
