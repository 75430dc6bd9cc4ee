package io.askflow.context;

import io.askflow.db.Jdbc;
import io.askflow.message.Usage;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stored summary of a conversation's turns that fell out of the token budget. It is computed
 * once and reused by every later turn; when more turns fall out, it is extended from the previous
 * summary and just those turns, so each message is summarised once, not every turn.
 */
final class Summaries {
    private static final Logger LOG = LoggerFactory.getLogger(Summaries.class);
    /** Newest unsummarised messages read for one extension; older ones, if ever that many, are skipped. */
    private static final int MAX_NEW_MESSAGES = 200;

    private record Summary(long coversThroughId, String text) {
    }

    /** The summary to show (null: none) and what making it cost this turn (zero when the stored one was reused). */
    record Covering(String text, Usage usage) {
        static Covering of(Optional<String> text) {
            return new Covering(text.orElse(null), Usage.ZERO);
        }
    }

    private final DataSource db;
    private final History history;
    private final Summarizer summarizer;

    Summaries(DataSource db, History history, Summarizer summarizer) {
        this.db = db;
        this.history = history;
        this.summarizer = summarizer;
    }

    /**
     * A summary of every message up to {@code throughId}: the stored one when it reaches that far,
     * else the stored one extended. Without text when there is none and none could be made; a
     * failing summariser never fails the turn.
     */
    Covering covering(String tenantId, String conversationId, long throughId, String model, int maxTokens,
            TokenCounter counter) throws SQLException {
        Optional<Summary> stored = find(tenantId, conversationId);
        if (stored.isPresent() && stored.get().coversThroughId() >= throughId) {
            return Covering.of(Optional.of(stored.get().text()));
        }
        long from = stored.map(Summary::coversThroughId).orElse(0L);
        List<History.Stored> fresh = history.between(tenantId, conversationId, from, throughId + 1, MAX_NEW_MESSAGES);
        if (fresh.isEmpty()) {
            return Covering.of(stored.map(Summary::text));
        }
        Summarizer.Written written;
        try {
            written = summarizer.summarize(model, stored.map(Summary::text).orElse(null),
                    fresh.stream().map(History.Stored::message).toList(), maxTokens);
        } catch (RuntimeException e) {
            LOG.warn("Could not summarise conversation {} ({}); the turn goes on without the newest part", conversationId,
                    e.getClass().getSimpleName());
            return Covering.of(stored.map(Summary::text));
        }
        // The model's text, stored without passing through a topic's mapping: made storable here.
        String text = written.text() == null ? null : io.askflow.message.StorableText.of(written.text());
        if (text == null || text.isBlank()) {
            // The call was made and paid for, though it wrote nothing usable.
            return new Covering(stored.map(Summary::text).orElse(null), written.usage());
        }
        text = truncate(text.strip(), maxTokens, counter);
        save(tenantId, conversationId, fresh.getLast().id(), text, model);
        return new Covering(text, written.usage());
    }

    /** A model may overrun its limit; the budget may not. */
    static String truncate(String text, int maxTokens, TokenCounter counter) {
        String t = text;
        while (!t.isEmpty() && counter.count(t) > maxTokens) {
            t = t.substring(0, t.length() * 9 / 10);
        }
        return t;
    }

    private Optional<Summary> find(String tenantId, String conversationId) throws SQLException {
        return Jdbc.queryFirst(db,
                "SELECT covers_through_id, summary FROM cb_summaries WHERE tenant_id = ? AND conversation_id = ?",
                rs -> new Summary(rs.getLong(1), rs.getString(2)), tenantId, conversationId);
    }

    /**
     * Only ever moves forward, so a slow, older computation cannot replace a newer summary. Saved
     * only while the last message it covers exists, holding a lock on it: a deletion erasing the
     * conversation meanwhile (Eraser) either waits for this save and then deletes the summary, or has
     * deleted the messages first, and the summary is not saved.
     */
    private void save(String tenantId, String conversationId, long throughId, String text, String model)
            throws SQLException {
        Jdbc.inTransaction(db, c -> {
            if (Jdbc.exists(c, "SELECT 1 FROM cb_messages WHERE id = ? FOR KEY SHARE", throughId)) {
                Jdbc.update(c, """
                        INSERT INTO cb_summaries (tenant_id, conversation_id, covers_through_id, summary, model)
                        VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (tenant_id, conversation_id) DO UPDATE
                        SET covers_through_id = EXCLUDED.covers_through_id, summary = EXCLUDED.summary,
                            model = EXCLUDED.model, created_at = now()
                        WHERE cb_summaries.covers_through_id < EXCLUDED.covers_through_id""",
                        tenantId, conversationId, throughId, text, model);
            }
            return null;
        });
    }

}
