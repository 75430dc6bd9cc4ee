package io.askflow.gateway;

import io.askflow.db.Jdbc;
import io.askflow.message.Answer;
import io.askflow.message.Json;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * Answers by tenant and request id, for the HTTP API. Answers are stored in PostgreSQL so that any gateway
 * instance can serve any answer; a caller waiting on this instance is woken at once when this
 * instance consumes its answer, and otherwise finds it by looking again at short intervals.
 */
final class AnswerBook {
    private static final long RECHECK_MILLIS = 250;

    private final DataSource db;
    private final Map<String, CompletableFuture<Answer>> waiters = new ConcurrentHashMap<>();

    private static final String REJECTION_CODE_LIST = java.util.Arrays.stream(io.askflow.message.ErrorCode.values())
            .filter(io.askflow.message.ErrorCode::refusesSubmission)
            .map(code -> "'" + code.wire() + "'").collect(java.util.stream.Collectors.joining(", "));
    /** Stores an answer once; only a rejection (see {@link #isRejection}) gives way to a later answer. */
    private static final String RECORD = """
            INSERT INTO gateway_answers (request_id, tenant_id, answer) SELECT ?, ?, ?::jsonb
            WHERE CAST(? AS text) IS NULL
               OR NOT EXISTS (SELECT 1 FROM gateway_erased_requests e WHERE e.tenant_id = ? AND e.request_id = ?)
            ON CONFLICT (tenant_id, request_id) DO UPDATE SET answer = EXCLUDED.answer
            WHERE gateway_answers.answer->'error'->>'code' IN (%1$s)
              AND COALESCE(EXCLUDED.answer->'error'->>'code', '') NOT IN (%1$s)""".formatted(REJECTION_CODE_LIST);

    AnswerBook(DataSource db) {
        this.db = db;
    }

    void record(Answer answer) throws SQLException {
        if (answer.requestId() == null || answer.tenantId() == null) {
            return; // a rejection of a request without an id or tenant: nobody can ask for it
        }
        Jdbc.inTransaction(db, c -> {
            if (answer.conversationId() != null) {
                // DeletionApi holds the conversation's counter row for update while it erases, so the
                // share lock makes the insert's check see a deletion either not begun (the answer is
                // stored, then erased with the rest) or committed (the request is listed as erased).
                Jdbc.execute(c, "SELECT 1 FROM gateway_conversations WHERE tenant_id = ? AND conversation_id = ? FOR KEY SHARE",
                        answer.tenantId(), answer.conversationId());
            }
            // A rejection never becomes a turn, so it must not hold the request id's place: the answer
            // of an accepted request with that id (a corrected resubmission, or the rightful owner's
            // when someone else sent garbage under it) replaces it. Anything else is stored once; an
            // answer whose request a deletion erased (deletions are by conversation, so only an answer
            // in one is checked) still wakes its waiter but is not stored.
            Jdbc.update(c, RECORD, answer.requestId(), answer.tenantId(), Json.writeString(answer), answer.conversationId(),
                    answer.tenantId(), answer.requestId());
            return null;
        });
        CompletableFuture<Answer> w = waiters.remove(key(answer.tenantId(), answer.requestId()));
        if (w != null) {
            w.complete(answer);
        }
    }

    /** The tenant's answer under its request id; request ids are per tenant, so another's is never found. */
    Optional<Answer> find(String tenantId, String requestId) throws SQLException {
        return Jdbc.queryFirst(db, "SELECT answer::text FROM gateway_answers WHERE tenant_id = ? AND request_id = ?",
                rs -> Json.read(rs.getString(1).getBytes(java.nio.charset.StandardCharsets.UTF_8), Answer.class),
                tenantId, requestId);
    }

    /** The tenant's answer, waiting up to {@code wait} for one that {@code wanted} accepts. */
    Optional<Answer> await(String tenantId, String requestId, Duration wait, Predicate<Answer> wanted)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        String key = key(tenantId, requestId);
        while (true) {
            CompletableFuture<Answer> waiter = waiters.computeIfAbsent(key, k -> new CompletableFuture<>());
            try {
                Optional<Answer> stored = find(tenantId, requestId).filter(wanted);
                if (stored.isPresent()) {
                    return stored;
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return Optional.empty();
                }
                try {
                    Answer arrived = waiter.get(Math.min(left, RECHECK_MILLIS), TimeUnit.MILLISECONDS);
                    if (wanted.test(arrived)) {
                        return Optional.of(arrived);
                    }
                } catch (TimeoutException e) {
                    // another instance may have stored it: look again
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            } finally {
                waiters.remove(key, waiter);
            }
        }
    }

    /** An answer that rejected a submission; it never stands for an accepted request with the same id. */
    static boolean isRejection(Answer a) {
        return a.error() != null && a.error().code().refusesSubmission();
    }

    private static String key(String tenantId, String requestId) {
        return tenantId + '\n' + requestId; // neither id may contain a line break
    }
}
