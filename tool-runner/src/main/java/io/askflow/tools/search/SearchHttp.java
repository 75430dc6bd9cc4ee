package io.askflow.tools.search;

import io.askflow.tools.spi.ToolException;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.message.Json;
import io.askflow.message.MessageFormatException;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;

/**
 * The one request a search provider makes, with the failure messages the model reads. Messages
 * name the provider and the HTTP status only, never the request, which may carry the API key.
 */
final class SearchHttp {
    private static final int MAX_BODY = 2 * 1024 * 1024;

    private final HttpClient http;
    private final String provider;

    SearchHttp(HttpClient http, String provider) {
        this.http = http;
        this.provider = provider;
    }

    JsonNode send(HttpRequest.Builder request, Instant deadline) throws ToolException, InterruptedException {
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.isNegative() || left.isZero()) {
            throw new ToolException("web_search ran out of time before asking " + provider);
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.timeout(left).header("Accept", "application/json").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new ToolException("web_search timed out waiting for " + provider);
        } catch (IOException e) {
            throw new ToolException("web_search could not reach " + provider + " (" + e.getClass().getSimpleName() + ")");
        }
        if (response.statusCode() != 200) {
            throw new ToolException("web_search failed: " + provider + " answered HTTP " + response.statusCode());
        }
        if (response.body().length > MAX_BODY) {
            throw new ToolException("web_search failed: " + provider + " sent an oversized response");
        }
        try {
            return Json.tree(response.body());
        } catch (MessageFormatException e) {
            throw new ToolException("web_search failed: " + provider + " sent a response that is not JSON");
        }
    }
}
