package io.askflow.gateway;

import io.askflow.db.Jdbc;
import io.askflow.kafka.Outgoing;
import io.askflow.kafka.Topics;
import io.askflow.knowledge.DocumentStore;
import io.askflow.knowledge.MemoryStore;
import io.askflow.knowledge.UserProfiles;
import io.askflow.message.AskflowMessage;
import io.askflow.message.Deletion;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * Erasure, within the caller's tenant:
 * <ul>
 *   <li>{@code DELETE /v1/conversations/{conversationId}}: its submissions, answers and history;</li>
 *   <li>{@code DELETE /v1/users/{userId}}: all of that for each of the user's conversations, and the
 *       user's memories, documents and profile.</li>
 * </ul>
 * The gateway erases its own tables and the knowledge library's at once and publishes a
 * {@link Deletion} on {@code askflow.deletions}, on which the context-builder erases history, queued
 * turns and summaries. 202: the erasure is complete once the context-builder has consumed it.
 * What a message sent meanwhile becomes is decided by its claim's place relative to the deletion:
 * see {@link #erase} and the README ("A deletion takes effect at once ...").
 */
final class DeletionApi implements HttpApi.Routes {
    /** How long an erased request's answer is kept out of the answer book: longer than any turn runs. */
    private static final String ERASED_KEPT = "7 days";

    private final DataSource db;
    private final MemoryStore memories;
    private final DocumentStore documents;
    private final UserProfiles profiles;
    private final Publishing publishing;
    private final Clock clock;

    DeletionApi(DataSource db, MemoryStore memories, DocumentStore documents, UserProfiles profiles,
            Publishing publishing, Clock clock) {
        this.db = db;
        this.memories = memories;
        this.documents = documents;
        this.profiles = profiles;
        this.publishing = publishing;
        this.clock = clock;
    }

    @Override
    public boolean handle(HttpCall call) throws Exception {
        var s = call.segments();
        if (s.size() != 3 || !s.get(0).equals("v1") || !call.method().equals("DELETE")) {
            return false;
        }
        String id = UserDataApi.id(s.get(2));
        Deletion deletion;
        if (s.get(1).equals("conversations")) {
            deletion = new Deletion(AskflowMessage.CURRENT_SCHEMA_VERSION, call.tenantId(), id, null, clock.instant(),
                    erase(call.tenantId(), "conversation_id", id));
        } else if (s.get(1).equals("users")) {
            Map<String, Long> through = erase(call.tenantId(), "user_id", id);
            memories.deleteUser(call.tenantId(), id);
            documents.deleteUser(call.tenantId(), id);
            profiles.delete(call.tenantId(), id);
            deletion = new Deletion(AskflowMessage.CURRENT_SCHEMA_VERSION, call.tenantId(), null, id, clock.instant(), through);
        } else {
            return false;
        }
        publishing.publish(call, List.of(Outgoing.to(Topics.DELETIONS, call.tenantId(), deletion)));
        call.respond(202, Map.of("deleted", id, "status", "erasing"));
        return true;
    }

    /**
     * Erases the gateway's own rows of every conversation matching {@code column = value} within the
     * tenant, and returns how far each was numbered. The conversations' counter rows are locked first
     * and kept: a claim in one of them (which takes the same row lock for its sequence) is either
     * before the deletion, and erased with it, or after it, with a higher number; the number divides
     * the conversation for the services downstream (see {@link Deletion#erasedThrough}). Requests not
     * yet answered are recorded as erased, so that their answers, when they come, are not stored.
     */
    private Map<String, Long> erase(String tenantId, String column, String value) throws SQLException {
        String conversations = "SELECT conversation_id FROM gateway_submissions WHERE tenant_id = ? AND " + column + " = ?";
        return Jdbc.inTransaction(db, c -> {
            Map<String, Long> through = new TreeMap<>();
            boolean one = column.equals("conversation_id");
            String lock = "SELECT conversation_id, last_sequence FROM gateway_conversations "
                    + "WHERE tenant_id = ? AND conversation_id IN (" + (one ? "?" : conversations)
                    + ") ORDER BY conversation_id FOR UPDATE";
            for (Map.Entry<String, Long> e : Jdbc.query(c, lock, rs -> Map.entry(rs.getString(1), rs.getLong(2)),
                    one ? new Object[] {tenantId, value} : new Object[] {tenantId, tenantId, value})) {
                through.put(e.getKey(), e.getValue());
            }
            if (one) {
                through.putIfAbsent(value, 0L);
            }
            Jdbc.TextArray ids = Jdbc.textArray(through.keySet());
            Jdbc.update(c, "DELETE FROM gateway_erased_requests WHERE erased_at < now() - interval '" + ERASED_KEPT + "'");
            Jdbc.update(c, """
                    INSERT INTO gateway_erased_requests (tenant_id, request_id)
                    SELECT s.tenant_id, s.request_id FROM gateway_submissions s
                    WHERE s.tenant_id = ? AND s.conversation_id = ANY (?)
                      AND NOT EXISTS (SELECT 1 FROM gateway_answers a WHERE a.request_id = s.request_id)
                    ON CONFLICT DO NOTHING""", tenantId, ids);
            Jdbc.update(c, "DELETE FROM gateway_answers WHERE tenant_id = ? AND request_id IN (SELECT request_id FROM "
                    + "gateway_submissions WHERE tenant_id = ? AND conversation_id = ANY (?))", tenantId, tenantId, ids);
            Jdbc.update(c, "DELETE FROM gateway_submissions WHERE tenant_id = ? AND conversation_id = ANY (?)",
                    tenantId, ids);
            return through;
        });
    }
}
