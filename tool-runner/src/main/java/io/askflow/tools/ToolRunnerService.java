package io.askflow.tools;

import com.zaxxer.hikari.HikariDataSource;
import io.askflow.config.Config;
import io.askflow.config.ConfigException;
import io.askflow.config.Settings;
import io.askflow.db.Database;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Route;
import io.askflow.kafka.Runner;
import io.askflow.kafka.TopicInitializer;
import io.askflow.kafka.Topics;
import io.askflow.kafka.TurnEventPublisher;
import io.askflow.knowledge.DocumentStore;
import io.askflow.knowledge.KnowledgeSchema;
import io.askflow.knowledge.MemoryStore;
import io.askflow.monitoring.Monitoring;
import io.askflow.service.Startup;
import io.askflow.telemetry.Telemetry;
import io.askflow.telemetry.Tracing;
import io.askflow.tools.knowledge.ForgetTool;
import io.askflow.tools.knowledge.RememberTool;
import io.askflow.tools.knowledge.SearchDocumentsTool;
import io.askflow.tools.search.SearchProvider;
import io.askflow.tools.search.WebSearchTool;
import io.askflow.tools.spi.Tool;
import io.askflow.tools.spi.ToolBudget;
import io.askflow.tools.spi.ToolExecutor;
import io.askflow.tools.spi.ToolMetrics;
import io.askflow.tools.spi.ToolRegistry;
import io.askflow.tools.time.CurrentTimeTool;
import io.askflow.tools.web.FetchUrlTool;
import io.askflow.tools.web.HostAllowList;
import io.askflow.tools.web.HostResolver;
import io.askflow.tools.web.PageFetcher;
import io.micrometer.core.instrument.Timer;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The tool-runner, wired: tool calls in; the next model call out. */
public final class ToolRunnerService implements AutoCloseable {
    public static final String GROUP = "askflow-tool-runner";

    private final HttpClient searchHttp;
    private final HikariDataSource db;
    private final Runner runner;
    private final TurnEventPublisher events;

    private ToolRunnerService(Config config, Clock clock, Monitoring monitoring, Telemetry telemetry) {
        TopicInitializer.ensureTopics(config);
        Tracing tracing = telemetry.tracing(GROUP);
        int maxChars = config.get(Settings.TOOL_RESULT_MAX_CHARS);
        PageFetcher fetcher = new PageFetcher(allowList(config), HostResolver.SYSTEM,
                config.get(Settings.FETCH_TIMEOUT), config.get(Settings.FETCH_MAX_BYTES), clock);
        try (Startup.Parts parts = new Startup.Parts()) {
            searchHttp = parts.add(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
            // The knowledge tools read and write the user's memories and documents: the tool-runner owns
            // no tables of its own, it uses the knowledge library's.
            db = parts.add(monitoring.database(Database.open(config, "tool-runner", KnowledgeSchema::migrate)));
            ToolRegistry registry = builtinTools(config, clock, fetcher, SearchProvider.fromConfig(config, searchHttp)).with(
                    knowledgeTools(new MemoryStore(db), new DocumentStore(db), config.get(Settings.SEARCH_RESULTS)));
            ToolCallHandler handler = new ToolCallHandler(
                    new ToolExecutor(registry, config.get(Settings.TOOL_TIMEOUT), maxChars, tracing, toolMetrics(monitoring)),
                    new ToolBudget(new ToolBudget.Limits(config.get(Settings.MAX_TOOL_CALLS_PER_ROUND),
                            config.get(Settings.MAX_FETCHES_PER_TURN))), clock,
                    events = parts.add(TurnEventPublisher.create(config, GROUP + "-events", clock)));
            runner = parts.add(KafkaClients.exactlyOnceRunner(config, GROUP,
                    List.of(Route.of(Topics.TOOL_CALLS, handler::handle, handler::onFailure)), monitoring).tracedBy(tracing).start());
            parts.keep();
        }
    }

    public static ToolRunnerService start(Config config, Clock clock) {
        return new ToolRunnerService(config, clock, Monitoring.none(), Telemetry.disabled());
    }

    /** Reporting into the process's registry: one process, one /metrics. */
    public static ToolRunnerService start(Config config, Clock clock, Monitoring monitoring) {
        return new ToolRunnerService(config, clock, monitoring, Telemetry.disabled());
    }

    /** Traced with the process's telemetry, as service {@link #GROUP}. */
    public static ToolRunnerService start(Config config, Clock clock, Telemetry telemetry) {
        return new ToolRunnerService(config, clock, Monitoring.none(), telemetry);
    }

    public static ToolRunnerService start(Config config, Clock clock, Monitoring monitoring, Telemetry telemetry) {
        return new ToolRunnerService(config, clock, monitoring, telemetry);
    }

    private static ToolMetrics toolMetrics(Monitoring monitoring) {
        return (tool, outcome, nanos) -> Timer.builder("askflow.tool.calls").description("Tool calls, by tool and outcome")
                .tags("tool", tool, "outcome", outcome).publishPercentileHistogram().register(monitoring.registry())
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One implementation for each of {@link io.askflow.tool.BuiltinTools#offered}; web_search needs a provider. */
    static ToolRegistry builtinTools(Config config, Clock clock, PageFetcher fetcher, Optional<SearchProvider> search) {
        List<Tool> tools = new ArrayList<>(List.of(
                new CurrentTimeTool(clock, defaultZone(config)),
                new FetchUrlTool(fetcher, config.get(Settings.TOOL_RESULT_MAX_CHARS))));
        search.ifPresent(p -> tools.add(new WebSearchTool(p, config.get(Settings.SEARCH_MAX_RESULTS))));
        return new ToolRegistry(tools);
    }

    /** One implementation for each of {@link io.askflow.tool.BuiltinTools#knowledge()}. */
    static List<Tool> knowledgeTools(MemoryStore memories, DocumentStore documents, int searchResults) {
        return List.of(new RememberTool(memories), new ForgetTool(memories), new SearchDocumentsTool(documents, searchResults));
    }

    private static HostAllowList allowList(Config config) {
        try {
            return HostAllowList.parse(config.get(Settings.FETCH_ALLOW_HOSTS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Invalid " + Settings.FETCH_ALLOW_HOSTS.name() + ": " + e.getMessage(), e);
        }
    }

    private static ZoneId defaultZone(Config config) {
        String zone = config.get(Settings.DEFAULT_TIME_ZONE);
        try {
            return ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw new ConfigException("Invalid " + Settings.DEFAULT_TIME_ZONE.name() + " '" + zone + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        runner.close();
        events.close();
        searchHttp.close();
        db.close();
    }
}
