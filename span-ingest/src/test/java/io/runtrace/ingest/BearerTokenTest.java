package io.runtrace.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runtrace.ingest.BearerToken.Verdict;
import org.junit.jupiter.api.Test;

class BearerTokenTest {
  private final BearerToken token = BearerToken.of("s3cr3t-Token_~+/=", "bearerToken");

  @Test
  void acceptsOnlyTheConfiguredTokenWithTheBearerScheme() {
    assertThat(token.check("Bearer s3cr3t-Token_~+/=")).isEqualTo(Verdict.ACCEPTED);
    assertThat(token.check("bearer s3cr3t-Token_~+/=")).as("the scheme is case-insensitive").isEqualTo(Verdict.ACCEPTED);
    assertThat(token.check("Bearer s3cr3t-Token_~+/")).isEqualTo(Verdict.WRONG);
    assertThat(token.check("Bearer s3cr3t-Token_~+/==")).isEqualTo(Verdict.WRONG);
    assertThat(token.check("Bearer S3CR3T-TOKEN_~+/=")).isEqualTo(Verdict.WRONG);
  }

  @Test
  void aMissingHeaderAnotherSchemeOrAnEmptyTokenIsMissing() {
    assertThat(token.check(null)).isEqualTo(Verdict.MISSING);
    assertThat(token.check("")).isEqualTo(Verdict.MISSING);
    assertThat(token.check("Bearer")).isEqualTo(Verdict.MISSING);
    assertThat(token.check("Bearer   ")).isEqualTo(Verdict.MISSING);
    assertThat(token.check("Basic s3cr3t-Token_~+/=")).isEqualTo(Verdict.MISSING);
    assertThat(token.check("s3cr3t-Token_~+/=")).isEqualTo(Verdict.MISSING);
  }

  @Test
  void aBlankOrMalformedTokenFailsNamingTheSetting() {
    assertThatThrownBy(() -> BearerToken.of("", "bearerToken")).hasMessage("bearerToken must not be blank");
    assertThatThrownBy(() -> BearerToken.of("  ", "RUNTRACE_OTLP_BEARER_TOKEN")).hasMessage("RUNTRACE_OTLP_BEARER_TOKEN must not be blank");
    assertThatThrownBy(() -> BearerToken.of(null, "bearerToken")).hasMessageContaining("bearerToken");
    assertThatThrownBy(() -> BearerToken.of("two words", "bearerToken"))
        .hasMessageStartingWith("bearerToken must be visible ASCII without spaces").hasMessageContaining("a space at position 3");
    assertThatThrownBy(() -> BearerToken.of("tok\u00e9n", "bearerToken")).hasMessageContaining("U+00E9 at position 3");
    assertThatThrownBy(() -> BearerToken.of("token\n", "bearerToken")).hasMessageContaining("U+000A");
  }

  @Test
  void neverShowsTheToken() {
    assertThat(token.toString()).doesNotContain("s3cr3t");
  }
}
