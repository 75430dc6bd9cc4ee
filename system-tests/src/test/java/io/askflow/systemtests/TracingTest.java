package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.context.ContextBuilderService;
import io.askflow.embedded.EmbeddedKafka;
import io.askflow.embedded.PostgresEndpoint;
import io.askflow.gateway.GatewayService;
import io.askflow.kafka.TopicInitializer;
import io.askflow.launcher.Pipeline;
import io.askflow.localmodel.ChatMessage;
import io.askflow.localmodel.Reply;
import io.askflow.model.ModelCallerService;
import io.askflow.telemetry.Telemetry;
import io.askflow.testkit.OtlpReceiver;
import io.askflow.testkit.ReceivedSpan;
import io.askflow.testkit.ScriptedModelServer;
import io.askflow.tools.ToolRunnerService;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's trace acceptance: the four services export OTLP/HTTP to a real receiver, and one turn
 * with a tool round is one trace, with spans of every service in one tree. Its own broker and
 * database, because the pipeline's consumer groups would otherwise share the other tests' partitions.
 */
class TracingTest {
    private static final String MODEL = "scripted-model";
    private static final Set<String> SERVICES = Set.of(GatewayService.GROUP, ContextBuilderService.GROUP,
            ModelCallerService.GROUP, ToolRunnerService.GROUP);

    @TempDir
    static Path dir;

    private static OtlpReceiver otlp;
    private static EmbeddedKafka kafka;
    private static ScriptedModelServer model;
    private static Telemetry telemetry;
    private static Pipeline pipeline;

