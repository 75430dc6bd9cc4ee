package io.askflow.systemtests.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The four services as separate JVMs on this test's class path, each started, SIGKILLed and
 * restarted by name. Output goes to one log file per service, appended across restarts.
 */
final class ServiceProcesses implements AutoCloseable {
    static final Map<String, String> MAINS = Map.of(
            "gateway", "io.askflow.gateway.Main",
            "context-builder", "io.askflow.context.Main",
            "model-caller", "io.askflow.model.Main",
            "tool-runner", "io.askflow.tools.Main");

    private final Path dir;
    private final Map<String, String> env;
    private final Path argfile;
    private final Map<String, Process> running = new ConcurrentHashMap<>();

    ServiceProcesses(Path dir, Map<String, String> env) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.env = Map.copyOf(env);
        // A long class path goes into an @argfile: one command-line argument is limited to 128 KiB.
        this.argfile = dir.resolve("classpath.args");
        Files.writeString(argfile, "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
    }

    synchronized void start(String service) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "@" + argfile, MAINS.get(service)));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(service + ".log").toFile()));
        pb.environment().putAll(env);
        pb.environment().put("ASKFLOW_INSTANCE_ID", service + "-1");
        running.put(service, pb.start());
    }

    /** SIGKILL: no shutdown hook runs, nothing is drained or committed. */
    synchronized void kill(String service) throws InterruptedException {
        Process p = running.remove(service);
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    boolean alive(String service) {
        Process p = running.get(service);
        return p != null && p.isAlive();
    }

    Path log(String service) {
        return dir.resolve(service + ".log");
    }

    @Override
    public void close() {
        running.values().forEach(Process::destroyForcibly);
        running.clear();
    }
}
