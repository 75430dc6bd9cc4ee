package io.askflow.systemtests.startup;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.config.Config;
import io.askflow.db.Database;
import io.askflow.embedded.Infrastructure;
import io.askflow.knowledge.KnowledgeSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migrations of every service and of the knowledge library survive a SIGKILL at the moments
 * where what is durable changes: just before and just after a commit, on any connection. After
 * each kill a second start must succeed and leave exactly the schema of a start never killed.
 */
class MigrationKillTest {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationKillTest.class);
    private static final int KILLS = 5;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static Infrastructure infra;
    private static Schemas schemas;
    private static Path argfile;

    @BeforeAll
    static void startPostgres() throws Exception {
        Path dir = Files.createTempDirectory("askflow-migration-kill-");
        infra = Infrastructure.resolve(Map.of(Infrastructure.TESTCONTAINERS, "false",
                Infrastructure.KAFKA_BOOTSTRAP_SERVERS, "unused:9092"), dir.resolve("infra"));
        schemas = new Schemas(infra.postgres());
        argfile = ProbeProcess.argfile(dir);
    }

    @AfterAll
    static void stop() {
        if (infra != null) {
            infra.close();
        }
    }

    @Test
    void aStartKilledAtAnyCommitIsFinishedByTheNextStart() throws Exception {
        Map<String, String> never = schemas.fresh("reference");
        int steps;
        try (ProbeProcess probe = ProbeProcess.start(argfile, never, "migrate", "0")) {
            steps = Integer.parseInt(probe.await(TIMEOUT, "DONE").orElseThrow().substring("DONE ".length()));
        }
        List<String> expected = schemas.fingerprint(Config.of(never));
        assertThat(expected).anyMatch(l -> l.startsWith("relation gateway_submissions "));
        // Every owner's history table and each of its migrations come with a commit of their own.
        assertThat(steps).isGreaterThanOrEqualTo(2 * (StartupProbe.OWNERS.size() + 10));

        // A child JVM per kill is slow, so each run kills at a few moments, one drawn from each
        // stretch of the start-up; the seed in the log replays a run.
        long seed = System.nanoTime();
        Random random = new Random(seed);
        LOG.info("{} moments to kill at; seed {}", steps, seed);
        for (int k = 0; k < KILLS; k++) {
            int step = 1 + (steps * k) / KILLS + random.nextInt(Math.max(1, steps / KILLS));
            Map<String, String> env = schemas.fresh("step");
            String reached;
            try (ProbeProcess probe = ProbeProcess.start(argfile, env, "migrate", Integer.toString(step))) {
                reached = probe.await(TIMEOUT, "PAUSED").orElseThrow(() -> new AssertionError(probe.output()));
                probe.kill();
            }
            Config config = Config.of(env);
            try {
                restart(config);
            } catch (RuntimeException e) {
                throw new AssertionError("the start after a kill at " + reached + " failed", e);
            }
            assertThat(schemas.fingerprint(config)).as("schema after a kill at %s", reached).isEqualTo(expected);
            LOG.info("Killed at {} of {}: the next start finished the schema", reached, steps);
        }
    }

    /** A database migrated by the configuration used before the single-connection fix keeps working. */
    @Test
    void databasesMigratedBeforeTheFixMigrateOn() throws Exception {
        Config current = Config.of(schemas.fresh("current"));
        restart(current);
        Config partly = Config.of(schemas.fresh("partly"));
        Config fully = Config.of(schemas.fresh("fully"));
        for (String owner : StartupProbe.OWNERS) {
            migrateAsBefore(partly, owner, "1");
            migrateAsBefore(fully, owner, "latest");
        }
        restart(partly);
        restart(fully);
        assertThat(schemas.fingerprint(partly)).isEqualTo(schemas.fingerprint(current));
        assertThat(schemas.fingerprint(fully)).isEqualTo(schemas.fingerprint(current));
    }

    private static void migrateAsBefore(Config config, String owner, String target) {
        try (var ds = Database.pool(config, owner)) {
            Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration/" + owner)
                    .table("flyway_history_" + owner.replace('-', '_'))
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .target(target)
                    .load()
                    .migrate();
        }
    }

    /** What the services do on a start (see StartupProbe): it must not fail, whatever the kill left. */
    private static void restart(Config config) {
        try (var gateway = Database.open(config, "gateway")) {
            KnowledgeSchema.migrate(gateway);
        }
        try (var contextBuilder = Database.open(config, "context-builder")) {
            KnowledgeSchema.migrate(contextBuilder);
        }
    }
}
