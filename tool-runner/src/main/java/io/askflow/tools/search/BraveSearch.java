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

/**
 * Brave Search API: {@code GET /res/v1/web/search?q=...} with the key in {@code X-Subscription-Token};
 * hits in {@code web.results[]} as title, url, description.
 */
final class BraveSearch implements SearchProvider {
    static final URI DEFAULT_URL = URI.create("https://api.search.brave.com");

    private final SearchHttp http;
    private final URI base;
    private final String apiKey;

    BraveSearch(HttpClient client, URI base, String apiKey) {
        this.http = new SearchHttp(client, "Brave Search");
        this.base = base;
        this.apiKey = apiKey;
    }

    @Override
    public List<SearchResult> search(String query, int maxResults, Instant deadline)
            throws ToolException, InterruptedException {
        URI uri = URI.create(base + "/res/v1/web/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8)
                + "&count=" + Math.min(20, maxResults));
        JsonNode body = http.send(HttpRequest.newBuilder(uri).GET().header("X-Subscription-Token", apiKey), deadline);
        List<SearchResult> results = new ArrayList<>();
        for (JsonNode r : body.path("web").path("results")) {
            results.add(new SearchResult(r.path("title").asText(""), r.path("url").asText(""),
                    r.path("description").asText("")));
        }
        return results;
    }
}
