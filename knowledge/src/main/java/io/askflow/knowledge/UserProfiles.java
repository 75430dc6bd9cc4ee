package io.askflow.knowledge;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/** Each user's own settings, within a tenant: today the IANA time zone of the date line. */
public final class UserProfiles {
    private final DataSource db;

    public UserProfiles(DataSource db) {
        this.db = db;
    }

    public Optional<String> timeZone(String tenantId, String userId) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "SELECT time_zone FROM knowledge_user_profiles WHERE tenant_id = ? AND user_id = ?")) {
            q.setString(1, tenantId);
            q.setString(2, userId);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }

    public void setTimeZone(String tenantId, String userId, String zone) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement up = c.prepareStatement("""
                        INSERT INTO knowledge_user_profiles (tenant_id, user_id, time_zone) VALUES (?, ?, ?)
                        ON CONFLICT (tenant_id, user_id) DO UPDATE SET time_zone = EXCLUDED.time_zone, updated_at = now()""")) {
            up.setString(1, tenantId);
            up.setString(2, userId);
            up.setString(3, zone);
            up.executeUpdate();
        }
    }

    public void delete(String tenantId, String userId) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement del = c.prepareStatement(
                        "DELETE FROM knowledge_user_profiles WHERE tenant_id = ? AND user_id = ?")) {
            del.setString(1, tenantId);
            del.setString(2, userId);
            del.executeUpdate();
        }
    }
}
