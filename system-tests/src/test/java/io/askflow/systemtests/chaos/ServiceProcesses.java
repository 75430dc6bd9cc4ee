package io.askflow.systemtests.chaos;

import io.askflow.config.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Instances of the four services as separate JVMs on this test's class path, each started,
 * SIGKILLed and restarted by instance name ({@code <service>-<n>}). Output goes to one log file per
 * instance, appended across restarts, each start and kill marked by a line of its own.
 */
final class ServiceProcesses implements AutoCloseable {
    static final Map<String, String> MAINS = Map.of(
            "gateway", "io.askflow.gateway.Main",
            "context-builder", "io.askflow.context.Main",
            "model-caller", "io.askflow.model.Main",
            "tool-runner", "io.askflow.tools.Main");
    static final List<String> SERVICES = List.of("gateway", "context-builder", "model-caller", "tool-runner");
    private static final int LOG_LINES_IN_REPORT = 12;

    private final Path dir;
    private final Map<String, String> env;
    private final Map<String, Map<String, String>> instanceEnv;
    private final boolean instanceIds;
    private final Path argfile;
    private final Map<String, Process> running = new ConcurrentHashMap<>();
    private final Map<String, Integer> starts = new ConcurrentHashMap<>();

    /**
     * @param instanceIds whether each instance gets {@code ASKFLOW_INSTANCE_ID} (its name), or runs
     *     with the default (unset: a random identity per process start)
     * @param instanceEnv extra variables for single instances, by instance name
     */
    ServiceProcesses(Path dir, Map<String, String> env, boolean instanceIds, Map<String, Map<String, String>> instanceEnv)
            throws IOException {
        this.dir = Files.createDirectories(dir);
        try (var old = Files.newDirectoryStream(dir, "*.log")) {
            for (Path log : old) {
                Files.delete(log); // a previous test run's
            }
        }
        this.env = Map.copyOf(env);
        this.instanceEnv = Map.copyOf(instanceEnv);
        this.instanceIds = instanceIds;
        // A long class path goes into an @argfile: one command-line argument is limited to 128 KiB.
        this.argfile = dir.resolve("classpath.args");
        Files.writeString(argfile, "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
    }

    static String instance(String service, int n) {
        return service + "-" + n;
    }

    static String service(String instance) {
        return instance.substring(0, instance.lastIndexOf('-'));
    }

    synchronized void start(String instance) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "@" + argfile, MAINS.get(service(instance))));
        int start = starts.merge(instance, 1, Integer::sum);
        Files.writeString(log(instance), "=== chaos: start " + start + " of " + instance + " at " + Instant.now() + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(instance).toFile()));
        // Several services on one host: each takes a free management port unless the test names one.
        pb.environment().put(Settings.MANAGEMENT_PORT.name(), "0");
        pb.environment().putAll(env);
        pb.environment().remove("ASKFLOW_INSTANCE_ID");
        if (instanceIds) {
            pb.environment().put("ASKFLOW_INSTANCE_ID", instance);
        }
        pb.environment().putAll(instanceEnv.getOrDefault(instance, Map.of()));
        running.put(instance, pb.start());
    }

    /** SIGKILL: no shutdown hook runs, nothing is drained or committed. */
    synchronized void kill(String instance) throws InterruptedException, IOException {
        Process p = running.remove(instance);
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            Files.writeString(log(instance), "=== chaos: killed " + instance + " at " + Instant.now() + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
    }

    /** Whether the instance's current process has logged that it is running (see ServiceProcess). */
    boolean ready(String instance) throws IOException {
        List<String> lines = Files.readAllLines(log(instance), StandardCharsets.UTF_8);
        for (int i = lines.size() - 1; i >= 0 && !lines.get(i).startsWith("=== chaos: start"); i--) {
            if (lines.get(i).endsWith(" is running")) {
                return true;
            }
        }
        return false;
    }

    /** Instances that exited by themselves (not killed by this test), with their exit codes. */
    Map<String, Integer> exited() {
        Map<String, Integer> exited = new java.util.TreeMap<>();
        running.forEach((name, p) -> {
            if (!p.isAlive()) {
                exited.put(name, p.exitValue());
            }
        });
        return exited;
    }

    /** For a failure message: each instance's state and the last error lines of its log. */
    String report() {
        StringBuilder out = new StringBuilder();
        for (String name : new java.util.TreeSet<>(starts.keySet())) {
            Process p = running.get(name);
            String state = p == null ? "not running" : p.isAlive() ? "alive" : "exited with " + p.exitValue();
            out.append("\n--- ").append(name).append(": ").append(state).append(", started ").append(starts.get(name))
                    .append(" times; log ").append(log(name));
            try {
                List<String> errors = Files.readAllLines(log(name), StandardCharsets.UTF_8).stream()
                        .filter(l -> l.contains("ERROR") || l.contains("Exception") || l.startsWith("=== chaos")).toList();
                errors.subList(Math.max(0, errors.size() - LOG_LINES_IN_REPORT), errors.size())
                        .forEach(l -> out.append("\n    ").append(l));
            } catch (IOException e) {
                out.append("\n    (cannot read the log: ").append(e).append(')');
            }
        }
        return out.toString();
    }

    Path log(String instance) {
        return dir.resolve(instance + ".log");
    }

    /** SIGTERM, so that instances leave their groups; SIGKILL for any still running after the drain. */
    @Override
    public void close() {
        running.values().forEach(Process::destroy);
        for (Process p : running.values()) {
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        running.clear();
    }
}
