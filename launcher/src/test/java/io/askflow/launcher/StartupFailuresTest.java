package io.askflow.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import io.askflow.embedded.Infrastructure;
import io.askflow.service.StartupFailure;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each thing outside askflow that can keep {@code ./askflow serve} from starting ends the start
 * with one line that says what is wrong and what to do, within a bounded time, and no secret in it.
 */
class StartupFailuresTest {
    @TempDir
    Path dataDir;

    @ParameterizedTest
    @ValueSource(strings = {"ASKFLOW_HTTP_PORT", "ASKFLOW_MANAGEMENT_PORT"})
    void aPortInUseIsNamedWithTheSettingThatMovesIt(String setting) throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            StartupFailure failure = fail(env(settings(setting, Integer.toString(port))));
            assertThat(failure).hasMessage("Port " + port + " (" + setting + ") is in use: stop what listens there, "
                    + "or set " + setting + " to a free port (0 picks one).");
        }
    }

    @Test
    void anUnreachableModelApiIsFoundAtStartUp() throws IOException {
        int closed = closedPort();
        StartupFailure failure = fail(env(settings("OPENAI_BASE_URL", "http://127.0.0.1:" + closed + "/v1")));
        assertThat(failure.getMessage()).startsWith("OPENAI_BASE_URL http://127.0.0.1:" + closed + "/v1 is unreachable (")
                .endsWith("): start that server or fix OPENAI_BASE_URL.");
        assertOneLine(failure);
    }

    @Test
    void aRejectedApiKeyIsFoundAtStartUpAndNeverRepeated() throws IOException {
        String key = "sk-test-0123456789-very-secret";
        AtomicInteger modelListCalls = new AtomicInteger();
        HttpServer api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.createContext("/", exchange -> {
            if (exchange.getRequestURI().getPath().endsWith("/models")) {
                modelListCalls.incrementAndGet();
            }
            // What OpenAI answers a wrong key: its message quotes the key's ends.
            byte[] body = ("{\"error\":{\"message\":\"Incorrect API key provided: " + key.substring(0, 8) + "****cret.\","
                    + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        api.start();
        try {
            String baseUrl = "http://127.0.0.1:" + api.getAddress().getPort() + "/v1";
            StartupFailure failure = fail(env(settings("OPENAI_BASE_URL", baseUrl, "OPENAI_API_KEY", key)));
            assertThat(failure).hasMessage(baseUrl + " rejected OPENAI_API_KEY (HTTP 401): set a valid key for that API.");
            assertThat(modelListCalls).hasValue(1);
            assertThat(String.valueOf(failure.getCause())).doesNotContain("sk-test").doesNotContain("cret");
        } finally {
            api.stop(0);
        }
    }

    @Test
    void anUnreachableBrokerEndsTheStartWithinTheStartupTimeout() throws IOException {
        int kafka = closedPort();
        long began = System.nanoTime();
        StartupFailure failure = fail(env(settings("ASKFLOW_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + kafka,
                "ASKFLOW_DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + closedPort() + "/askflow",
                "ASKFLOW_STARTUP_TIMEOUT", "PT2S")));
        assertThat(failure).hasMessage("Kafka at 127.0.0.1:" + kafka
                + " did not answer within 2 s: start the broker or fix ASKFLOW_KAFKA_BOOTSTRAP_SERVERS.");
        assertThat((System.nanoTime() - began) / 1e9).as("seconds to fail").isLessThan(20);
    }

    @Test
    void anUnreachableDatabaseEndsTheStartWithinTheStartupTimeout() throws IOException {
        int db = closedPort();
        String url = "jdbc:postgresql://127.0.0.1:" + db + "/askflow";
        StartupFailure failure = fail(env(settings(
                "ASKFLOW_KAFKA_BOOTSTRAP_SERVERS", Infrastructure.shared().kafka().bootstrapServers(),
                "ASKFLOW_DATABASE_URL", url, "ASKFLOW_DATABASE_PASSWORD", "hunter2", "ASKFLOW_STARTUP_TIMEOUT", "PT2S")));
        assertThat(failure.getMessage()).startsWith("PostgreSQL at " + url + " did not answer within 2 s (")
                .endsWith("): start the database or fix ASKFLOW_DATABASE_URL.").doesNotContain("hunter2");
        assertOneLine(failure);
    }

    private StartupFailure fail(Map<String, String> env) {
        StartupFailure failure = catchThrowableOfType(StartupFailure.class, () -> EmbeddedRun.start(env, true).close());
        assertThat(failure).as("start-up failure").isNotNull();
        assertOneLine(failure);
        return failure;
    }

    private static void assertOneLine(StartupFailure failure) {
        assertThat(failure.getMessage()).doesNotContain("\n").hasSizeLessThan(300);
    }

    private Map<String, String> env(Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(settings);
        env.put("ASKFLOW_DATA_DIR", dataDir.toString());
        env.put("ASKFLOW_TESTCONTAINERS", "false");
        return env;
    }

    private static Map<String, String> settings(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** A port nothing listens on: bound by the OS for us, then released. */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
