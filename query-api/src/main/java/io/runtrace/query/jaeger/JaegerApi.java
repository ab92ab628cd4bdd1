package io.runtrace.query.jaeger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runtrace.query.auth.Caller;
import io.runtrace.query.jaeger.SelectJaegerCandidates.Candidate;
import io.runtrace.query.routing.ReaderRouter;
import io.runtrace.query.routing.ServingReader;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The Jaeger query HTTP API that Grafana's Jaeger data source reads ({@code /api/services},
 * {@code /api/services/{service}/operations}, {@code /api/operations}, {@code /api/traces},
 * {@code /api/traces/{traceId}}), over the run-history tables, scoped by the caller's API key.
 * Every answer is read on one reader; every read is bounded by keys (see the module README).
 */
public final class JaegerApi {
  /** Runs a search looks at, at most, newest first. */
  static final int MAX_CANDIDATES = 2_000;
  /** Runs whose spans name the services and operations: the newest this many of the lookback. */
  static final int SERVICE_CANDIDATES = 500;
  static final Duration SERVICE_LOOKBACK = Duration.ofDays(7);
  private static final Pattern TRACE_ID = Pattern.compile("[0-9a-fA-F]{1,32}");
  private static final Set<String> SPAN_KINDS = Set.of("server", "client", "producer", "consumer", "internal");
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Runs one named ClickHouse query, timed and counted (a failure becomes the service's 503). */
  @FunctionalInterface
  public interface Queries {
    List<JsonNode> run(String name, Supplier<List<JsonNode>> query);
  }

  private final ReaderRouter readers;
  private final Clock clock;
  private final Duration maxWindow;
  private final int maxSpansPerTrace;
  private final Queries queries;
  private final SelectJaegerCandidates candidates;
  private final SelectJaegerSpans spans;

  /** Over these readers; {@code maxWindow} bounds a search's window, {@code maxSpansPerTrace} its spans. */
  public JaegerApi(ReaderRouter readers, Clock clock, Duration maxWindow, int maxSpansPerTrace, Queries queries) {
    this.readers = readers;
    this.clock = clock;
    this.maxWindow = maxWindow;
    this.maxSpansPerTrace = maxSpansPerTrace;
    this.queries = queries;
    this.candidates = new SelectJaegerCandidates(readers.database());
    this.spans = new SelectJaegerSpans(readers.database());
  }

  /** The route template of a Jaeger path (the metrics' {@code route} tag), or null when it is none. */
  public static String route(String rawPath) {
    if (rawPath.equals("/api/services") || rawPath.equals("/api/operations") || rawPath.equals("/api/traces")) {
      return rawPath;
    }
    if (rawPath.startsWith("/api/traces/") && rawPath.indexOf('/', "/api/traces/".length()) < 0) {
      return "/api/traces/{traceId}";
    }
    if (rawPath.startsWith("/api/services/") && rawPath.endsWith("/operations")) {
      String service = rawPath.substring("/api/services/".length(), rawPath.length() - "/operations".length());
      if (!service.isEmpty() && service.indexOf('/') < 0) return "/api/services/{service}/operations";
    }
    return null;
  }

  /** The answer of one Jaeger route for this caller; a bad request or an unknown trace throws {@link JaegerException}. */
  public ObjectNode answer(String route, String rawPath, Caller caller, String rawQuery) {
    JaegerScope scope = JaegerScope.of(caller);
    return switch (route) {
      case "/api/services" -> {
        JaegerParameters.parse(rawQuery, Set.of("prettyPrint"));
        yield readers.read(r -> services(scope, r));
      }
      case "/api/services/{service}/operations" -> {
        JaegerParameters.parse(rawQuery, Set.of("prettyPrint"));
        String service = JaegerParameters.decodePath(
            rawPath.substring("/api/services/".length(), rawPath.length() - "/operations".length()));
        yield readers.read(r -> operations(scope, service, Optional.empty(), false, r));
      }
      case "/api/operations" -> {
        JaegerParameters p = JaegerParameters.parse(rawQuery, Set.of("service", "spanKind", "prettyPrint"));
        String service = p.text("service").orElseThrow(() -> JaegerException.badRequest("parameter 'service' is required"));
        Optional<String> kind = p.text("spanKind");
        if (kind.isPresent() && !SPAN_KINDS.contains(kind.get())) {
          throw JaegerException.badRequest("unable to parse param 'spanKind': unsupported span kind "
              + JaegerParameters.quoted(kind.get()) + "; one of client, consumer, internal, producer, server");
        }
        yield readers.read(r -> operations(scope, service, kind, true, r));
      }
      case "/api/traces" -> {
        TraceSearch search = TraceSearch.parse(rawQuery, clock, maxWindow);
        yield readers.read(r -> search(scope, search, r));
      }
      default -> {
        String traceId = traceId(JaegerParameters.decodePath(rawPath.substring("/api/traces/".length())));
        JaegerParameters p = JaegerParameters.parse(rawQuery, Set.of("start", "end", "raw", "prettyPrint"));
        Optional<Long> start = p.timeNanos("start");
        Optional<Long> end = p.timeNanos("end");
        Optional<long[]> window = start.isEmpty() && end.isEmpty() ? Optional.empty()
            : Optional.of(new long[] {start.orElse(0L), end.orElse(nowNanos())});
        yield readers.read(r -> trace(scope, traceId, window, r));
      }
    };
  }

  /** Jaeger's error answer. */
  public static ObjectNode errorBody(int status, String message) {
    ObjectNode body = F.objectNode();
    body.putNull("data");
    body.put("total", 0).put("limit", 0).put("offset", 0);
    body.putArray("errors").addObject().put("code", status).put("msg", message);
    return body;
  }

  private ObjectNode services(JaegerScope scope, ServingReader reader) {
    List<Candidate> recent = recent(scope, reader);
    ArrayNode data = F.arrayNode();
    if (!recent.isEmpty()) {
      for (JsonNode row : query("jaeger_services", reader, spans.services(recent, scope))) {
        data.add(JaegerScope.text(row, "service"));
      }
    }
    return envelope(data, data.size());
  }

  private ObjectNode operations(JaegerScope scope, String service, Optional<String> kind, boolean withKinds,
      ServingReader reader) {
    List<Candidate> recent = recent(scope, reader);
    ArrayNode data = F.arrayNode();
    if (!recent.isEmpty()) {
      Set<String> names = new HashSet<>();
      for (JsonNode row : query("jaeger_operations", reader, spans.operations(recent, scope, service, kind))) {
        String name = JaegerScope.text(row, "name");
        String spanKind = JaegerScope.text(row, "kind");
        if (withKinds) data.addObject().put("name", name).put("spanKind", spanKind.equals("unspecified") ? "" : spanKind);
        else if (names.add(name)) data.add(name);
      }
    }
    return envelope(data, data.size());
  }

  private List<Candidate> recent(JaegerScope scope, ServingReader reader) {
    List<Candidate> all = new ArrayList<>();
    long now = nowNanos();
    candidates.walk(scope, now - SERVICE_LOOKBACK.toNanos(), now + 1, SERVICE_CANDIDATES,
        sql -> query("jaeger_candidates", reader, sql), slice -> {
          all.addAll(slice);
          return false;
        });
    return all;
  }

  private ObjectNode search(JaegerScope scope, TraceSearch search, ServingReader reader) {
    List<Candidate> matched = new ArrayList<>();
    candidates.walk(scope, search.fromNanos(), search.toNanos() + 1, MAX_CANDIDATES,
        sql -> query("jaeger_candidates", reader, sql), slice -> {
          Set<String> hits = new HashSet<>();
          for (JsonNode row : query("jaeger_matches", reader, spans.matches(search, slice, scope))) {
            hits.add(JaegerScope.text(row, "trace_id"));
          }
          for (Candidate c : slice) {
            if (matched.size() < search.limit() && hits.contains(c.traceId())) matched.add(c);
          }
          return matched.size() >= search.limit();
        });
    ArrayNode data = F.arrayNode();
    if (matched.isEmpty()) return envelope(data, 0);
    List<JsonNode> rows = query("jaeger_spans", reader, spans.spans(matched, scope, maxSpansPerTrace, maxSpansPerTrace));
    Map<String, List<JsonNode>> byTrace = new LinkedHashMap<>();
    for (Candidate c : matched) byTrace.put(c.traceId(), new ArrayList<>());
    for (JsonNode row : rows) {
      List<JsonNode> list = byTrace.get(JaegerScope.text(row, "trace_id"));
      if (list != null) list.add(row);
    }
    boolean full = rows.size() >= maxSpansPerTrace;
    byTrace.forEach((id, traceRows) -> {
      if (!traceRows.isEmpty()) {
        data.add(JaegerTraceJson.trace(id, traceRows, full
            ? "this search shows at most " + maxSpansPerTrace + " spans in all; open the trace by id for every span"
            : null));
      }
    });
    return envelope(data, 0);
  }

  private ObjectNode trace(JaegerScope scope, String traceId, Optional<long[]> window, ServingReader reader) {
    List<JsonNode> rows = query("jaeger_trace", reader, spans.trace(traceId, window, scope, maxSpansPerTrace));
    // A trace is the caller's when one of its spans carries the caller's tenant; spans with none yet come along.
    if (rows.stream().noneMatch(scope::owns)) throw new JaegerException(404, "trace not found");
    boolean truncated = rows.size() > maxSpansPerTrace;
    List<JsonNode> shown = truncated ? rows.subList(0, maxSpansPerTrace) : rows;
    ArrayNode data = F.arrayNode();
    data.add(JaegerTraceJson.trace(traceId, shown,
        truncated ? "only the first " + maxSpansPerTrace + " spans of this trace are shown" : null));
    return envelope(data, 0);
  }

  /** Jaeger's trace ids: up to 32 hex digits, read as the 32 lower-case digits runtrace stores. */
  static String traceId(String segment) {
    if (!TRACE_ID.matcher(segment).matches()) {
      throw JaegerException.badRequest("unable to parse param 'traceID': " + JaegerParameters.quoted(segment)
          + " is not a trace id of 1 to 32 hex digits");
    }
    return "0".repeat(32 - segment.length()) + segment.toLowerCase(java.util.Locale.ROOT);
  }

  static ObjectNode envelope(ArrayNode data, int total) {
    ObjectNode body = F.objectNode();
    body.set("data", data);
    body.put("total", total).put("limit", 0).put("offset", 0);
    body.putNull("errors");
    return body;
  }

  private List<JsonNode> query(String name, ServingReader reader, String sql) {
    return queries.run(name, () -> reader.query(sql));
  }

  private long nowNanos() {
    var now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
