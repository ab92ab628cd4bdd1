package io.runtrace.stream;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonFactory;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** OTLP attributes flattened to parallel key and string-value lists, as the tables store them. */
record Attributes(List<String> keys, List<String> values) {
  private static final JsonFactory JSON = new JsonFactory();

  static Attributes of(List<KeyValue> kvs) {
    List<String> keys = new ArrayList<>(kvs.size());
    List<String> values = new ArrayList<>(kvs.size());
    for (KeyValue kv : kvs) {
      keys.add(kv.getKey());
      values.add(asString(kv.getValue()));
    }
    return new Attributes(keys, values);
  }

  /** The value of a key, or empty when absent. */
  String get(String key) {
    int i = keys.indexOf(key);
    return i < 0 ? "" : values.get(i);
  }

  /** Scalars as their text; arrays and maps as JSON; bytes as base64. */
  static String asString(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      case BYTES_VALUE -> Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
      case ARRAY_VALUE, KVLIST_VALUE -> json(v);
      default -> "";
    };
  }

  private static String json(AnyValue v) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      write(g, v);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  static void write(JsonGenerator g, AnyValue v) throws IOException {
    switch (v.getValueCase()) {
      case STRING_VALUE -> g.writeString(v.getStringValue());
      case BOOL_VALUE -> g.writeBoolean(v.getBoolValue());
      case INT_VALUE -> g.writeNumber(v.getIntValue());
      case DOUBLE_VALUE -> g.writeNumber(v.getDoubleValue());
      case BYTES_VALUE -> g.writeString(Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray()));
      case ARRAY_VALUE -> {
        g.writeStartArray();
        for (AnyValue item : v.getArrayValue().getValuesList()) write(g, item);
        g.writeEndArray();
      }
      case KVLIST_VALUE -> {
        g.writeStartObject();
        for (KeyValue kv : v.getKvlistValue().getValuesList()) {
          g.writeFieldName(kv.getKey());
          write(g, kv.getValue());
        }
        g.writeEndObject();
      }
      default -> g.writeNull();
    }
  }
}
