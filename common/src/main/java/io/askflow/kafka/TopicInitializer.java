package io.askflow.kafka;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.service.Startup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the catalogue's topics that do not exist yet. Every service calls it at start-up, so
 * whichever starts first creates them and a fresh cluster needs no separate set-up step. A start
 * killed half-way leaves some topics created: the next start creates the rest.
 */
public final class TopicInitializer {
    private static final Logger LOG = LoggerFactory.getLogger(TopicInitializer.class);

    private TopicInitializer() {
    }

    /** Waits for the broker while it is down or restarting, up to {@code ASKFLOW_STARTUP_TIMEOUT}. */
    public static void ensureTopics(Config config) {
        Startup.retrying("Creating askflow topics at " + config.get(Settings.KAFKA_BOOTSTRAP_SERVERS),
                config.get(Settings.STARTUP_TIMEOUT), () -> {
                    createMissing(config);
                    return null;
                });
    }

    private static void createMissing(Config config) throws Exception {
        try (Admin admin = KafkaClients.admin(config, "askflow-topic-initializer")) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = Topics.all().stream()
                    .filter(t -> !existing.contains(t.name()))
                    .map(t -> new NewTopic(t.name(), config.get(Settings.TOPIC_PARTITIONS),
                            config.get(Settings.TOPIC_REPLICATION_FACTOR).shortValue()).configs(t.configs()))
                    .toList();
            if (missing.isEmpty()) {
                return;
            }
            List<String> created = new ArrayList<>();
            for (Map.Entry<String, KafkaFuture<Void>> result : admin.createTopics(missing).values().entrySet()) {
                try {
                    result.getValue().get(30, TimeUnit.SECONDS);
                    created.add(result.getKey());
                } catch (ExecutionException e) {
                    // Created by another service, or by a start killed after its request reached the
                    // controller but before the listing saw it: that is the goal. Judged per topic,
                    // so that such a topic cannot hide another topic's real failure.
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            if (!created.isEmpty()) {
                LOG.info("Created topics {}", created);
            }
        }
    }
}
