package io.askflow.context;

import io.askflow.service.ServiceProcess;
import java.time.Clock;

/** Runs the context-builder until SIGTERM. Configuration comes from ASKFLOW_* environment variables. */
public final class Main {
    public static void main(String[] args) throws Exception {
        ServiceProcess.run("context-builder", (config, monitoring, telemetry) -> ContextBuilderService.start(config, Clock.systemUTC(), monitoring, telemetry));
    }
}
