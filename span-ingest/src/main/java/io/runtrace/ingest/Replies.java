package io.runtrace.ingest;

import com.google.protobuf.CodedOutputStream;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** HTTP replies: OTLP errors as {@code google.rpc.Status} protobuf, or JSON for non-protobuf callers. */
final class Replies {
  private Replies() {}

  static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  static void text(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    send(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  /** An error the caller can act on: {@code protobuf} picks google.rpc.Status over JSON. */
  static void error(HttpExchange exchange, int status, String message, boolean protobuf) throws IOException {
    if (protobuf) {
      send(exchange, status, TracesHandler.PROTOBUF, rpcStatus(grpcCode(status), message));
    } else {
      text(exchange, status, "application/json", "{\"code\":" + status + ",\"message\":\"" + json(message) + "\"}");
    }
  }

  /** A {@code google.rpc.Status}: field 1 code, field 2 message; written by hand to avoid a dependency. */
  static byte[] rpcStatus(int code, String message) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeInt32(1, code);
      out.writeString(2, message);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int grpcCode(int httpStatus) {
    switch (httpStatus) {
      case 400:
        return 3; // INVALID_ARGUMENT
      case 413:
      case 429:
        return 8; // RESOURCE_EXHAUSTED
      case 401:
        return 16; // UNAUTHENTICATED
      case 415:
      case 405:
        return 12; // UNIMPLEMENTED
      default:
        return 13; // INTERNAL
    }
  }

  private static String json(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') sb.append('\\').append(c);
      else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
      else sb.append(c);
    }
    return sb.toString();
  }
}
