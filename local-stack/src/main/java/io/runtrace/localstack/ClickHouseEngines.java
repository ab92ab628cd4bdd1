package io.runtrace.localstack;

import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.ArgumentsProvider;
import org.junit.jupiter.params.support.ParameterDeclarations;

/** The engines of {@link ForEachClickHouseEngine}: both, unless {@code -Druntrace.clickhouse} narrows them. */
final class ClickHouseEngines implements ArgumentsProvider {
  @Override
  public Stream<? extends Arguments> provideArguments(ParameterDeclarations parameters, ExtensionContext context) {
    return LocalStackExtension.engines().stream().map(Arguments::of);
  }
}
