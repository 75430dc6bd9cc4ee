package io.askflow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.localmodel.Reply;
import io.askflow.message.ChatMessage;
import io.askflow.message.Envelope;
import io.askflow.message.ModelCall;
import io.askflow.openai.OpenAiClients;
import io.askflow.telemetry.Telemetry;
import io.askflow.testkit.OtlpReceiver;
import io.askflow.testkit.ReceivedSpan;
import io.askflow.testkit.ScriptedModelServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The model call's GenAI span, exported over real OTLP/HTTP to the test kit's receiver, with the
 * real SDK calling the scripted model server: message content only when the operator opts in.
 */
class TracedChatModelTest {
    private ScriptedModelServer server;
    private OtlpReceiver otlp;
    private OpenAIClient client;

    @BeforeEach
    void setUp() throws Exception {
        server = ScriptedModelServer.start();
        otlp = OtlpReceiver.start();
        client = OpenAiClients.create(Config.of(Map.of(Settings.OPENAI_BASE_URL.name(), server.baseUrl(),
                Settings.OPENAI_API_KEY.name(), "sk-test-never-traced", Settings.MODEL_TIMEOUT.name(), "PT5S")), "");
    }

    @AfterEach
    void tearDown() {
        client.close();
        otlp.close();
        server.close();
    }

    @Test
    void withoutTheOptInNoSpanAttributeHoldsThePromptOrTheAnswer() throws Exception {
        String prompt = "Private question " + UUID.randomUUID();
        server.enqueue(Reply.text("Private answer to " + prompt));

        ReceivedSpan span = callOnce(prompt, Map.of());

        assertThat(span.attributes()).doesNotContainKeys("gen_ai.input.messages", "gen_ai.output.messages");
        assertThat(span.attributes().values()).noneSatisfy(v -> assertThat(v.toString())
                .containsAnyOf(prompt, "Private answer", "sk-test-never-traced"));
        assertThat(span.attributes()).containsEntry("gen_ai.request.model", "m").containsEntry("gen_ai.provider.name", "openai")
                .containsEntry("gen_ai.response.finish_reasons", List.of("stop"));
    }

    @Test
    void withTheOptInTheSpanHoldsTheMessagesInTheConventionsShape() throws Exception {
        String prompt = "Shared question " + UUID.randomUUID();
        server.enqueue(Reply.text("Shared answer"));

        ReceivedSpan span = callOnce(prompt, Map.of(Settings.TRACE_MESSAGE_CONTENT.name(), "true"));

        assertThat(span.string("gen_ai.input.messages"))
                .contains("{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"" + prompt + "\"}]}")
                .contains("\"role\":\"system\"");
        assertThat(span.string("gen_ai.output.messages"))
                .contains("{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"Shared answer\"}]}");
        assertThat(span.attributes().values()).noneSatisfy(v -> assertThat(v.toString()).contains("sk-test-never-traced"));
    }

    @Test
    void aFailedAttemptIsAnErrorSpanNamingTheErrorCode() throws Exception {
        server.enqueue(Reply.serverError());
        Map<String, String> env = env(Map.of());
        try (Telemetry telemetry = Telemetry.create(Config.of(env))) {
            ChatModel model = new TracedChatModel(new OpenAiChatModel(client), telemetry.tracing(ModelCallerService.GROUP),
                    URI.create(server.baseUrl()));
            assertThatThrownBy(() -> model.complete(call("Hello"), "m", false)).isInstanceOf(RuntimeException.class);
        }
        ReceivedSpan span = otlp.await(s -> !s.isEmpty(), Duration.ofSeconds(30)).getFirst();
        assertThat(span.statusCode()).isEqualTo("STATUS_CODE_ERROR");
        assertThat(span.attributes()).containsEntry("error.type", "model_error");
    }

    /** One call through a traced model; closing the telemetry exports its span. */
    private ReceivedSpan callOnce(String prompt, Map<String, String> extra) throws Exception {
        try (Telemetry telemetry = Telemetry.create(Config.of(env(extra)))) {
            ChatModel model = new TracedChatModel(new OpenAiChatModel(client), telemetry.tracing(ModelCallerService.GROUP),
                    URI.create(server.baseUrl()));
            model.complete(call(prompt), "m", false);
        }
        List<ReceivedSpan> spans = otlp.await(s -> !s.isEmpty(), Duration.ofSeconds(30));
        assertThat(spans).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("chat m");
            assertThat(s.kind()).isEqualTo("SPAN_KIND_CLIENT");
            assertThat(s.serviceName()).isEqualTo(ModelCallerService.GROUP);
            assertThat(s.attributes()).containsEntry("gen_ai.conversation.id", "c-1")
                    .containsEntry("server.port", (long) server.port());
        });
        return spans.getFirst();
    }

    private Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put(Settings.OTEL_PROPERTIES.variable("exporter.otlp.endpoint"), otlp.endpoint());
        return env;
    }

    private static ModelCall call(String prompt) {
        return ModelCall.builder().envelope(Envelope.builder().requestId("r-1").tenantId("t").conversationId("c-1")
                        .userId("u").deadline(Instant.now().plusSeconds(60)).build())
                .messages(List.of(ChatMessage.system("You are a test."), ChatMessage.user(prompt))).build();
    }
}
