package io.askflow.gateway;

import io.askflow.kafka.Outgoing;
import io.askflow.kafka.Topics;
import io.askflow.knowledge.DocumentStore;
import io.askflow.knowledge.MemoryStore;
import io.askflow.knowledge.UserProfiles;
import io.askflow.message.AskflowMessage;
import io.askflow.message.Deletion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

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
 */
final class DeletionApi implements HttpApi.Routes {
    private final DataSource db;
    private final MemoryStore memories;
    private final DocumentStore documents;
    private final UserProfiles profiles;
    private final Producer<String, byte[]> producer;
    private final Clock clock;

    DeletionApi(DataSource db, MemoryStore memories, DocumentStore documents, UserProfiles profiles,
            Producer<String, byte[]> producer, Clock clock) {
        this.db = db;
        this.memories = memories;
        this.documents = documents;
        this.profiles = profiles;
        this.producer = producer;
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
            erase(call.tenantId(), "conversation_id", id);
            deletion = new Deletion(AskflowMessage.CURRENT_SCHEMA_VERSION, call.tenantId(), id, null, clock.instant());
        } else if (s.get(1).equals("users")) {
            erase(call.tenantId(), "user_id", id);
            memories.deleteUser(call.tenantId(), id);
            documents.deleteUser(call.tenantId(), id);
            profiles.delete(call.tenantId(), id);
            deletion = new Deletion(AskflowMessage.CURRENT_SCHEMA_VERSION, call.tenantId(), null, id, clock.instant());
        } else {
            return false;
        }
        Outgoing o = Outgoing.to(Topics.DELETIONS, call.tenantId(), deletion);
        producer.send(new ProducerRecord<>(o.topic(), o.key(), o.value())).get();
        call.respond(202, Map.of("deleted", id, "status", "erasing"));
        return true;
    }

    /** The gateway's own rows of every conversation matching {@code column = value} within the tenant. */
    private void erase(String tenantId, String column, String value) throws SQLException {
        String conversations = "SELECT conversation_id FROM gateway_submissions WHERE tenant_id = ? AND " + column + " = ?";
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (String sql : new String[] {
                        "DELETE FROM gateway_answers WHERE tenant_id = ? AND request_id IN (SELECT request_id FROM "
                                + "gateway_submissions WHERE tenant_id = ? AND conversation_id IN (" + conversations + "))",
                        "DELETE FROM gateway_conversations WHERE tenant_id = ? AND conversation_id IN (" + conversations + ")",
                        "DELETE FROM gateway_submissions WHERE tenant_id = ? AND conversation_id IN (" + conversations + ")"}) {
                    try (PreparedStatement st = c.prepareStatement(sql)) {
                        int i = 1;
                        st.setString(i++, tenantId);
                        if (sql.startsWith("DELETE FROM gateway_answers")) {
                            st.setString(i++, tenantId);
                        }
                        st.setString(i++, tenantId);
                        st.setString(i, value);
                        st.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
