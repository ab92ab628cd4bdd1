package io.runtrace.query.jaeger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class JaegerTraceJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  /** A spans row as ClickHouse's JSONEachRow gives it: 64-bit integers quoted. */
  static JsonNode row(String spanId, String parent, String service, String status, String events) throws Exception {
    return JSON.readTree("{\"tenant\":\"acme\",\"environment\":\"prod\",\"trace_id\":\"" + TRACE + "\","
        + "\"span_id\":\"" + spanId + "\",\"parent_span_id\":\"" + parent + "\",\"name\":\"op-" + spanId + "\","
        + "\"kind\":\"" + (parent.isEmpty() ? "server" : "unspecified") + "\",\"service\":\"" + service + "\","
        + "\"start_unix_nano\":\"1735787045123456789\",\"end_unix_nano\":\"1735787046623457789\","
        + "\"status_code\":\"" + status + "\",\"status_message\":\"" + ("error".equals(status) ? "card declined" : "") + "\","
        + "\"attr_keys\":[\"runtrace.step\"],\"attr_values\":[\"charge\"],"
        + "\"resource_keys\":[\"service.name\",\"host.name\"],\"resource_values\":[\"" + service + "\",\"h1\"],"
        + "\"events\":" + JSON.writeValueAsString(events) + "}");
  }

  @Test
  void aTraceIsJaegersJsonInMicroseconds() throws Exception {
    String events = "[{\"name\":\"retry\",\"time_unix_nano\":1735787045500000999,"
        + "\"attributes\":{\"attempt\":2,\"backoff\":0.5,\"final\":false,\"why\":\"timeout\",\"ids\":[1,2]}}]";
    List<JsonNode> rows = List.of(row("a1", "", "executor", "ok", "[]"), row("a2", "a1", "billing", "error", events));

    // Compared as text: the same JSON, whatever number node types hold it.
    assertThat(JaegerTraceJson.trace(TRACE, rows, null).toString()).isEqualTo(JSON.readTree("""
        {"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[
          {"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"a1","operationName":"op-a1","references":[],
           "startTime":1735787045123456,"duration":1500001,
           "tags":[{"key":"runtrace.step","type":"string","value":"charge"},
                   {"key":"span.kind","type":"string","value":"server"},
                   {"key":"otel.status_code","type":"string","value":"OK"}],
           "logs":[],"processID":"p1","warnings":null,"flags":1},
          {"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"a2","operationName":"op-a2",
           "references":[{"refType":"CHILD_OF","traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"a1"}],
           "startTime":1735787045123456,"duration":1500001,
           "tags":[{"key":"runtrace.step","type":"string","value":"charge"},
                   {"key":"otel.status_code","type":"string","value":"ERROR"},
                   {"key":"otel.status_description","type":"string","value":"card declined"},
                   {"key":"error","type":"bool","value":true}],
           "logs":[{"timestamp":1735787045500000,"fields":[
             {"key":"event","type":"string","value":"retry"},
             {"key":"attempt","type":"int64","value":2},
             {"key":"backoff","type":"float64","value":0.5},
             {"key":"final","type":"bool","value":false},
             {"key":"why","type":"string","value":"timeout"},
             {"key":"ids","type":"string","value":"[1,2]"}]}],
           "processID":"p2","warnings":null,"flags":1}],
         "processes":{
           "p1":{"serviceName":"executor","tags":[{"key":"host.name","type":"string","value":"h1"}]},
           "p2":{"serviceName":"billing","tags":[{"key":"host.name","type":"string","value":"h1"}]}},
         "warnings":null}
        """).toString());
  }

  @Test
  void spansOfOneResourceShareAProcessAndOddRowsStillShow() throws Exception {
    List<JsonNode> rows = List.of(row("a1", "", "executor", "unset", "not json"), row("a2", "a1", "executor", "unset", "{}"),
        row("a3", "a1", "", "unset", "[]"));

    JsonNode trace = JaegerTraceJson.trace(TRACE, rows, "only the first 3 spans of this trace are shown");

    assertThat(trace.get("spans").findValuesAsText("processID")).containsExactly("p1", "p1", "p2");
    assertThat(trace.get("processes").get("p2").get("serviceName").asText()).isEqualTo("unknown_service");
    assertThat(trace.get("spans").get(0).get("logs")).isEmpty();
    assertThat(trace.get("spans").get(1).get("logs")).isEmpty();
    assertThat(trace.get("spans").get(1).get("tags").findValuesAsText("key")).containsExactly("runtrace.step");
    assertThat(trace.get("warnings").get(0).asText()).isEqualTo("only the first 3 spans of this trace are shown");
  }

  @Test
  void anUnfinishedSpanHasDurationZero() throws Exception {
    JsonNode open = ((com.fasterxml.jackson.databind.node.ObjectNode) row("a1", "", "executor", "unset", "[]"))
        .put("end_unix_nano", "0");

    assertThat(JaegerTraceJson.span(TRACE, open, "p1").get("duration").asLong()).isZero();
  }
}
