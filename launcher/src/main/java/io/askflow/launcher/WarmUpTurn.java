package io.askflow.launcher;

import com.zaxxer.hikari.HikariDataSource;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.db.Database;
import io.askflow.db.Jdbc;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.TopicSpec;
import io.askflow.kafka.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One turn through the whole pipeline before an embedded run says "up", then every trace of it
 * removed from Kafka and PostgreSQL, so that the first turn a user sends runs on warm code: on a
 * cold JVM every stage pays for the first run of its own code (class loading, the interpreter),
 * which made a first turn 1.4-1.9 s where the second takes a fraction of that (decision 48).
 *
 * <p>Only for a run whose broker and database it started itself, fresh and not yet announced: no
 * one else can have read the warm-up's records, so deleting them (and truncating the tables) leaves
 * the same state a run without the warm-up would have. Counters on /metrics include it.
 */
final class WarmUpTurn {
    private static final Logger LOG = LoggerFactory.getLogger(WarmUpTurn.class);
    static final String PROMPT = "What is today's date?";

    private WarmUpTurn() {
    }

    static void run(Config config, int httpPort, Duration timeout) {
        long t0 = System.nanoTime();
        try {
            String answerOf = ask(httpPort);
            // Two statements need one connection, not a full pool opened on the start-up path.
            try (HikariDataSource db = Database.pool(config.with(Settings.DATABASE_POOL_SIZE, "1"), "launcher-warm-up")) {
                awaitDone(db, answerOf, timeout);
                try (Admin admin = KafkaClients.admin(config, "askflow-launcher-warm-up")) {
                    deleteAllRecords(admin, timeout);
                }
                truncateAll(db);
            }
            LOG.info("Warm-up turn done and removed in {} ms", (System.nanoTime() - t0) / 1_000_000);
        } catch (Exception e) {
            // A run that cannot warm up still works; its first turn is only slower.
            LOG.warn("The warm-up turn failed; the first turn will be slower: {}", e.toString());
        }
    }

    /** The demo's own path: a streamed HTTP prompt with a tool round. Returns its request id. */
    private static String ask(int httpPort) throws Exception {
        var result = new StreamedAsk("http://127.0.0.1:" + httpPort, null)
                .ask(null, PROMPT, new PrintStream(PrintStream.nullOutputStream()))
                .orElseThrow(() -> new IllegalStateException("the gateway refused the warm-up prompt"));
        if (!result.answer().isOk()) {
            throw new IllegalStateException("the warm-up turn ended with " + result.answer().error());
        }
        return result.answer().requestId();
    }

    /** The context-builder stores the answer last: once its turn is done, no stage has work left. */
    private static void awaitDone(HikariDataSource db, String requestId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Jdbc.queryFirst(db, "SELECT status FROM cb_conversation_turns WHERE request_id = ?",
                rs -> rs.getString(1), requestId).filter("done"::equals).isPresent()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the context-builder did not finish the warm-up turn in " + timeout);
            }
            Thread.sleep(5);
        }
    }

    /**
     * Deletes every record of every askflow topic. A consumer whose position is below the new start
     * of a partition resets to it (auto.offset.reset=earliest), so nothing is read again.
     */
    private static void deleteAllRecords(Admin admin, Duration timeout) throws Exception {
        List<String> names = Topics.all().stream().map(TopicSpec::name).toList();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicDescription d : admin.describeTopics(names).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .values()) {
            d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
        }
        Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
        admin.listOffsets(latest).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS).forEach((tp, info) -> {
            if (info.offset() > 0) {
                delete.put(tp, RecordsToDelete.beforeOffset(info.offset()));
            }
        });
        admin.deleteRecords(delete).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Every askflow table but the migration histories, in one statement. */
    private static void truncateAll(HikariDataSource db) throws Exception {
        List<String> tables = Jdbc.query(db, """
                SELECT quote_ident(tablename) FROM pg_tables
                WHERE schemaname = current_schema() AND tablename NOT LIKE 'flyway_history_%'""", rs -> rs.getString(1));
        if (!tables.isEmpty()) {
            Jdbc.update(db, "TRUNCATE " + String.join(", ", tables) + " RESTART IDENTITY");
        }
    }
}
