package io.askflow.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.embedded.Infrastructure;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The pool's borrowers queue first come, first served for its connections, on a real PostgreSQL. */
class QueuedPoolTest {

    private static QueuedPool pool(int size) {
        var pg = Infrastructure.shared().postgres();
        Config config = Config.of(Map.of(Settings.DATABASE_URL.name(), pg.jdbcUrl(), Settings.DATABASE_USER.name(), pg.user(),
                Settings.DATABASE_PASSWORD.name(), pg.password(), Settings.DATABASE_POOL_SIZE.name(), Integer.toString(size)));
        return (QueuedPool) Database.pool(config, "queued-pool-test");
    }

    @Test
    void closingAConnectionTwiceGivesItsPlaceBackOnce() throws Exception {
        try (QueuedPool pool = pool(2)) {
            Connection c = pool.getConnection();
            assertThat(pool.freePermits()).isEqualTo(1);
            c.close();
            c.close();
            assertThat(pool.freePermits()).isEqualTo(2);
            try (Connection again = pool.getConnection(); Statement s = again.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(pool.freePermits()).isEqualTo(1);
            }
            assertThat(pool.freePermits()).isEqualTo(2);
        }
    }

    @Test
    void waitingBorrowersGetConnectionsInTheOrderTheyAsked() throws Exception {
        try (QueuedPool pool = pool(1)) {
            Connection held = pool.getConnection();
            List<Integer> served = Collections.synchronizedList(new ArrayList<>());
            List<Thread> borrowers = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                CountDownLatch queued = new CountDownLatch(1);
                borrowers.add(Thread.ofVirtual().start(() -> {
                    queued.countDown();
                    try (Connection c = pool.getConnection()) {
                        served.add(n);
                    } catch (Exception e) {
                        served.add(-1);
                    }
                }));
                queued.await();
                int expected = i + 1;
                // The positive signal that borrower i is in the queue before borrower i + 1 starts.
                while (pool.waiting() < expected) {
                    Thread.onSpinWait();
                }
            }
            held.close();
            for (Thread t : borrowers) {
                t.join();
            }
            assertThat(served).containsExactly(0, 1, 2, 3, 4);
            assertThat(pool.freePermits()).isEqualTo(1);
        }
    }
}
