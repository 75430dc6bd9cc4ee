package io.askflow.context;

import com.zaxxer.hikari.HikariDataSource;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.db.Database;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Route;
import io.askflow.kafka.Runner;
import io.askflow.kafka.TopicInitializer;
import io.askflow.kafka.Topics;
import io.askflow.knowledge.KnowledgeSchema;
import io.askflow.knowledge.MemoryStore;
import io.askflow.knowledge.TenantDirectory;
import io.askflow.knowledge.UsageLedger;
import io.askflow.knowledge.UserProfiles;
import io.askflow.monitoring.Monitoring;
import io.askflow.service.Startup;
import io.askflow.telemetry.Telemetry;
import io.askflow.telemetry.Tracing;
import io.askflow.tool.BuiltinTools;
import java.time.Clock;
import java.time.ZoneId;
import java.util.List;

/** The context-builder, wired: turns in, model calls out; answers in, history updated. */
public final class ContextBuilderService implements AutoCloseable {
    public static final String GROUP = "askflow-context-builder";

    private final HikariDataSource db;
    private final Runner runner;
    private final OpenAiSummarizer summarizer;

    private ContextBuilderService(Config config, Clock clock, Monitoring monitoring, Telemetry telemetry) {
        TopicInitializer.ensureTopics(config);
        Tracing tracing = telemetry.tracing(GROUP);
        try (Startup.Parts parts = new Startup.Parts()) {
            db = parts.add(monitoring.database(Database.open(config, "context-builder",
                    ds -> Database.migrate(ds, "context-builder"), KnowledgeSchema::migrate)));
            History history = new History(db);
            TenantDirectory tenants = TenantDirectory.from(config);
            summarizer = config.get(Settings.SUMMARIES) ? parts.add(new OpenAiSummarizer(config)) : null;
            ContextAssembler assembler = new ContextAssembler(history,
                    new Summaries(db, history, summarizer == null ? Summarizer.NONE : Summarizer.traced(summarizer, tracing)), new DateLine(clock),
                    new ContextAssembler.Options(config.get(Settings.SYSTEM_INSTRUCTIONS),
                            config.get(Settings.HISTORY_MAX_MESSAGES), ZoneId.of(config.get(Settings.DEFAULT_TIME_ZONE)),
                            config.get(Settings.CONTEXT_TOKENS),
                            config.get(Settings.SUMMARIES) ? config.get(Settings.SUMMARY_MAX_TOKENS) : 0,
                            config.get(Settings.DEFAULT_MODEL), config.find(Settings.SUMMARY_MODEL).orElse(null),
                            config.get(Settings.MEMORY_TOKENS), BuiltinTools.offered(config)),
                    new ContextAssembler.Sources(tenants, new UserProfiles(db), new MemoryStore(db)));

            // The BPE tables take about a second to load: at start-up, not in the first turn.
            TokenCounter.forModel(config.get(Settings.DEFAULT_MODEL));
            TurnFlow flow = new TurnFlow(new TurnQueue(db, history, clock), assembler,
                    new MonthlyBudget(tenants, new UsageLedger(db), clock), clock, tracing);

            runner = parts.add(KafkaClients.exactlyOnceRunner(config, GROUP, List.of(
                    Route.of(Topics.TURNS, in -> flow.onTurn(in.value(), in.coordinates()), (in, error) -> flow.onTurnFailure(in.value())),
                    Route.of(Topics.ANSWERS, flow::onAnswer, flow::onAnswerFailure),
                    Route.of(Topics.DELETIONS, in -> flow.onDeletion(in.value(), in.coordinates()))), monitoring).tracedBy(tracing).start());
            parts.keep();
        }
    }

    public static ContextBuilderService start(Config config, Clock clock) {
        return new ContextBuilderService(config, clock, Monitoring.none(), Telemetry.disabled());
    }

    /** Reporting into the process's registry: one process, one /metrics. */
    public static ContextBuilderService start(Config config, Clock clock, Monitoring monitoring) {
        return new ContextBuilderService(config, clock, monitoring, Telemetry.disabled());
    }

    /** Traced with the process's telemetry, as service {@link #GROUP}. */
    public static ContextBuilderService start(Config config, Clock clock, Telemetry telemetry) {
        return new ContextBuilderService(config, clock, Monitoring.none(), telemetry);
    }

    public static ContextBuilderService start(Config config, Clock clock, Monitoring monitoring, Telemetry telemetry) {
        return new ContextBuilderService(config, clock, monitoring, telemetry);
    }

    @Override
    public void close() {
        runner.close();
        if (summarizer != null) {
            summarizer.close();
        }
        db.close();
    }
}
