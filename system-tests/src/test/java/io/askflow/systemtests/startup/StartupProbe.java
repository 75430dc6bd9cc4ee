package io.askflow.systemtests.startup;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.db.Database;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Route;
import io.askflow.kafka.TopicInitializer;
import io.askflow.kafka.Topics;
import io.askflow.knowledge.KnowledgeSchema;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The services' start-up, run in a child JVM for the kill tests. It reports its progress on
 * standard output ({@code PAUSED}, {@code DONE}, {@code STARTED}, {@code CONSUMED <key>}) and
 * then waits, so the test can SIGKILL it at a known moment or let it run.
 *
 * <ul>
 *   <li>{@code migrate <n>}: every owner's migrations, as the services run them, stopping just
 *       before or just after the n-th commit (the only moments where what is durable changes);
 *   <li>{@code start <group>}: what a service does on start: topics, each service's and the
 *       knowledge library's migrations, then a consumer group's first join and consumption.
 * </ul>
 */
public final class StartupProbe {
    /** Every owner of tables, in the order the services start them. */
    static final List<String> OWNERS = List.of("gateway", "knowledge", "context-builder");

    private StartupProbe() {
    }

    public static void main(String[] args) throws Exception {
        Config config = Config.fromEnv();
        switch (args[0]) {
            case "migrate" -> {
                Steps steps = new Steps(Integer.parseInt(args[1]));
                DataSource db = steps.counting(dataSource(config));
                for (String owner : OWNERS) {
                    Database.migrate(db, owner);
                }
                System.out.println("DONE " + steps.count.get());
            }
            case "start" -> {
                startLikeAService(config);
                KafkaClients.exactlyOnceRunner(config, args[1], List.of(Route.of(Topics.REQUESTS, in -> {
                    System.out.println("CONSUMED " + in.key());
                    return List.of();
                }))).start();
                System.out.println("STARTED");
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        new CountDownLatch(1).await();
    }

    /** The start-up of gateway and context-builder: the only services with tables of their own. */
    static void startLikeAService(Config config) {
        TopicInitializer.ensureTopics(config);
        try (var gateway = Database.open(config, "gateway")) {
            KnowledgeSchema.migrate(gateway);
        }
        try (var contextBuilder = Database.open(config, "context-builder")) {
            KnowledgeSchema.migrate(contextBuilder);
        }
    }

    private static DataSource dataSource(Config config) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(config.get(Settings.DATABASE_URL));
        ds.setUser(config.get(Settings.DATABASE_USER));
        config.find(Settings.DATABASE_PASSWORD).ifPresent(ds::setPassword);
        return ds;
    }

    /** Counts the moments around each commit, on every connection, and stops at one of them. */
    private static final class Steps {
        private final int pauseAt;
        private final AtomicInteger count = new AtomicInteger();

        Steps(int pauseAt) {
            this.pauseAt = pauseAt;
        }

        DataSource counting(DataSource real) {
            return (DataSource) Proxy.newProxyInstance(StartupProbe.class.getClassLoader(), new Class<?>[] {DataSource.class},
                    (p, m, a) -> {
                        Object result = invoke(real, m, a);
                        return m.getName().equals("getConnection") ? connection((Connection) result) : result;
                    });
        }

        private Connection connection(Connection real) {
            return (Connection) Proxy.newProxyInstance(StartupProbe.class.getClassLoader(), new Class<?>[] {Connection.class},
                    (p, m, a) -> {
                        boolean commit = m.getName().equals("commit");
                        if (commit) {
                            step("before commit");
                        }
                        Object result = invoke(real, m, a);
                        if (commit) {
                            step("after commit");
                        }
                        return result;
                    });
        }

        private void step(String where) throws InterruptedException {
            int n = count.incrementAndGet();
            if (n == pauseAt) {
                System.out.println("PAUSED " + n + " " + where);
                new CountDownLatch(1).await();
            }
        }
    }

    private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
