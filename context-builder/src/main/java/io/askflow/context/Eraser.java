package io.askflow.context;

import io.askflow.message.Deletion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Erases what the context-builder stores of a conversation or of a user: history, queued turns, summaries. */
final class Eraser {
    private static final String[] TABLES = {"cb_summaries", "cb_conversation_turns", "cb_conversations", "cb_messages"};

    private final DataSource db;

    Eraser(DataSource db) {
        this.db = db;
    }

    void erase(Deletion d) throws SQLException {
        // A user's conversations are those in which they spoke or queued a turn.
        String conversations = d.conversationId() != null ? "SELECT ?::text"
                : "SELECT conversation_id FROM cb_messages WHERE tenant_id = ? AND user_id = ? "
                        + "UNION SELECT conversation_id FROM cb_conversation_turns WHERE tenant_id = ? AND user_id = ?";
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (String table : TABLES) {
                    try (PreparedStatement st = c.prepareStatement("DELETE FROM " + table
                            + " WHERE tenant_id = ? AND conversation_id IN (" + conversations + ")")) {
                        st.setString(1, d.tenantId());
                        if (d.conversationId() != null) {
                            st.setString(2, d.conversationId());
                        } else {
                            st.setString(2, d.tenantId());
                            st.setString(3, d.userId());
                            st.setString(4, d.tenantId());
                            st.setString(5, d.userId());
                        }
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
