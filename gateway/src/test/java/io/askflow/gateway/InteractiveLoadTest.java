package io.askflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.db.Database;
import io.askflow.db.Jdbc;
import io.askflow.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Decision 55 across gateways: an interactive turn one gateway admits shrinks the jobs' windows in
 * every gateway's release, through the gateway's own table in a real PostgreSQL, and stops doing
 * so {@link InteractiveLoad#HOLD} after the last one.
 */
class InteractiveLoadTest {
    private static final Instant NOW = Instant.parse("2026-12-02T08:00:00Z");
    private static EmbeddedPostgres postgres;
    private static HikariDataSource db;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.start(Files.createTempDirectory("interactive-load-test-pg"));
        db = Database.open(Config.of(Map.of(
                Settings.DATABASE_URL.name(), postgres.endpoint().jdbcUrl(),
                Settings.DATABASE_USER.name(), postgres.endpoint().user(),
                Settings.DATABASE_PASSWORD.name(), postgres.endpoint().password())), "gateway");
    }

    @AfterAll
    static void stop() {
        db.close();
        postgres.close();
    }

    @BeforeEach
    void noAdmissionYet() throws Exception {
        Jdbc.update(db, "UPDATE gateway_interactive_load SET last_admitted = '-infinity'");
    }

    @Test
    void aTurnOneGatewayAdmitsIsSeenByAnother() throws Exception {
        InteractiveLoad admitting = new InteractiveLoad(db);
        InteractiveLoad releasing = new InteractiveLoad(db);
        assertThat(releasing.present(NOW)).as("before any admission").isFalse();

        admitting.admitted(NOW);
        assertThat(admitting.present(NOW)).as("the admitting gateway").isTrue();
        // The other gateway read "absent" a moment ago and holds that for READ_EVERY; then it reads again.
        assertThat(new InteractiveLoad(db).present(NOW)).as("a gateway that admitted nothing").isTrue();
        assertThat(releasing.present(NOW.plus(InteractiveLoad.READ_EVERY))).as("the other gateway on its next read").isTrue();
    }

    @Test
    void anAdmissionOlderThanTheHoldNoLongerCounts() throws Exception {
        InteractiveLoad admitting = new InteractiveLoad(db);
        admitting.admitted(NOW);
        Jdbc.update(db, "UPDATE gateway_interactive_load SET last_admitted = now() - make_interval(secs => ?)",
                (int) InteractiveLoad.HOLD.toSeconds() + 1);
        assertThat(new InteractiveLoad(db).present(NOW)).as("another gateway, the last admission 6 s ago").isFalse();
        assertThat(admitting.present(NOW.plus(InteractiveLoad.HOLD).plusMillis(1)))
                .as("the admitting gateway itself, past the hold").isFalse();
        assertThat(admitting.present(NOW.plus(InteractiveLoad.HOLD))).as("the admitting gateway, at the hold's end").isTrue();
    }

    @Test
    void aGatewayWritesAtMostOnceASecond() throws Exception {
        InteractiveLoad admitting = new InteractiveLoad(db);
        admitting.admitted(NOW);
        assertThat(lastAdmitted()).as("the first admission is shared at once").isNotEqualTo("-infinity");

        Jdbc.update(db, "UPDATE gateway_interactive_load SET last_admitted = '-infinity'");
        admitting.admitted(NOW.plusMillis(900));
        assertThat(lastAdmitted()).as("an admission within a second of the last write").isEqualTo("-infinity");
        admitting.admitted(NOW.plus(InteractiveLoad.SHARE_EVERY));
        assertThat(lastAdmitted()).as("the first admission a second later").isNotEqualTo("-infinity");
    }

    private static String lastAdmitted() throws Exception {
        return Jdbc.queryFirst(db, "SELECT last_admitted::text FROM gateway_interactive_load", rs -> rs.getString(1))
                .orElseThrow();
    }
}
