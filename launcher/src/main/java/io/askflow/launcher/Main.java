package io.askflow.launcher;

import io.askflow.config.Config;
import io.askflow.message.Answer;
import io.askflow.message.Source;
import java.io.PrintStream;
import java.time.Duration;
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
        switch (mode) {
            case "demo" -> {
                String prompt = args.length > 1 ? args[1] : "What is today's date?";
                int status;
                try (EmbeddedRun run = EmbeddedRun.start(Config.fromEnv(), false);
                        PromptClient client = new PromptClient(run.config())) {
                    long ready = System.nanoTime();
                    out.printf("askflow is up (%.1f s). Asking: %s%n", seconds(t0, ready), prompt);
                    String requestId = client.ask("demo-" + UUID.randomUUID(), prompt);
                    Optional<Answer> answer = client.await(requestId, Duration.ofMinutes(2));
                    long done = System.nanoTime();
                    status = print(out, answer, run.usesLocalModel(), seconds(ready, done), seconds(t0, done));
                }
                System.exit(status);
            }
            case "serve" -> {
                EmbeddedRun run = EmbeddedRun.start(Config.fromEnv(), true);
                out.printf("askflow is serving: HTTP on port %d, Kafka at %s%n", run.httpPort(),
                        run.config().get(io.askflow.config.Settings.KAFKA_BOOTSTRAP_SERVERS));
                CountDownLatch stop = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    run.close();
                    stop.countDown();
                }));
                stop.await();
            }
            default -> {
                System.err.println("usage: Main demo [prompt] | Main serve");
                System.exit(2);
            }
        }
    }

    private static int print(PrintStream out, Optional<Answer> answer, boolean localModel, double turnSeconds,
            double totalSeconds) {
        if (answer.isEmpty()) {
            out.println("No answer within 2 minutes.");
            return 1;
        }
        Answer a = answer.get();
        out.println();
        if (a.isOk()) {
            out.println(a.text());
        } else {
            out.println("error " + a.error().code().wire() + ": " + a.error().message());
        }
        for (Source s : a.sources()) {
            out.printf("  [%d] %s%s%n", s.number(), s.title() == null ? "" : s.title() + " - ",
                    s.url() != null ? s.url() : s.documentId());
        }
        out.println();
        out.printf("(model %s%s; %d tool round(s); turn %.2f s; %.1f s from start)%n", a.model(),
                localModel ? ": askflow's offline local model, NOT GPT" : "", a.toolRounds(), turnSeconds, totalSeconds);
        return a.isOk() ? 0 : 1;
    }

    private static double seconds(long from, long to) {
        return (to - from) / 1e9;
    }
}
