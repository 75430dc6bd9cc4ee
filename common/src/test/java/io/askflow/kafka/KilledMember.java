package io.askflow.kafka;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * A runner in a JVM of its own, for {@link RunnerIT} to kill with SIGKILL: no close, no drain, no
 * last commit, a transaction left open, as when a pod is killed. It prints a line for every record
 * its handler takes, so the test can tell which of them the next owner did again.
 */
public final class KilledMember {
    static final String HANDLED = "handled ";
    static final String LOST = "partitions lost";

    private KilledMember() {
    }

    /** Args: exactly-once|at-least-once, bootstrap servers, group, input topic, output topic. */
    public static void main(String[] args) throws Exception {
        Config config = Config.of(Map.of(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), args[1],
                Settings.INSTANCE_ID.name(), "killed"));
        String group = args[2];
        TopicSpec<String> in = topic(args[3]);
        TopicSpec<String> out = topic(args[4]);
        Consumer<String> report = value -> {
            synchronized (System.out) {
                System.out.println(HANDLED + value);
                System.out.flush();
            }
        };
        if (args[0].equals("exactly-once")) {
            // The services' own wiring: what a killed model-caller leaves behind is what this leaves behind.
            KafkaClients.exactlyOnceRunner(config, group, List.of(Route.of(in, slowCopies(out, report)))).start();
        } else if (args[0].equals("exactly-once-telling-lost")) {
            // The same runner, built as KafkaClients builds it, saying when the group took its partitions away.
            RunnerMetrics tellsLost = new RunnerMetrics() {
                @Override
                public void lost() {
                    synchronized (System.out) {
                        System.out.println(LOST);
                        System.out.flush();
                    }
                }
            };
            String clientId = group + "-killed";
            Runner.exactlyOnce(RunnerOptions.from(config, group).withMetrics(tellsLost),
                    List.of(Route.of(in, slowCopies(out, report))), KafkaClients.consumer(config, group, clientId),
                    () -> KafkaClients.transactionalProducer(config, clientId, clientId)).start();
        } else {
            KafkaProducer<String, byte[]> producer = KafkaClients.producer(config, "killed-member");
            Runner.atLeastOnce(RunnerOptions.from(config, group), List.of(slowAndSometimesFailing(in, out, report)),
                    KafkaClients.consumer(config, group, "killed-member"), producer).start();
        }
        Thread.currentThread().join();
    }

    static TopicSpec<String> topic(String name) {
        return new TopicSpec<>(name, String.class, "test", Map.of());
    }

    /** Copies each record twice; every seventh takes 3 s, so a kill finds records in flight. */
    static Handler<String> slowCopies(TopicSpec<String> out, Consumer<String> handled) {
        return rec -> {
            handled.accept(rec.value());
            int n = Integer.parseInt(rec.value());
            Thread.sleep(n % 7 == 0 ? 3_000 : ThreadLocalRandom.current().nextInt(5));
            return List.of(Outgoing.to(out, rec.key(), rec.value()), Outgoing.to(out, rec.key(), "copy-" + rec.value()));
        };
    }

    /** Copies each record; every seventh takes 3 s, every fiftieth fails and is answered by its failure handler. */
    static Route<String> slowAndSometimesFailing(TopicSpec<String> in, TopicSpec<String> out, Consumer<String> handled) {
        return Route.of(in, rec -> {
            handled.accept(rec.value());
            int n = Integer.parseInt(rec.value());
            Thread.sleep(n % 7 == 0 ? 3_000 : ThreadLocalRandom.current().nextInt(5));
            if (n % 50 == 0) {
                throw new IllegalStateException("boom " + n);
            }
            return List.of(Outgoing.to(out, rec.key(), rec.value()));
        }, (rec, e) -> List.of(Outgoing.to(out, rec.key(), "failed-" + rec.value())));
    }

    /** A started member and the values its handler took, as it printed them. */
    record Member(Process process, Set<String> handled, java.util.concurrent.CountDownLatch lost) {
        static Member start(String mode, String bootstrap, String group, TopicSpec<String> in, TopicSpec<String> out)
                throws IOException {
            Path argfile = Files.createTempFile("killed-member", ".args");
            argfile.toFile().deleteOnExit();
            Files.writeString(argfile, "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "@" + argfile, KilledMember.class.getName(), mode, bootstrap, group, in.name(), out.name())
                    .redirectErrorStream(true).start();
            Set<String> handled = ConcurrentHashMap.newKeySet();
            java.util.concurrent.CountDownLatch lost = new java.util.concurrent.CountDownLatch(1);
            Thread.ofVirtual().start(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        if (line.startsWith(HANDLED)) {
                            handled.add(line.substring(HANDLED.length()));
                        } else if (line.equals(LOST)) {
                            lost.countDown();
                        }
                    }
                } catch (IOException gone) {
                    // The process was killed: what it printed until then is all there is.
                }
            });
            return new Member(p, handled, lost);
        }

        /** SIGSTOP or SIGCONT: a process frozen as a long GC pause or a suspended VM freezes it, and woken again. */
        void signal(String name) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
            }
        }

        /** SIGKILL: the JVM gets no chance to close, drain or commit. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("The killed member did not die within 30 s");
            }
        }
    }
}
