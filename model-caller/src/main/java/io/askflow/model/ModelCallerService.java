package io.askflow.model;

import com.openai.client.OpenAIClient;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Route;
import io.askflow.kafka.Runner;
import io.askflow.kafka.TopicInitializer;
import io.askflow.kafka.Topics;
import io.askflow.kafka.TurnEventPublisher;
import io.askflow.monitoring.Monitoring;
import io.askflow.openai.OpenAiClientPool;
import io.askflow.openai.OpenAiClients;
import io.askflow.service.Startup;
import io.askflow.telemetry.Telemetry;
import io.askflow.telemetry.Tracing;
import io.askflow.time.Sleeper;
import io.askflow.usage.PriceTable;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** The model-caller, wired: model calls in; tool calls or answers out. */
public final class ModelCallerService implements AutoCloseable {
    public static final String GROUP = "askflow-model-caller";

    private final OpenAiClientPool clients;
    private final OpenAIClient probe;
    private final Runner runner;
    private final TurnEventPublisher events;

    private ModelCallerService(Config config, Clock clock, Monitoring monitoring, Telemetry telemetry) {
        TopicInitializer.ensureTopics(config);
        Tracing tracing = telemetry.tracing(GROUP);
        try (Startup.Parts parts = new Startup.Parts()) {
            clients = parts.add(OpenAiClients.pool(config, ""));
            // Short timeout: a readiness probe must answer in about a second.
            probe = OpenAiClients.create(config, "", Duration.ofSeconds(1));
            parts.add(probe::close);
            ModelReachability reachability = new ModelReachability(probe, config.get(Settings.OPENAI_BASE_URL), clock).start();
            monitoring.ready("model endpoint", reachability::problem);
            Counter pauses = Counter.builder("askflow.rate.gate.pauses")
                    .description("Times a rate limit of the model API paused the model-caller").register(monitoring.registry());
            RateGate gate = new RateGate(clock, pauses::increment);
            PriceTable prices = PriceTable.from(config);
            ChatModel model = new GuardedModel(new MeteredModel(new TracedChatModel(new OpenAiChatModel(clients::next), tracing,
                    URI.create(config.get(Settings.OPENAI_BASE_URL))), monitoring.registry(), prices), gate,
                    new QuotaBreaker(clock, config.get(Settings.QUOTA_COOL_DOWN)),
                    new RequestLimiter(config.get(Settings.MODEL_MAX_REQUESTS_PER_MINUTE),
                            config.get(Settings.MODEL_MAX_TOKENS_PER_MINUTE), Duration.ofMinutes(1), clock, Sleeper.SYSTEM),
                    Sleeper.SYSTEM);
            events = parts.add(TurnEventPublisher.create(config, GROUP + "-events", clock));
            ModelCallHandler handler = new ModelCallHandler(model,
                    new RetryPolicy(config.get(Settings.MODEL_MAX_RETRIES), Duration.ofMillis(500), Duration.ofSeconds(20),
                            Sleeper.SYSTEM),
                    clock, new ModelCallHandler.Options(config.get(Settings.DEFAULT_MODEL), config.get(Settings.MAX_TOOL_ROUNDS),
                            config.find(Settings.MODEL_NOTICE).orElse(null), prices),
                    events);
            // While rate-limited, the backlog waits in Kafka rather than in memory or in retries.
            runner = parts.add(KafkaClients.exactlyOnceRunner(runnerConfig(config), GROUP,
                    List.of(Route.of(Topics.MODEL_CALLS, handler::handle, handler::onFailure)), monitoring)
                    .acceptWorkWhile(gate::isOpen).tracedBy(tracing).start());
            parts.keep();
        }
    }

    /** A model call mostly waits for the model, so this runner's cap is the model-caller's own. */
    static Config runnerConfig(Config config) {
        return config.with(Settings.MAX_IN_FLIGHT, Integer.toString(config.get(Settings.MODEL_MAX_IN_FLIGHT)));
    }

    public static ModelCallerService start(Config config, Clock clock) {
        return new ModelCallerService(config, clock, Monitoring.none(), Telemetry.disabled());
    }

    /** Reporting into the process's registry: one process, one /metrics. */
    public static ModelCallerService start(Config config, Clock clock, Monitoring monitoring) {
        return new ModelCallerService(config, clock, monitoring, Telemetry.disabled());
    }

    /** Traced with the process's telemetry, as service {@link #GROUP}. */
    public static ModelCallerService start(Config config, Clock clock, Telemetry telemetry) {
        return new ModelCallerService(config, clock, Monitoring.none(), telemetry);
    }

    public static ModelCallerService start(Config config, Clock clock, Monitoring monitoring, Telemetry telemetry) {
        return new ModelCallerService(config, clock, monitoring, telemetry);
    }

    @Override
    public void close() {
        runner.close();
        events.close();
        clients.close();
        probe.close();
    }
}
