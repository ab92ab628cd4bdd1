package io.runtrace.query.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.runtrace.clickhouse.ClickHouseDatabase;
import java.text.MessageFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Routing over fake readers that fail with the real client's exceptions. */
class ReaderRouterTest {
  private static RuntimeException unavailable;
  private static RuntimeException refused;
  private static RuntimeException syntaxError;

  private final FakeReader a = new FakeReader("http://reader-a:8123");
  private final FakeReader b = new FakeReader("http://reader-b:8123");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private ReaderRouter router;

  @BeforeAll
  static void realFailures() {
    try (ClickHouseDatabase dead = FakeClickHouse.client(FakeClickHouse.deadUrl());
        FakeClickHouse wrongPassword = FakeClickHouse.answering(500, 193, "Wrong password for user reader");
        ClickHouseDatabase refusing = wrongPassword.client();
        FakeClickHouse badSql = FakeClickHouse.answering(500, 62, "Syntax error");
        ClickHouseDatabase syntax = badSql.client()) {
      unavailable = FakeClickHouse.failureOf(dead);
      refused = FakeClickHouse.failureOf(refusing);
      syntaxError = FakeClickHouse.failureOf(syntax);
    }
  }

  @AfterEach
  void close() {
    if (router != null) router.close();
  }

  private ReaderRouter router(Duration maxDelay) {
    router = ReaderRouter.builder().readers(List.of(a, b)).maxReplicaDelay(maxDelay).meterRegistry(registry).build();
    return router;
  }

  private String read() {
    return router.read(r -> {
      String servedBy = r.query("SELECT 1").get(0).get("served_by").asText();
      assertThat(r.name()).isEqualTo(servedBy);
      return servedBy;
    });
  }

  private List<String> reads(int n) {
    List<String> servedBy = new ArrayList<>();
    for (int i = 0; i < n; i++) servedBy.add(read());
    return servedBy;
  }

  @Test
  void healthyReadersShareTheReads() {
    router(Duration.ofSeconds(30));

    assertThat(reads(20)).filteredOn(a.name()::equals).hasSize(10);
    assertThat(b.reads).hasValue(10);
  }

  @Test
  void aReadGoesToTheReaderWithFewerInFlight() throws Exception {
    router(Duration.ofSeconds(30));
    CountDownLatch release = new CountDownLatch(1);
    a.hold = release;
    b.hold = release;
    CompletableFuture<String> first = CompletableFuture.supplyAsync(this::read);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (a.reads.get() + b.reads.get() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
    FakeReader busy = a.reads.get() == 1 ? a : b;
    FakeReader idle = busy == a ? b : a;
    busy.hold = null;
    idle.hold = null;

    assertThat(reads(5)).containsOnly(idle.name());
    release.countDown();
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(busy.name());
  }

  @Test
  void aLaggingReaderIsSkippedWhileAFresherOneIsUp() {
    router(Duration.ofSeconds(30));
    a.delay = 120;
    b.delay = 3;
    router.health();

    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 6; i++) delays.add(router.read(r -> r.delaySeconds().getAsLong()));
    assertThat(reads(6)).containsOnly(b.name());
    assertThat(delays).containsOnly(3L);

    b.delay = 500;
    router.health();
    assertThat(reads(6)).as("all lag: the freshest serves").containsOnly(a.name());
    assertThat(registry.get("runtrace.query.reader.delay").tag("reader", b.name()).gauge().value()).isEqualTo(500.0);
  }

  @Test
  void aReaderThatDiesIsFailedOverAtOnceAndSkippedUntilItIsBack() {
    router(Duration.ofSeconds(30));
    a.failure = unavailable;

    assertThat(reads(10)).containsOnly(b.name());
    assertThat(a.reads).as("marked down after its first failure").hasValue(1);
    assertThat(registry.get("runtrace.query.reader.failovers").tag("reader", a.name()).counter().count()).isEqualTo(1.0);
    assertThat(registry.get("runtrace.query.reader.failovers").tag("reader", b.name()).counter().count()).isZero();
    assertThat(registry.get("runtrace.query.reader.up").tag("reader", a.name()).gauge().value()).isZero();
    ReaderHealth health = router.health();
    assertThat(health.ok()).isTrue();
    assertThat(health.readers().get(0).up()).isFalse();
    assertThat(health.readers().get(0).reason()).isNotBlank();
    assertThat(health.readers().get(1).up()).isTrue();

    a.failure = null;
    assertThat(router.health().readers().get(0).up()).isTrue();
    assertThat(reads(10)).contains(a.name(), b.name());
  }

