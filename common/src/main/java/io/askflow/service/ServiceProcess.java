package io.askflow.service;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.monitoring.ManagementServer;
import io.askflow.monitoring.Monitoring;
import io.askflow.telemetry.Telemetry;
import java.net.BindException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one service as a process: reads the environment, serves the management endpoints
 * ({@code ASKFLOW_MANAGEMENT_PORT}), starts the service, and on SIGTERM closes it (draining records
 * in flight and committing) before the JVM exits.
 */
public final class ServiceProcess {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceProcess.class);

    /** Starts a service from its configuration, reporting into the process's monitoring and tracing with its telemetry. */
    @FunctionalInterface
    public interface Starter {
        AutoCloseable start(Config config, Monitoring monitoring, Telemetry telemetry) throws Exception;
    }

    private ServiceProcess() {
    }

    /** The process's one {@link Telemetry} is closed after the service, so the service's last spans are exported. */
    public static void run(String name, Starter starter) throws Exception {
        Config config = Config.fromEnv();
        LOG.info("Starting {} with {}", name, config.describe());
        Telemetry telemetry = Telemetry.create(config);
        Monitoring monitoring = Monitoring.create();
        ManagementServer management;
        AutoCloseable service;
        try {
            management = management(config, monitoring);
        } catch (StartupFailure e) {
            fail(name, e);
            return;
        }
        // Not ready until the service has started (its own checks are added as it starts).
        Runnable started = monitoring.startupCheck();
        try {
            service = starter.start(config, monitoring, telemetry);
            started.run();
        } catch (Exception e) {
            // The management server's thread would keep the JVM alive after a failed start.
            management.close();
            monitoring.close();
            telemetry.close();
            if (e instanceof StartupFailure f) {
                fail(name, f);
                return;
            }
            throw e;
        }
        LOG.info("{} serves /metrics, /healthz and /readyz on port {}", name, management.port());
        LOG.info("{} is running", name);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                LOG.warn("{} did not close cleanly", name, e);
            } finally {
                management.close();
                monitoring.close();
                telemetry.close();
                closed.countDown();
            }
        }, name + "-shutdown"));
        closed.await();
    }

    /** One line that says what did not answer; the start-up closed what it had opened. */
    private static void fail(String name, StartupFailure e) {
        LOG.error("{} could not start: {}", name, e.getMessage());
        System.err.println(name + ": " + e.getMessage());
        System.exit(1);
    }

    public static StartupFailure managementPortInUse(int port) {
        return new StartupFailure("Port " + port + " (" + Settings.MANAGEMENT_PORT.name() + ") is in use: stop what "
                + "listens there, or set " + Settings.MANAGEMENT_PORT.name() + " to a free port (0 picks one).");
    }

    /** The management endpoints on ASKFLOW_MANAGEMENT_PORT; a port in use is a one-line start-up failure. */
    public static ManagementServer management(Config config, Monitoring monitoring) {
        int port = config.get(Settings.MANAGEMENT_PORT);
        try {
            return ManagementServer.start(port, monitoring);
        } catch (BindException e) {
            throw managementPortInUse(port);
        } catch (java.io.IOException e) {
            throw new StartupFailure("Cannot serve the management endpoints on port " + port + ": " + e.getMessage(), e);
        }
    }
}
