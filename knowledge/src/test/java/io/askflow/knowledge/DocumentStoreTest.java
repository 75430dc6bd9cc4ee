package io.askflow.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.db.Database;
import io.askflow.embedded.Infrastructure;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The document store against a real PostgreSQL. */
class DocumentStoreTest {
    private static HikariDataSource db;

    @BeforeAll
    static void database() {
        var pg = Infrastructure.shared().postgres();
        db = Database.open(Config.of(Map.of(Settings.DATABASE_URL.name(), pg.jdbcUrl(),
                Settings.DATABASE_USER.name(), pg.user(), Settings.DATABASE_PASSWORD.name(), pg.password())),
                "knowledge-test", KnowledgeSchema::migrate);
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void withTextGivesEachOfTheTenantsDocumentsWithTheTextTextGivesAndLeavesOthersOut() throws Exception {
        DocumentStore store = new DocumentStore(db, new Chunker(200));
        String tenant = "t-" + UUID.randomUUID();
        StringBuilder longText = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            longText.append("Paragraph ").append(i).append(" of a document long enough for several chunks.\n\n");
        }
        DocumentInfo chunked = store.add(tenant, "u", "long", "text/plain", longText.toString());
        DocumentInfo small = store.add(tenant, "u", "small", "text/plain", "One line.");
        DocumentInfo empty = store.add(tenant, "u", "empty", "text/plain", "");
        DocumentInfo otherTenants = store.add("other-" + UUID.randomUUID(), "u", "theirs", "text/plain", "Not yours.");

        Map<String, StoredDocument> found = store.withText(tenant,
                List.of(chunked.id(), small.id(), empty.id(), otherTenants.id(), "no-such-document", small.id()));

        assertThat(found).containsOnlyKeys(chunked.id(), small.id(), empty.id());
        for (DocumentInfo d : List.of(chunked, small, empty)) {
            assertThat(found.get(d.id()).info()).isEqualTo(store.find(tenant, d.id()).orElseThrow());
            assertThat(found.get(d.id()).text()).isEqualTo(store.text(tenant, d.id()).orElseThrow());
        }
        assertThat(found.get(chunked.id()).text()).contains("Paragraph 0 ", "Paragraph 39 ");
        assertThat(found.get(chunked.id()).text().indexOf("Paragraph 0 ")).isLessThan(found.get(chunked.id()).text().indexOf("Paragraph 39 "));
        assertThat(found.get(empty.id()).text()).isEmpty();
        assertThat(store.withText(tenant, List.of())).isEmpty();
    }
}
