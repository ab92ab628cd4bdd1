package io.runtrace.query.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TenantLimitsTest {
  private static final long S = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong(1000 * S);
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Caller acme = Caller.ofTenant("acme", List.of());
  private final Caller globex = Caller.ofTenant("globex", List.of());

  @Test
  void overTheRateIsRefusedWithTheSecondsUntilATokenAndOtherTenantsAreNotAffected() {
    TenantLimits limits = new TenantLimits(4, 2, 3, now::get, registry);
    for (int i = 0; i < 3; i++) limits.acquire(acme).close();

    assertThatThrownBy(() -> limits.acquire(acme)).isInstanceOfSatisfying(Throttled.class, t -> {
      assertThat(t.reason()).isEqualTo("rate");
      assertThat(t.retryAfterSeconds()).isEqualTo(1);
      assertThat(t.getMessage()).isEqualTo("tenant acme is over its 2 requests per second (burst 3)");
    });
    limits.acquire(globex).close();
    now.addAndGet(S / 2);
    limits.acquire(acme).close();
    assertThat(registry.scrape()).contains("runtrace_query_http_throttled_total{reason=\"rate\",tenant=\"acme\"} 1.0");
  }

  @Test
  void retryAfterRoundsTheBucketsWaitUpToWholeSeconds() {
    TenantLimits limits = new TenantLimits(4, 0.25, 1, now::get, registry);
    limits.acquire(acme).close();

    assertThatThrownBy(() -> limits.acquire(acme))
        .isInstanceOfSatisfying(Throttled.class, t -> assertThat(t.retryAfterSeconds()).isEqualTo(4));
    now.addAndGet(S + 1);
    assertThatThrownBy(() -> limits.acquire(acme))
        .isInstanceOfSatisfying(Throttled.class, t -> assertThat(t.retryAfterSeconds()).isEqualTo(3));
  }

  @Test
  void moreInFlightThanTheLimitIsRefusedAtOnceWithoutTakingATokenAndASlotIsFreedOnClose() {
    TenantLimits limits = new TenantLimits(2, 1000, 3, now::get, registry);
    List<TenantLimits.Permit> held = new ArrayList<>();
    held.add(limits.acquire(acme));
    held.add(limits.acquire(acme));

    assertThatThrownBy(() -> limits.acquire(acme)).isInstanceOfSatisfying(Throttled.class, t -> {
      assertThat(t.reason()).isEqualTo("concurrency");
      assertThat(t.retryAfterSeconds()).isEqualTo(1);
    });
    assertThat(limits.inFlight("acme")).isEqualTo(2);
    limits.acquire(globex).close();
    held.get(0).close();
    held.get(0).close(); // twice frees once
    assertThat(limits.inFlight("acme")).isEqualTo(1);
    // The refused request took no token: the third of the burst is still there.
    limits.acquire(acme).close();
    assertThat(registry.scrape()).contains("runtrace_query_http_throttled_total{reason=\"concurrency\",tenant=\"acme\"} 1.0");
  }

  @Test
  void callersWithoutAKeyShareOneLimit() {
    TenantLimits limits = new TenantLimits(1, 1000, 1000, now::get, registry);
    TenantLimits.Permit first = limits.acquire(Caller.anyTenant());

    assertThatThrownBy(() -> limits.acquire(Caller.anyTenant())).isInstanceOf(Throttled.class);
    first.close();
    assertThat(registry.scrape()).contains("tenant=\"unauthenticated\"");
  }

  @Test
  void settingsAreChecked() {
    assertThatThrownBy(() -> new TenantLimits(0, 1, 1, now::get, registry)).hasMessageStartingWith("tenantMaxInFlight");
    assertThatThrownBy(() -> new TenantLimits(1, 0, 1, now::get, registry)).hasMessageStartingWith("tenantRatePerSecond");
    assertThatThrownBy(() -> new TenantLimits(1, 1, 0, now::get, registry)).hasMessageStartingWith("tenantBurst");
  }
}
