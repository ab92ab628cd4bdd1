package io.runtrace.localstack;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ArgumentsSource;

/**
 * Runs the annotated test class once per ClickHouse engine of the shared local stack (both
 * unless {@code -Druntrace.clickhouse} narrows them), named {@code [1] ClickHouse 18.16} and
 * {@code [2] ClickHouse 26.7}. The class must declare the {@link ClickHouseEngine}, as its first
 * constructor parameter or an {@code @Parameter} field, even when only set-up uses it; per-engine
 * set-up goes in a {@code @BeforeParameterizedClassInvocation} method, which may take the engine
 * and the {@link LocalStack}. {@code stack.clickHouse(engine)} gives the servers.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedClass(name = "{0}")
@ArgumentsSource(ClickHouseEngines.class)
@ExtendWith(LocalStackExtension.class)
public @interface ForEachClickHouseEngine {}
