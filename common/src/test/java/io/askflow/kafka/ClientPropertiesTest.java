package io.askflow.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askflow.config.Config;
import io.askflow.config.ConfigException;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

/** ASKFLOW_KAFKA_* variables reach every kind of client, and cannot undo what askflow's guarantees rest on. */
class ClientPropertiesTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"svc\" password=\"s3cret-jaas\";";

    private static Config env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("ASKFLOW_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"));
        env.putAll(extra);
        return Config.of(env);
    }

    @Test
    void tlsAndSaslPropertiesReachProducersConsumersAndAdminClients() {
        Config config = env(Map.of(
                "ASKFLOW_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "ASKFLOW_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "ASKFLOW_KAFKA_SASL_JAAS_CONFIG", JAAS,
                "ASKFLOW_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/askflow/truststore.p12",
                "ASKFLOW_KAFKA_SSL_TRUSTSTORE_PASSWORD", "s3cret-store",
                "ASKFLOW_KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", "https"));
        for (ClientProperties.Kind kind : ClientProperties.Kind.values()) {
            Map<String, Object> props = KafkaClients.passThrough(config, Map.of("bootstrap.servers", "127.0.0.1:1"), kind);
            assertThat(props).as("%s", kind)
                    .containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("sasl.jaas.config", JAAS)
                    .containsEntry("ssl.truststore.location", "/etc/askflow/truststore.p12")
                    .containsEntry("ssl.truststore.password", "s3cret-store")
                    .containsEntry("ssl.endpoint.identification.algorithm", "https")
                    .containsEntry("bootstrap.servers", "127.0.0.1:1");
        }
    }

    @Test
    void aPropertyReachesOnlyTheClientsThatKnowIt() {
        Config config = env(Map.of("ASKFLOW_KAFKA_FETCH_MIN_BYTES", "1024", "ASKFLOW_KAFKA_LINGER_MS", "5"));
        assertThat(ClientProperties.of(config, ClientProperties.Kind.CONSUMER)).containsOnly(Map.entry("fetch.min.bytes", "1024"));
        assertThat(ClientProperties.of(config, ClientProperties.Kind.PRODUCER)).containsOnly(Map.entry("linger.ms", "5"));
        assertThat(ClientProperties.of(config, ClientProperties.Kind.ADMIN)).isEmpty();
    }

    @Test
    void aTuningValueAskflowSetsMayBeOverridden() {
        Map<String, Object> props = KafkaClients.passThrough(env(Map.of("ASKFLOW_KAFKA_MAX_POLL_RECORDS", "50")),
                Map.of("max.poll.records", 500), ClientProperties.Kind.CONSUMER);
        assertThat(props).containsEntry("max.poll.records", "50");
    }

    @Test
    void keysAskflowManagesCannotBePassedThrough() {
        for (String variable : new String[] {"ASKFLOW_KAFKA_ISOLATION_LEVEL", "ASKFLOW_KAFKA_ENABLE_AUTO_COMMIT",
                "ASKFLOW_KAFKA_TRANSACTIONAL_ID", "ASKFLOW_KAFKA_GROUP_ID", "ASKFLOW_KAFKA_ACKS", "ASKFLOW_KAFKA_CLIENT_ID"}) {
            assertThatThrownBy(() -> ClientProperties.of(env(Map.of(variable, "x")), ClientProperties.Kind.CONSUMER))
                    .isInstanceOf(ConfigException.class).hasMessageContaining(variable).hasMessageContaining("askflow sets itself");
        }
    }

    @Test
    void aVariableNamingNoClientPropertyStopsTheClientWithoutShowingItsValue() {
        // A typo in a security setting must not leave a client silently unauthenticated.
        Config typo = env(Map.of("ASKFLOW_KAFKA_SASL_JAAS_CONFIGS", JAAS));
        assertThatThrownBy(() -> KafkaClients.producer(typo, "typo"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ASKFLOW_KAFKA_SASL_JAAS_CONFIGS").hasMessageContaining("sasl.jaas.configs")
                .hasMessageNotContaining("s3cret-jaas");
    }

    @Test
    void theRealClientsReceiveTheTlsProperties() {
        Config tls = env(Map.of("ASKFLOW_KAFKA_SECURITY_PROTOCOL", "SSL",
                "ASKFLOW_KAFKA_SSL_TRUSTSTORE_LOCATION", "/nonexistent/askflow-truststore.jks"));
        // The clients load the trust store when they are built: a missing one proves they were told to use it.
        assertThatThrownBy(() -> KafkaClients.producer(tls, "tls").close()).isInstanceOf(KafkaException.class)
                .rootCause().hasMessageContaining("askflow-truststore.jks");
        assertThatThrownBy(() -> KafkaClients.reader(tls, "tls").close()).isInstanceOf(KafkaException.class)
                .rootCause().hasMessageContaining("askflow-truststore.jks");
        assertThatThrownBy(() -> KafkaClients.admin(tls, "tls").close()).isInstanceOf(KafkaException.class)
                .rootCause().hasMessageContaining("askflow-truststore.jks");
    }

    @Test
    void describeShowsPassedThroughPropertiesButNeverTheirSecrets() {
        String described = env(Map.of("ASKFLOW_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "ASKFLOW_KAFKA_SASL_JAAS_CONFIG", JAAS,
                "ASKFLOW_KAFKA_SSL_KEY_PASSWORD", "s3cret-key",
                "ASKFLOW_KAFKA_SASL_JAAS_CONFIGS", "s3cret-typo")).describe();
        assertThat(described).contains("ASKFLOW_KAFKA_SECURITY_PROTOCOL=SASL_SSL")
                .contains("ASKFLOW_KAFKA_SASL_JAAS_CONFIG=<set>").contains("ASKFLOW_KAFKA_SSL_KEY_PASSWORD=<set>")
                .doesNotContain("s3cret");
    }
}
