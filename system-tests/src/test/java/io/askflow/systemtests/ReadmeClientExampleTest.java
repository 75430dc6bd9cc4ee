package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.config.Settings;
import io.askflow.localmodel.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "JVM client" example, exactly as printed: extracted, compiled, and run as its own
 * JVM against the running pipeline, configured only by the environment as a reader's would be.
 */
class ReadmeClientExampleTest {
    private static final Path README = Path.of("..", "README.md");

    @Test
    void theReadmesJavaExampleCompilesAndPrintsTheAnswersFromThePipeline(@TempDir Path dir) throws Exception {
        String source = example();
        Matcher name = Pattern.compile("public class (\\w+)").matcher(source);
        assertThat(name.find()).as("the example declares a public class").isTrue();
        Path file = dir.resolve(name.group(1) + ".java");
        Files.writeString(file, source);
        String classPath = System.getProperty("java.class.path");

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int compiled = javac.run(null, diagnostics, diagnostics, "-d", dir.toString(), "-cp", classPath, file.toString());
        assertThat(compiled).as("javac: %s", diagnostics.toString(StandardCharsets.UTF_8)).isZero();

        RunningPipeline p = RunningPipeline.get();
        p.model.respondWith(req -> Reply.text("echo: " + req.lastMessage().orElseThrow().text()));

        // A long class path goes into an @argfile: one command-line argument is limited to 128 KiB.
        Path argfile = dir.resolve("classpath.args");
        Files.writeString(argfile, "-cp \"" + (dir + java.io.File.pathSeparator + classPath).replace("\\", "\\\\") + "\"\n");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "@" + argfile, name.group(1)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("output.txt").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ASKFLOW_"));
        pb.environment().put(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), p.config.get(Settings.KAFKA_BOOTSTRAP_SERVERS));
        Process run = pb.start();
        boolean exited = run.waitFor(2, TimeUnit.MINUTES);
        if (!exited) {
            run.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        String output = Files.readString(dir.resolve("output.txt"));
        assertThat(exited).as("the example finished; output:%n%s", output).isTrue();
        assertThat(run.exitValue()).as("exit status; output:%n%s", output).isZero();
        assertThat(List.of(output.split("\\R"))).as(output)
                .containsSubsequence("echo: What day is it?", "echo: And tomorrow?");
    }

    /** The first Java block of the README's "JVM client" section. */
    static String example() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("\n## JVM client");
        assertThat(start).as("README has a '## JVM client' section").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(section);
        assertThat(block.find()).as("the JVM client section has a ```java block").isTrue();
        return block.group(1);
    }
}
