package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import io.askflow.localmodel.Reply;
import io.askflow.message.TurnEvent;
import io.askflow.openai.OpenAiClients;
import io.askflow.testkit.ReceivedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Time to first token: through the whole pipeline (HTTP {@code POST /v1/prompts?stream=true} →
 * gateway → context-builder → model-caller → streamed model call → askflow.answer-deltas → gateway
 * feed → SSE) against a direct openai-java streaming call to the same scripted server, which
 * streams one token per 20 ms. Also splits askflow's figure at the model server: how long from the
 * submission until the model call arrives (the transactional hops before the model), and from its
 * arrival until the first delta reaches the SSE client (the streaming path), and prints the floor
 * of the two exactly-once hops before the model call ({@link HopFloor}, same broker, same run). Not
 * part of the default suite; run with:
 *
 * <pre>./askflow test -pl system-tests -am -Daskflow.excludedGroups= -Dgroups=benchmark -Dtest=TimeToFirstTokenBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@Tag("benchmark")
class TimeToFirstTokenBenchmark {
    private static final String TEXT = "one two three four five six seven eight nine ten";
    private static final Duration PER_TOKEN = Duration.ofMillis(20);

    @Test
    void timeToFirstTokenThroughAskflowAndDirect() throws Exception {
        RunningPipeline p = RunningPipeline.get();
        p.model.reset();
        p.model.respondWith(req -> Reply.streamed(Reply.text(TEXT), PER_TOKEN));
        Http http = new Http(p.pipeline.httpPort(), RunningPipeline.ACME_KEY);
        OpenAIClient direct = OpenAiClients.create(p.config, "");
        int warmup = 15;
        int measured = 100;
        List<Long> viaAskflow = new ArrayList<>();
        List<Long> directly = new ArrayList<>();
        List<Long> beforeModel = new ArrayList<>();
        List<Long> modelToClient = new ArrayList<>();
        try {
            for (int i = 0; i < warmup + measured; i++) {
                int before = p.model.requests().size();
                long t0 = System.nanoTime();
                Instant submitted = Instant.now();
                Instant firstDelta = null;
                long ttft = -1;
                try (SseStream s = http.stream("POST", "/v1/prompts?stream=true",
                        "{\"conversationId\":\"ttft-" + UUID.randomUUID() + "\",\"prompt\":\"count\"}")) {
                    assertThat(s.status).isEqualTo(200);
                    StringBuilder text = new StringBuilder();
                    for (SseStream.Frame f = s.next(); f != null; f = s.next()) {
                        if (f.data().kind() == TurnEvent.Kind.DELTA) {
                            if (ttft < 0) {
                                ttft = System.nanoTime() - t0;
                                firstDelta = Instant.now();
                            }
                            text.append(f.data().text());
                        }
                    }
                    assertThat(text.toString()).isEqualTo(TEXT);
                }
                ReceivedRequest call = p.model.requests().get(before);
                long d0 = System.nanoTime();
                long direct0 = -1;
                try (StreamResponse<ChatCompletionChunk> stream = direct.chat().completions().createStreaming(
                        ChatCompletionCreateParams.builder().model("scripted-model").addUserMessage("count")
                                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
                    for (Iterator<ChatCompletionChunk> it = stream.stream().iterator(); it.hasNext();) {
                        ChatCompletionChunk c = it.next();
                        if (direct0 < 0 && c.choices().stream().anyMatch(ch -> ch.delta().content().filter(t -> !t.isEmpty()).isPresent())) {
                            direct0 = System.nanoTime() - d0;
                        }
                    }
                }
                if (i >= warmup) {
                    viaAskflow.add(ttft / 1_000);
                    directly.add(direct0 / 1_000);
                    beforeModel.add(Duration.between(submitted, call.arrival()).toNanos() / 1_000);
                    modelToClient.add(Duration.between(call.arrival(), firstDelta).toNanos() / 1_000);
                }
            }
        } finally {
            direct.close();
        }
        System.out.printf("%ntime to first token, %d turns after %d warm-up, one token per %d ms:%n", measured, warmup,
                PER_TOKEN.toMillis());
        print("through askflow (HTTP SSE)", viaAskflow);
        print("direct openai-java stream", directly);
        System.out.printf("  difference: p50 %.1f ms, p99 %.1f ms%n", pct(viaAskflow, 50) - pct(directly, 50),
                pct(viaAskflow, 99) - pct(directly, 99));
        print("  of which submission -> model call arrives", beforeModel);
        print("  of which model call arrives -> first delta at the client", modelToClient);
        HopFloor.Result eos = HopFloor.measure(p.config, true, 200);
        eos.print("exactly-once hop floor, same run");
        System.out.printf("  two such hops (gateway -> context-builder -> model-caller): p50 %.1f ms, against the goal of"
                + " adding at most 15 ms%n", 2 * eos.p50());
    }

    private static void print(String what, List<Long> micros) {
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        System.out.printf("  %s: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", what, pct(sorted, 50), pct(sorted, 99),
                sorted.getLast() / 1000.0);
    }

    private static double pct(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, i)) / 1000.0;
    }
}
