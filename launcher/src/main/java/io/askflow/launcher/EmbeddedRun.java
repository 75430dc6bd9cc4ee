package io.askflow.launcher;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.embedded.Infrastructure;
import io.askflow.kafka.TopicInitializer;
import io.askflow.localmodel.ChatCompletionsServer;
import io.askflow.localmodel.LocalModel;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything askflow needs, in one process: Kafka and PostgreSQL from the environment or embedded,
 * the offline local model when no OPENAI_API_KEY is set, and the four services.
 */
final class EmbeddedRun implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRun.class);
    static final String LOCAL_MODEL_NOTICE = "No OPENAI_API_KEY is set: answers come from askflow's built-in "
            + "offline local model (" + LocalModel.MODEL_NAME + "), which is deterministic and is NOT GPT. "
            + "Set OPENAI_API_KEY to use the real API.";

    private final Infrastructure infrastructure;
    private final ChatCompletionsServer localModel;
    private final Pipeline pipeline;
    private final Config config;

    private EmbeddedRun(Config env, boolean serveHttp) throws Exception {
        infrastructure = Infrastructure.resolve(System.getenv(), Path.of(env.get(Settings.DATA_DIR)).toAbsolutePath());
        Map<String, String> effective = new HashMap<>(System.getenv());
        effective.put(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), infrastructure.kafka().bootstrapServers());
        effective.put(Settings.DATABASE_URL.name(), infrastructure.postgres().jdbcUrl());
        effective.put(Settings.DATABASE_USER.name(), infrastructure.postgres().user());
        effective.put(Settings.DATABASE_PASSWORD.name(), infrastructure.postgres().password());
        if (!serveHttp) {
            effective.put(Settings.HTTP_PORT.name(), "0");
        }
        if (env.find(Settings.OPENAI_API_KEY).isEmpty()) {
            localModel = ChatCompletionsServer.start(new LocalModel());
            effective.put(Settings.OPENAI_BASE_URL.name(), localModel.baseUrl());
            effective.put(Settings.DEFAULT_MODEL.name(), LocalModel.MODEL_NAME);
            effective.put(Settings.MODEL_NOTICE.name(), "askflow's offline local model answered; it is deterministic and is NOT GPT");
            LOG.warn(LOCAL_MODEL_NOTICE);
        } else {
            localModel = null;
        }
        config = Config.of(effective);
        TopicInitializer.ensureTopics(config);
        pipeline = Pipeline.start(config, Clock.systemUTC());
    }

    static EmbeddedRun start(Config env, boolean serveHttp) throws Exception {
        return new EmbeddedRun(env, serveHttp);
    }

    Config config() {
        return config;
    }

    int httpPort() {
        return pipeline.httpPort();
    }

    boolean usesLocalModel() {
        return localModel != null;
    }

    @Override
    public void close() {
        pipeline.close();
        if (localModel != null) {
            localModel.close();
        }
        infrastructure.close();
    }
}
