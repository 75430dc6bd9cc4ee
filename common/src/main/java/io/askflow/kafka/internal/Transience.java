package io.askflow.kafka.internal;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * Whether a handler's failure will likely pass if the same record is handled again: a database that
 * is briefly unreachable, out of pool connections, restarting, or a serialisation conflict. Such a
 * record is retried in place instead of being answered as failed or dead-lettered.
 */
public final class Transience {
    private Transience() {
    }

    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                // 08: connection exception; 40001/40P01: serialisation failure, deadlock; 53: insufficient
                // resources; 57P01-57P03: the server is shutting down or starting.
                if (state.startsWith("08") || state.equals("40001") || state.equals("40P01") || state.startsWith("53")
                        || state.startsWith("57P0")) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
