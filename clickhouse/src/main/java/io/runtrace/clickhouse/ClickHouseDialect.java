package io.runtrace.clickhouse;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * What a ClickHouse release offers beyond 18.16, the oldest one runtrace supports: the one place
 * engine differences live. Releases from 22.3 (an LTS that has every {@link Feature}) get them
 * all; older ones get the 18.16 path, which is complete on its own. The engines tested are
 * 18.16.1 (Debian's package) and 26.7.2.1 (chDB).
 *
 * <p>What 18.16 also lacks and runtrace never uses, on any version: server-side query parameters
 * (every value goes through {@link ClickHouseSql}), {@code DateTime64} and {@code Map} (times are
 * UInt64 nanoseconds, attributes two arrays), {@code TTL} (retention drops day partitions), the
 * {@code RowBinaryWithNamesAndTypes} format (queries name {@code JSONEachRow}), and the client's
 * format and database headers (the SQL names its format, the URL its database).
 */
public final class ClickHouseDialect {
  static final ClickHouseVersion FIRST_MODERN = new ClickHouseVersion(22, 3, "22.3");

  /** A server feature newer than 18.16 that the schema uses where it exists. */
  public enum Feature {
    /** {@code LowCardinality(T)} without an experimental flag; else plain {@code T}. */
    LOW_CARDINALITY,
    /** Column codecs such as {@code CODEC(Delta, ZSTD(1))}; else the server's default LZ4. */
    CODECS,
    /** Data-skipping indexes; else none, and queries rely on the sorting key alone. */
    SKIP_INDEXES,
    /**
     * {@code non_replicated_deduplication_window}: a plain MergeTree drops a retried insert block
     * as a replicated one does; else, on a single server, ReplacingMergeTree versions still collapse.
     */
    NON_REPLICATED_DEDUPLICATION,
    /**
     * {@code do_not_merge_across_partitions_select_final=1} on reads: {@code FINAL} collapses
     * versions within each partition only, and a filter on the partition column prunes partitions
     * under {@code FINAL} (without it, 26.7 reads every partition). Sound for runtrace's tables,
     * whose rows keep every version in one partition. 18.16 prunes under {@code FINAL} by itself.
     */
    FINAL_WITHIN_PARTITION
  }

  private final Set<Feature> features;

  private ClickHouseDialect(Set<Feature> features) {
    this.features = features.isEmpty() ? EnumSet.noneOf(Feature.class) : EnumSet.copyOf(features);
  }

  /** The dialect of a server release: every feature from 22.3, none before. */
  public static ClickHouseDialect of(ClickHouseVersion version) {
    return version.compareTo(FIRST_MODERN) >= 0 ? new ClickHouseDialect(EnumSet.allOf(Feature.class))
        : legacy();
  }

  /** The 18.16 path: no feature. Any server runs it. */
  public static ClickHouseDialect legacy() {
    return new ClickHouseDialect(EnumSet.noneOf(Feature.class));
  }

  /** This dialect without some features, for benchmarks that weigh each one on the same server. */
  public ClickHouseDialect without(Feature... dropped) {
    Set<Feature> kept = EnumSet.noneOf(Feature.class);
    kept.addAll(features);
    kept.removeAll(Set.of(dropped));
    return new ClickHouseDialect(kept);
  }

  public boolean has(Feature feature) {
    return features.contains(feature);
  }

  /** {@code LowCardinality(type)} where it exists, else {@code type}. */
  public String lowCardinality(String type) {
    return has(Feature.LOW_CARDINALITY) ? "LowCardinality(" + type + ")" : type;
  }

  /** {@code CODEC(codecs)} where codecs exist, else nothing. */
  public String codec(String codecs) {
    return has(Feature.CODECS) ? "CODEC(" + codecs + ")" : "";
  }

  /** Settings every read sends (as URL parameters) on a server with this dialect. */
  public Map<String, String> readSettings() {
    return has(Feature.FINAL_WITHIN_PARTITION) ? Map.of("do_not_merge_across_partitions_select_final", "1")
        : Map.of();
  }

  @Override
  public String toString() {
    return features.isEmpty() ? "18.16 path" : "features " + features;
  }
}
