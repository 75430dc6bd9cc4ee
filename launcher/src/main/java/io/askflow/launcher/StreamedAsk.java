package io.askflow.launcher;

import io.askflow.message.Answer;
import io.askflow.message.Json;
import io.askflow.message.TurnEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A prompt asked over HTTP with {@code POST /v1/prompts?stream=true}, its answer printed as it
 * streams: a line per tool ({@code [calling current_time]}), the text as it arrives, a line when a
 * model call is repeated (the text after it is the one that counts). At the end the stored answer
 * is fetched for its sources and metadata; if its text is not what streamed since the last retry
 * (an aborted attempt's answer streamed), the stored text is printed too.
 */
final class StreamedAsk {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String baseUrl;
    private final String apiKey;

    StreamedAsk(String baseUrl, String apiKey) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.apiKey = apiKey;
    }

    /** What streamed and the stored answer; empty when the gateway refused the prompt (printed). */
    record Result(Answer answer, boolean textPrinted) {
    }

    Optional<Result> ask(String conversationId, String prompt, PrintStream out) throws IOException, InterruptedException {
        Map<String, String> body = new LinkedHashMap<>();
        if (conversationId != null) {
            body.put("conversationId", conversationId);
        }
        body.put("prompt", prompt);
        HttpResponse<InputStream> r = HTTP.send(request("/v1/prompts?stream=true")
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(Json.writeString(body))).build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            try (InputStream in = r.body()) {
                out.println("error: HTTP " + r.statusCode() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            return Optional.empty();
        }
        StringBuilder streamed = new StringBuilder();
        TurnEvent answerEvent = null;
        boolean midLine = false;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.startsWith("data: ")) {
                    continue; // id:, event:, comments and blank lines: the data says it all
                }
                TurnEvent e = Json.read(line.substring(6).getBytes(StandardCharsets.UTF_8), TurnEvent.class);
                switch (e.kind()) {
                    case DELTA -> {
                        out.print(e.text());
                        out.flush();
                        streamed.append(e.text());
                        midLine = !e.text().endsWith("\n");
                    }
                    case PROGRESS -> {
                        if (e.step() == TurnEvent.Step.TOOL_STARTED) {
                            midLine = newLine(out, midLine);
                            out.println("[calling " + e.tool() + (e.detail() == null ? "" : ": " + e.detail()) + "]");
                        }
                    }
                    case RETRY -> {
                        midLine = newLine(out, midLine);
                        out.println("[the model call is repeated" + (e.detail() == null ? "" : ": " + e.detail()) + "]");
                        streamed.setLength(0);
                    }
                    case ANSWER -> answerEvent = e;
                }
            }
        }
        newLine(out, midLine);
        if (answerEvent == null) {
            out.println("error: the event stream ended before the answer");
            return Optional.empty();
        }
        Answer answer = stored(answerEvent.requestId());
        boolean printed = answer.isOk() && answer.text() != null && answer.text().contentEquals(streamed);
        return Optional.of(new Result(answer, printed));
    }

    private Answer stored(String requestId) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = HTTP.send(request("/v1/answers/" + requestId).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("GET /v1/answers/" + requestId + " answered HTTP " + r.statusCode());
        }
        return Json.read(r.body(), Answer.class);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofMinutes(3));
        if (apiKey != null && !apiKey.isBlank()) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    private static boolean newLine(PrintStream out, boolean midLine) {
        if (midLine) {
            out.println();
        }
        return false;
    }
}
