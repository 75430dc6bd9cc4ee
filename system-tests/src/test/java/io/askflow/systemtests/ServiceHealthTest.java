package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.embedded.EmbeddedKafka;
import io.askflow.embedded.Infrastructure;
import io.askflow.embedded.PostgresEndpoint;
import io.askflow.message.Json;
import io.askflow.monitoring.ManagementServer;
import io.askflow.monitoring.Monitoring;
import io.askflow.testkit.ScriptedModelServer;
import io.askflow.tools.ToolRunnerService;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's health and log acceptance, on a broker of this test's own, so that the services it
 * starts join no consumer group of the shared pipeline: a service whose database goes away is not
 * ready but alive, and ready again when it returns; a service started with
 * {@code ASKFLOW_LOG_FORMAT=json} writes one JSON object per line and never its API key.
 */
class ServiceHealthTest {
    private static final Pattern MANAGEMENT_PORT = Pattern.compile("serves /metrics, /healthz and /readyz on port (\\d+)");
    @TempDir
    static Path dir;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void aServiceWithoutItsDatabaseIsAliveButNotReady() throws Exception {
        PostgresEndpoint pg = Infrastructure.shared().postgres();
        URI db = URI.create(pg.jdbcUrl().substring("jdbc:".length()));
        try (TcpProxy proxy = TcpProxy.start(db.getHost(), db.getPort());
                Monitoring monitoring = Monitoring.create();
                ManagementServer management = ManagementServer.start(0, monitoring)) {
            Map<String, String> env = env();
            env.put(Settings.DATABASE_URL.name(), "jdbc:postgresql://127.0.0.1:" + proxy.port() + db.getPath()
                    + (db.getQuery() == null ? "" : "?" + db.getQuery()));
            env.put(Settings.DATABASE_USER.name(), pg.user());
            env.put(Settings.DATABASE_PASSWORD.name(), pg.password());
            int port = management.port();
            try (ToolRunnerService service = ToolRunnerService.start(Config.of(env), Clock.systemUTC(), monitoring)) {
                HttpResponse<String> ready = awaitStatus(port, "/readyz", 200);
                assertThat(Json.tree(ready.body()).path("status").asText()).isEqualTo("ok");

                proxy.cut();
                HttpResponse<String> notReady = awaitStatus(port, "/readyz", 503);
                JsonNode body = Json.tree(notReady.body());
                assertThat(body.path("status").asText()).isEqualTo("unavailable");
                assertThat(body.path("failing").has("database askflow-tool-runner")).as(notReady.body()).isTrue();
                assertThat(body.path("failing").has("kafka group askflow-tool-runner")).as("Kafka is fine: %s", notReady.body())
                        .isFalse();
                assertThat(Scrape.get(port, "/healthz").statusCode()).as("alive without its database").isEqualTo(200);
                assertThat(notReady.body()).as("no credentials in the body").doesNotContain(pg.password());

                proxy.restore();
                awaitStatus(port, "/readyz", 200);
            }
        }
    }

    @Test
    void jsonLogsAreOneObjectPerLineWithoutSecrets() throws Exception {
        String apiKey = "sk-never-logged-" + UUID.randomUUID();
        try (ScriptedModelServer model = ScriptedModelServer.start()) {
            Map<String, String> env = env();
            env.put(Settings.OPENAI_BASE_URL.name(), model.baseUrl());
            env.put(Settings.OPENAI_API_KEY.name(), apiKey);
            env.put(Settings.LOG_FORMAT.name(), "json");
            Path argfile = Files.writeString(dir.resolve("classpath.args"),
                    "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
            // The services' own logback.xml: the test class path also has the tests' logback-test.xml.
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile=logback.xml",
                    "@" + argfile, "io.askflow.model.Main").redirectErrorStream(true);
            pb.environment().putAll(env);
            Process process = pb.start();
            List<String> lines = new ArrayList<>();
            Thread reader = Thread.ofPlatform().daemon().start(() -> read(process, lines));
            try {
                int port = awaitManagementPort(lines);
                awaitStatus(port, "/readyz", 200);
            } finally {
                process.destroy(); // SIGTERM: the shutdown logs too
                assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
                reader.join(10_000);
            }
            List<JsonNode> records = new ArrayList<>();
            synchronized (lines) {
                for (String line : lines) {
                    assertThat(line).as("no line carries the API key").doesNotContain(apiKey);
                    if (line.startsWith("WARNING: ")) {
                        continue; // the JVM's own warnings (restricted methods), written before any logger exists
                    }
                    JsonNode record = Json.tree(line);
                    assertThat(record.isObject()).as(line).isTrue();
                    records.add(record);
                }
            }
            assertThat(records).as("log records").hasSizeGreaterThan(2);
            for (JsonNode r : records) {
                for (String field : List.of("timestamp", "level", "loggerName", "threadName", "formattedMessage")) {
                    assertThat(r.has(field)).as("%s in %s", field, r).isTrue();
                }
            }
            assertThat(records).anySatisfy(r -> assertThat(r.path("formattedMessage").asText()).isEqualTo("model-caller is running"));
            assertThat(records).anySatisfy(r -> assertThat(r.path("formattedMessage").asText()).contains("OPENAI_API_KEY=<set>"));
        }
    }

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers());
        env.put(Settings.TOPIC_PARTITIONS.name(), "2");
        env.put(Settings.MANAGEMENT_PORT.name(), "0");
        return env;
    }

    private static void read(Process process, List<String> lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (lines) {
                    lines.add(line);
                }
            }
        } catch (java.io.IOException e) {
            // the process ended
        }
    }

    private static int awaitManagementPort(List<String> lines) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (lines) {
                for (String line : lines) {
                    Matcher m = MANAGEMENT_PORT.matcher(line.replace("\\/", "/")); // JSON may escape '/'
                    if (m.find()) {
                        return Integer.parseInt(m.group(1));
                    }
                }
            }
            Thread.sleep(50);
        }
        synchronized (lines) {
            throw new AssertionError("the model-caller did not say where its management endpoints are:\n" + String.join("\n", lines));
        }
    }

    private static HttpResponse<String> awaitStatus(int port, String path, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = Scrape.get(port, path);
                if (last.statusCode() == status) {
                    return last;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError(path + " did not answer " + status + " within 60 s; last: "
                + (last == null ? "no answer" : last.statusCode() + " " + last.body()));
    }
}
