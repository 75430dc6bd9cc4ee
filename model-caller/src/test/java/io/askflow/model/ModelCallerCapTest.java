package io.askflow.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelCallerCapTest {

    @Test
    void theModelCallersRunnerTakesItsOwnCapNotTheOneSharedByTheOtherServices() {
        Config config = Config.of(Map.of(Settings.MAX_IN_FLIGHT.name(), "16", Settings.MODEL_MAX_IN_FLIGHT.name(), "5000"));
        assertThat(ModelCallerService.runnerConfig(config).get(Settings.MAX_IN_FLIGHT)).isEqualTo(5000);
        assertThat(ModelCallerService.runnerConfig(Config.of(Map.of())).get(Settings.MAX_IN_FLIGHT)).isEqualTo(8192);
    }
}
