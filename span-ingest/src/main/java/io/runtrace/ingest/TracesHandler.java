package io.runtrace.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/** {@code POST /v1/traces}: OTLP/HTTP protobuf or JSON, regrouped by trace into records and held for Kafka. */
final class TracesHandler implements HttpHandler {
  private static final System.Logger LOG = System.getLogger(TracesHandler.class.getName());
  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";
  /** Seconds an OTLP client should wait before retrying a 429. */
  static final int RETRY_AFTER_SECONDS = 1;
  private static final long DRAIN_LIMIT_BYTES = 16L * 1024 * 1024;

  private final SharedProducer producer;
  private final TraceRecordBatcher batcher;
  private final int maxRequestBytes;
  private final BearerAuth auth;

  TracesHandler(SharedProducer producer, TraceRecordBatcher batcher, int maxRequestBytes, BearerAuth auth) {
    this.producer = producer;
    this.batcher = batcher;
    this.maxRequestBytes = maxRequestBytes;
    this.auth = auth;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!authenticated(exchange)) return;
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "POST");
        Replies.error(exchange, 405, "use POST", false);
        return;
      }
      String type = mediaType(exchange.getRequestHeaders().getFirst("Content-Type"));
      boolean json = JSON.equals(type);
      if (!PROTOBUF.equals(type) && !json) {
        Replies.error(exchange, 415, "unsupported Content-Type '" + type + "': send " + PROTOBUF + " or " + JSON, false);
        return;
      }
      boolean proto = !json;
      String encoding = mediaType(exchange.getRequestHeaders().getFirst("Content-Encoding"));
      if (!encoding.isEmpty() && !encoding.equals("gzip") && !encoding.equals("identity")) {
        Replies.error(exchange, 415, "unsupported Content-Encoding '" + encoding + "': send gzip or none", proto);
        return;
      }
      byte[] body;
      try {
        body = readBounded(exchange, encoding.equals("gzip"));
      } catch (java.util.zip.ZipException e) {
        Replies.error(exchange, 400, "malformed gzip body: " + e.getMessage(), proto);
        return;
      }
      if (body == null) {
        drain(exchange.getRequestBody(), Math.max(DRAIN_LIMIT_BYTES, maxRequestBytes));
        Replies.error(exchange, 413, "request larger than " + maxRequestBytes + " bytes", proto);
        return;
      }
      ExportTraceServiceRequest request;
      try {
        request = json ? OtlpJson.parse(body) : ExportTraceServiceRequest.parseFrom(body);
      } catch (InvalidProtocolBufferException e) {
        Replies.error(exchange, 400, "malformed ExportTraceServiceRequest: " + e.getMessage(), proto);
        return;
      }
      export(exchange, request, proto);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "OTLP request failed", e);
      throw e;
    }
  }

  /** Answers 401 with {@code WWW-Authenticate: Bearer} unless the request carries the configured token. */
  private boolean authenticated(HttpExchange exchange) throws IOException {
    BearerToken.Verdict verdict = auth.check(exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRemoteAddress());
    if (verdict == BearerToken.Verdict.ACCEPTED) return true;
    boolean proto = !JSON.equals(mediaType(exchange.getRequestHeaders().getFirst("Content-Type")));
    exchange.getResponseHeaders().set("WWW-Authenticate",
        verdict == BearerToken.Verdict.MISSING ? "Bearer realm=\"runtrace\"" : "Bearer realm=\"runtrace\", error=\"invalid_token\"");
    drain(exchange.getRequestBody(), maxRequestBytes);
    Replies.error(exchange, 401, verdict == BearerToken.Verdict.MISSING
        ? "missing bearer token: send Authorization: Bearer <token>"
        : "invalid bearer token", proto);
    return false;
  }

  private void export(HttpExchange exchange, ExportTraceServiceRequest request, boolean proto) throws IOException {
    ExportTraceServiceResponse response = Intake.export(producer, batcher, request);
    if (response == null) {
      exchange.getResponseHeaders().set("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
      Replies.error(exchange, 429, "span buffer is full; retry later", proto);
    } else if (proto) {
      Replies.send(exchange, 200, PROTOBUF, response.toByteArray());
    } else {
      Replies.send(exchange, 200, JSON, OtlpJson.print(response));
    }
  }

  private byte[] readBounded(HttpExchange exchange, boolean gzip) throws IOException {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length != null && !gzip && parseLong(length) > maxRequestBytes) return null;
    // The limit applies after decompression too, so a small gzip body cannot expand without bound.
    InputStream in = gzip ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) > 0; ) {
      out.write(buf, 0, n);
      if (out.size() > maxRequestBytes) return null;
    }
    return out.toByteArray();
  }

  /**
   * Reads and discards what is left of a rejected body, up to a bound: a server that closes while
   * the client is still sending resets the connection and the client never sees the 413.
   */
  private static void drain(InputStream raw, long limit) {
    try {
      byte[] buf = new byte[8192];
      for (long total = 0; total < limit; ) {
        int n = raw.read(buf);
        if (n < 0) return;
        total += n;
      }
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "Could not drain a rejected request body", e);
    }
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static String mediaType(String header) {
    if (header == null) return "";
    int semi = header.indexOf(';');
    return (semi < 0 ? header : header.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }
}
