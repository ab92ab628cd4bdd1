package io.runtrace.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import io.runtrace.localstack.StackCredentials;

/**
 * Runs a dashboard query on a reader over HTTP as Grafana's data source would: as the read-only
 * {@code reader} user, in the given database, with the provisioned data source's custom settings
 * and its query timeout as {@code max_execution_time}, and nothing else (no settings of our own client).
 */
final class DashboardReader {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final URI url;
  private final Map<String, String> params = new LinkedHashMap<>();

  /** Columns in order, and rows as objects by column name. */
  record Result(List<String> columns, List<JsonNode> rows) {}

  DashboardReader(URI readerUrl, String database, JsonNode datasourcesYaml) {
    this.url = readerUrl;
    JsonNode ch = null;
    for (JsonNode d : datasourcesYaml.get("datasources")) {
      if ("runtrace-clickhouse".equals(d.get("uid").asText())) ch = d;
    }
    if (ch == null) throw new IllegalStateException("provisioning has no runtrace-clickhouse data source");
    params.put("database", database);
    params.put("user", StackCredentials.CLICKHOUSE_READER_USER);
    params.put("password", StackCredentials.CLICKHOUSE_READER_PASSWORD);
    params.put("max_execution_time", ch.get("jsonData").get("queryTimeout").asText());
    for (JsonNode s : ch.get("jsonData").path("customSettings")) {
      params.put(s.get("setting").asText(), s.get("value").asText());
    }
  }

  /** Runs the expanded query; a ClickHouse error fails the calling test with the query and the server's answer. */
  Result query(String where, String sql) {
    return query(where, sql, Map.of());
  }

  /** As {@link #query(String, String)}, with {@code extra} settings (e.g. a query id to find it in the query log). */
  Result query(String where, String sql, Map<String, String> extra) {
    Map<String, String> all = new LinkedHashMap<>(params);
    all.putAll(extra);
    String query = all.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    HttpResponse<String> response;
    try {
      response = HTTP.send(HttpRequest.newBuilder(url.resolve("/?" + query)).timeout(Duration.ofSeconds(40))
          .POST(HttpRequest.BodyPublishers.ofString(sql + "\nFORMAT JSON")).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(where + ": request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(where + ": interrupted", e);
    }
    if (response.statusCode() != 200) {
      throw new AssertionError(where + " failed on " + url + " (HTTP " + response.statusCode() + "): "
          + response.body().strip() + "\n-- the query as expanded:\n" + sql);
    }
    try {
      JsonNode body = DashboardFiles.JSON.readTree(response.body());
      List<String> columns = new ArrayList<>();
      body.get("meta").forEach(m -> columns.add(m.get("name").asText()));
      List<JsonNode> rows = new ArrayList<>();
      body.get("data").forEach(rows::add);
      return new Result(columns, rows);
    } catch (IOException e) {
      throw new AssertionError(where + ": not JSON: " + response.body(), e);
    }
  }
}
