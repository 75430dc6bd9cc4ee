package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.config.Settings;
import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every SQL statement the services send for a no-tool turn, counted: PostgreSQL logs each one
 * ({@code log_statement = all}) while ten turns run, each in a new conversation, one after another.
 * Statements are attributed to a service by the tables they name. Prints the statements per turn,
 * most frequent first. Not in the default suite; run with:
 *
 * <pre>./askflow test -pl system-tests -am -Daskflow.excludedGroups= -Dgroups=benchmark -Dtest=DatabaseRoundTripsBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@Tag("benchmark")
class DatabaseRoundTripsBenchmark {
    private static final int TURNS = 10;
    private static final Pattern LINE = Pattern.compile("\\[(\\d+)\\] LOG:  (?:statement|execute [^:]*): (.*)");

    @Test
    void statementsPerTurn() throws Exception {
        RunningPipeline p = RunningPipeline.get();
        p.model.respondWith(req -> Reply.text("pong"));
        String tag = UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 5; i++) { // warm-up: pools filled, statements prepared
            awaitOk(p, p.client.ask("warm-" + tag + "-" + i, "ping"));
        }
        Path log = Files.readSymbolicLink(Path.of("/proc", Long.toString(ProcStat.postmaster(p)), "fd", "2"));
        long from = Files.size(log);
        setLogStatement(p, "all");
        List<String> ids = new ArrayList<>();
        try {
            for (int i = 0; i < TURNS; i++) {
                String conversation = "rt-" + tag + "-" + i;
                ids.add(awaitOk(p, p.client.ask(conversation, "ping")));
            }
            // The answer is visible before the gateway's answer feed and the context-builder have
            // stored it: wait until both did, as their rows show.
            awaitStored(p, tag);
        } finally {
            setLogStatement(p, "none");
        }
        Map<String, Map<String, Integer>> byService = new TreeMap<>();
        Map<String, String> serviceOfPid = new TreeMap<>();
        List<String[]> statements = new ArrayList<>();
        for (String line : tail(log, from).split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.find()) {
                String sql = m.group(2).replaceAll("\\s+", " ").trim();
                if (sql.contains("log_statement") || sql.contains("pg_reload_conf") || sql.contains("rt-" + tag) && sql.contains("cb_conversation_turns WHERE conversation_id LIKE")) {
                    continue; // this benchmark's own
                }
                statements.add(new String[] {m.group(1), sql});
                String service = serviceOf(sql);
                if (service != null) {
                    serviceOfPid.putIfAbsent(m.group(1), service);
                }
            }
        }
        int total = 0;
        for (String[] s : statements) {
            String service = serviceOfPid.getOrDefault(s[0], "unattributed");
            String shape = s[1].length() > 140 ? s[1].substring(0, 140) + "..." : s[1];
            byService.computeIfAbsent(service, k -> new TreeMap<>()).merge(shape, 1, Integer::sum);
            total++;
        }
        System.out.printf("%n=== database statements per no-tool turn (%d turns, each in a new conversation) ===%n", TURNS);
        for (var e : byService.entrySet()) {
            int n = e.getValue().values().stream().mapToInt(Integer::intValue).sum();
            System.out.printf("  %s: %.1f statements per turn%n", e.getKey(), n / (double) TURNS);
            e.getValue().entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                    .forEach(s -> System.out.printf("    %5.1f  %s%n", s.getValue() / (double) TURNS, s.getKey()));
        }
        System.out.printf("  total: %.1f statements per turn%n", total / (double) TURNS);
        assertThat(total).as("statements logged").isPositive();
    }

    private static String awaitOk(RunningPipeline p, String id) {
        Answer a = p.client.await(id, Duration.ofSeconds(60)).orElseThrow(() -> new AssertionError("no answer for " + id));
        assertThat(a.isOk()).as("answer %s", a).isTrue();
        return id;
    }

    /** Which service sends a statement, by the tables it names; null for one that names none (BEGIN, COMMIT). */
    private static String serviceOf(String sql) {
        if (sql.contains("gateway_")) {
            return "gateway";
        }
        if (sql.contains("cb_")) {
            return "context-builder";
        }
        if (sql.contains("tool_") || sql.contains("tr_")) {
            return "tool-runner";
        }
        if (sql.contains("mc_") || sql.contains("usage")) {
            return "model-caller";
        }
        return null;
    }

    private static void setLogStatement(RunningPipeline p, String value) throws Exception {
        try (Connection c = connect(p); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET log_statement = '" + value + "'");
            s.execute("SELECT pg_reload_conf()");
        }
    }

    private static void awaitStored(RunningPipeline p, String tag) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (Connection c = connect(p); Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM cb_conversation_turns WHERE conversation_id LIKE 'rt-"
                        + tag + "-%' AND status = 'done'), (SELECT count(*) FROM gateway_answers a JOIN gateway_submissions s "
                        + "USING (tenant_id, request_id) WHERE s.conversation_id LIKE 'rt-" + tag + "-%')")) {
                    rs.next();
                    if (rs.getInt(1) == TURNS && rs.getInt(2) == TURNS) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the answers were not all stored");
    }

    private static Connection connect(RunningPipeline p) throws Exception {
        return DriverManager.getConnection(p.config.get(Settings.DATABASE_URL), p.config.get(Settings.DATABASE_USER),
                p.config.find(Settings.DATABASE_PASSWORD).orElse(""));
    }

    private static String tail(Path file, long from) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            f.seek(from);
            byte[] bytes = new byte[(int) (f.length() - from)];
            f.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
