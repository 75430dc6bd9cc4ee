package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.localmodel.ChatMessage;
import io.askflow.localmodel.Reply;
import io.askflow.message.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web console end to end in headless Chromium, against the real services: a prompt whose turn
 * fetches a page and asks for the time streams in with progress lines and a numbered source link;
 * the model's markup stays text; a wrong key shows its error code; a document is uploaded. The
 * screenshot is kept as {@code system-tests/target/console-screenshot.png}.
 */
class ConsoleChromiumTest {
    private static final Duration TURN = Duration.ofSeconds(60);
    private static final String TURN_JS = "document.querySelector('#transcript .turn:last-child')";
    private static RunningPipeline p;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
    }

    @Test
    void theConsoleStreamsAnAnswerWithToolProgressAndSourcesAndShowsErrors() throws Exception {
        String page = "/console-page-" + UUID.randomUUID();
        p.web.html(page, "<html><head><title>Door facts</title></head><body><p>The door is green.</p></body></html>");
        String url = p.web.url(page);
        // Round 1 fetches the page, round 2 asks for the time, then the answer (with markup that must stay text).
        p.model.respondWith(req -> {
            long toolResults = req.messages().stream().filter(m -> m.hasRole("tool")).count();
            if (toolResults == 0) {
                return Reply.toolCall("fetch_url", "{\"url\":\"" + url + "\"}");
            }
            if (toolResults == 1) {
                return Reply.toolCall("current_time", "{}");
            }
            ChatMessage time = req.lastMessage().orElseThrow();
            // Streamed a word at a time, so the page shows the answer growing before it is complete.
            return Reply.streamed(Reply.text("The door is green [1]. <img src=x onerror=\"document.title='pwned'\"> Checked: "
                    + time.text()), Duration.ofMillis(40));
        });
        String base = "http://127.0.0.1:" + p.pipeline.httpPort() + "/";
        HttpResponse<String> index = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(index.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("default-src 'self'", "script-src 'self'"));

        try (HeadlessChromium chromium = HeadlessChromium.launch()) {
            chromium.navigate(base);
            chromium.awaitTrue("document.body && document.body.dataset.ready === 'true'", Duration.ofSeconds(20),
                    "the console to load");
            chromium.type("#api-key", RunningPipeline.ACME_KEY);
            chromium.click("#new-conversation");
            chromium.type("#prompt", "What colour is the door at " + url + ", and what time is it?");
            // Every text the answer shows on its way, to see it stream in rather than appear at once.
            chromium.evaluate("window.seen = []; new MutationObserver(() => {"
                    + " const a = document.querySelector('#transcript .turn:last-child .answer');"
                    + " if (a && a.textContent && window.seen[window.seen.length - 1] !== a.textContent) window.seen.push(a.textContent);"
                    + " }).observe(document.getElementById('transcript'), {subtree: true, childList: true, characterData: true})");
            chromium.click("#send");
            chromium.awaitTrue(TURN_JS + "?.dataset.state === 'done' || " + TURN_JS + "?.dataset.state === 'error'",
                    TURN, "the streamed answer");

            JsonNode turn = chromium.evaluate("(() => { const t = " + TURN_JS + "; return {"
                    + "state: t.dataset.state, answer: t.querySelector('.answer').textContent,"
                    + "images: t.querySelectorAll('img').length, title: document.title,"
                    + "progress: [...t.querySelectorAll('.progress')].map(e => e.textContent),"
                    + "links: [...t.querySelectorAll('.sources a')].map(a => ({href: a.href, text: a.textContent,"
                    + " number: a.parentElement.value}))}; })()");
            assertThat(turn.path("state").asText()).as("turn: %s", turn).isEqualTo("done");
            assertThat(turn.path("answer").asText()).startsWith("The door is green [1]. <img src=x");
            assertThat(turn.path("images").asInt()).as("the model's markup is shown, not run").isZero();
            assertThat(turn.path("title").asText()).isEqualTo("askflow console");
            String answer = turn.path("answer").asText();
            String[] seen = Json.mapper().convertValue(chromium.evaluate("window.seen"), String[].class);
            assertThat(seen).as("the answer grew in several steps").hasSizeGreaterThan(2)
                    .allSatisfy(text -> assertThat(answer).startsWith(text));
            assertThat(seen[0]).hasSizeLessThan(answer.length());
            assertThat(Json.mapper().convertValue(turn.path("progress"), String[].class))
                    .anySatisfy(line -> assertThat(line).contains("model call"))
                    .anySatisfy(line -> assertThat(line).isEqualTo("tool started fetch_url " + url))
                    .anySatisfy(line -> assertThat(line).startsWith("tool finished current_time"));
            assertThat(turn.path("links")).hasSize(1);
            assertThat(turn.path("links").get(0).path("href").asText()).isEqualTo(url);
            assertThat(turn.path("links").get(0).path("number").asInt()).isEqualTo(1);
            chromium.screenshot(Path.of("target", "console-screenshot.png"));

            Path doc = Files.createTempFile("console-upload", ".txt");
            Files.writeString(doc, "The console uploaded this document.");
            chromium.chooseFile("#upload-file", doc);
            chromium.click("#upload button");
            chromium.awaitTrue("document.getElementById('upload-status').textContent.startsWith('Uploaded ')",
                    Duration.ofSeconds(30), "the upload to finish");
            String status = chromium.evaluate("document.getElementById('upload-status').textContent").asText();
            String documentId = status.substring(status.lastIndexOf(' ') + 1);
            Http.Response stored = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY).get("/v1/documents/" + documentId);
            assertThat(stored.status()).isEqualTo(200);
            assertThat(stored.body()).contains("The console uploaded this document.");

            chromium.type("#api-key", "ak-wrong-key");
            chromium.type("#prompt", "this one is refused");
            chromium.click("#send");
            chromium.awaitTrue(TURN_JS + "?.dataset.state === 'error'", TURN, "the refusal");
            assertThat(chromium.evaluate(TURN_JS + ".querySelector('.error').dataset.code").asText()).isEqualTo("unauthorized");
        }
        assertThat(Path.of("target", "console-screenshot.png")).isNotEmptyFile();
    }
}
