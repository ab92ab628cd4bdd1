package io.runtrace.localstack;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one {@link LocalStack} per test JVM in {@code target/it-stack}, stops it when the test
 * run ends, and injects it into constructors, {@code @BeforeAll} and test methods.
 * Brokers: system property {@code runtrace.it.brokers} or env {@code RUNTRACE_IT_BROKERS}, default 1.
 * ClickHouse engines: system property {@code runtrace.clickhouse} or env
 * {@code RUNTRACE_IT_CLICKHOUSE}, {@code 18.16}, {@code 26.7} or both comma-separated; default both.
 * {@link ForEachClickHouseEngine} runs a test class once per engine.
 */
public final class LocalStackExtension implements BeforeAllCallback, ParameterResolver {
  static final String ENGINES_PROPERTY = "runtrace.clickhouse";
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LocalStackExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    stack(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalStack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return stack(context);
  }

  static LocalStack stack(ExtensionContext context) {
    StartedStack started = context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(StartedStack.class, k -> new StartedStack(), StartedStack.class);
    if (started.failure != null) {
      // Remembered so that every further test class fails at once instead of waiting again.
      throw new IllegalStateException("the local stack failed to start", started.failure);
    }
    return started.stack;
  }

  static int brokers() {
    String value = System.getProperty("runtrace.it.brokers", System.getenv("RUNTRACE_IT_BROKERS"));
    try {
      return value == null || value.isBlank() ? 1 : Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("runtrace.it.brokers must be an integer, was " + value, e);
    }
  }

  /** The engines integration tests run on; both unless narrowed by {@value #ENGINES_PROPERTY}. */
  static List<ClickHouseEngine> engines() {
    String value = System.getProperty(ENGINES_PROPERTY, System.getenv("RUNTRACE_IT_CLICKHOUSE"));
    return value == null || value.isBlank() ? List.of(ClickHouseEngine.values())
        : ClickHouseEngine.parseList(value, ENGINES_PROPERTY);
  }

  // CloseableResource for JUnit before 5.13; AutoCloseable for 5.13+, which warns about the former alone.
  @SuppressWarnings("deprecation")
  private static final class StartedStack
      implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    private LocalStack stack;
    private RuntimeException failure;

    StartedStack() {
      try {
        stack = LocalStack.builder()
            .workDir(Path.of(System.getProperty("user.dir"), "target", "it-stack"))
            .brokers(brokers())
            .clickHouseEngines(engines())
            .build()
            .start();
      } catch (RuntimeException e) {
        failure = e;
      }
    }

    @Override
    public void close() {
      if (stack != null) {
        stack.close();
      }
    }
  }
}
