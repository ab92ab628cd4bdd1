package io.runtrace.query.auth;

import java.time.Instant;
import java.util.Set;

/**
 * One API key as the key file holds it: never the key itself, only its SHA-256. An empty
 * {@code environments} lets the key read every environment of its tenant.
 */
record ApiKey(String id, byte[] sha256, String tenant, Set<String> environments, Instant created) {
  ApiKey {
    environments = Set.copyOf(environments);
    sha256 = sha256.clone();
  }

  @Override
  public byte[] sha256() {
    return sha256.clone();
  }
}