    @BeforeAll
    static void tracedPipeline() throws Exception {
        otlp = OtlpReceiver.start();
        kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        model = ScriptedModelServer.start();
        model.respondWith(req -> {
            ChatMessage last = req.lastMessage().orElseThrow();
            return last.hasRole("tool") ? Reply.text("The tool said: " + last.text()) : Reply.toolCall("current_time", "{}");
        });
        PostgresEndpoint db = Sql.ownDatabase("askflow_traced_");
        Map<String, String> env = new HashMap<>();
        env.put(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers());
        env.put(Settings.DATABASE_URL.name(), db.jdbcUrl());
        env.put(Settings.DATABASE_USER.name(), db.user());
        env.put(Settings.DATABASE_PASSWORD.name(), db.password());
        env.put(Settings.TOPIC_PARTITIONS.name(), "2");
        env.put(Settings.HTTP_PORT.name(), "0");
        env.put(Settings.OPENAI_BASE_URL.name(), model.baseUrl());
        env.put(Settings.OPENAI_API_KEY.name(), "sk-test-never-shown");
        env.put(Settings.DEFAULT_MODEL.name(), MODEL);
        env.put(Settings.OTEL_PROPERTIES.variable("exporter.otlp.endpoint"), otlp.endpoint());
        // Batches leave every 50 ms, so the test waits for the spans, not for the default 5 s.
        env.put(Settings.OTEL_PROPERTIES.variable("bsp.schedule.delay"), "50");
        Config config = Config.of(env);
        TopicInitializer.ensureTopics(config);
        telemetry = Telemetry.create(config);
        pipeline = Pipeline.start(config, Clock.systemUTC(), telemetry);
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (telemetry != null) {
            telemetry.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {model, kafka, otlp}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void aTurnWithAToolRoundIsOneTraceAcrossAllFourServices() throws Exception {
        String conversation = "traced-" + UUID.randomUUID();
        String prompt = "What time is it, " + conversation + "?";
        int before = model.requests().size();
        Http http = new Http(pipeline.httpPort(), null);
        JsonNode answer = answered(http, http.postJson("/v1/prompts?wait=60",
                "{\"conversationId\":\"" + conversation + "\",\"prompt\":\"" + prompt + "\"}"));
        assertThat(answer.path("status").asText()).as(answer.toString()).isEqualTo("ok");
        long promptTokens = answer.path("usage").path("promptTokens").asLong();
        long completionTokens = answer.path("usage").path("completionTokens").asLong();

        // The turn's trace is complete when its root (the HTTP request) and the answer's last
        // consumers (the gateway's answer book, the context-builder's history) have arrived.
        List<ReceivedSpan> trace = inTraceOf(conversation, otlp.await(spans -> {
            List<ReceivedSpan> t = inTraceOf(conversation, spans);
            return t.stream().anyMatch(ReceivedSpan::isRoot)
                    && t.stream().filter(s -> s.name().equals("chat " + MODEL)).count() == 2
                    && t.stream().anyMatch(s -> s.name().equals("execute_tool current_time"))
                    && t.stream().filter(s -> s.name().equals("process askflow.answers")).map(ReceivedSpan::serviceName)
                            .collect(Collectors.toSet()).containsAll(Set.of(GatewayService.GROUP, ContextBuilderService.GROUP));
        }, Duration.ofSeconds(90)));

        // One trace: every span that names this conversation carries the same trace id.
        Set<String> traceIds = otlp.spans().stream().filter(s -> namesConversation(s, conversation))
                .map(ReceivedSpan::traceId).collect(Collectors.toSet());
        assertThat(traceIds).hasSize(1);
        assertThat(trace).extracting(ReceivedSpan::serviceName).containsAll(SERVICES);

        // One tree: a single root, the gateway's HTTP request, and every other span's parent is in the trace.
        Set<String> ids = trace.stream().map(ReceivedSpan::spanId).collect(Collectors.toSet());
        assertThat(trace).filteredOn(ReceivedSpan::isRoot).singleElement().satisfies(root -> {
            assertThat(root.name()).isEqualTo("POST /v1/prompts");
            assertThat(root.kind()).isEqualTo("SPAN_KIND_SERVER");
            assertThat(root.serviceName()).isEqualTo(GatewayService.GROUP);
        });
        assertThat(trace).filteredOn(s -> !s.isRoot()).allSatisfy(s ->
                assertThat(ids).as("parent of %s (%s)", s.name(), s.serviceName()).contains(s.parentSpanId()));

        // Each hop is the child of the one before: the tool-runner's record was sent from the model-caller's span.
        Map<String, ReceivedSpan> byId = trace.stream().collect(Collectors.toMap(ReceivedSpan::spanId, s -> s));
        assertThat(trace).filteredOn(s -> s.name().equals("process askflow.tool-calls")).singleElement()
                .satisfies(s -> assertThat(byId.get(s.parentSpanId()).name()).isEqualTo("process askflow.model-calls"));
        assertThat(trace).filteredOn(s -> s.name().equals("process askflow.turns")).singleElement()
                .satisfies(s -> assertThat(byId.get(s.parentSpanId())).isSameAs(trace.stream().filter(ReceivedSpan::isRoot)
                        .findFirst().orElseThrow()));

        // Every hop is a CONSUMER span of its service, with the messaging attributes.
        assertThat(trace).filteredOn(s -> s.name().equals("process askflow.tool-calls")).singleElement().satisfies(s -> {
            assertThat(s.kind()).isEqualTo("SPAN_KIND_CONSUMER");
            assertThat(s.serviceName()).isEqualTo(ToolRunnerService.GROUP);
            assertThat(s.attributes()).containsEntry("messaging.system", "kafka")
                    .containsEntry("messaging.destination.name", "askflow.tool-calls")
                    .containsEntry("messaging.consumer.group.name", ToolRunnerService.GROUP)
                    .containsKeys("messaging.destination.partition.id", "messaging.kafka.offset");
        });
        assertThat(trace).filteredOn(s -> s.name().equals("build_context")).singleElement()
                .satisfies(s -> assertThat(s.serviceName()).isEqualTo(ContextBuilderService.GROUP));

        // The model calls, as GenAI client spans with what the API answered.
        List<ReceivedSpan> chats = trace.stream().filter(s -> s.name().equals("chat " + MODEL)).toList();
        assertThat(chats).allSatisfy(s -> {
            assertThat(s.kind()).isEqualTo("SPAN_KIND_CLIENT");
            assertThat(s.serviceName()).isEqualTo(ModelCallerService.GROUP);
            assertThat(s.attributes()).containsEntry("gen_ai.operation.name", "chat")
                    .containsEntry("gen_ai.provider.name", "openai")
                    .containsEntry("gen_ai.request.model", MODEL)
                    .containsEntry("gen_ai.response.model", MODEL)
                    .containsEntry("gen_ai.conversation.id", conversation)
                    .containsEntry("server.address", "127.0.0.1")
                    .containsEntry("server.port", (long) model.port())
                    .doesNotContainKeys("gen_ai.input.messages", "gen_ai.output.messages", "error.type");
            assertThat(s.string("gen_ai.response.id")).isNotBlank();
            assertThat((Long) s.attributes().get("gen_ai.usage.input_tokens")).isPositive();
            assertThat((Long) s.attributes().get("gen_ai.usage.output_tokens")).isPositive();
        });
        assertThat(chats).extracting(s -> s.attributes().get("gen_ai.response.finish_reasons"))
                .containsExactlyInAnyOrder(List.of("tool_calls"), List.of("stop"));
        // The answer's usage is the sum of both calls: the spans carry each call's own counts.
        assertThat(chats.stream().mapToLong(s -> (Long) s.attributes().get("gen_ai.usage.input_tokens")).sum())
                .isEqualTo(promptTokens);
        assertThat(chats.stream().mapToLong(s -> (Long) s.attributes().get("gen_ai.usage.output_tokens")).sum())
                .isEqualTo(completionTokens);

        // The tool, under the tool-runner's hop, with the call id the model asked with.
        String callId = model.requests().get(before + 1).request().messages().stream()
                .filter(m -> m.hasRole("tool")).reduce((a, b) -> b).orElseThrow().toolCallId();
        assertThat(trace).filteredOn(s -> s.name().equals("execute_tool current_time")).singleElement().satisfies(s -> {
            assertThat(s.kind()).isEqualTo("SPAN_KIND_INTERNAL");
            assertThat(s.serviceName()).isEqualTo(ToolRunnerService.GROUP);
            assertThat(s.attributes()).containsEntry("gen_ai.operation.name", "execute_tool")
                    .containsEntry("gen_ai.tool.name", "current_time").containsEntry("gen_ai.tool.call.id", callId)
                    .doesNotContainKey("error.type");
        });

        // Content capture is off by default: no span attribute holds the prompt, and no span holds the API key.
        assertThat(otlp.spans()).allSatisfy(s -> assertThat(s.attributes().values()).noneSatisfy(v -> {
            assertThat(v.toString()).containsAnyOf(prompt, "sk-test-never-shown");
        }));
    }

    @Test
    void aCallersTraceparentMakesTheTurnPartOfTheCallersTrace() throws Exception {
        String callerTrace = UUID.randomUUID().toString().replace("-", "");
        String callerSpan = callerTrace.substring(0, 16);
        String conversation = "traced-caller-" + UUID.randomUUID();
        Http http = new Http(pipeline.httpPort(), null);
        JsonNode answer = answered(http, http.postJson("/v1/prompts?wait=60",
                "{\"conversationId\":\"" + conversation + "\",\"prompt\":\"What time is it?\"}",
                "traceparent", "00-" + callerTrace + "-" + callerSpan + "-01"));
        assertThat(answer.path("status").asText()).as(answer.toString()).isEqualTo("ok");

        List<ReceivedSpan> spans = otlp.await(all -> {
            List<ReceivedSpan> t = all.stream().filter(s -> s.traceId().equals(callerTrace)).toList();
            return t.stream().anyMatch(s -> s.name().equals("POST /v1/prompts"))
                    && t.stream().filter(s -> s.name().equals("chat " + MODEL)).count() == 2;
        }, Duration.ofSeconds(90));
        assertThat(spans).filteredOn(s -> s.name().equals("POST /v1/prompts") && s.traceId().equals(callerTrace))
                .singleElement().satisfies(s -> assertThat(s.parentSpanId()).isEqualTo(callerSpan));
        assertThat(spans).filteredOn(s -> namesConversation(s, conversation)).isNotEmpty()
                .allSatisfy(s -> assertThat(s.traceId()).isEqualTo(callerTrace));
    }

    /**
     * The answer of a submission: at once when it came within the submission's wait, else from the
     * answer URL (the first turn on a fresh broker also waits for the consumer groups to form).
     */
    private static JsonNode answered(Http http, Http.Response submitted) throws Exception {
        Http.Response r = submitted;
        for (int i = 0; i < 3 && r.status() == 202; i++) {
            r = http.get("/v1/answers/" + submitted.json().path("requestId").asText() + "?wait=60");
        }
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    /** The spans of the trace the conversation's turn is in (found by a span that names the conversation). */
    private static List<ReceivedSpan> inTraceOf(String conversation, List<ReceivedSpan> spans) {
        Set<String> traces = spans.stream().filter(s -> namesConversation(s, conversation)).map(ReceivedSpan::traceId)
                .collect(Collectors.toSet());
        return spans.stream().filter(s -> traces.contains(s.traceId())).toList();
    }

    private static boolean namesConversation(ReceivedSpan s, String conversation) {
        return conversation.equals(s.attributes().get("messaging.kafka.message.key"))
                || conversation.equals(s.attributes().get("gen_ai.conversation.id"));
    }
}
