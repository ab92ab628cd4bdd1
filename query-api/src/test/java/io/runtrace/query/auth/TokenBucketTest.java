package io.runtrace.query.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static final long S = 1_000_000_000L;

  @Test
  void aFullBucketServesItsBurstThenOnePerRefill() {
    TokenBucket bucket = new TokenBucket(20, 40, 0);

    for (int i = 0; i < 40; i++) assertThat(bucket.tryTake(0)).as("token " + i).isZero();
    assertThat(bucket.tryTake(0)).as("the wait for the next token: 1/20 s").isEqualTo(S / 20);
    assertThat(bucket.tryTake(S / 40)).isEqualTo(S / 40);
    assertThat(bucket.tryTake(S / 20)).isZero();
    assertThat(bucket.tryTake(S / 20)).isEqualTo(S / 20);
  }

  @Test
  void refillStopsAtTheBurst() {
    TokenBucket bucket = new TokenBucket(10, 5, 0);
    for (int i = 0; i < 5; i++) bucket.tryTake(0);

    long later = 3600 * S;
    for (int i = 0; i < 5; i++) assertThat(bucket.tryTake(later)).isZero();
    assertThat(bucket.tryTake(later)).isEqualTo(S / 10);
  }

  @Test
  void aSlowRateAsksForALongWait() {
    TokenBucket bucket = new TokenBucket(0.5, 1, 0);

    assertThat(bucket.tryTake(0)).isZero();
    assertThat(bucket.tryTake(0)).isEqualTo(2 * S);
    assertThat(bucket.tryTake(S / 2)).isEqualTo(3 * S / 2);
  }

  @Test
  void aClockThatGoesBackDoesNotAddTokens() {
    TokenBucket bucket = new TokenBucket(1, 1, 10 * S);

    assertThat(bucket.tryTake(10 * S)).isZero();
    assertThat(bucket.tryTake(5 * S)).isEqualTo(S);
  }
}
