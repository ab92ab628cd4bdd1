package io.runtrace.query.jaeger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JaegerApiTest {
  @Test
  void routesAreTemplates() {
    assertThat(JaegerApi.route("/api/services")).isEqualTo("/api/services");
    assertThat(JaegerApi.route("/api/operations")).isEqualTo("/api/operations");
    assertThat(JaegerApi.route("/api/traces")).isEqualTo("/api/traces");
    assertThat(JaegerApi.route("/api/traces/4bf92f35")).isEqualTo("/api/traces/{traceId}");
    assertThat(JaegerApi.route("/api/services/executor/operations")).isEqualTo("/api/services/{service}/operations");
    assertThat(JaegerApi.route("/api/services/a%2Fb/operations")).isEqualTo("/api/services/{service}/operations");
    assertThat(JaegerApi.route("/api/services//operations")).isNull();
    assertThat(JaegerApi.route("/api/traces/a/b")).isNull();
    assertThat(JaegerApi.route("/api/dependencies")).isNull();
  }

  @Test
  void traceIdsAreHexPaddedToThirtyTwoDigits() {
    assertThat(JaegerApi.traceId("4BF92F3577B34DA6A3CE929D0E0E4736")).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(JaegerApi.traceId("a3ce929d0e0e4736")).isEqualTo("0000000000000000a3ce929d0e0e4736");
    for (String bad : new String[] {"", "xyz", "4bf92f3577b34da6a3ce929d0e0e47360", "' OR 1=1"}) {
      assertThatThrownBy(() -> JaegerApi.traceId(bad)).as(bad)
          .isInstanceOfSatisfying(JaegerException.class, e -> assertThat(e.status()).isEqualTo(400))
          .hasMessageStartingWith("unable to parse param 'traceID'");
    }
  }

  @Test
  void errorsAreJaegersShape() throws Exception {
    assertThat(JaegerApi.errorBody(404, "trace not found")).isEqualTo(new ObjectMapper().readTree(
        "{\"data\":null,\"total\":0,\"limit\":0,\"offset\":0,\"errors\":[{\"code\":404,\"msg\":\"trace not found\"}]}"));
  }
}
