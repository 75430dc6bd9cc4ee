package io.askflow.kafka;

import io.askflow.config.Config;
import io.askflow.config.ConfigException;
import io.askflow.config.SettingPattern;
import io.askflow.config.Settings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The Kafka client properties passed through from {@code ASKFLOW_KAFKA_<PROPERTY>} variables
 * ({@link Settings#KAFKA_CLIENT_PROPERTIES}): TLS, SASL and any other client property. Each kind of
 * client gets the properties its own configuration knows, so a consumer-only property does not make
 * every producer warn. A variable naming no Kafka client property, or one of the {@link #MANAGED}
 * keys, stops the client from being built: a typo in a security setting must not leave a client
 * silently unauthenticated, and the managed keys carry askflow's delivery guarantees.
 */
public final class ClientProperties {

    /** The kinds of client askflow builds, each with the properties Kafka's own configuration defines for it. */
    public enum Kind {
        PRODUCER(ProducerConfig.configDef()),
        CONSUMER(ConsumerConfig.configDef()),
        ADMIN(AdminClientConfig.configDef());

        private final ConfigDef definition;

        Kind(ConfigDef definition) {
            this.definition = definition;
        }

        boolean knows(String key) {
            return definition.names().contains(key);
        }

        boolean isPassword(String key) {
            ConfigDef.ConfigKey k = definition.configKeys().get(key);
            return k != null && k.type == ConfigDef.Type.PASSWORD;
        }
    }

    /**
     * Keys askflow sets itself and that cannot be passed through: where to connect (its own setting),
     * the identities of clients, groups and transactions, and what exactly-once delivery rests on.
     * Tuning values askflow also sets (linger.ms, compression.type, delivery.timeout.ms,
     * transaction.timeout.ms, max.poll.records, fetch.max.wait.ms, session.timeout.ms) may be overridden.
     */
    public static final Set<String> MANAGED = Set.of(
            CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
            CommonClientConfigs.CLIENT_ID_CONFIG,
            ConsumerConfig.GROUP_ID_CONFIG,
            ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            ProducerConfig.ACKS_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);

    private ClientProperties() {
    }

    /** Whether {@code key} may be passed through: some client knows it and askflow does not manage it. */
    public static boolean passable(String key) {
        return !MANAGED.contains(key) && List.of(Kind.values()).stream().anyMatch(k -> k.knows(key));
    }

    /** Whether a value of {@code key} must never be rendered: Kafka types it as a password, or it is no known property. */
    public static boolean secret(String key) {
        return !passable(key) || List.of(Kind.values()).stream().anyMatch(k -> k.isPassword(key));
    }

    /**
     * The passed-through properties for one kind of client.
     *
     * @throws ConfigException naming the variable (never its value) when a variable is not {@link #passable}
     */
    public static Map<String, Object> of(Config config, Kind kind) {
        SettingPattern pattern = Settings.KAFKA_CLIENT_PROPERTIES;
        Map<String, Object> properties = new HashMap<>();
        config.matching(pattern).forEach((variable, value) -> {
            String key = pattern.key(variable);
            if (MANAGED.contains(key)) {
                throw new ConfigException(variable + " would set " + key + ", which askflow sets itself; remove it");
            }
            if (!passable(key)) {
                throw new ConfigException(variable + " names " + key + ", which is not a Kafka client property");
            }
            if (kind.knows(key)) {
                properties.put(key, value);
            }
        });
        return properties;
    }
}
