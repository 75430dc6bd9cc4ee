package io.askflow.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ./askflow} script itself: its help, its version, and its one-line failures. */
class AskflowScriptTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void helpListsEveryCommandOnOneLineEach() throws Exception {
        Run help = run(Map.of(), "help");
        assertThat(help.status).isZero();
        String script = Files.readString(REPO.resolve("askflow"));
        // Every branch of the script's command switch, e.g. "  dead-letters)" or "  help|-h|--help)".
        Matcher branch = Pattern.compile("(?m)^  ([a-z-]+)(?:\\|[a-z-]+)*\\)").matcher(script.substring(script.indexOf("case \"$cmd\"")));
        int commands = 0;
        while (branch.find()) {
            String command = branch.group(1);
            String alias = command.equals("version") ? "--version" : command;
            assertThat(help.out.lines().filter(l -> l.startsWith("./askflow " + alias + " ") || l.equals("./askflow " + alias)))
                    .as("help line of %s", command).hasSize(1);
            commands++;
        }
        assertThat(commands).isGreaterThanOrEqualTo(8);
        assertThat(help.out.lines()).allMatch(l -> l.startsWith("./askflow "));
    }

    @Test
    void versionIsTheMavenProjectVersion() throws Exception {
        Run version = run(Map.of(), "--version");
        assertThat(version.status).isZero();
        assertThat(version.out.strip()).isEqualTo("askflow " + System.getProperty("askflow.version"));
    }

    @Test
    void anUnknownCommandSaysSoAndListsTheCommands() throws Exception {
        Run unknown = run(Map.of(), "frobnicate");
        assertThat(unknown.status).isEqualTo(2);
        assertThat(unknown.err).startsWith("askflow: unknown command 'frobnicate'; the commands are:").contains("./askflow demo");
    }

    @Test
    void withoutAJdk21TheScriptSaysWhatToDoInOneLine() throws Exception {
        // A JDK 17 (as far as the script can tell) and nothing else: no java on the PATH, no install folders.
        Path jdk = tmp.resolve("jdk-17");
        Files.createDirectories(jdk.resolve("bin"));
        for (String tool : List.of("java", "javac")) {
            executable(jdk.resolve("bin").resolve(tool), "#!/bin/sh\necho '    java.specification.version = 17' >&2\n");
        }
        Path bin = tmp.resolve("bin");
        Files.createDirectories(bin);
        for (String tool : List.of("bash", "sh", "dirname", "readlink", "sed", "cut", "head")) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of(which(tool)));
        }
        Run demo = run(Map.of("JAVA_HOME", jdk.toString(), "PATH", bin.toString(), "ASKFLOW_JDK_DIRS", ""), "demo");
        assertThat(demo.status).isEqualTo(1);
        assertThat(demo.err).isEqualTo("askflow needs a JDK 21 or newer (JDK 25 recommended) and the newest found is 17 ("
                + jdk + "): install one and set JAVA_HOME to it.\n");

        Run none = run(Map.of("JAVA_HOME", "", "PATH", bin.toString(), "ASKFLOW_JDK_DIRS", ""), "serve");
        assertThat(none.status).isEqualTo(1);
        assertThat(none.err).isEqualTo("askflow needs a JDK 21 or newer (JDK 25 recommended) and none was found: "
                + "install one and set JAVA_HOME to it.\n");
    }

    @Test
    void serveOnAPortInUseFailsWithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Run serve = run(Map.of("ASKFLOW_HTTP_PORT", Integer.toString(taken.getLocalPort()),
                    "ASKFLOW_CLASSPATH", System.getProperty("java.class.path"), "ASKFLOW_DATA_DIR", tmp.toString()), "serve");
            assertThat(serve.status).isEqualTo(1);
            assertThat(serve.err).isEqualTo("askflow: Port " + taken.getLocalPort() + " (ASKFLOW_HTTP_PORT) is in use: "
                    + "stop what listens there, or set ASKFLOW_HTTP_PORT to a free port (0 picks one).\n");
        }
    }

    record Run(int status, String out, String err) {
    }

    /** Runs {@code ./askflow ARGS} from the repository root with the given variables added (or, when empty, removed). */
    static Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(which("bash"), REPO.resolve("askflow").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(REPO.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        env.forEach((k, v) -> pb.environment().put(k, v));
        Path out = Files.createTempFile("askflow-out", ".txt");
        Path err = Files.createTempFile("askflow-err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("./askflow " + String.join(" ", args) + " did not end within 3 minutes");
        }
        try {
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    static String which(String tool) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return Path.of(dir, tool).toString();
            }
        }
        throw new AssertionError(tool + " is not installed");
    }

    private static void executable(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
