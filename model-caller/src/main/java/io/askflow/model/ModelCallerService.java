package io.askflow.model;

import com.openai.client.OpenAIClient;
import io.askflow.openai.OpenAiClients;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Route;
import io.askflow.kafka.Runner;
import io.askflow.kafka.TopicInitializer;
import io.askflow.kafka.Topics;
import io.askflow.service.Startup;
import io.askflow.time.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** The model-caller, wired: model calls in; tool calls or answers out. */
public final class ModelCallerService implements AutoCloseable {
    public static final String GROUP = "askflow-model-caller";

    private final OpenAIClient client;
    private final Runner runner;

    private ModelCallerService(Config config, Clock clock) {
        TopicInitializer.ensureTopics(config);
        try (Startup.Parts parts = new Startup.Parts()) {
            client = OpenAiClients.create(config, "");
            parts.add(client::close);
            RateGate gate = new RateGate(clock);
            ChatModel model = new GuardedModel(new OpenAiChatModel(client), gate,
                    new QuotaBreaker(clock, config.get(Settings.QUOTA_COOL_DOWN)),
                    new RequestLimiter(config.get(Settings.MODEL_MAX_REQUESTS_PER_MINUTE),
                            config.get(Settings.MODEL_MAX_TOKENS_PER_MINUTE), Duration.ofMinutes(1), clock, Sleeper.SYSTEM),
                    Sleeper.SYSTEM);
            ModelCallHandler handler = new ModelCallHandler(model,
                    new RetryPolicy(config.get(Settings.MODEL_MAX_RETRIES), Duration.ofMillis(500), Duration.ofSeconds(20),
                            Sleeper.SYSTEM),
                    clock, new ModelCallHandler.Options(config.get(Settings.DEFAULT_MODEL), config.get(Settings.MAX_TOOL_ROUNDS),
                            config.find(Settings.MODEL_NOTICE).orElse(null)));
            // While rate-limited, the backlog waits in Kafka rather than in memory or in retries.
            runner = parts.add(KafkaClients.exactlyOnceRunner(config, GROUP,
                    List.of(Route.of(Topics.MODEL_CALLS, handler::handle, handler::onFailure)))
                    .acceptWorkWhile(gate::isOpen).start());
            parts.keep();
        }
    }

    public static ModelCallerService start(Config config, Clock clock) {
        return new ModelCallerService(config, clock);
    }

    @Override
    public void close() {
        runner.close();
        client.close();
    }
}
