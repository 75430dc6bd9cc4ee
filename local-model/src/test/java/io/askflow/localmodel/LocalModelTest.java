package io.askflow.localmodel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import org.junit.jupiter.api.Test;

class LocalModelTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOOLS = """
            [{"type":"function","function":{"name":"current_time","parameters":{"type":"object"}}},
             {"type":"function","function":{"name":"fetch_url","parameters":{"type":"object"}}}]""";

    private final LocalModel model = new LocalModel();

    private static ChatRequest request(String messages, String tools) throws Exception {
        return ChatRequest.fromJson(JSON.readTree("{\"model\":\"gpt-4o\",\"messages\":" + messages
                + (tools == null ? "" : ",\"tools\":" + tools) + "}"));
    }

    @Test
    void echoesPromptAndCountsEarlierUserAndAssistantMessages() throws Exception {
        Reply reply = model.reply(request("""
                [{"role":"system","content":"Be nice."},
                 {"role":"user","content":"first"},
                 {"role":"assistant","content":"answer"},
                 {"role":"user","content":"second"},
                 {"role":"assistant","content":"answer 2"},
                 {"role":"user","content":"Hello there"}]""", TOOLS));

        assertThat(reply).isEqualTo(Reply.text("You said: \"Hello there\". I am askflow's offline local model, "
                + "not GPT; I saw 4 earlier messages in this conversation's history."));
    }

    @Test
    void asksForCurrentTimeWhenTheToolIsOffered() throws Exception {
        Reply reply = model.reply(request("[{\"role\":\"user\",\"content\":\"What DAY is it?\"}]", TOOLS));

        assertThat(reply).isInstanceOfSatisfying(Reply.ToolCalls.class, r -> {
            assertThat(r.calls()).singleElement().satisfies(c -> {
                assertThat(c.name()).isEqualTo("current_time");
                assertThat(c.arguments()).isEqualTo("{}");
            });
        });
    }

    @Test
    void answersTimeQuestionInTextWhenNoToolIsOffered() throws Exception {
        Reply reply = model.reply(request("[{\"role\":\"user\",\"content\":\"what time is it\"}]", null));

        assertThat(reply).isEqualTo(Reply.text("You said: \"what time is it\". I am askflow's offline local model, "
                + "not GPT; I saw 0 earlier messages in this conversation's history."));
    }

    @Test
    void fetchesTheFirstUrlWithoutTrailingPunctuation() throws Exception {
        Reply reply = model.reply(request(
                "[{\"role\":\"user\",\"content\":\"Summarize https://example.org/news?id=1. What day was it?\"}]", TOOLS));

        assertThat(reply).isInstanceOfSatisfying(Reply.ToolCalls.class, r -> {
            assertThat(r.calls().getFirst().name()).isEqualTo("fetch_url");
            assertThat(r.calls().getFirst().arguments()).isEqualTo("{\"url\":\"https://example.org/news?id=1\"}");
        });
    }

    @Test
    void ignoresUrlWhenFetchIsNotOffered() throws Exception {
        Reply reply = model.reply(request(
                "[{\"role\":\"user\",\"content\":\"see http://example.org\"}]",
                "[{\"type\":\"function\",\"function\":{\"name\":\"current_time\"}}]"));

        assertThat(reply).isEqualTo(Reply.text("You said: \"see http://example.org\". I am askflow's offline local model, "
                + "not GPT; I saw 0 earlier messages in this conversation's history."));
    }

    @Test
    void statesToolResults() throws Exception {
        String longPage = "x".repeat(800);
        Reply reply = model.reply(request("""
                [{"role":"user","content":"time and page https://example.org"},
                 {"role":"assistant","content":null,"tool_calls":[
                   {"id":"call_1","type":"function","function":{"name":"current_time","arguments":"{}"}},
                   {"id":"call_2","type":"function","function":{"name":"fetch_url","arguments":"{\\"url\\":\\"https://example.org\\"}"}},
                   {"id":"call_3","type":"function","function":{"name":"dice","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"call_1","content":"2025-03-01T10:00+01:00 Saturday"},
                 {"role":"tool","tool_call_id":"call_2","content":"%s"},
                 {"role":"tool","tool_call_id":"call_3","content":"4"}]""".formatted(longPage), TOOLS));

        assertThat(reply).isInstanceOfSatisfying(Reply.Text.class, t -> assertThat(t.content()).isEqualTo(
                "According to the current_time tool, it is now 2025-03-01T10:00+01:00 Saturday.\n"
                        + "I fetched https://example.org. It says: " + "x".repeat(500) + "…\n"
                        + "Tool dice returned: 4"));
    }

    @Test
    @SuppressWarnings("deprecation") // OpenAI deprecated system_fingerprint, but it is where we say "not GPT"
    void namesItselfAsNotGptOverTheWire() {
        try (var server = ChatCompletionsServer.start(model)) {
            OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("test").maxRetries(0).build();
            ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder()
                    .model("gpt-4o")
                    .addUserMessage("What is the date today?")
                    .addTool(ChatCompletionsServerTest.tool("current_time"));

            ChatCompletion first = client.chat().completions().create(params.build());
            var call = first.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
            params.addMessage(first.choices().get(0).message())
                    .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("Monday 2025-03-03").build());
            ChatCompletion second = client.chat().completions().create(params.build());

            assertThat(first.model()).isEqualTo(LocalModel.MODEL_NAME);
            assertThat(first.systemFingerprint()).contains(LocalModel.SYSTEM_FINGERPRINT);
            assertThat(call.function().name()).isEqualTo("current_time");
            assertThat(second.choices().get(0).message().content())
                    .contains("According to the current_time tool, it is now Monday 2025-03-03.");
            client.close();
        }
    }
}
