package io.askflow.knowledge;

import io.askflow.db.Jdbc;
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
        return Jdbc.queryFirst(db, "SELECT time_zone FROM knowledge_user_profiles WHERE tenant_id = ? AND user_id = ?",
                rs -> Optional.ofNullable(rs.getString(1)), tenantId, userId).flatMap(zone -> zone);
    }

    public void setTimeZone(String tenantId, String userId, String zone) throws SQLException {
        Jdbc.update(db, """
                INSERT INTO knowledge_user_profiles (tenant_id, user_id, time_zone) VALUES (?, ?, ?)
                ON CONFLICT (tenant_id, user_id) DO UPDATE SET time_zone = EXCLUDED.time_zone, updated_at = now()""",
                tenantId, userId, zone);
    }

    public void delete(String tenantId, String userId) throws SQLException {
        Jdbc.update(db, "DELETE FROM knowledge_user_profiles WHERE tenant_id = ? AND user_id = ?", tenantId, userId);
    }
}
