package io.askflow.systemtests.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.config.Settings;
import io.askflow.embedded.EmbeddedKafka;
import io.askflow.embedded.PostgresEndpoint;
import io.askflow.kafka.TopicInitializer;
import io.askflow.localmodel.Reply;
import io.askflow.message.TurnEvent;
import io.askflow.systemtests.Http;
import io.askflow.systemtests.SseStream;
import io.askflow.systemtests.Sql;
import io.askflow.testkit.ScriptedModelServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model-caller SIGKILLed while the model streams its answer, and restarted: the SSE client
 * that stays connected sees the first attempt's text, then a {@code retry} (which the gateway
 * inserts: the restarted instance cannot know its record's call was begun), then the repeated
 * call's text, and the final answer is the repeated call's.
 *
 * <p>The test has a broker and database of its own, as TracingTest does: on the shared broker the
 * in-process pipeline other system tests start joins the same consumer groups, and it took over the
 * turn in one CI run (its own model's text, no kill seen, no {@code retry}).
 */
class StreamingKillTest {
    private static final Path ROOT = Path.of("target", "streaming-kill").toAbsolutePath();
    private static final String SECOND = "The repeated call after the restart streams this whole sentence.";

    @TempDir
    static Path dir;
    private static EmbeddedKafka kafka;
    private static PostgresEndpoint db;

    @BeforeAll
    static void ownBrokerAndDatabase() throws Exception {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        db = Sql.ownDatabase("askflow_streaming_kill_");
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aModelCallerKilledMidStreamGivesARetryAndTheRepeatedCallsTextWins() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean killed = new java.util.concurrent.atomic.AtomicBoolean();
        try (ScriptedModelServer model = ScriptedModelServer.start()) {
            // Calls before the kill stream slowly enough to be killed in the middle; the repetition at once.
            // About 36 s of text: the kill lands mid-stream even when the first deltas reach the client late.
            model.respondWith(req -> !killed.get()
                    ? Reply.streamed(Reply.text(("The first attempt streams slowly, word by word, until the model-caller "
                            + "that reads it is killed somewhere in the middle of this long sentence. ").repeat(10)),
                            Duration.ofMillis(150))
                    : Reply.streamed(Reply.text(SECOND), Duration.ofMillis(5)));
            int httpPort;
            try (ServerSocket free = new ServerSocket(0)) {
                httpPort = free.getLocalPort();
            }
            Map<String, String> env = new HashMap<>();
            env.put(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers());
            env.put(Settings.DATABASE_URL.name(), db.jdbcUrl());
            env.put(Settings.DATABASE_USER.name(), db.user());
            env.put(Settings.DATABASE_PASSWORD.name(), db.password());
            env.put(Settings.OPENAI_BASE_URL.name(), model.baseUrl());
            env.put(Settings.OPENAI_API_KEY.name(), "sk-streaming-kill");
            env.put(Settings.TOPIC_PARTITIONS.name(), "6");
            env.put(Settings.HTTP_PORT.name(), Integer.toString(httpPort));
            env.put(Settings.STARTUP_TIMEOUT.name(), "PT2M");
            TopicInitializer.ensureTopics(io.askflow.config.Config.of(env));
            try (ServiceProcesses services = new ServiceProcesses(ROOT, env, true, Map.of())) {
                List<String> instances = List.of("gateway-1", "context-builder-1", "model-caller-1");
                for (String i : instances) {
                    services.start(i);
                }
                long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (!instances.stream().allMatch(i -> ready(services, i))) {
                    assertThat(System.nanoTime()).as(services.report()).isLessThan(until);
                    Thread.sleep(200);
                }
                Http http = new Http(httpPort, null);
                List<SseStream.Frame> frames = new ArrayList<>();
                try (SseStream s = http.stream("POST", "/v1/prompts?stream=true",
                        "{\"conversationId\":\"kill-" + UUID.randomUUID() + "\",\"prompt\":\"Tell me a long sentence.\"}")) {
                    assertThat(s.status).isEqualTo(200);
                    int deltas = 0;
                    while (deltas < 4) {
                        SseStream.Frame f = s.next();
                        assertThat(f).as("stream ended early: %s", frames).isNotNull();
                        frames.add(f);
                        deltas += f.data().kind() == TurnEvent.Kind.DELTA ? 1 : 0;
                    }
                    killed.set(true);
                    services.kill("model-caller-1");
                    services.start("model-caller-1");
                    frames.addAll(s.rest());
                }
                List<String> kinds = frames.stream().map(SseStream.Frame::event).toList();
                int retry = kinds.lastIndexOf("retry");
                assertThat(retry).as("a retry in %s (%d model requests)\n%s", kinds, model.requests().size(), frames).isPositive();
                assertThat(frames.get(retry).data().detail()).contains("restarted");
                assertThat(frames.subList(retry, frames.size()).stream().filter(f -> f.event().equals("delta"))
                        .map(f -> f.data().text()).reduce("", String::concat)).isEqualTo(SECOND);
                assertThat(frames.getLast().event()).isEqualTo("answer");
                assertThat(frames.getLast().data().text()).isEqualTo(SECOND);
                for (int i = 1; i < frames.size(); i++) {
                    assertThat(frames.get(i).id()).isGreaterThan(frames.get(i - 1).id());
                }
                assertThat(http.get("/v1/answers/" + frames.getLast().data().requestId()).json().path("text").asText())
                        .isEqualTo(SECOND);
                assertThat(model.requests()).hasSizeGreaterThanOrEqualTo(2);
            }
        }
    }

    private static boolean ready(ServiceProcesses services, String instance) {
        try {
            return services.ready(instance);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
