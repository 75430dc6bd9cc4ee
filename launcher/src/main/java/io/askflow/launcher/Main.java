package io.askflow.launcher;

import io.askflow.kafka.Topics;
import io.askflow.message.Answer;
import io.askflow.message.Source;
import io.askflow.service.StartupFailure;
import java.io.PrintStream;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.localmodel.LocalModel;
import java.io.IOException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * {@code demo "prompt"}: start everything, answer one prompt through the whole loop, print it, stop.
 * {@code serve}: start everything and keep serving the HTTP API and the topics until SIGTERM.
 */
public final class Main {
    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "demo";
        if ("demo".equals(mode) && System.getenv("ASKFLOW_LOG_LEVEL") == null) {
            // The demo's output is its answer; set before the first logger is created.
            System.setProperty("ASKFLOW_LOG_LEVEL", "WARN");
        }
        PrintStream out = System.out;
        long t0 = System.nanoTime();
        try {
            switch (mode) {
                case "demo" -> System.exit(demo(args.length > 1 ? args[1] : "What is today's date?", out, t0));
                case "serve" -> serve(out, t0);
                case "ask" -> System.exit(ask(args.length > 1 ? args[1] : "What is today's date?", out, t0));
                default -> {
                    System.err.println("usage: Main demo [prompt] | Main serve | Main ask prompt");
                    System.exit(2);
                }
            }
        } catch (StartupFailure e) {
            System.err.println("askflow: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The whole pipeline started here, asked over its own HTTP API, so the answer prints as it streams. */
    private static int demo(String prompt, PrintStream out, long t0) throws IOException, InterruptedException {
        try (EmbeddedRun run = EmbeddedRun.start(System.getenv(), false)) {
            long ready = System.nanoTime();
            out.printf("askflow is up (%.1f s). Asking: %s%n", seconds(t0, ready), prompt);
            Optional<StreamedAsk.Result> r = new StreamedAsk("http://127.0.0.1:" + run.httpPort(), null)
                    .ask("demo-" + UUID.randomUUID(), prompt, out);
            long done = System.nanoTime();
            return r.map(x -> print(out, x, run.usesLocalModel(), seconds(ready, done), seconds(t0, done))).orElse(1);
        }
    }

    /** {@code ./askflow ask}: a running serve (ASKFLOW_GATEWAY_URL) asked over HTTP, the answer printed as it streams. */
    private static int ask(String prompt, PrintStream out, long t0) throws IOException, InterruptedException {
        Config config = Config.fromEnv();
        Optional<StreamedAsk.Result> r;
        try {
            r = new StreamedAsk(config.get(Settings.GATEWAY_URL), config.find(Settings.API_KEY).orElse(null))
                    .ask(null, prompt, out);
        } catch (java.net.ConnectException e) {
            System.err.println("askflow: nothing answers at " + config.get(Settings.GATEWAY_URL)
                    + ": start ./askflow serve, or set ASKFLOW_GATEWAY_URL to its HTTP API");
            return 1;
        }
        double s = seconds(t0, System.nanoTime());
        return r.map(x -> print(out, x, LocalModel.MODEL_NAME.equals(x.answer().model()), s, s)).orElse(1);
    }

    private static void serve(PrintStream out, long t0) throws InterruptedException {
        EmbeddedRun run = EmbeddedRun.start(System.getenv(), true);
        run.portNotes().forEach(out::println);
        out.print(serving(run.kafkaBootstrapServers(), run.httpPort(), run.managementPort(), seconds(t0, System.nanoTime())));
        out.flush();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            run.close();
            stop.countDown();
        }));
        stop.await();
    }

    /** What {@code serve} prints once it is up: the addresses it took and commands to paste. */
    static String serving(String kafka, int httpPort, int managementPort, double startSeconds) {
        String http = "localhost:" + httpPort;
        return String.format("""
                askflow is up (%.1f s): Kafka at %s, HTTP API at http://%s
                Metrics at http://localhost:%d/metrics, health at /healthz and /readyz
                Try it (in another terminal):
                  echo '{"requestId":"r-1","conversationId":"c-1","prompt":"What day is it?"}' | kcat -b %s -t %s -X partitioner=murmur2_random -k c-1 -P
                  kcat -b %s -t %s -C -X isolation.level=read_committed -e
                  curl -s -XPOST 'http://%s/v1/prompts?wait=30' -H 'content-type: application/json' -d '{"prompt":"What is today'\\''s date?"}'
                Stop with Ctrl-C.
                """, startSeconds, kafka, http, managementPort, kafka, Topics.REQUESTS.name(), kafka, Topics.ANSWERS.name(), http);
    }

    private static int print(PrintStream out, StreamedAsk.Result streamed, boolean localModel, double turnSeconds,
            double totalSeconds) {
        Answer a = streamed.answer();
        if (streamed.textPrinted()) {
            // already on the screen, as it streamed
        } else if (a.isOk()) {
            out.println(a.text());
        } else {
            out.println("error " + a.error().code().wire() + ": " + a.error().message());
        }
        for (Source s : a.sources()) {
            out.printf("  [%d] %s%s%n", s.number(), s.title() == null ? "" : s.title() + " - ",
                    s.url() != null ? s.url() : s.documentId());
        }
        out.printf("(model %s%s; %d tool round(s); turn %.2f s; %.1f s from start)%n", a.model(),
                localModel ? ": askflow's offline local model, NOT GPT" : "", a.toolRounds(), turnSeconds, totalSeconds);
        return a.isOk() ? 0 : 1;
    }

    private static double seconds(long from, long to) {
        return (to - from) / 1e9;
    }
}
