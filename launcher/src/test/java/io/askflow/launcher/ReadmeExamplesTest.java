package io.askflow.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.askflow.message.Json;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's examples are this test: its fenced blocks are read from README.md and run, in the
 * order a reader meets them, with the real {@code ./askflow} script, kcat and curl.
 *
 * <p>An HTML comment on the line before a block says how (invisible on GitHub):
 * <ul>
 *   <li>{@code <!-- example: skip: REASON -->}: a bash block that cannot run here; the reason is required.
 *   <li>{@code <!-- example: background -->}: a bash block that keeps running (a server, a
 *       subscriber); it is stopped when the test ends.
 *   <li>{@code <!-- example: until-output -->}: a read-only bash block that is run again until its
 *       output shows what the README says (what follows an asynchronous step).
 *   <li>{@code <!-- example: output -->}: a {@code text} block: what the bash block before it
 *       prints. Each line must appear, in order, as a whole line; {@code ...} stands for anything.
 *   <li>{@code <!-- example: json CLASS -->}: a json sample that must parse into that record, with
 *       no field the record does not have; {@code json CLASS[] in FIELD} for an array field;
 *       {@code output json CLASS} also makes it the expected output of the bash block before it: a
 *       printed line with all its fields and the same {@code requestId}, {@code conversationId}
 *       and {@code status}.
 * </ul>
 * Every other bash block is run and must exit with 0. The first block, {@code ./askflow serve},
 * keeps running; when the documented ports were taken by something else on this machine, the
 * addresses it printed are put in place of {@code localhost:9092} and {@code localhost:8080}.
 */
class ReadmeExamplesTest {
    private static final Path README = AskflowScriptTest.REPO.resolve("README.md");
    private static final Pattern MARKER = Pattern.compile("<!-- example: (.*?) -->");
    private static final Pattern SERVING = Pattern.compile("Kafka at (\\S+), HTTP API at http://localhost:(\\d+)");
    private static final Pattern MANAGEMENT = Pattern.compile("Metrics at http://localhost:(\\d+)/metrics");
    /** Generous: serve starts a broker and a database, on a two-core machine shared with other builds. */
    private static final long WAIT_SECONDS = 240;

    @TempDir
    Path tmp;

    private final List<Process> background = new ArrayList<>();
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private String servePrinted = "";

    record Block(int line, String section, String lang, String marker, String body) {
        String where() {
            return "README.md line " + line + " (" + section + ")";
        }
    }

    @AfterEach
    void stopBackground() throws InterruptedException {
        for (Process p : background) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : background) {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void everyJsonSampleParsesIntoItsRecord() throws Exception {
        List<Block> json = blocks().stream().filter(b -> b.lang.equals("json")).toList();
        assertThat(json).hasSizeGreaterThanOrEqualTo(3);
        for (Block b : json) {
            assertThat(b.marker).as("%s: a json block names its record with <!-- example: json CLASS -->", b.where())
                    .isNotNull().contains("json ");
            checkSample(b);
        }
    }

    @Test
    void everyCommandBlockRunsOrSaysWhyNot() throws Exception {
        for (Block b : blocks()) {
            assertThat(b.lang).as("%s: fenced blocks say their language", b.where()).isIn("bash", "json", "text", "java");
            if (b.lang.equals("java")) {
                // Compiled and run against the pipeline by system-tests' ReadmeClientExampleTest.
                assertThat(b.section).as("%s: the Java example belongs to the JVM client section", b.where()).isEqualTo("JVM client");
            }
            if (b.marker != null && b.marker.startsWith("skip")) {
                assertThat(b.marker).as("%s: a skipped block says why", b.where()).matches("skip: .{10,}");
            }
            if (b.lang.equals("text")) {
                assertThat(b.marker).as("%s: a text block is the output of the command before it", b.where()).isEqualTo("output");
            }
        }
    }

    @Test
    void theExamplesWorkAsWritten() throws Exception {
        Block previousCommand = null;
        Path previousOutput = null;
        Process previousProcess = null;
        for (Block b : blocks()) {
            if (b.lang.equals("bash")) {
                if (b.marker != null && b.marker.startsWith("skip")) {
                    System.out.println("README example skipped, " + b.where() + ": " + b.marker.substring(6));
                    previousCommand = null;
                    continue;
                }
                previousCommand = b;
                previousOutput = tmp.resolve("block-" + b.line + ".out");
                if ("background".equals(b.marker)) {
                    previousProcess = start(b, previousOutput);
                    background.add(previousProcess);
                } else if (!"until-output".equals(b.marker)) {
                    previousProcess = start(b, previousOutput);
                    awaitExit(b, previousProcess, previousOutput);
                }
            } else if (previousCommand != null && isOutput(b)) {
                expectOutput(previousCommand, previousProcess, previousOutput, b);
            }
        }
        assertThat(addresses).as("the README starts ./askflow serve").isNotEmpty();
        runWhatServePrinted();
    }

    /** The commands serve prints to paste work as printed (no address substitution: they carry the real ones). */
    private void runWhatServePrinted() throws Exception {
        List<String> printed = servePrinted.lines().map(String::strip)
                .filter(l -> l.startsWith("echo ") || l.startsWith("kcat ") || l.startsWith("curl ")).toList();
        assertThat(printed).as("serve prints kcat and curl commands").hasSize(3);
        for (String line : printed) {
            Block b = new Block(0, "printed by ./askflow serve", "bash", null, line);
            Path output = tmp.resolve("printed-" + printed.indexOf(line) + ".out");
            awaitExit(b, start(b, output), output);
            if (line.startsWith("curl ")) {
                assertThat(Files.readString(output)).as("answer to the printed curl").contains("\"status\":\"ok\"");
            }
        }
    }

    private static boolean isOutput(Block b) {
        return "output".equals(b.marker) || (b.marker != null && b.marker.startsWith("output json "));
    }

    private void expectOutput(Block command, Process process, Path output, Block expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            if ("until-output".equals(command.marker)) {
                Process again = start(command, output);
                awaitExit(command, again, output);
            }
            String actual = Files.exists(output) ? Files.readString(output) : "";
            if (command.body.contains("./askflow serve") && addresses.isEmpty() && SERVING.matcher(actual).find()) {
                learnAddresses(actual);
            }
            if (matches(expected, actual)) {
                return;
            }
            boolean ended = !"until-output".equals(command.marker) && !process.isAlive();
            if (ended || System.nanoTime() > deadline) {
                throw new AssertionError(command.where() + " should print what " + expected.where() + " shows:\n"
                        + expected.body + "\nbut printed:\n" + actual);
            }
            Thread.sleep(200); // polling a growing output file, not waiting for "nothing"
        }
    }

