package io.askflow.tools.knowledge;

import io.askflow.tools.spi.Tool;
import io.askflow.tools.spi.ToolContext;
import io.askflow.tools.spi.ToolException;
import io.askflow.tools.spi.ToolOutput;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.knowledge.DocumentStore;
import io.askflow.knowledge.Passage;
import io.askflow.message.Source;
import io.askflow.message.ToolSpec;
import io.askflow.tool.BuiltinTools;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * search_documents: full-text search over the turn's own tenant's documents. Passages come back
 * ranked, each labelled with its document id and title, and each document becomes a source the
 * answer can cite. Like web pages, passages are marked as untrusted data.
 */
public final class SearchDocumentsTool implements Tool {
    private final DocumentStore documents;
    private final int results;

    public SearchDocumentsTool(DocumentStore documents, int results) {
        this.documents = documents;
        this.results = results;
    }

    @Override
    public ToolSpec spec() {
        return BuiltinTools.SEARCH_DOCUMENTS;
    }

    @Override
    public String permission() {
        return "documents.read";
    }

    @Override
    public ToolOutput run(JsonNode arguments, ToolContext ctx) throws ToolException, SQLException {
        String query = arguments.path("query").asText("").strip();
        if (query.isEmpty()) {
            throw new ToolException("search_documents: query must not be empty");
        }
        List<Passage> hits = documents.search(ctx.tenantId(), query, results);
        if (hits.isEmpty()) {
            return ToolOutput.text("No passage in the uploaded documents matches \"" + query + "\".");
        }
        StringBuilder text = new StringBuilder("<<untrusted document passages, ranked>>\n");
        List<Source> sources = new ArrayList<>();
        for (int i = 0; i < hits.size(); i++) {
            Passage p = hits.get(i);
            text.append("\n[").append(i + 1).append("] document ").append(p.documentId()).append(" \"").append(p.title())
                    .append("\" (passage ").append(p.ordinal() + 1).append(", rank ")
                    .append(String.format(java.util.Locale.ROOT, "%.3f", p.rank())).append(")\n").append(p.text()).append('\n');
            sources.add(new Source(0, "document", null, p.title(), p.documentId()));
        }
        text.append("\n<<end of untrusted document passages>>");
        return new ToolOutput(text.toString(), sources);
    }
}
