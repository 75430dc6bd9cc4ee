package io.askflow.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FixtureWebServerTest {

    private FixtureWebServer web;
    private HttpClient http;

    @BeforeEach
    void start() {
        web = FixtureWebServer.start();
        http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    @AfterEach
    void stop() {
        http.close();
        web.close();
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesPagesWithTheirContentType() throws Exception {
        web.html("/news", "<html><title>News</title><body>Büro news</body></html>");

        HttpResponse<String> response = get(web.url("/news"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(response.body()).contains("Büro news");
        assertThat(web.hits("/news")).isEqualTo(1);
    }

    @Test
    void redirectsAreFollowedAndBothHopsCounted() throws Exception {
        web.redirect("/old", "/new", 301).page("/new", "text/plain", "moved here");

        HttpResponse<String> response = get(web.url("/old"));

        assertThat(response.body()).isEqualTo("moved here");
        assertThat(response.uri().getPath()).isEqualTo("/new");
        assertThat(web.hits("/old")).isEqualTo(1);
        assertThat(web.hits("/new")).isEqualTo(1);
    }

    @Test
    void unknownPathsAre404AndStillCounted() throws Exception {
        HttpResponse<String> response = get(web.url("/missing?x=1"));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(web.hits("/missing")).isEqualTo(1);
        assertThat(web.hits("/never")).isZero();
    }

    @Test
    void slowPagesTriggerClientTimeouts() {
        web.slow("/slow", Duration.ofSeconds(2), "text/plain", "too late");

        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(web.url("/slow")))
                .timeout(Duration.ofMillis(200)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void pagesOfAGroupAnswerWhenAllWereRequestedAtOnce() throws Exception {
        web.together(Duration.ofSeconds(30), Map.of("/a", "page a", "/b", "page b"));

        CompletableFuture<HttpResponse<String>> a = http.sendAsync(HttpRequest.newBuilder(URI.create(web.url("/a"))).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> b = get(web.url("/b"));

        assertThat(b.statusCode()).isEqualTo(200);
        assertThat(b.body()).isEqualTo("page b");
        assertThat(a.get(30, TimeUnit.SECONDS).body()).isEqualTo("page a");
    }

    @Test
    void aPageOfAGroupRequestedAloneIsA504OnceItsBoundPasses() throws Exception {
        web.together(Duration.ofMillis(100), Map.of("/a", "page a", "/b", "page b"));

        HttpResponse<String> a = get(web.url("/a"));

        assertThat(a.statusCode()).isEqualTo(504);
        assertThat(a.body()).contains("1 still missing");
    }
}
