package io.askflow.model;

import io.askflow.service.ServiceProcess;
import java.time.Clock;

/** Runs the model-caller until SIGTERM. Configuration comes from ASKFLOW_* and OPENAI_* environment variables. */
public final class Main {
    public static void main(String[] args) throws Exception {
        ServiceProcess.run("model-caller", (config, monitoring, telemetry) -> {
            ModelEndpointCheck.verify(config);
            return ModelCallerService.start(config, Clock.systemUTC(), monitoring, telemetry);
        });
    }
}
