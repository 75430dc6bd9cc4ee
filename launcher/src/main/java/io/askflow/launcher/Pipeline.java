package io.askflow.launcher;

import io.askflow.config.Config;
import io.askflow.context.ContextBuilderService;
import io.askflow.gateway.GatewayService;
import io.askflow.model.ModelCallerService;
import io.askflow.monitoring.Monitoring;
import io.askflow.telemetry.Telemetry;
import io.askflow.tools.ToolRunnerService;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The four services in one process, each with its own clients and consumer group, exactly as they
 * run as separate processes; only the JVM is shared.
 */
public final class Pipeline implements AutoCloseable {
    /** Every consumer group the four services join; {@code PipelineGroupsTest} keeps it complete. */
    static final List<String> GROUPS = List.of(GatewayService.GROUP, GatewayService.ANSWERS_GROUP,
            ContextBuilderService.GROUP, ModelCallerService.GROUP, ToolRunnerService.GROUP);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final GatewayService gateway;

    private Pipeline(Config config, Clock clock, Monitoring monitoring, Telemetry telemetry) throws Exception {
        try {
            gateway = remember(GatewayService.start(config, clock, monitoring, telemetry));
            remember(ContextBuilderService.start(config, clock, monitoring, telemetry));
            remember(ModelCallerService.start(config, clock, monitoring, telemetry));
            remember(ToolRunnerService.start(config, clock, monitoring, telemetry));
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    public static Pipeline start(Config config, Clock clock) throws Exception {
        return new Pipeline(config, clock, Monitoring.none(), Telemetry.disabled());
    }

    /**
     * The four services reporting into one registry (one process, one /metrics) and tracing with
     * {@code telemetry}, each under its own service name; the caller closes both after this.
     */
    public static Pipeline start(Config config, Clock clock, Monitoring monitoring, Telemetry telemetry) throws Exception {
        return new Pipeline(config, clock, monitoring, telemetry);
    }

    public static Pipeline start(Config config, Clock clock, Monitoring monitoring) throws Exception {
        return new Pipeline(config, clock, monitoring, Telemetry.disabled());
    }

    public static Pipeline start(Config config, Clock clock, Telemetry telemetry) throws Exception {
        return new Pipeline(config, clock, Monitoring.none(), telemetry);
    }

    public int httpPort() {
        return gateway.httpPort();
    }

    private <T extends AutoCloseable> T remember(T service) {
        started.push(service);
        return service;
    }

    /** Stops the services in reverse order of start, each draining its work in flight. */
    @Override
    public void close() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(Pipeline.class).warn("A service did not close cleanly", e);
            }
        }
    }
}
