package io.askflow.context;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.api.EncodingType;
import io.askflow.message.ChatMessage;
import io.askflow.message.ToolCall;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenCounterTest {
    @Test
    void theModelFamilyPicksTheEncoding() {
        assertThat(TokenCounter.encodingFor("gpt-4o-mini")).isEqualTo(EncodingType.O200K_BASE);
        assertThat(TokenCounter.encodingFor("gpt-4.1")).isEqualTo(EncodingType.O200K_BASE);
        assertThat(TokenCounter.encodingFor("o3-mini")).isEqualTo(EncodingType.O200K_BASE);
        assertThat(TokenCounter.encodingFor("openai/gpt-4o")).isEqualTo(EncodingType.O200K_BASE);
        assertThat(TokenCounter.encodingFor("gpt-4-turbo")).isEqualTo(EncodingType.CL100K_BASE);
        assertThat(TokenCounter.encodingFor("gpt-3.5-turbo")).isEqualTo(EncodingType.CL100K_BASE);
        assertThat(TokenCounter.encodingFor("llama3")).isEqualTo(EncodingType.CL100K_BASE);
        assertThat(TokenCounter.encodingFor(null)).isEqualTo(EncodingType.CL100K_BASE);
    }

    @Test
    void countsAreTheTokenizersNotCharacterEstimates() {
        TokenCounter cl100k = TokenCounter.forModel("gpt-4");
        assertThat(cl100k.encodingName()).isEqualTo("cl100k_base");
        assertThat(cl100k.count("hello world")).isEqualTo(2);
        assertThat(cl100k.count("")).isZero();
        TokenCounter o200k = TokenCounter.forModel("gpt-4o");
        assertThat(o200k.encodingName()).isEqualTo("o200k_base");
        // The same text costs differently in the two families.
        String german = "Die Straßenbahnhaltestelle befindet sich gegenüber dem Hauptbahnhof.";
        assertThat(o200k.count(german)).isNotEqualTo(cl100k.count(german));
    }

    @Test
    void messagesCarryFramingAndToolCalls() {
        TokenCounter c = TokenCounter.forModel("gpt-4o");
        assertThat(c.count(ChatMessage.user("hello world"))).isEqualTo(3 + c.count("hello world"));
        ChatMessage calling = ChatMessage.assistantCalling(null, List.of(new ToolCall("1", "fetch_url", "{\"url\":\"x\"}")));
        assertThat(c.count(calling)).isGreaterThan(c.count(ChatMessage.assistant(null)));
    }
}
