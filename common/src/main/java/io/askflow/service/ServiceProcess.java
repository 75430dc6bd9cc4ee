package io.askflow.service;

import io.askflow.config.Config;
import io.askflow.telemetry.Telemetry;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one service as a process: reads the environment, starts the service, and on SIGTERM closes
 * it (draining records in flight and committing) before the JVM exits.
 */
public final class ServiceProcess {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceProcess.class);

    /** Starts a service from its configuration. */
    @FunctionalInterface
    public interface Starter {
        AutoCloseable start(Config config) throws Exception;
    }

    /** Starts a service that traces with the process's telemetry. */
    @FunctionalInterface
    public interface TracedStarter {
        AutoCloseable start(Config config, Telemetry telemetry) throws Exception;
    }

    private ServiceProcess() {
    }

    public static void run(String name, Starter starter) throws Exception {
        run(name, (config, telemetry) -> starter.start(config));
    }

    /** The process's one {@link Telemetry} is closed after the service, so the service's last spans are exported. */
    public static void run(String name, TracedStarter starter) throws Exception {
        Config config = Config.fromEnv();
        LOG.info("Starting {} with {}", name, config.describe());
        Telemetry telemetry = Telemetry.create(config);
        AutoCloseable service;
        try {
            service = starter.start(config, telemetry);
        } catch (StartupFailure e) {
            // One line that says what did not answer; the start-up closed what it had opened.
            LOG.error("{} could not start: {}", name, e.getMessage());
            System.err.println(name + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        LOG.info("{} is running", name);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                LOG.warn("{} did not close cleanly", name, e);
            } finally {
                telemetry.close();
                closed.countDown();
            }
        }, name + "-shutdown"));
        closed.await();
    }
}
