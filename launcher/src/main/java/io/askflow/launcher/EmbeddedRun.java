package io.askflow.launcher;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.embedded.EmbeddedKafka;
import io.askflow.embedded.Infrastructure;
import io.askflow.kafka.TopicInitializer;
import io.askflow.localmodel.ChatCompletionsServer;
import io.askflow.localmodel.LocalModel;
import io.askflow.model.ModelEndpointCheck;
import io.askflow.monitoring.ManagementServer;
import io.askflow.monitoring.Monitoring;
import io.askflow.service.Preflight;
import io.askflow.service.ServiceProcess;
import io.askflow.service.StartupFailure;
import io.askflow.telemetry.Telemetry;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything askflow needs, in one process: Kafka and PostgreSQL from the environment or embedded,
 * the offline local model when no model API is configured, and the four services. It returns once
 * every service has joined its consumer group, so the first turn does not wait for rebalances.
 */
final class EmbeddedRun implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRun.class);
    static final String LOCAL_MODEL_NOTICE = "No OPENAI_API_KEY or OPENAI_BASE_URL is set: answers come from askflow's built-in "
            + "offline local model (" + LocalModel.MODEL_NAME + "), which is deterministic and is NOT GPT. "
            + "Set OPENAI_API_KEY to use the real API.";
    /** The documented ports {@code serve} takes when they are free. */
    static final int KAFKA_PORT = 9092;
    static final int HTTP_PORT = 8080;
    static final int MANAGEMENT_PORT = Integer.parseInt(Settings.MANAGEMENT_PORT.defaultValue());

    private final List<String> portNotes = new ArrayList<>();
    private Infrastructure infrastructure;
    private ChatCompletionsServer localModel;
    private Pipeline pipeline;
    /** The process's one telemetry: the four services trace with it, each under its own service name. */
    private Telemetry telemetry;
    private Monitoring monitoring;
    private ManagementServer management;
    private Config config;

    private EmbeddedRun() {
    }

    private void boot(Map<String, String> env, boolean serve) {
        Config given = Config.of(env);
        Map<String, String> effective = new HashMap<>(env);
        int kafkaPort = 0;
        if (serve) {
            effective.put(Settings.HTTP_PORT.name(), Integer.toString(httpPort(env, given)));
            effective.put(Settings.MANAGEMENT_PORT.name(), Integer.toString(managementPort(env, given)));
            kafkaPort = isSet(env, Settings.KAFKA_BOOTSTRAP_SERVERS) ? 0 : KAFKA_PORT;
        } else {
            // The demo needs neither HTTP nor the management port and must not collide with a serve.
            effective.put(Settings.HTTP_PORT.name(), "0");
            effective.put(Settings.MANAGEMENT_PORT.name(), "0");
        }
        if (!isSet(env, Settings.OPENAI_API_KEY) && !isSet(env, Settings.OPENAI_BASE_URL)) {
            localModel = ChatCompletionsServer.start(new LocalModel());
            effective.put(Settings.OPENAI_BASE_URL.name(), localModel.baseUrl());
            effective.put(Settings.DEFAULT_MODEL.name(), LocalModel.MODEL_NAME);
            effective.put(Settings.MODEL_NOTICE.name(), "askflow's offline local model answered; it is deterministic and is NOT GPT");
            LOG.warn(LOCAL_MODEL_NOTICE);
        }
        // Before Kafka and PostgreSQL are started: a wrong model endpoint should fail in a second.
        Config modelConfig = Config.of(effective);
        ModelEndpointCheck.verify(modelConfig);
        // While Kafka and PostgreSQL start (seconds), not before them.
        CompletableFuture<Void> warmUp = localModel == null ? CompletableFuture.completedFuture(null)
                : CompletableFuture.runAsync(() -> ModelEndpointCheck.warmUp(modelConfig, LocalModel.MODEL_NAME));
        infrastructure = Infrastructure.resolve(env, Path.of(given.get(Settings.DATA_DIR)).toAbsolutePath(), kafkaPort);
        try {
            warmUp.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e; // as if called here
        }
        effective.put(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), infrastructure.kafka().bootstrapServers());
        effective.put(Settings.DATABASE_URL.name(), infrastructure.postgres().jdbcUrl());
        effective.put(Settings.DATABASE_USER.name(), infrastructure.postgres().user());
        effective.put(Settings.DATABASE_PASSWORD.name(), infrastructure.postgres().password());
        if (kafkaPort > 0 && !infrastructure.kafka().bootstrapServers().endsWith(":" + kafkaPort)) {
            portNotes.add("Port " + kafkaPort + " is in use, so the embedded Kafka took "
                    + infrastructure.kafka().bootstrapServers() + " instead.");
        }
        config = Config.of(effective);
        Preflight.dependencies(config);
        TopicInitializer.ensureTopics(config);
        monitoring = Monitoring.create();
        management = ServiceProcess.management(config, monitoring);
        Runnable started = monitoring.startupCheck();
        try {
            telemetry = Telemetry.create(config);
            pipeline = Pipeline.start(config, Clock.systemUTC(), monitoring, telemetry);
        } catch (Exception e) {
            throw bindFailure(e, config.get(Settings.HTTP_PORT));
        }
        GroupReadiness.await(config, Pipeline.GROUPS, config.get(Settings.STARTUP_TIMEOUT));
        if (warmsUp()) {
            WarmUpTurn.run(config, pipeline.httpPort(), config.get(Settings.STARTUP_TIMEOUT));
        }
        started.run();
    }

    /**
     * Starts everything; a {@link StartupFailure} says in one line what is wrong. {@code serve}
     * takes the documented ports (Kafka 9092, HTTP 8080) when they are free.
     */
    static EmbeddedRun start(Map<String, String> env, boolean serve) {
        EmbeddedRun run = new EmbeddedRun();
        try {
            run.boot(env, serve);
            return run;
        } catch (RuntimeException e) {
            run.close(); // stops what was started before the failure
            throw e;
        }
    }

    /**
     * A warm-up turn runs only where it can leave no trace: on the broker and database this run
     * started itself, with the offline model (a real API would be billed), as the anonymous tenant.
     */
    private boolean warmsUp() {
        return infrastructure.embeddedKafka().isPresent() && infrastructure.embeddedPostgres().isPresent()
                && localModel != null && !config.get(Settings.ANONYMOUS_TENANT).isEmpty();
    }

    private static boolean isSet(Map<String, String> env, io.askflow.config.Setting<?> setting) {
        String value = env.get(setting.name());
        return value != null && !value.isBlank();
    }

    /** An explicit ASKFLOW_HTTP_PORT must be free; without one, 8080 if free, else any free port. */
    private int httpPort(Map<String, String> env, Config given) {
        if (isSet(env, Settings.HTTP_PORT)) {
            int port = given.get(Settings.HTTP_PORT);
            if (port != 0 && !EmbeddedKafka.isFree(port)) {
                throw portInUse(port);
            }
            return port;
        }
        if (EmbeddedKafka.isFree(HTTP_PORT)) {
            return HTTP_PORT;
        }
        portNotes.add("Port " + HTTP_PORT + " is in use, so the HTTP API took a free port instead (set ASKFLOW_HTTP_PORT to choose one).");
        return 0;
    }

    /** As the HTTP port: an explicit ASKFLOW_MANAGEMENT_PORT must be free; else the default if free, else any. */
    private int managementPort(Map<String, String> env, Config given) {
        if (isSet(env, Settings.MANAGEMENT_PORT)) {
            int port = given.get(Settings.MANAGEMENT_PORT);
            if (port != 0 && !EmbeddedKafka.isFree(port)) {
                throw ServiceProcess.managementPortInUse(port);
            }
            return port;
        }
        if (EmbeddedKafka.isFree(MANAGEMENT_PORT)) {
            return MANAGEMENT_PORT;
        }
        portNotes.add("Port " + MANAGEMENT_PORT + " is in use, so the management endpoints took a free port instead "
                + "(set ASKFLOW_MANAGEMENT_PORT to choose one).");
        return 0;
    }

    static StartupFailure portInUse(int port) {
        return new StartupFailure("Port " + port + " (ASKFLOW_HTTP_PORT) is in use: stop what listens there, "
                + "or set ASKFLOW_HTTP_PORT to a free port (0 picks one).");
    }

    private static RuntimeException bindFailure(Exception e, int port) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return portInUse(port);
            }
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException("Cannot start the services", e);
    }

    Config config() {
        return config;
    }

    int httpPort() {
        return pipeline.httpPort();
    }

    int managementPort() {
        return management.port();
    }

    String kafkaBootstrapServers() {
        return config.get(Settings.KAFKA_BOOTSTRAP_SERVERS);
    }

    /** Why a documented port was not taken, one line each; empty when every port was. */
    List<String> portNotes() {
        return List.copyOf(portNotes);
    }

    boolean usesLocalModel() {
        return localModel != null;
    }

    @Override
    public void close() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (management != null) {
            management.close();
        }
        if (monitoring != null) {
            monitoring.close();
        }
        if (telemetry != null) {
            telemetry.close();
        }
        if (localModel != null) {
            localModel.close();
        }
        if (infrastructure != null) {
            infrastructure.close();
        }
    }
}
