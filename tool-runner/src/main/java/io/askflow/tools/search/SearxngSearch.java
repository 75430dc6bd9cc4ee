package io.askflow.tools.search;

import io.askflow.tools.spi.ToolException;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** SearxNG's JSON API: {@code GET /search?q=...&format=json}, hits in {@code results[]} as title, url, content. */
final class SearxngSearch implements SearchProvider {
    private final SearchHttp http;
    private final URI base;

    SearxngSearch(HttpClient client, URI base) {
        this.http = new SearchHttp(client, "SearxNG");
        this.base = base;
    }

    @Override
    public List<SearchResult> search(String query, int maxResults, Instant deadline)
            throws ToolException, InterruptedException {
        URI uri = URI.create(base + "/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&format=json");
        JsonNode body = http.send(HttpRequest.newBuilder(uri).GET(), deadline);
        List<SearchResult> results = new ArrayList<>();
        for (JsonNode r : body.path("results")) {
            results.add(new SearchResult(r.path("title").asText(""), r.path("url").asText(""), r.path("content").asText("")));
        }
        return results;
    }
}
