package io.runtrace.localstack;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Starts a {@link LocalStack} from {@code runtrace.stack.*} system properties, prints its
 * addresses and runs until Ctrl-C. See the module README for the properties.
 */
final class LocalStackMain {
  private LocalStackMain() {}

  public static void main(String[] args) throws InterruptedException {
    LocalStack.Builder builder = LocalStack.builder()
        .brokers(intProperty("runtrace.stack.brokers", 1))
        .kafkaPort(intProperty("runtrace.stack.kafkaPort", 0))
        .zookeeperPort(intProperty("runtrace.stack.zookeeperPort", 0))
        .clickHouseWriterHttpPort(intProperty("runtrace.stack.clickHouseWriterHttpPort", 0))
        .clickHouseReaderHttpPort(intProperty("runtrace.stack.clickHouseReaderHttpPort", 0))
        .chDbHttpPort(intProperty("runtrace.stack.chDbHttpPort", 0))
        .clickHouseEngines(ClickHouseEngine.parseList(System.getProperty("runtrace.stack.clickHouseEngines", "18.16"),
            "runtrace.stack.clickHouseEngines"))
        .startTimeout(Duration.ofSeconds(intProperty("runtrace.stack.startTimeoutSeconds", 90)))
        .keepData(Boolean.getBoolean("runtrace.stack.keepData"));
    String workDir = System.getProperty("runtrace.stack.workDir");
    if (workDir != null) {
      builder.workDir(Path.of(workDir));
    }
    String binary = System.getProperty("runtrace.stack.clickHouseServerBinary");
    if (binary != null) {
      builder.clickHouseServerBinary(binary);
    }
    String library = System.getProperty("runtrace.stack.chDbLibrary");
    if (library != null) {
      builder.chDbLibrary(Path.of(library));
    }
    long begin = System.nanoTime();
    LocalStack stack = builder.build().start();
    System.out.printf("runtrace local stack started in %.1f s (work dir %s)%n",
        (System.nanoTime() - begin) / 1e9, stack.workDir());
    System.out.println("kafka.bootstrap.servers = " + stack.kafkaBootstrapServers());
    System.out.println("kafka.sasl.bootstrap.servers = " + stack.kafkaSaslBootstrapServers() + " (SASL_PLAINTEXT, "
        + StackCredentials.KAFKA_SASL_MECHANISM + " " + StackCredentials.KAFKA_SASL_USER + ")");
    if (stack.clickHouseEngines().contains(ClickHouseEngine.V18_16)) {
      System.out.println("zookeeper.connect       = " + stack.zookeeperConnect());
    }
    for (ClickHouseEngine engine : stack.clickHouseEngines()) {
      ClickHouseDeployment ch = stack.clickHouse(engine);
      System.out.println("clickhouse." + engine.label() + ".writer.url = " + ch.writerUrl());
      System.out.println("clickhouse." + engine.label() + ".reader.url = " + ch.readerUrl());
    }
    System.out.println("Press Ctrl-C to stop.");
    // LocalStack's own shutdown hook stops the servers on Ctrl-C.
    Thread.currentThread().join();
  }

  private static int intProperty(String name, int defaultValue) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, was " + value, e);
    }
  }
}
