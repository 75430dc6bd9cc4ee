package io.askflow.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askflow.message.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Debian's {@code chromium}, headless, driven over the Chrome DevTools Protocol with the JDK's own
 * WebSocket client: one page, commands answered in order of their ids. No driver binary, no
 * Selenium: what the test does is what the protocol says.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final String LISTENING = "DevTools listening on ";

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final String session;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private HeadlessChromium(Process process, Path profile, String browserUrl) throws Exception {
        this.process = process;
        this.profile = profile;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(browserUrl), new Listener()).get(10, TimeUnit.SECONDS);
        String target = call(null, "Target.createTarget", Map.of("url", "about:blank")).path("targetId").asText();
        this.session = call(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true))
                .path("sessionId").asText();
        send("Page.enable", Map.of());
        send("Runtime.enable", Map.of());
    }

    /**
     * Starts chromium or fails saying how to install it: CI installs it with .ci/install-tools, so a
     * missing browser is a broken machine, not a reason to skip.
     */
    static HeadlessChromium launch() throws Exception {
        String binary = Stream.of("chromium", "chromium-browser").filter(HeadlessChromium::onPath).findFirst()
                .orElseThrow(() -> new AssertionError("chromium is not installed, so the console cannot be tested: "
                        + "run .ci/install-tools (as root on Debian/Ubuntu it runs apt-get install chromium)"));
        Path profile = Files.createTempDirectory("askflow-chromium");
        Process process = new ProcessBuilder(binary, "--headless=new", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--no-default-browser-check", "--window-size=1280,900", "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        CompletableFuture<String> url = new CompletableFuture<>();
        StringBuilder tail = new StringBuilder();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = err.readLine()) != null; ) {
                    int at = line.indexOf(LISTENING);
                    if (at >= 0) {
                        url.complete(line.substring(at + LISTENING.length()).trim());
                    }
                    synchronized (tail) {
                        tail.append(line).append('\n');
                        if (tail.length() > 8_000) {
                            tail.delete(0, tail.length() - 8_000);
                        }
                    }
                }
            } catch (IOException e) {
                // the browser went away; its exit is noticed by whoever waits for it
            }
            url.completeExceptionally(new AssertionError("chromium exited without a DevTools URL:\n" + tail));
        });
        try {
            return new HeadlessChromium(process, profile, url.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    private static boolean onPath(String name) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, name)));
    }

    /** A command on the page; its result, or an AssertionError with the protocol's error. */
    JsonNode send(String method, Map<String, Object> params) throws Exception {
        return call(session, method, params);
    }

    private JsonNode call(String sessionId, String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode message = Json.mapper().createObjectNode().put("id", id).put("method", method);
        message.set("params", Json.mapper().valueToTree(params));
        if (sessionId != null) {
            message.put("sessionId", sessionId);
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText(Json.writeString(message), true).get(10, TimeUnit.SECONDS);
        JsonNode answer = reply.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (answer.has("error")) {
            throw new AssertionError(method + " failed: " + answer.get("error"));
        }
        return answer.path("result");
    }

    void navigate(String url) throws Exception {
        send("Page.navigate", Map.of("url", url));
    }

    /** Evaluates a script in the page, awaiting a promise, and returns its value (JSON-compatible). */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode result = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new AssertionError("The page threw on '" + expression + "': " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** Focuses the element and types the text as keyboard input does (input events included). */
    void type(String selector, String text) throws Exception {
        evaluate("(() => { const e = document.querySelector(" + Json.writeString(selector) + "); e.focus(); e.select && e.select(); })()");
        send("Input.insertText", Map.of("text", text));
    }

    void click(String selector) throws Exception {
        evaluate("document.querySelector(" + Json.writeString(selector) + ").click()");
    }

    /** Puts a file into an {@code <input type=file>}, as choosing it in the dialog would. */
    void chooseFile(String selector, Path file) throws Exception {
        int root = send("DOM.getDocument", Map.of()).path("root").path("nodeId").asInt();
        int node = send("DOM.querySelector", Map.of("nodeId", root, "selector", selector)).path("nodeId").asInt();
        send("DOM.setFileInputFiles", Map.of("nodeId", node, "files", java.util.List.of(file.toAbsolutePath().toString())));
    }

    /** Re-evaluates until the value is true (a positive signal from the page), or fails after the timeout. */
    void awaitTrue(String expression, Duration timeout, String what) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!evaluate(expression).asBoolean(false)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("Timed out after " + timeout + " waiting for " + what + "; the page shows:\n"
                        + evaluate("document.body.innerText").asText());
            }
            Thread.sleep(100);
        }
    }

    void screenshot(Path to) throws Exception {
        String png = send("Page.captureScreenshot", Map.of("format", "png")).path("data").asText();
        Files.createDirectories(to.toAbsolutePath().getParent());
        Files.write(to, Base64.getDecoder().decode(png));
    }

    @Override
    public void close() throws IOException {
        socket.abort();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Replies by id; events (messages without one) are not needed by the tests and are dropped. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonNode message = Json.tree(partial.toString());
                partial.setLength(0);
                if (message.has("id")) {
                    CompletableFuture<JsonNode> reply = pending.remove(message.get("id").asInt());
                    if (reply != null) {
                        reply.complete(message);
                    }
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            pending.values().forEach(f -> f.completeExceptionally(error));
        }
    }
}
