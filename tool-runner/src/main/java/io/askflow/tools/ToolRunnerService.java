package io.askflow.tools;

import io.askflow.config.Config;
import io.askflow.config.ConfigException;
import io.askflow.config.Settings;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Route;
import io.askflow.kafka.Runner;
import io.askflow.kafka.TopicInitializer;
import io.askflow.kafka.Topics;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;

/** The tool-runner, wired: tool calls in; the next model call out. */
public final class ToolRunnerService implements AutoCloseable {
    public static final String GROUP = "askflow-tool-runner";

    private final PageFetcher fetcher;
    private final Runner runner;

    private ToolRunnerService(Config config, Clock clock) {
        TopicInitializer.ensureTopics(config);
        int maxChars = config.get(Settings.TOOL_RESULT_MAX_CHARS);
        fetcher = new PageFetcher(allowList(config), PageFetcher.Resolver.DNS,
                config.get(Settings.FETCH_TIMEOUT), config.get(Settings.FETCH_MAX_BYTES), clock);
        ToolRegistry registry = builtinTools(config, clock, fetcher);
        ToolCallHandler handler = new ToolCallHandler(
                new ToolExecutor(registry, config.get(Settings.TOOL_TIMEOUT), maxChars), clock);
        runner = KafkaClients.exactlyOnceRunner(config, GROUP,
                List.of(Route.of(Topics.TOOL_CALLS, handler::handle, handler::onFailure))).start();
    }

    public static ToolRunnerService start(Config config, Clock clock) {
        return new ToolRunnerService(config, clock);
    }

    /** One implementation for each of {@link io.askflow.tool.BuiltinTools#all()}. */
    static ToolRegistry builtinTools(Config config, Clock clock, PageFetcher fetcher) {
        return new ToolRegistry(List.of(
                new CurrentTimeTool(clock, defaultZone(config)),
                new FetchUrlTool(fetcher, config.get(Settings.TOOL_RESULT_MAX_CHARS))));
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
        fetcher.close();
    }
}
