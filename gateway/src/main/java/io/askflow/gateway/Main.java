package io.askflow.gateway;

import io.askflow.service.ServiceProcess;
import java.time.Clock;

/** Runs the gateway until SIGTERM. Configuration comes from ASKFLOW_* environment variables. */
public final class Main {
    public static void main(String[] args) throws Exception {
        ServiceProcess.run("gateway", (config, monitoring, telemetry) -> GatewayService.start(config, Clock.systemUTC(), monitoring, telemetry));
    }
}
