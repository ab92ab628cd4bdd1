package io.runtrace.schema;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Creates runtrace's topics if they are missing and sets their retention on topics that exist,
 * so running it again converges instead of failing.
 */
final class KafkaTopicCreator {
  private static final System.Logger LOG = System.getLogger(KafkaTopicCreator.class.getName());

  private final String bootstrapServers;
  private final short replicationFactor;
  private final long timeoutMs;

  KafkaTopicCreator(String bootstrapServers, short replicationFactor, long timeoutMs) {
    this.bootstrapServers = bootstrapServers;
    this.replicationFactor = replicationFactor;
    this.timeoutMs = timeoutMs;
  }

  /** Returns the names of the topics this call created. */
  List<String> ensure(Collection<TopicSpec> specs) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeoutMs, 30_000));
    try (Admin admin = Admin.create(props)) {
      Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      List<String> created = new ArrayList<>();
      for (TopicSpec spec : specs) {
        if (existing.contains(spec.name())) {
          alter(admin, spec);
        } else {
          missing.add(new NewTopic(spec.name(), spec.partitions(), replicationFactor).configs(spec.configs()));
          created.add(spec.name());
        }
      }
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing).all().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) throw e;
        }
        LOG.log(Level.INFO, "created topics {0}", created);
      }
      return created;
    } catch (ExecutionException e) {
      throw new IllegalStateException("creating Kafka topics on " + bootstrapServers + " failed: "
          + e.getCause().getMessage(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within " + timeoutMs
          + " ms (setting: kafka bootstrap servers)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating Kafka topics", e);
    }
  }

  private void alter(Admin admin, TopicSpec spec)
      throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
    List<AlterConfigOp> ops = new ArrayList<>();
    for (Map.Entry<String, String> e : spec.configs().entrySet()) {
      ops.add(new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET));
    }
    admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get(timeoutMs, TimeUnit.MILLISECONDS);
  }
}
