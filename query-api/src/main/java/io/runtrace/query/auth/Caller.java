package io.runtrace.query.auth;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Who sent a request: the tenant and environments of its API key. {@link #anyTenant()} is the
 * caller of a service started with {@code allowUnauthenticated(true)}, which may name any tenant.
 */
public final class Caller {
  /** The name fair-share limits and their metric use for requests without a key. */
  public static final String UNAUTHENTICATED = "unauthenticated";
  private static final Caller ANY = new Caller(null, null, List.of());

  private final String keyId;
  private final String tenant;
  private final List<String> environments;

  private Caller(String keyId, String tenant, Collection<String> environments) {
    this.keyId = keyId;
    this.tenant = tenant;
    this.environments = List.copyOf(new TreeSet<>(environments));
  }

  static Caller of(ApiKey key) {
    return new Caller(key.id(), key.tenant(), key.environments());
  }

  /** A caller bound to one tenant, for tests and tools that call the API in process. */
  public static Caller ofTenant(String tenant, Collection<String> environments) {
    return new Caller("in-process", tenant, environments);
  }

  /** The caller of an unauthenticated service: no tenant of its own, every environment. */
  public static Caller anyTenant() {
    return ANY;
  }

  /** The key's tenant; empty only for {@link #anyTenant()}. */
  public Optional<String> tenant() {
    return Optional.ofNullable(tenant);
  }

  /** The environments the key may read, sorted; empty means all of its tenant's. */
  public List<String> environments() {
    return environments;
  }

  /** The key's id, for logs; never the key. Empty for {@link #anyTenant()}. */
  public Optional<String> keyId() {
    return Optional.ofNullable(keyId);
  }

  /** The name that fair-share limits count this caller under: its tenant. */
  public String limitKey() {
    return tenant == null ? UNAUTHENTICATED : tenant;
  }
}
