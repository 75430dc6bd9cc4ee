package io.askflow.service;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.kafka.KafkaClients;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * The start-up check of what a service depends on: one {@link Startup#retrying} step, bounded as a
 * whole by {@code ASKFLOW_STARTUP_TIMEOUT}, so that a wrong address ends the start with one line
 * instead of minutes of client retries and stack traces, and a dependency still starting is waited
 * for once.
 */
public final class Preflight {
    /** The least an attempt may take, also when the deadline is closer: a shorter one could not connect. */
    private static final Duration MIN_ATTEMPT = Duration.ofMillis(500);

    private Preflight() {
    }

    /**
     * Kafka answers a cluster description and PostgreSQL accepts a connection with the configured
     * user, waiting while either is down or starting; or a {@link StartupFailure} naming the one
     * that did not answer.
     */
    public static void dependencies(Config config) {
        Duration timeout = config.get(Settings.STARTUP_TIMEOUT);
        long deadline = System.nanoTime() + timeout.toNanos();
        AtomicBoolean kafkaAnswered = new AtomicBoolean();
        Startup.retrying("Checking Kafka and PostgreSQL", timeout, () -> {
            Duration left = Duration.ofNanos(Math.max(MIN_ATTEMPT.toNanos(), deadline - System.nanoTime()));
            if (!kafkaAnswered.get()) {
                kafka(config, timeout, left);
                kafkaAnswered.set(true);
            }
            database(config, timeout, left);
            return null;
        });
    }

    /** Kafka answers a cluster description within {@code attempt}, or a {@link StartupFailure}. */
    private static void kafka(Config config, Duration timeout, Duration attempt) throws InterruptedException {
        String servers = config.get(Settings.KAFKA_BOOTSTRAP_SERVERS);
        int millis = (int) Math.max(1, attempt.toMillis());
        try (Admin admin = KafkaClients.admin(config, "askflow-preflight", attempt)) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(millis)).nodes().get(millis + 1_000L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            throw new StartupFailure("Kafka at " + servers + " did not answer within " + seconds(timeout)
                    + ": start the broker or fix ASKFLOW_KAFKA_BOOTSTRAP_SERVERS.", e);
        }
    }

    /** PostgreSQL accepts a connection with the configured user within {@code attempt}, or a {@link StartupFailure}. */
    private static void database(Config config, Duration timeout, Duration attempt) {
        String jdbcUrl = config.get(Settings.DATABASE_URL);
        // Query parameters may carry a password; the message shows only host and database.
        String url = jdbcUrl.replaceFirst("\\?.*", "");
        Properties props = new Properties();
        props.setProperty("user", config.get(Settings.DATABASE_USER));
        config.find(Settings.DATABASE_PASSWORD).ifPresent(p -> props.setProperty("password", p));
        long seconds = Math.max(1, attempt.toSeconds());
        props.setProperty("connectTimeout", Long.toString(seconds));
        props.setProperty("loginTimeout", Long.toString(seconds));
        try (Connection c = DriverManager.getConnection(jdbcUrl, props)) {
            c.isValid((int) seconds);
        } catch (SQLException e) {
            // 28xxx: authentication; the message names the user, never the password.
            if (e.getSQLState() != null && e.getSQLState().startsWith("28")) {
                throw new StartupFailure("PostgreSQL at " + url + " refused user '" + config.get(Settings.DATABASE_USER)
                        + "': fix ASKFLOW_DATABASE_USER and ASKFLOW_DATABASE_PASSWORD.", e);
            }
            throw new StartupFailure("PostgreSQL at " + url + " did not answer within " + seconds(timeout) + " ("
                    + firstLine(e.getMessage()) + "): start the database or fix ASKFLOW_DATABASE_URL.", e);
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String firstLine(String s) {
        return s == null ? "no message" : s.lines().findFirst().orElse("").trim();
    }
}
