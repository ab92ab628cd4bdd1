package io.runtrace.ingest;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * OTLP/JSON: proto3 JSON with lowerCamelCase or snake_case names, except that trace and span ids
 * are hex strings, not base64. The ids are turned into base64 before {@link JsonFormat} parses.
 */
final class OtlpJson {
  private static final Set<String> ID_FIELDS = Set.of("traceId", "trace_id", "spanId", "span_id", "parentSpanId", "parent_span_id");
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

  private OtlpJson() {}

  /** Parses an OTLP/JSON {@code ExportTraceServiceRequest}; throws {@link InvalidProtocolBufferException} on bad input. */
  static ExportTraceServiceRequest parse(byte[] json) throws InvalidProtocolBufferException {
    try {
      JsonElement root = JsonParser.parseString(new String(json, StandardCharsets.UTF_8));
      hexIdsToBase64(root);
      ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
      PARSER.merge(root.toString(), b);
      return b.build();
    } catch (JsonParseException | IllegalArgumentException | IllegalStateException e) {
      throw new InvalidProtocolBufferException(e.getMessage());
    }
  }

  static byte[] print(ExportTraceServiceResponse response) {
    try {
      return PRINTER.print(response).getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void hexIdsToBase64(JsonElement e) {
    if (e.isJsonArray()) {
      for (JsonElement item : (JsonArray) e) hexIdsToBase64(item);
    } else if (e.isJsonObject()) {
      for (Map.Entry<String, JsonElement> field : ((JsonObject) e).entrySet()) {
        JsonElement v = field.getValue();
        if (ID_FIELDS.contains(field.getKey()) && v.isJsonPrimitive() && ((JsonPrimitive) v).isString()) {
          field.setValue(new JsonPrimitive(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(v.getAsString()))));
        } else {
          hexIdsToBase64(v);
        }
      }
    }
  }
}