  @Test
  void aQueryErrorIsNotTriedOnAnotherReader() {
    router(Duration.ofSeconds(30));
    a.failure = syntaxError;
    b.failure = syntaxError;

    assertThatThrownBy(this::read).isSameAs(syntaxError);
    assertThat(a.reads.get() + b.reads.get()).isEqualTo(1);
    assertThat(registry.find("runtrace.query.reader.up").gauges()).extracting(g -> g.value()).containsOnly(1.0);
  }

  @Test
  void aReaderThatRefusesTheCredentialIsDownCountedAndSaysWhy() {
    router(Duration.ofSeconds(30));
    assertThat(authFailures()).as("registered at zero").isZero();
    a.failure = refused;
    List<String> logged = new CopyOnWriteArrayList<>();
    Logger log = Logger.getLogger(ReaderState.class.getName());
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        logged.add(record.getLevel() + " " + MessageFormat.format(record.getMessage(), record.getParameters()));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    log.addHandler(capture);
    ReaderHealth health;
    try {
      health = router.health();
      router.health();
    } finally {
      log.removeHandler(capture);
    }
    assertThat(logged).as("once, not at every check").containsExactly("SEVERE ClickHouse reader http://reader-a:8123"
        + " refused user reader (ClickHouse code 193); it is skipped until it accepts the credential");

    assertThat(health.ok()).isTrue();
    assertThat(health.readers().get(0).reason()).isEqualTo("refused user reader");
    assertThat(authFailures()).as("every refusal counts").isEqualTo(2.0);
    assertThat(reads(4)).containsOnly(b.name());

    b.failure = refused;
    health = router.health();
    assertThat(health.ok()).isFalse();
    assertThat(health.reason())
        .isEqualTo("no ClickHouse reader is up; http://reader-a:8123: refused user reader; http://reader-b:8123: refused user reader");
  }

  @Test
  void withNoReaderUpOneIsTriedOnceAndTheFailurePassesThrough() {
    router(Duration.ofSeconds(30));
    a.failure = unavailable;
    b.failure = unavailable;
    ReaderHealth health = router.health();
    assertThat(health.ok()).isFalse();
    assertThat(health.reason()).startsWith("no ClickHouse reader is up; http://reader-a:8123: ").contains("http://reader-b:8123: ");

    assertThatThrownBy(this::read).isSameAs(unavailable);
    assertThat(a.reads.get() + b.reads.get()).isEqualTo(1);
  }

  @Test
  void backgroundChecksSeeAReaderComeBack() throws Exception {
    a.pingOk = false;
    router = ReaderRouter.builder().readers(List.of(a, b)).checkInterval(Duration.ofMillis(100))
        .meterRegistry(registry).build().start();
    assertThat(router.health().readers().get(0).reason()).isEqualTo("does not answer a ping");

    a.pingOk = true;
    a.delay = 7;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!router.health().readers().get(0).up() && System.nanoTime() < deadline) Thread.sleep(20);
    assertThat(router.health().readers().get(0).up()).isTrue();
    assertThat(router.health().readers().get(0).delaySeconds()).hasValue(7);
  }

  @Test
  void settingsAreChecked() {
    assertThatThrownBy(() -> ReaderRouter.builder().build()).hasMessageContaining("readers are required");
    assertThatThrownBy(() -> ReaderRouter.builder().readers(List.of())).hasMessage("readers must list 1..16 ClickHouse readers, was 0");
    assertThatThrownBy(() -> ReaderRouter.builder().readers(List.of(a, new FakeReader(a.name()))))
        .hasMessage("readers lists http://reader-a:8123 twice");
    assertThatThrownBy(() -> ReaderRouter.builder().readers(List.of(a, new FakeReader("http://reader-c:8123", "other"))))
        .hasMessage("readers must all read one database, but http://reader-c:8123 reads other and http://reader-a:8123 reads runtrace");
    assertThatThrownBy(() -> ReaderRouter.builder().checkInterval(Duration.ofMillis(99)))
        .hasMessage("readerCheckInterval must be 100 ms..1 h, was PT0.099S");
    assertThatThrownBy(() -> ReaderRouter.builder().maxReplicaDelay(Duration.ofSeconds(-1)))
        .hasMessage("maxReplicaDelay must be 0 s..1 day, was PT-1S");
  }

  private double authFailures() {
    return registry.get("runtrace.auth.failures").tag("component", "query-api").tag("credential", "clickhouse")
        .counter().count();
  }
}