    private boolean matches(Block expected, String actual) throws IOException {
        if (expected.lang.equals("json")) {
            JsonNode sample = new ObjectMapper().readTree(expected.body);
            return actual.lines().filter(l -> l.startsWith("{")).anyMatch(l -> sameAnswer(sample, l));
        }
        List<String> lines = actual.lines().toList();
        int at = 0;
        for (String want : expected.body.lines().filter(l -> !l.isBlank()).map(this::substitute).toList()) {
            Pattern p = Pattern.compile(Arrays.stream(want.split("\\.\\.\\.", -1)).map(Pattern::quote)
                    .collect(Collectors.joining(".*")));
            while (at < lines.size() && !p.matcher(lines.get(at)).matches()) {
                at++;
            }
            if (at == lines.size()) {
                return false;
            }
            at++;
        }
        return true;
    }

    private static boolean sameAnswer(JsonNode sample, String line) {
        try {
            JsonNode actual = new ObjectMapper().readTree(line);
            for (var fields = sample.fieldNames(); fields.hasNext(); ) {
                if (!actual.has(fields.next())) {
                    return false;
                }
            }
            return List.of("requestId", "conversationId", "status").stream()
                    .allMatch(f -> sample.path(f).equals(actual.path(f)));
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads where serve took Kafka and HTTP; any port but the documented one must be explained. */
    private void learnAddresses(String serveOutput) {
        Matcher m = SERVING.matcher(serveOutput);
        assertThat(m.find()).as("serve says where it listens").isTrue();
        String kafka = m.group(1);
        String http = "localhost:" + m.group(2);
        if (!kafka.equals("127.0.0.1:" + EmbeddedRun.KAFKA_PORT)) {
            assertThat(serveOutput).contains("Port " + EmbeddedRun.KAFKA_PORT + " is in use, so the embedded Kafka took " + kafka);
        }
        if (!http.equals("localhost:" + EmbeddedRun.HTTP_PORT)) {
            assertThat(serveOutput).contains("Port " + EmbeddedRun.HTTP_PORT + " is in use, so the HTTP API took a free port");
        }
        Matcher mm = MANAGEMENT.matcher(serveOutput);
        assertThat(mm.find()).as("serve says where its management endpoints are").isTrue();
        String management = "localhost:" + mm.group(1);
        if (!management.equals("localhost:" + EmbeddedRun.MANAGEMENT_PORT)) {
            assertThat(serveOutput).contains("Port " + EmbeddedRun.MANAGEMENT_PORT + " is in use, so the management endpoints took");
        }
        addresses.put("localhost:" + EmbeddedRun.MANAGEMENT_PORT, management);
        servePrinted = serveOutput;
        addresses.put("127.0.0.1:" + EmbeddedRun.KAFKA_PORT, kafka);
        addresses.put("localhost:" + EmbeddedRun.KAFKA_PORT, kafka);
        addresses.put("localhost:" + EmbeddedRun.HTTP_PORT, http);
    }

    private String substitute(String text) {
        String s = text;
        for (Map.Entry<String, String> e : addresses.entrySet()) {
            s = s.replace(e.getKey(), e.getValue());
        }
        return s;
    }

    private Process start(Block b, Path output) throws IOException {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/stdbuf"))) {
            // Output goes to a file, not a terminal: without line buffering kcat keeps what it read in its buffer.
            command.addAll(List.of("/usr/bin/stdbuf", "-oL"));
        }
        command.addAll(List.of(AskflowScriptTest.which("bash"), "-e", "-o", "pipefail", "-c", substitute(b.body)));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(AskflowScriptTest.REPO.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Map<String, String> env = pb.environment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("ASKFLOW_CLASSPATH", System.getProperty("java.class.path"));
        env.put("ASKFLOW_DATA_DIR", tmp.resolve("data-" + b.line).toString());
        String kafka = addresses.get("localhost:" + EmbeddedRun.KAFKA_PORT);
        if (kafka != null) {
            env.put("ASKFLOW_KAFKA_BOOTSTRAP_SERVERS", kafka); // for ./askflow dead-letters, which reads it
        }
        String http = addresses.get("localhost:" + EmbeddedRun.HTTP_PORT);
        if (http != null) {
            env.put("ASKFLOW_GATEWAY_URL", "http://" + http); // for ./askflow ask, which reads it
        }
        return pb.start();
    }

    private static void awaitExit(Block b, Process p, Path output) throws Exception {
        if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(b.where() + " did not finish within " + WAIT_SECONDS + " s:\n" + Files.readString(output));
        }
        assertThat(p.exitValue()).as("exit status of %s:\n%s\noutput:\n%s", b.where(), b.body, Files.readString(output)).isZero();
    }

    private static void checkSample(Block b) throws Exception {
        Matcher m = Pattern.compile("json ([\\w.]+)(\\[\\] in (\\w+))?").matcher(b.marker);
        assertThat(m.find()).as("%s: marker %s", b.where(), b.marker).isTrue();
        Class<?> type = Class.forName(m.group(1));
        JsonNode tree = new ObjectMapper().readTree(b.body);
        List<JsonNode> samples = new ArrayList<>();
        if (m.group(3) != null) {
            assertThat(tree.path(m.group(3)).isArray()).as("%s has an array %s", b.where(), m.group(3)).isTrue();
            assertThat(tree.size()).as("%s has only %s", b.where(), m.group(3)).isEqualTo(1);
            tree.path(m.group(3)).forEach(samples::add);
        } else {
            samples.add(tree);
        }
        for (JsonNode sample : samples) {
            Object parsed = Json.read(sample.toString().getBytes(StandardCharsets.UTF_8), type);
            assertThat(parsed).as("%s parses into %s", b.where(), type.getSimpleName()).isNotNull();
            onlyKnownFields(b, sample, type, type.getSimpleName());
        }
    }

    /** A record's JSON fields: its components, with those of an unwrapped component (the envelope) in its place. */
    private static Map<String, RecordComponent> jsonFields(Class<?> record) {
        Map<String, RecordComponent> fields = new java.util.LinkedHashMap<>();
        for (RecordComponent c : record.getRecordComponents()) {
            // Jackson's annotations do not target record components: they reach the accessor.
            if (c.getAccessor().isAnnotationPresent(com.fasterxml.jackson.annotation.JsonUnwrapped.class) && c.getType().isRecord()) {
                Map<String, RecordComponent> inner = jsonFields(c.getType());
                var ignored = c.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonIgnoreProperties.class);
                if (ignored != null) {
                    Arrays.asList(ignored.value()).forEach(inner::remove);
                }
                fields.putAll(inner);
            } else {
                fields.put(c.getName(), c);
            }
        }
        return fields;
    }

