package io.askflow.tools;

import io.askflow.service.ServiceProcess;
import java.time.Clock;

/** Runs the tool-runner until SIGTERM. Configuration comes from ASKFLOW_* environment variables. */
public final class Main {
    public static void main(String[] args) throws Exception {
        ServiceProcess.run("tool-runner", (config, monitoring, telemetry) -> ToolRunnerService.start(config, Clock.systemUTC(), monitoring, telemetry));
    }
}
