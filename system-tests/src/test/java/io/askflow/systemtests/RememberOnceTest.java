package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Topics;
import io.askflow.localmodel.Reply;
import io.askflow.message.ChatMessage;
import io.askflow.message.ModelCall;
import io.askflow.message.ToolCall;
import io.askflow.testkit.ReceivedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code remember} stores a fact once per turn: a real turn's tool-call record is put on the broker
 * again as it is (what a tool-runner that crashed before committing sees: the same record once
 * more), and again with a new tool-call id (what a model-caller that crashed after the model's reply
 * publishes when the model, asked again, repeats itself). One memory, and every delivery reports it.
 */
class RememberOnceTest {
    private static RunningPipeline p;

    @BeforeAll
    static void pipeline() throws Exception {
        p = RunningPipeline.get();
    }

    @Test
    void aRedeliveredOrRepeatedRememberStoresOneMemory() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String user = "remember-" + tag;
        String conversation = "c-" + user;
        String fact = "likes green tea " + tag;
        p.model.respondWith(req -> req.lastMessage().orElseThrow().hasRole("tool") ? Reply.text("noted")
                : Reply.toolCall("remember", "{\"fact\":\"" + fact + "\"}"));
        Http acme = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY);
        Http.Response first = acme.postJson("/v1/prompts?wait=30", "{\"conversationId\":\"" + conversation
                + "\",\"userId\":\"" + user + "\",\"prompt\":\"remember that I like green tea " + tag + "\"}");
        assertThat(first.status()).as(first.body()).isEqualTo(200);

        List<ConsumerRecord<String, byte[]>> toolCalls = TopicReader.withKey(p.config, Topics.TOOL_CALLS, conversation, 1,
                Duration.ofSeconds(20));
        assertThat(toolCalls).hasSize(1);
        ConsumerRecord<String, byte[]> original = toolCalls.getFirst();
        ModelCall call = Topics.TOOL_CALLS.decode(original.value());
        ModelCall repeated = withNewCallIds(call);
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(p.config, "remember-once-test")) {
            producer.send(new ProducerRecord<>(Topics.TOOL_CALLS.name(), null, conversation, original.value(), original.headers())).get();
            producer.send(new ProducerRecord<>(Topics.TOOL_CALLS.name(), null, conversation, original.value(), original.headers())).get();
            producer.send(new ProducerRecord<>(Topics.TOOL_CALLS.name(), conversation, Topics.TOOL_CALLS.encode(repeated))).get();
        }

        // Each delivery ran the tool and went back to the model with its result: four tool results in all.
        List<String> results = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (results.size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            results = toolResults(tag);
        }
        assertThat(results).hasSize(4);
        String id = results.getFirst().replaceAll("(?s).*\\(id (mem-[0-9a-f]+)\\).*", "$1");
        assertThat(id).startsWith("mem-");
        assertThat(results).allSatisfy(r -> assertThat(r).contains("Remembered (id " + id + "): " + fact));
        assertThat(Sql.count("SELECT count(*) FROM knowledge_memories WHERE tenant_id = 'acme' AND user_id = ?", user))
                .isEqualTo(1);
        assertThat(acme.get("/v1/users/" + user + "/memories").json().path("memories").size()).isEqualTo(1);
    }

    /** The tool results the model was shown in this test's turn. */
    private static List<String> toolResults(String tag) {
        List<String> out = new ArrayList<>();
        for (ReceivedRequest r : p.model.requests()) {
            var messages = r.request().messages();
            if (r.lastUserText().contains(tag) && messages.getLast().hasRole("tool")) {
                out.add(messages.getLast().text());
            }
        }
        return out;
    }

    /** The same turn as the model would send it when asked again: the same calls under new ids. */
    private static ModelCall withNewCallIds(ModelCall call) {
        List<ChatMessage> messages = new ArrayList<>(call.messages());
        ChatMessage last = messages.removeLast();
        List<ToolCall> renamed = last.toolCalls().stream()
                .map(c -> new ToolCall("call-again-" + UUID.randomUUID(), c.name(), c.arguments())).toList();
        messages.add(ChatMessage.assistantCalling(last.content(), renamed));
        return call.toBuilder().messages(messages).build();
    }
}
