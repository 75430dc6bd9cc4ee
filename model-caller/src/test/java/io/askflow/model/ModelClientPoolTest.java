package io.askflow.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.openai.OpenAiClientPool;
import io.askflow.openai.OpenAiClients;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelClientPoolTest {
    private static final String LOCAL = "http://127.0.0.1:9/v1";

    @Test
    void theCallsInFlightAreSharedOutOverClientsOfAFewHundredCallsEachInTurn() {
        Config config = Config.of(Map.of(Settings.OPENAI_BASE_URL.name(), LOCAL, Settings.MODEL_MAX_IN_FLIGHT.name(), "1000"));
        try (OpenAiClientPool pool = OpenAiClients.pool(config, "")) {
            assertThat(pool.size()).isEqualTo((1000 + OpenAiClients.CALLS_PER_CLIENT - 1) / OpenAiClients.CALLS_PER_CLIENT);
            List<OpenAIClient> turns = new ArrayList<>();
            for (int i = 0; i < 2 * pool.size(); i++) {
                turns.add(pool.next());
            }
            Map<OpenAIClient, Integer> uses = new IdentityHashMap<>();
            turns.forEach(c -> uses.merge(c, 1, Integer::sum));
            assertThat(uses).hasSize(pool.size());
            assertThat(uses.values()).containsOnly(2);
        }
        Config small = Config.of(Map.of(Settings.OPENAI_BASE_URL.name(), LOCAL, Settings.MODEL_MAX_IN_FLIGHT.name(), "3"));
        try (OpenAiClientPool pool = OpenAiClients.pool(small, "")) {
            assertThat(pool.size()).isEqualTo(1);
        }
    }
}
