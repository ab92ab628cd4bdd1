package io.runtrace.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPrometheusTest {
  @TempDir Path workDir;

  @Test
  void aMissingBinaryNamesTheDebianPackage() {
    LocalPrometheus prometheus = LocalPrometheus.builder().workDir(workDir).binary(workDir.resolve("prometheus").toString()).build();
    assertThatThrownBy(prometheus::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Prometheus not found at " + workDir.resolve("prometheus")
            + "; on Debian: apt-get update && apt-get install -y prometheus (or set LocalPrometheus.Builder.binary)");
  }

  @Test
  void rejectsBadSettingsNamingThem() {
    assertThatThrownBy(() -> LocalPrometheus.builder().scrapeJob("span-ingest", "127.0.0.1"))
        .hasMessage("scrapeJob span-ingest target must be host:port, was 127.0.0.1");
    assertThatThrownBy(() -> LocalPrometheus.builder().scrapeJob("span ingest", "127.0.0.1:1"))
        .hasMessage("scrapeJob name must be letters, digits, '_', '.' or '-', was span ingest");
    assertThatThrownBy(() -> LocalPrometheus.builder().scrapeJob("query-api", List.of()))
        .hasMessage("scrapeJob query-api needs at least one host:port target");
    assertThatThrownBy(() -> LocalPrometheus.builder().ruleFiles(List.of(workDir.resolve("missing.yaml"))))
        .hasMessage("ruleFiles: " + workDir.resolve("missing.yaml") + " is not a file");
    assertThatThrownBy(() -> LocalPrometheus.builder().scrapeInterval(Duration.ofMillis(10)))
        .hasMessage("scrapeInterval must be at least 100 ms, was PT0.01S");
    assertThatThrownBy(() -> LocalPrometheus.builder().retentionBytes(1000))
        .hasMessage("retentionBytes must be at least 1 MiB, was 1000");
    assertThatThrownBy(() -> LocalPrometheus.builder().retentionTime(Duration.ofSeconds(5)))
        .hasMessage("retentionTime must be at least 1 minute, was PT5S");
    assertThatThrownBy(() -> LocalPrometheus.builder().port(70_000))
        .hasMessage("port must be 0 (free port) or 1..65535, was 70000");
    assertThatThrownBy(() -> LocalPrometheus.builder().build().url())
        .hasMessage("LocalPrometheus is not started; call start() first");
  }

  @Test
  void theConfigScrapesEachJobsTargetsAtTheIntervalAndLoadsTheRuleFiles() {
    Map<String, List<String>> jobs = new LinkedHashMap<>();
    jobs.put("span-ingest", List.of("127.0.0.1:4318"));
    jobs.put("query-api", List.of("127.0.0.1:8080", "localhost:8081"));
    assertThat(PrometheusServer.config(Duration.ofSeconds(1), jobs, List.of(Path.of("/d/it's.yaml")))).isEqualTo("""
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
          scrape_timeout: 1s
        rule_files:
          - '/d/it''s.yaml'
        scrape_configs:
          - job_name: 'span-ingest'
            metrics_path: /metrics
            static_configs:
              - targets: ['127.0.0.1:4318']
          - job_name: 'query-api'
            metrics_path: /metrics
            static_configs:
              - targets: ['127.0.0.1:8080', 'localhost:8081']
        """);
    assertThat(PrometheusServer.config(Duration.ofSeconds(15), Map.of(), List.of()))
        .contains("scrape_interval: 15s", "scrape_timeout: 10s", "rule_files: []", "scrape_configs: []");
    assertThat(PrometheusServer.config(Duration.ofMillis(500), Map.of(), List.of()))
        .contains("scrape_interval: 500ms", "scrape_timeout: 500ms");
  }
}
