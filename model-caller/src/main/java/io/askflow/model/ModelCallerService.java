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
import io.askflow.monitoring.Monitoring;
import io.askflow.service.Startup;
import io.micrometer.core.instrument.Counter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** The model-caller, wired: model calls in; tool calls or answers out. */
public final class ModelCallerService implements AutoCloseable {
    public static final String GROUP = "askflow-model-caller";

    private final OpenAIClient client;
    private final OpenAIClient probe;
    private final Runner runner;

    private ModelCallerService(Config config, Clock clock, Monitoring monitoring) {
        TopicInitializer.ensureTopics(config);
        try (Startup.Parts parts = new Startup.Parts()) {
            client = OpenAiClients.create(config, "");
            parts.add(client::close);
            // Short timeout: a readiness probe must answer in about a second.
            probe = OpenAiClients.create(config, "", Duration.ofSeconds(1));
            parts.add(probe::close);
            ModelReachability reachability = new ModelReachability(probe, config.get(Settings.OPENAI_BASE_URL), clock).start();
            monitoring.ready("model endpoint", reachability::problem);
            Counter pauses = Counter.builder("askflow.rate.gate.pauses")
                    .description("Times a rate limit of the model API paused the model-caller").register(monitoring.registry());
            RateGate gate = new RateGate(clock, pauses::increment);
            ChatModel model = new GuardedModel(new MeteredModel(new OpenAiChatModel(client), monitoring.registry()), gate,
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
                    List.of(Route.of(Topics.MODEL_CALLS, handler::handle, handler::onFailure)), monitoring)
                    .acceptWorkWhile(gate::isOpen).start());
            parts.keep();
        }
    }

    public static ModelCallerService start(Config config, Clock clock) {
        return new ModelCallerService(config, clock, Monitoring.none());
    }

    public static ModelCallerService start(Config config, Clock clock, Monitoring monitoring) {
        return new ModelCallerService(config, clock, monitoring);
    }

    @Override
    public void close() {
        runner.close();
        client.close();
        probe.close();
    }
}
