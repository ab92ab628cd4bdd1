package io.runtrace.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.command.CommandSettings;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One ClickHouse server over HTTP, through clickhouse-java client-v2, in the SQL that both
 * 18.16 and current releases understand: every query names its format explicitly
 * ({@code JSONEachRow}), because 18.16 lacks the client's default binary format.
 *
 * <p>Values placed in SQL must go through {@link ClickHouseSql}; nothing else concatenates
 * input into statements.
 */
public final class ClickHouseDatabase implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Client client;
  private final Builder settings;
  private volatile ClickHouseVersion version;

  private ClickHouseDatabase(Builder b) {
    this.settings = b;
    this.client = new Client.Builder()
        .addEndpoint(b.url.toString())
        .setUsername(b.user)
        .setPassword(b.password)
        // 18.16 ignores the client's database header; each request also sends it as a parameter.
        .setDefaultDatabase(b.database)
        .setConnectTimeout(b.connectTimeout.toMillis(), ChronoUnit.MILLIS)
        .setSocketTimeout(b.socketTimeout.toMillis(), ChronoUnit.MILLIS)
        .setMaxConnections(b.maxConnections)
        .setMaxRetries(0)
        .compressServerResponse(false)
        .compressClientRequest(false)
        .build();
  }

  /** Starts a builder; {@link Builder#url(URI)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The server's HTTP address. */
  public URI url() {
    return settings.url;
  }

  /** The database that unqualified table names resolve to. */
  public String database() {
    return settings.database;
  }

  /** The server's release ({@code SELECT version()}), asked once and remembered. */
  public ClickHouseVersion serverVersion() {
    ClickHouseVersion v = version;
    if (v == null) {
      // In "default", which always exists: the migrator asks before it creates the database.
      v = ClickHouseVersion.parse(query("SELECT version() AS v", "default", Map.of(), false).get(0).get("v").asText());
      version = v;
    }
    return v;
  }

  /** What the server offers beyond 18.16 ({@link ClickHouseDialect}); {@link Builder#dialect} overrides it. */
  public ClickHouseDialect dialect() {
    return settings.dialect != null ? settings.dialect : ClickHouseDialect.of(serverVersion());
  }

  /** Runs a statement that returns no rows (DDL, ALTER, INSERT … SELECT). */
  public void execute(String sql) {
    execute(sql, Map.of());
  }

  /** Runs a statement with extra server settings sent as URL parameters. */
  public void execute(String sql, Map<String, String> serverSettings) {
    execute(sql, settings.database, serverSettings);
  }

  /** Creates a database if it is missing; the request runs in {@code default}, which always exists. */
  public void createDatabaseIfMissing(String name) {
    execute("CREATE DATABASE IF NOT EXISTS " + ClickHouseSql.identifier(name), "default", Map.of());
  }

  /** Drops a database if it exists; the request runs in {@code default}, since current servers refuse one in a missing database. */
  public void dropDatabaseIfExists(String name) {
    execute("DROP DATABASE IF EXISTS " + ClickHouseSql.identifier(name), "default", Map.of());
  }

  private void execute(String sql, String database, Map<String, String> serverSettings) {
    CommandSettings cs = new CommandSettings();
    cs.setDatabase(database);
    cs.serverSetting("database", database);
    // An INSERT … SELECT … FINAL reads as query() does: filters after versions collapse.
    cs.serverSetting("optimize_move_to_prewhere", "0");
    dialect().readSettings().forEach(cs::serverSetting);
    serverSettings.forEach(cs::serverSetting);
    await(() -> client.execute(sql, cs), "execute", sql);
  }

  /**
   * Runs a query and returns its rows as JSON objects. The statement must not name a format
   * (this appends {@code FORMAT JSONEachRow});
   * the result is capped by {@link Builder#maxResultRows(long)} and the run time by
   * {@link Builder#maxExecutionTime(Duration)}.
   */
  public List<JsonNode> query(String sql) {
    return query(sql, settings.database, Map.of(), true);
  }

  /** As {@link #query(String)}, with extra server settings sent as URL parameters (e.g. {@code log_queries}). */
  public List<JsonNode> query(String sql, Map<String, String> serverSettings) {
    return query(sql, settings.database, serverSettings, true);
  }

  /** As {@link #query(String)}, in database {@code default}, which always exists: for system tables before this client's database does. */
  public List<JsonNode> queryInDefault(String sql) {
    return query(sql, "default", Map.of(), true);
  }

  /** @param dialectSettings false only for the version query the dialect comes from */
  private List<JsonNode> query(String sql, String database, Map<String, String> serverSettings,
      boolean dialectSettings) {
    QuerySettings qs = new QuerySettings().setFormat(ClickHouseFormat.JSONEachRow);
    // Current servers read the client's database header, 18.16 only the URL parameter: send both.
    qs.setDatabase(database);
    qs.serverSetting("database", database);
    qs.serverSetting("max_execution_time", Long.toString(settings.maxExecutionTime.toSeconds()));
    qs.serverSetting("max_result_rows", Long.toString(settings.maxResultRows));
    qs.serverSetting("result_overflow_mode", "throw");
    // Reads use FINAL on Replacing tables; a WHERE moved to PREWHERE would filter before the
    // versions collapse and could return an outdated row.
    qs.serverSetting("optimize_move_to_prewhere", "0");
    if (dialectSettings) dialect().readSettings().forEach(qs::serverSetting);
    serverSettings.forEach(qs::serverSetting);
    List<JsonNode> rows = new ArrayList<>();
    // 18.16 ignores the client's requested format (default_format); it must be in the SQL text.
    String formatted = sql.stripTrailing() + "\nFORMAT JSONEachRow";
    try (QueryResponse response = await(() -> client.query(formatted, qs), "query", sql);
        BufferedReader reader = new BufferedReader(
            new InputStreamReader(response.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isEmpty()) rows.add(JSON.readTree(line));
      }
    } catch (ClickHouseException e) {
      throw e;
    } catch (Exception e) {
      throw new ClickHouseException("reading the result of " + abbreviate(sql) + " failed", e);
    }
    return rows;
  }

  /** Inserts newline-separated JSON objects into a table; the call returns once they are written. */
  public void insertJsonEachRow(String table, byte[] rows) {
    insertJsonEachRow(table, rows, rows.length);
  }

  /** As {@link #insertJsonEachRow(String, byte[])}, with the first {@code length} bytes of {@code rows}. */
  public void insertJsonEachRow(String table, byte[] rows, int length) {
    InsertSettings is = new InsertSettings();
    // Rows may carry fields the table does not store (forward-compatible contracts).
    is.serverSetting("input_format_skip_unknown_fields", "1");
    is.setDatabase(settings.database);
    is.serverSetting("database", settings.database);
    await(() -> client.insert(table, new ByteArrayInputStream(rows, 0, length), ClickHouseFormat.JSONEachRow, is),
        "insert into", table);
  }

  /** True when the server answers a ping within the connect timeout. */
  public boolean ping() {
    return client.ping(settings.connectTimeout.toMillis());
  }

  @Override
  public void close() {
    client.close();
  }

  /** Waits for a request; a failure, thrown at once (the client does for server errors) or later, becomes a ClickHouseException. */
  private <T> T await(java.util.function.Supplier<java.util.concurrent.CompletableFuture<T>> request, String what,
      String sql) {
    java.util.concurrent.CompletableFuture<T> future;
    try {
      future = request.get();
    } catch (RuntimeException e) {
      throw new ClickHouseException(what + " " + abbreviate(sql) + " on " + settings.url + " failed: " + e.getMessage(), e);
    }
    try {
      return future.get(settings.socketTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new ClickHouseException(
          what + " " + abbreviate(sql) + " on " + settings.url + " failed: " + cause.getMessage(), cause);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new ClickHouseException(what + " " + abbreviate(sql) + " on " + settings.url + " timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClickHouseException(what + " " + abbreviate(sql) + " interrupted", e);
    }
  }

  static String abbreviate(String sql) {
    String oneLine = sql.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "…";
  }

  /** Settings for {@link ClickHouseDatabase}; each setter validates and names the setting. */
  public static final class Builder {
    private URI url;
    private String user = "default";
    private String password = "";
    private String database = "runtrace";
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration socketTimeout = Duration.ofSeconds(30);
    private int maxConnections = 8;
    private Duration maxExecutionTime = Duration.ofSeconds(30);
    private long maxResultRows = 100_000;
    private ClickHouseDialect dialect;

    private Builder() {}

    /** The server's HTTP address, for example {@code http://127.0.0.1:8123}. Required. */
    public Builder url(URI url) {
      Objects.requireNonNull(url, "clickhouse url");
      if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
        throw new IllegalArgumentException("clickhouse url must be http(s)://host:port, was " + url);
      }
      this.url = url;
      return this;
    }

    /** User name. Default {@code default}. */
    public Builder user(String user) {
      this.user = Objects.requireNonNull(user, "clickhouse user");
      return this;
    }

    /** Password. Default empty. */
    public Builder password(String password) {
      this.password = Objects.requireNonNull(password, "clickhouse password");
      return this;
    }

    /** Database for unqualified table names. Default {@code runtrace}. */
    public Builder database(String database) {
      this.database = ClickHouseSql.identifier(database);
      return this;
    }

    /** TCP connect timeout. Default 5 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "clickhouse connectTimeout");
      return this;
    }

    /** How long one request may wait for the server. Default 30 s. */
    public Builder socketTimeout(Duration timeout) {
      this.socketTimeout = positive(timeout, "clickhouse socketTimeout");
      return this;
    }

    /** Connections kept to the server, at most. Default 8. */
    public Builder maxConnections(int max) {
      if (max < 1 || max > 1024) {
        throw new IllegalArgumentException("clickhouse maxConnections must be 1..1024, was " + max);
      }
      this.maxConnections = max;
      return this;
    }

    /** Server-side limit on one query's run time, whole seconds. Default 30 s. */
    public Builder maxExecutionTime(Duration limit) {
      this.maxExecutionTime = positive(limit, "clickhouse maxExecutionTime");
      if (limit.toSeconds() < 1) {
        throw new IllegalArgumentException("clickhouse maxExecutionTime must be at least 1 s, was " + limit);
      }
      return this;
    }

    /** Server-side limit on rows one query returns; more is an error. Default 100,000. */
    public Builder maxResultRows(long max) {
      if (max < 1) throw new IllegalArgumentException("clickhouse maxResultRows must be >= 1, was " + max);
      this.maxResultRows = max;
      return this;
    }

    /** The dialect to speak instead of the server's own (e.g. {@link ClickHouseDialect#legacy()}). Default: the server's. */
    public Builder dialect(ClickHouseDialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "clickhouse dialect");
      return this;
    }

    /** Builds the client; fails when {@code url} is missing. */
    public ClickHouseDatabase build() {
      if (url == null) throw new IllegalStateException("clickhouse url is required");
      return new ClickHouseDatabase(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isZero() || d.isNegative()) throw new IllegalArgumentException(name + " must be > 0, was " + d);
      return d;
    }
  }
}
