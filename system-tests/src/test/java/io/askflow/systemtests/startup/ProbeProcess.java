package io.askflow.systemtests.startup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A {@link StartupProbe} in a child JVM, whose output lines the test waits on. */
final class ProbeProcess implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final long startedNanos = System.nanoTime();

    private ProbeProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::read, "probe-output");
        reader.setDaemon(true);
        reader.start();
    }

    static ProbeProcess start(Path argfile, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "@" + argfile, StartupProbe.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        return new ProbeProcess(pb.start());
    }

    /** A class path too long for one command-line argument goes into an @argfile. */
    static Path argfile(Path dir) throws IOException {
        Path argfile = Files.createDirectories(dir).resolve("classpath.args");
        Files.writeString(argfile, "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
        return argfile;
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // The process was killed: its output ends here.
        } finally {
            synchronized (lines) {
                lines.add(null);
                lines.notifyAll();
            }
        }
    }

    /** The first line starting with one of the prefixes; empty if the output ended without one. */
    Optional<String> await(Duration timeout, String... prefixes) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        synchronized (lines) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    String line = lines.get(seen);
                    if (line == null) {
                        return Optional.empty();
                    }
                    for (String prefix : prefixes) {
                        if (line.startsWith(prefix)) {
                            return Optional.of(line);
                        }
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no line starting with " + List.of(prefixes) + " within " + timeout + "; output:\n" + output());
                }
                TimeUnit.NANOSECONDS.timedWait(lines, left);
            }
        }
    }

    Duration age() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    String output() {
        synchronized (lines) {
            return String.join("\n", lines.stream().filter(l -> l != null).toList());
        }
    }

    /** SIGKILL: no shutdown hook runs, no connection is closed politely, nothing is committed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("probe did not die after SIGKILL");
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
