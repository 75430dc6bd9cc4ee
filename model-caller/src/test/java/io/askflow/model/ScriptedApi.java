package io.askflow.model;

import com.openai.client.OpenAIClient;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.openai.OpenAiClients;
import io.askflow.testkit.ScriptedModelServer;
import java.util.Map;

/** The scripted model server and an openai-java client pointed at it, closed together. */
record ScriptedApi(ScriptedModelServer server, OpenAIClient client) implements AutoCloseable {
    static ScriptedApi start() {
        ScriptedModelServer server = ScriptedModelServer.start();
        return new ScriptedApi(server, OpenAiClients.create(Config.of(Map.of(Settings.OPENAI_BASE_URL.name(),
                server.baseUrl(), Settings.OPENAI_API_KEY.name(), "sk-test", Settings.MODEL_TIMEOUT.name(), "PT5S")), ""));
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
