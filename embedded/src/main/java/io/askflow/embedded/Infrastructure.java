package io.askflow.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka cluster and PostgreSQL database that tests and local runs talk to, found or started
 * in order of preference:
 *
 * <ol>
 *   <li>endpoints given in the environment, so CI or a developer can point everything at a real
 *       installation ({@value #KAFKA_BOOTSTRAP_SERVERS}; {@value #DATABASE_URL},
 *       {@value #DATABASE_USER}, {@value #DATABASE_PASSWORD});
 *   <li>Testcontainers, when a Docker engine is reachable, for isolation closest to production;
 *   <li>an embedded broker in a child JVM and an embedded PostgreSQL, so that everything still
 *       works on a machine with nothing but a JDK.
 * </ol>
 *
 * <p>Kafka and PostgreSQL are resolved independently: configuring one does not affect the other.
 * Setting {@value #TESTCONTAINERS} to {@code false} skips step 2, for tests that need the embedded
 * broker's {@link EmbeddedKafka#kill() kill} and {@link EmbeddedKafka#restart() restart} or the
 * database's {@link EmbeddedPostgres#restart() restart}.
 */
public final class Infrastructure implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Infrastructure.class);

    public static final String KAFKA_BOOTSTRAP_SERVERS = "ASKFLOW_KAFKA_BOOTSTRAP_SERVERS";
    public static final String DATABASE_URL = "ASKFLOW_DATABASE_URL";
    public static final String DATABASE_USER = "ASKFLOW_DATABASE_USER";
    public static final String DATABASE_PASSWORD = "ASKFLOW_DATABASE_PASSWORD";
    public static final String TESTCONTAINERS = "ASKFLOW_TESTCONTAINERS";

    static final String ENVIRONMENT = "environment";
    static final String TESTCONTAINERS_ORIGIN = "testcontainers";
    static final String EMBEDDED = "embedded";

    private static final Object SHARED_LOCK = new Object();
    private static Infrastructure shared;
    private static RuntimeException sharedFailure;

    private final KafkaEndpoint kafka;
    private final PostgresEndpoint postgres;
    private final EmbeddedKafka embeddedKafka;
    private final EmbeddedPostgres embeddedPostgres;
    /** What this instance started and must stop, in start order. */
    private final List<AutoCloseable> owned;
    private final boolean isShared;
    private boolean closed;

    private Infrastructure(KafkaEndpoint kafka, PostgresEndpoint postgres, EmbeddedKafka embeddedKafka,
            EmbeddedPostgres embeddedPostgres, List<AutoCloseable> owned, boolean isShared) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.embeddedKafka = embeddedKafka;
        this.embeddedPostgres = embeddedPostgres;
        this.owned = List.copyOf(owned);
        this.isShared = isShared;
    }

    /**
     * Finds or starts Kafka and PostgreSQL as described in the class comment.
     *
     * @param env the environment to read endpoints from; a parameter rather than
     *     {@link System#getenv()} so tests can choose
     * @param dataDir where embedded servers keep their data ({@code kafka/} and {@code postgres/}
     *     below it); only used for what is started embedded
     * @return an instance the caller must {@link #close()}, which stops whatever it started
     */
    public static Infrastructure resolve(Map<String, String> env, Path dataDir) {
        return resolve(env, dataDir, 0, false);
    }

    /**
     * Like {@link #resolve(Map, Path)}, but an embedded broker listens on {@code preferredKafkaPort}
     * when that port is free (see {@link EmbeddedKafka#start(Path, int)}).
     */
    public static Infrastructure resolve(Map<String, String> env, Path dataDir, int preferredKafkaPort) {
        return resolve(env, dataDir, preferredKafkaPort, false);
    }

    private static Infrastructure resolve(Map<String, String> env, Path dataDir, int preferredKafkaPort, boolean isShared) {
        DockerCheck docker = new DockerCheck(env);
        // Side by side: the embedded broker's JVM is the slowest part of a start, and PostgreSQL
        // (or a container) starts meanwhile instead of after it.
        CompletableFuture<Started<KafkaEndpoint, EmbeddedKafka>> kafkaStart = new CompletableFuture<>();
        Thread.ofPlatform().name("askflow-kafka-start").daemon().start(() -> {
            try {
                kafkaStart.complete(kafka(env, docker, dataDir, preferredKafkaPort));
            } catch (Throwable t) {
                kafkaStart.completeExceptionally(t);
            }
        });
        Started<PostgresEndpoint, EmbeddedPostgres> postgres;
        try {
            postgres = postgres(env, docker, dataDir);
        } catch (RuntimeException | Error e) {
            kafkaStart.thenAccept(k -> closeAll(k.owned(), false));
            throw e;
        }
        Started<KafkaEndpoint, EmbeddedKafka> kafka;
        try {
            kafka = kafkaStart.join();
        } catch (CompletionException e) {
            closeAll(postgres.owned(), false);
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        List<AutoCloseable> owned = new ArrayList<>(kafka.owned());
        owned.addAll(postgres.owned());
        return new Infrastructure(kafka.endpoint(), postgres.endpoint(), kafka.embedded(), postgres.embedded(), owned,
                isShared);
    }

    /** An endpoint, the embedded server behind it (or null), and what must be stopped with it. */
    private record Started<E, S>(E endpoint, S embedded, List<AutoCloseable> owned) {
    }

    private static Started<KafkaEndpoint, EmbeddedKafka> kafka(Map<String, String> env, DockerCheck docker, Path dataDir,
            int preferredKafkaPort) {
        Started<KafkaEndpoint, EmbeddedKafka> started;
        String bootstrap = nonBlank(env.get(KAFKA_BOOTSTRAP_SERVERS));
        if (bootstrap != null) {
            started = new Started<>(new KafkaEndpoint(bootstrap, ENVIRONMENT), null, List.of());
        } else if (docker.available()) {
            var container = Containers.startKafka();
            started = new Started<>(new KafkaEndpoint(container.getBootstrapServers(), TESTCONTAINERS_ORIGIN), null,
                    List.of(container));
        } else {
            EmbeddedKafka embedded = EmbeddedKafka.start(dataDir.resolve("kafka"), preferredKafkaPort);
            started = new Started<>(new KafkaEndpoint(embedded.bootstrapServers(), EMBEDDED), embedded, List.of(embedded));
        }
        LOG.info("Kafka from {}: {}", started.endpoint().origin(), started.endpoint().bootstrapServers());
        return started;
    }

    private static Started<PostgresEndpoint, EmbeddedPostgres> postgres(Map<String, String> env, DockerCheck docker,
            Path dataDir) {
        Started<PostgresEndpoint, EmbeddedPostgres> started;
        String url = nonBlank(env.get(DATABASE_URL));
        if (url != null) {
            started = new Started<>(new PostgresEndpoint(url, env.getOrDefault(DATABASE_USER, ""),
                    env.getOrDefault(DATABASE_PASSWORD, ""), ENVIRONMENT), null, List.of());
        } else if (docker.available()) {
            var container = Containers.startPostgres();
            started = new Started<>(new PostgresEndpoint(container.getJdbcUrl(), container.getUsername(),
                    container.getPassword(), TESTCONTAINERS_ORIGIN), null, List.of(container));
        } else {
            EmbeddedPostgres embedded = EmbeddedPostgres.start(dataDir.resolve("postgres"));
            started = new Started<>(embedded.endpoint(), embedded, List.of(embedded));
        }
        LOG.info("PostgreSQL from {}: {}", started.endpoint().origin(), started.endpoint().jdbcUrl());
        return started;
    }

    /**
     * The instance shared by everything in this JVM, resolved from {@link System#getenv()} on first
     * use, so that a test JVM starts one broker and one database however many tests use them.
     *
     * <p>It lives until the JVM exits; {@link #close()} on it does nothing, so a test that puts it
     * in a try-with-resources block cannot pull it away from the others. A failed start is
     * remembered and rethrown, so the remaining tests fail at once instead of retrying.
     */
    public static Infrastructure shared() {
        synchronized (SHARED_LOCK) {
            if (shared != null) {
                return shared;
            }
            if (sharedFailure != null) {
                throw new IllegalStateException("The shared infrastructure failed to start earlier", sharedFailure);
            }
            Path dataDir;
            try {
                dataDir = Files.createTempDirectory("askflow-infrastructure-");
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create a data directory for the shared infrastructure", e);
            }
            try {
                Infrastructure infrastructure = resolve(System.getenv(), dataDir, 0, true);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    infrastructure.closeAll(true);
                    deleteQuietly(dataDir);
                }, "askflow-infrastructure-shutdown"));
                shared = infrastructure;
                return shared;
            } catch (RuntimeException e) {
                sharedFailure = e;
                deleteQuietly(dataDir);
                throw e;
            }
        }
    }

    /** Where clients find Kafka, and which of the three ways it came from. */
    public KafkaEndpoint kafka() {
        return kafka;
    }

    /** Where clients find the {@code askflow} database, and which of the three ways it came from. */
    public PostgresEndpoint postgres() {
        return postgres;
    }

    /**
     * The embedded broker, when Kafka is embedded; empty otherwise. Tests that kill and restart the
     * broker need it and should be skipped when it is absent.
     */
    public Optional<EmbeddedKafka> embeddedKafka() {
        return Optional.ofNullable(embeddedKafka);
    }

    /**
     * The embedded database, when PostgreSQL is embedded; empty otherwise. Tests that restart the
     * database need it and should be skipped when it is absent.
     */
    public Optional<EmbeddedPostgres> embeddedPostgres() {
        return Optional.ofNullable(embeddedPostgres);
    }

    /** Stops whatever this instance started; a no-op on the {@linkplain #shared() shared} one. */
    @Override
    public void close() {
        if (isShared) {
            return;
        }
        closeAll(false);
    }

    private synchronized void closeAll(boolean fast) {
        if (closed) {
            return;
        }
        closed = true;
        if (fast && embeddedKafka != null) {
            // At JVM exit nobody needs a clean broker shutdown; it would only delay the exit.
            embeddedKafka.kill();
        }
        closeAll(owned, fast);
    }

    private static void closeAll(List<AutoCloseable> resources, boolean quiet) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                if (!quiet) {
                    LOG.warn("Cannot stop {}", resources.get(i), e);
                }
            }
        }
    }

    private static String nonBlank(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static void deleteQuietly(Path dir) {
        try {
            EmbeddedKafka.deleteRecursively(dir);
        } catch (IOException | UncheckedIOException e) {
            // A temp directory left behind is not worth failing a shutdown for.
        }
    }

    /**
     * Asks Testcontainers about Docker at most once, and only after a cheap look for a Docker
     * socket or {@code DOCKER_HOST}: without Docker, Testcontainers spends seconds probing and logs
     * errors for every strategy it tries.
     */
    private static final class DockerCheck {
        private final Map<String, String> env;
        private Boolean available;

        DockerCheck(Map<String, String> env) {
            this.env = env;
        }

        synchronized boolean available() {
            if (available == null) {
                available = !"false".equalsIgnoreCase(env.get(TESTCONTAINERS))
                        && dockerLikely() && Containers.dockerAvailable();
            }
            return available;
        }

        private boolean dockerLikely() {
            String dockerHost = nonBlank(env.get("DOCKER_HOST"));
            if (dockerHost != null) {
                return !dockerHost.startsWith("unix://") || Files.exists(Path.of(dockerHost.substring("unix://".length())));
            }
            List<Path> sockets = new ArrayList<>(List.of(Path.of("/var/run/docker.sock")));
            String home = System.getProperty("user.home");
            if (home != null) {
                sockets.add(Path.of(home, ".docker", "run", "docker.sock"));
                sockets.add(Path.of(home, ".docker", "desktop", "docker.sock"));
                sockets.add(Path.of(home, ".colima", "default", "docker.sock"));
                if (configuresDockerHost(Path.of(home, ".testcontainers.properties"))) {
                    return true;
                }
            }
            String runtimeDir = nonBlank(env.get("XDG_RUNTIME_DIR"));
            if (runtimeDir != null) {
                sockets.add(Path.of(runtimeDir, "docker.sock"));
            }
            return sockets.stream().anyMatch(Files::exists);
        }

        /** Testcontainers' own configuration may name a remote or unusually placed engine. */
        private static boolean configuresDockerHost(Path properties) {
            try {
                return Files.isRegularFile(properties) && Files.readString(properties).contains("docker.host");
            } catch (IOException | UncheckedIOException e) {
                return false;
            }
        }
    }
}
