package io.askflow.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The wire format stays readable: each file under {@code message-samples/} is JSON as askflow wrote
 * it when the file was captured (every message type of every topic, with all optional fields set
 * and minimal, and every kind of chat message). Each is read into today's record and written back,
 * and the tree must be the same: same field names, same shapes, same values. A refactor of the
 * records that renames, drops, nests or retypes a field fails here. Never regenerate a sample to
 * make this pass; add a new one for a new shape.
 */
class MessageSamplesTest {
    /** The file name's first part says which record it is. */
    private static final Map<String, Class<?>> TYPES = Map.of(
            "prompt-request", PromptRequest.class,
            "turn", Turn.class,
            "model-call", ModelCall.class,
            "answer", Answer.class,
            "chat-message", ChatMessage.class,
            "deletion", Deletion.class,
            "document-upload", DocumentUpload.class,
            "job-event", JobEvent.class,
            "turn-event", TurnEvent.class);

    static List<Path> samples() throws IOException, URISyntaxException {
        Path dir = Path.of(MessageSamplesTest.class.getResource("/message-samples").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }

    private static Class<?> typeOf(Path sample) {
        String name = sample.getFileName().toString();
        return TYPES.get(name.substring(0, name.indexOf('.')));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void aStoredSampleReadsAndWritesBackToTheSameJson(Path sample) throws IOException {
        Class<?> type = typeOf(sample);
        assertThat(type).as("%s names a known message type", sample.getFileName()).isNotNull();
        byte[] stored = Files.readAllBytes(sample);
        Object read = Json.read(stored, type);
        JsonNode written = Json.tree(Json.write(read));
        assertThat(written).as("%s written back", sample.getFileName()).isEqualTo(Json.tree(stored));
        assertThat(Json.read(Json.write(read), type)).as("%s read again", sample.getFileName()).isEqualTo(read);
    }

    @Test
    void everyMessageTypeHasASample() throws Exception {
        assertThat(samples().stream().map(MessageSamplesTest::typeOf).distinct())
                .containsExactlyInAnyOrderElementsOf(TYPES.values());
    }
}
