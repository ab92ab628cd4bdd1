package io.runtrace.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.runtrace.query.auth.ApiKeyRejected;
import io.runtrace.query.auth.ApiKeys;
import io.runtrace.query.auth.Caller;
import io.runtrace.query.auth.TenantLimits;
import io.runtrace.query.auth.Throttled;
import io.runtrace.query.jaeger.JaegerApi;
import io.runtrace.query.jaeger.JaegerException;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The routing of the service: one handler that maps paths to {@link RunHistoryApi} (and
 * {@code /api/…} to its {@link JaegerApi}, whose errors take Jaeger's shape), turns
 * failures into JSON errors (never a stack trace) and records every request's route, status and
 * time. Every {@code /v1} and {@code /api} request needs an API key (unless the service runs unauthenticated)
 * and a slot of its tenant's fair share, both checked before any ClickHouse work;
 * {@code /health} and {@code /metrics} stay open for probes and scrapers.
 * {@link RunHistoryService} and the tests both serve {@link #create}.
 */
final class RunHistoryRoutes implements HttpHandler {
  private static final System.Logger LOG = System.getLogger(RunHistoryRoutes.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RUNS = "/v1/runs";
  private static final String STATS = "/v1/stats";
  private static final String JAEGER = "/api/";
  /** Seconds a client is asked to wait after a 503. */
  static final String RETRY_AFTER_SECONDS = "1";

  private final RunHistoryApi api;
  private final QueryMetrics metrics;
  private final Supplier<String> prometheusText;
  private final ApiKeys keys;
  private final TenantLimits limits;

  private RunHistoryRoutes(RunHistoryApi api, QueryMetrics metrics, Supplier<String> prometheusText, ApiKeys keys,
      TenantLimits limits) {
    this.api = api;
    this.metrics = metrics;
    this.prometheusText = prometheusText;
    this.keys = keys;
    this.limits = limits;
  }

  /** The handler for every path of the service; {@code keys} null serves every caller as any tenant. */
  static HttpHandler create(RunHistoryApi api, QueryMetrics metrics, Supplier<String> prometheusText, ApiKeys keys,
      TenantLimits limits) {
    return new RunHistoryRoutes(api, metrics, prometheusText, keys, limits);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    String route = "unmatched";
    int status = 500;
    Caller caller = null;
    // Errors on the Jaeger paths take Jaeger's shape, which Grafana's data source reads.
    boolean jaeger = false;
    try {
      if (BoundedExecutor.overflowing()) {
        metrics.rejected();
        exchange.getResponseHeaders().set("Connection", "close");
        throw new ApiException(503, "overloaded", "too many requests in flight; retry later");
      }
      String path = exchange.getRequestURI().getRawPath();
      jaeger = path.startsWith(JAEGER);
      String query = exchange.getRequestURI().getRawQuery();
      String runId = null;
      if (path.equals("/health") || path.equals("/metrics") || path.equals(RUNS) || path.equals(STATS)) {
        route = path;
      } else if (path.startsWith(JAEGER)) {
        String jaegerRoute = JaegerApi.route(path);
        if (jaegerRoute != null) route = jaegerRoute;
      } else if (path.startsWith(RUNS + "/")) {
        String rest = path.substring(RUNS.length() + 1);
        if (rest.endsWith("/trace") && rest.indexOf('/') == rest.length() - "/trace".length()) {
          route = RUNS + "/{runId}/trace";
          runId = rest.substring(0, rest.length() - "/trace".length());
        } else if (!rest.isEmpty() && rest.indexOf('/') < 0) {
          route = RUNS + "/{runId}";
          runId = rest;
        }
      }
      if (route.equals("unmatched")) throw ApiException.notFound("no such path: " + QueryParameters.quoted(path));
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "GET");
        throw new ApiException(405, "method_not_allowed", "only GET is allowed on " + route);
      }
      if (route.equals("/health")) {
        status = health(exchange);
      } else if (route.equals("/metrics")) {
        status = send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
            prometheusText.get().getBytes(StandardCharsets.UTF_8));
      } else {
        caller = keys == null ? Caller.anyTenant()
            : keys.authenticate(exchange.getRequestHeaders().getFirst("Authorization"), remote(exchange));
        try (TenantLimits.Permit slot = limits.acquire(caller)) {
          status = jaeger
              ? sendJson(exchange, 200, api.jaeger().answer(route, path, caller, query))
              : switch (route) {
            case RUNS -> sendJson(exchange, 200, api.listRuns(caller, query));
            case STATS -> sendJson(exchange, 200, api.stats(caller, query));
            case RUNS + "/{runId}" -> sendJson(exchange, 200, api.getRun(caller, runId, query));
            default -> sendJson(exchange, 200, api.getTrace(caller, runId, query));
          };
        }
      }
    } catch (ApiKeyRejected e) {
      exchange.getResponseHeaders().set("WWW-Authenticate",
          "Bearer realm=\"runtrace\"" + (e.presented() ? ", error=\"invalid_token\"" : ""));
      status = sendError(exchange, jaeger, 401, "unauthorized", e.getMessage());
    } catch (Throttled e) {
      exchange.getResponseHeaders().set("Retry-After", Long.toString(e.retryAfterSeconds()));
      status = sendError(exchange, jaeger, 429, "too_many_requests", e.getMessage());
    } catch (ApiException e) {
      if (e.status() == 403 && keys != null && caller != null) keys.forbidden(caller, remote(exchange));
      status = sendError(exchange, jaeger, e.status(), e.code(), e.getMessage());
    } catch (JaegerException e) {
      status = sendError(exchange, jaeger, e.status(), e.status() == 404 ? "not_found" : "bad_request", e.getMessage());
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "request " + exchange.getRequestURI() + " failed", e);
      status = sendError(exchange, jaeger, 500, "internal", "the request failed; see the service log");
    } finally {
      metrics.request(route, status, System.nanoTime() - start);
      exchange.close();
    }
  }

  private int health(HttpExchange exchange) throws IOException {
    RunHistoryApi.HealthAnswer answer = api.health();
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    // Stale keys still authenticate correctly for everyone they did before: degraded, not down.
    String keyProblem = keys == null ? null : keys.problem().orElse(null);
    if (answer.ok() && keyProblem != null) {
      return sendJson(exchange, 200, body.put("status", "degraded").put("reason", keyProblem).set("readers", answer.readers()));
    }
    if (answer.ok()) return sendJson(exchange, 200, body.put("status", "ok").set("readers", answer.readers()));
    body.put("status", "unavailable").put("reason", answer.reason()).set("readers", answer.readers());
    return sendJson(exchange, 503, body);
  }

  private static String remote(HttpExchange exchange) {
    var address = exchange.getRemoteAddress();
    return address == null || address.getAddress() == null ? "unknown" : address.getAddress().getHostAddress();
  }

  /** The service's error JSON; on the Jaeger routes ({@code /api/…}) Jaeger's, which Grafana reads. */
  private static int sendError(HttpExchange exchange, boolean jaeger, int status, String code, String message) {
    if (status == 503) exchange.getResponseHeaders().set("Retry-After", RETRY_AFTER_SECONDS);
    ObjectNode body = jaeger ? JaegerApi.errorBody(status, message)
        : JsonNodeFactory.instance.objectNode().put("error", code).put("message", message);
    try {
      return sendJson(exchange, status, body);
    } catch (IOException e) {
      // The client went away; there is no one left to tell.
      return status;
    }
  }

  private static int sendJson(HttpExchange exchange, int status, ObjectNode body) throws IOException {
    return send(exchange, status, "application/json; charset=utf-8", JSON.writeValueAsBytes(body));
  }

  private static int send(HttpExchange exchange, int status, String contentType, byte[] bytes) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
    return status;
  }
}
