package io.askflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.db.Database;
import io.askflow.embedded.Infrastructure;
import io.askflow.kafka.KafkaClients;
import io.askflow.knowledge.TenantDirectory;
import io.askflow.message.ErrorCode;
import io.askflow.message.Json;
import io.askflow.telemetry.Tracing;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * {@code ASKFLOW_ANONYMOUS_TENANT=} (set, empty) requires keys, as the README says: the gateway's
 * HTTP API, on the real database and broker, answers a keyless call with 401, and a Kafka request
 * without tenantId is refused. (Its own HTTP API beside the shared pipeline's, whose anonymous
 * tenant the other tests need.)
 */
class KeysRequiredTest {
    @Test
    void anEmptyAnonymousTenantRequiresKeys() throws Exception {
        Infrastructure infra = Infrastructure.shared();
        Config config = Config.of(Map.of(
                Settings.KAFKA_BOOTSTRAP_SERVERS.name(), infra.kafka().bootstrapServers(),
                Settings.DATABASE_URL.name(), infra.postgres().jdbcUrl(),
                Settings.DATABASE_USER.name(), infra.postgres().user(),
                Settings.DATABASE_PASSWORD.name(), infra.postgres().password(),
                Settings.ANONYMOUS_TENANT.name(), ""));
        assertThat(Config.of(Map.of(Settings.ANONYMOUS_TENANT.name(), " ")).get(Settings.ANONYMOUS_TENANT)).isEmpty();
        assertThat(Config.of(Map.of()).get(Settings.ANONYMOUS_TENANT)).isEqualTo("default");

        TenantDirectory tenants = TenantDirectory.from(config);
        try (HikariDataSource db = Database.open(config, "gateway");
                KafkaProducer<String, byte[]> producer = KafkaClients.producer(config, "keys-required-test")) {
            Submissions submissions = new Submissions(db);
            Admission admission = new Admission(new RequestValidator(new RequestValidator.Limits(64 * 1024, 5_000,
                    Duration.ofMinutes(2)), tenants), submissions, Clock.systemUTC(), new InteractiveLoad(db));
            HttpApi http = new HttpApi(0, new Authenticator(tenants), admission, new AnswerBook(db), submissions,
                    new Publishing(producer, Tracing.disabled()), 64 * 1024, List.of(), null);
            try {
                HttpClient client = HttpClient.newHttpClient();
                URI base = URI.create("http://127.0.0.1:" + http.port());
                HttpResponse<String> post = client.send(HttpRequest.newBuilder(base.resolve("/v1/prompts"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"hi\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(post.statusCode()).isEqualTo(401);
                assertThat(Json.tree(post.body()).path("error").path("code").asText()).isEqualTo("unauthorized");
                HttpResponse<String> get = client.send(HttpRequest.newBuilder(base.resolve("/v1/answers/any")).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(get.statusCode()).isEqualTo(401);

                String id = "nokey-" + UUID.randomUUID();
                Admission.Result kafka = admission.admit(("{\"requestId\":\"" + id + "\",\"prompt\":\"hi\"}")
                        .getBytes(StandardCharsets.UTF_8), null, "test:" + id, id);
                assertThat(kafka.verdict()).isInstanceOfSatisfying(Verdict.Rejected.class, r -> {
                    assertThat(r.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
                    assertThat(r.message()).isEqualTo("tenantId is required");
                });
            } finally {
                http.close();
            }
        }
    }
}
