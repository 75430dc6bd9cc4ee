package io.askflow.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each role is its own record; the wire's {@code role} picks it, and a role's absent parts stay absent. */
class ChatMessageTest {
    private static ChatMessage read(String json) {
        return Json.read(json.getBytes(StandardCharsets.UTF_8), ChatMessage.class);
    }

    @Test
    void theRolePicksTheVariant() {
        ToolCall call = new ToolCall("call-1", "current_time", "{}");
        assertThat(read("{\"role\":\"system\",\"content\":\"s\"}")).isEqualTo(new ChatMessage.System("s"));
        assertThat(read("{\"role\":\"user\",\"content\":\"u\"}")).isEqualTo(new ChatMessage.User("u"));
        assertThat(read("{\"role\":\"assistant\",\"content\":\"a\",\"toolCalls\":[{\"id\":\"call-1\",\"name\":\"current_time\"}]}"))
                .isEqualTo(new ChatMessage.Assistant("a", List.of(call)));
        assertThat(read("{\"role\":\"tool\",\"content\":\"12:00\",\"toolCallId\":\"call-1\",\"name\":\"current_time\"}"))
                .isEqualTo(ChatMessage.toolResult(call, "12:00"));
    }

    @Test
    void partsARoleDoesNotHaveAreNotRead() {
        ChatMessage system = read("{\"role\":\"system\",\"content\":\"s\",\"toolCalls\":[{\"id\":\"c\",\"name\":\"n\"}],"
                + "\"toolCallId\":\"c\",\"name\":\"n\"}");
        assertThat(system).isEqualTo(ChatMessage.system("s"));
        assertThat(system.requestsTools()).isFalse();
        assertThat(system.toolCallId()).isNull();
    }

    @Test
    void aMissingOrUnknownRoleIsAFormatError() {
        assertThatThrownBy(() -> read("{\"content\":\"x\"}")).isInstanceOf(MessageFormatException.class);
        assertThatThrownBy(() -> read("{\"role\":\"robot\",\"content\":\"x\"}")).isInstanceOf(MessageFormatException.class);
        assertThatThrownBy(() -> read("{\"role\":7,\"content\":\"x\"}")).isInstanceOf(MessageFormatException.class);
    }
}