    /** The project's reader ignores unknown fields; a README sample must not rely on that. */
    private static void onlyKnownFields(Block b, JsonNode sample, Type type, String path) {
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        if (sample.isArray() && type instanceof ParameterizedType p && List.class.isAssignableFrom(raw)) {
            sample.forEach(e -> onlyKnownFields(b, e, p.getActualTypeArguments()[0], path + "[]"));
            return;
        }
        if (!sample.isObject() || !raw.isRecord()) {
            return;
        }
        Map<String, RecordComponent> components = jsonFields(raw);
        for (var fields = sample.fields(); fields.hasNext(); ) {
            var field = fields.next();
            assertThat(components).as("%s: field %s.%s", b.where(), path, field.getKey()).containsKey(field.getKey());
            RecordComponent c = components.get(field.getKey());
            onlyKnownFields(b, field.getValue(), c.getGenericType(), path + "." + field.getKey());
        }
    }

    /** The fenced blocks of README.md with the section they are in and the marker line before them. */
    static List<Block> blocks() throws IOException {
        List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
        List<Block> blocks = new ArrayList<>();
        String section = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("#")) {
                section = line.replaceFirst("^#+ ", "");
            } else if (line.startsWith("```")) {
                String lang = line.substring(3).trim();
                int start = i;
                StringBuilder body = new StringBuilder();
                while (!lines.get(++i).startsWith("```")) {
                    body.append(lines.get(i)).append('\n');
                }
                String marker = null;
                if (start > 0) {
                    Matcher m = MARKER.matcher(lines.get(start - 1));
                    if (m.matches()) {
                        marker = m.group(1).trim();
                    }
                }
                blocks.add(new Block(start + 1, section, lang, marker, body.toString()));
            }
        }
        return blocks;
    }
}
