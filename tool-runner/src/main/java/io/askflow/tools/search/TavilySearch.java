package io.askflow.tools.search;

import io.askflow.tools.spi.ToolException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askflow.message.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Tavily: {@code POST /search} with a JSON body holding {@code api_key} and {@code query}; hits in
 * {@code results[]} as title, url, content. The key also goes in an {@code Authorization: Bearer}
 * header, which Tavily's newer API reads instead of the body field.
 */
final class TavilySearch implements SearchProvider {
    static final URI DEFAULT_URL = URI.create("https://api.tavily.com");

    private final SearchHttp http;
    private final URI base;
    private final String apiKey;

    TavilySearch(HttpClient client, URI base, String apiKey) {
        this.http = new SearchHttp(client, "Tavily");
        this.base = base;
        this.apiKey = apiKey;
    }

    @Override
    public List<SearchResult> search(String query, int maxResults, Instant deadline)
            throws ToolException, InterruptedException {
        ObjectNode request = Json.mapper().createObjectNode()
                .put("api_key", apiKey)
                .put("query", query)
                .put("max_results", maxResults);
        JsonNode body = http.send(HttpRequest.newBuilder(URI.create(base + "/search"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + apiKey)
                .POST(HttpRequest.BodyPublishers.ofString(Json.writeString(request))), deadline);
        List<SearchResult> results = new ArrayList<>();
        for (JsonNode r : body.path("results")) {
            results.add(new SearchResult(r.path("title").asText(""), r.path("url").asText(""), r.path("content").asText("")));
        }
        return results;
    }
}
