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
    long begin = System.nanoTime();
    LocalStack stack = builder.build().start();
    System.out.printf("runtrace local stack started in %.1f s (work dir %s)%n",
        (System.nanoTime() - begin) / 1e9, stack.workDir());
    System.out.println("kafka.bootstrap.servers = " + stack.kafkaBootstrapServers());
    System.out.println("zookeeper.connect       = " + stack.zookeeperConnect());
    System.out.println("clickhouse.writer.url   = " + stack.clickHouseWriterUrl());
    System.out.println("clickhouse.reader.url   = " + stack.clickHouseReaderUrl());
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
