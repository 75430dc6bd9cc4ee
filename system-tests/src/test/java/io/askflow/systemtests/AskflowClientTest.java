package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askflow.client.AnswerTimeoutException;
import io.askflow.client.AskflowClient;
import io.askflow.client.AskflowClientException;
import io.askflow.client.ClientClosedException;
import io.askflow.client.ClientOptions;
import io.askflow.client.Submission;
import io.askflow.client.Subscription;
import io.askflow.client.TurnListener;
import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.message.ErrorCode;
import io.askflow.message.PromptRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The public JVM client against the whole pipeline: submit, await, subscribe, many at once, timeouts, errors. */
class AskflowClientTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static RunningPipeline p;
    private static AskflowClient client;

    @BeforeAll
    static void start() throws Exception {
        p = RunningPipeline.get();
        client = AskflowClient.create(ClientOptions.builder().config(p.config).clientId("client-test").build());
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    @BeforeEach
    void echo() {
        // Each answer names its own prompt, so a mixed-up delivery would show.
        p.model.respondWith(req -> Reply.text("echo: " + req.lastMessage().orElseThrow().text()));
    }

    private static String tag() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void submitReturnsAcknowledgedIdsAndAwaitGetsTheAnswer() {
        String tag = tag();
        Submission s = client.submit(PromptRequest.builder().requestId("r-" + tag).conversationId("c-" + tag)
                .prompt("hello " + tag).metadata(Map.of("caller", "client-test")).build());

        assertThat(s.requestId()).isEqualTo("r-" + tag);
        assertThat(s.conversationId()).isEqualTo("c-" + tag);
        assertThat(s.partition()).isBetween(0, 3);
        assertThat(s.offset()).isNotNegative();
        Answer a = s.await(WAIT);
        assertThat(a.isOk()).as("answer %s", a).isTrue();
        assertThat(a.requestId()).isEqualTo("r-" + tag);
        assertThat(a.conversationId()).isEqualTo("c-" + tag);
        assertThat(a.text()).isEqualTo("echo: hello " + tag);
        assertThat(a.metadata()).containsEntry("caller", "client-test");
    }

    @Test
    void missingIdsAreGeneratedAndTheAnswerCarriesThem() {
        String tag = tag();
        Submission s = client.submit(PromptRequest.builder().prompt("no ids " + tag).build());

        assertThat(s.requestId()).isNotBlank();
        assertThat(s.conversationId()).isNotBlank().isNotEqualTo(s.requestId());
        Answer a = s.answer().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        assertThat(a.requestId()).isEqualTo(s.requestId());
        assertThat(a.conversationId()).isEqualTo(s.conversationId());
        assertThat(a.text()).isEqualTo("echo: no ids " + tag);
    }

    @Test
    void subscribersOfOneRequestAndOfAllAnswersAreCalledOnceWithIt() throws Exception {
        String tag = tag();
        List<Answer> everything = new ArrayList<>();
        CompletableFuture<Answer> ofRequest = new CompletableFuture<>();
        CompletableFuture<Answer> laterMarker = new CompletableFuture<>();
        List<Answer> ofRequestCalls = new ArrayList<>();
        Subscription all = client.subscribe(a -> {
            everything.add(a);
            if (("marker-" + tag).equals(a.requestId())) {
                laterMarker.complete(a);
            }
        });
        try {
            Submission s = client.submit(PromptRequest.builder().requestId("sub-" + tag).conversationId("c-" + tag)
                    .prompt("subscribe " + tag).build());
            Subscription one = client.subscribe(s.requestId(), a -> {
                ofRequestCalls.add(a);
                ofRequest.complete(a);
            });
            Answer a = ofRequest.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(a.text()).isEqualTo("echo: subscribe " + tag);

            // A later answer on the same callback thread proves the first subscriber was not called again.
            client.submit(PromptRequest.builder().requestId("marker-" + tag).conversationId("c-" + tag)
                    .prompt("marker").build());
            laterMarker.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            one.close();
            assertThat(ofRequestCalls).containsExactly(a);
            assertThat(everything).extracting(Answer::requestId).containsSubsequence("sub-" + tag, "marker-" + tag)
                    .containsOnlyOnce("sub-" + tag);
        } finally {
            all.close();
        }
    }

    @Test
    void manyThreadsAwaitingAtOnceEachGetTheirOwnAnswer() throws Exception {
        String tag = tag();
        int threads = 16;
        int perThread = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    List<Submission> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        // One conversation each: turns of one conversation would run one after another.
                        mine.add(client.submit(PromptRequest.builder().conversationId("c-" + tag + "-" + thread + "-" + i)
                                .prompt("q " + thread + "/" + i).build()));
                    }
                    List<String> texts = new ArrayList<>();
                    for (Submission s : mine) {
                        texts.add(s.await(WAIT).text());
                    }
                    return texts;
                }));
            }
            for (int t = 0; t < threads; t++) {
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    expected.add("echo: q " + t + "/" + i);
                }
                assertThat(results.get(t).get(2, TimeUnit.MINUTES)).containsExactlyElementsOf(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anInvalidRequestIsDeliveredAsAnErrorAnswerToTheWaitingFuture() {
        Submission s = client.submit(PromptRequest.builder().conversationId("c-" + tag()).prompt("   ").build());

        Answer a = s.await(WAIT);
        assertThat(a.isOk()).isFalse();
        assertThat(a.requestId()).isEqualTo(s.requestId());
        assertThat(a.error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(a.error().message()).contains("prompt is required");
    }

    @Test
    void anAwaitThatTimesOutLeavesTheAnswerFutureWaiting() {
        p.model.respondWith(req -> Reply.text("slow answer").withDelay(Duration.ofMillis(800)));
        Submission s = client.submit(PromptRequest.builder().conversationId("c-" + tag()).prompt("be slow").build());

        long start = System.nanoTime();
        assertThatThrownBy(() -> s.await(Duration.ofMillis(200)))
                .isInstanceOfSatisfying(AnswerTimeoutException.class, e -> {
                    assertThat(e.requestId()).isEqualTo(s.requestId());
                    assertThat(e.timeout()).isEqualTo(Duration.ofMillis(200));
                })
                .hasMessageContaining(s.requestId());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(s.await(WAIT).text()).isEqualTo("slow answer");
    }

    @Test
    void theAnswerFutureFailsWithATimeoutWhenNoAnswerComes() {
        String never = "never-submitted-" + tag();
        CompletableFuture<Answer> f = client.answer(never, Duration.ofMillis(300));
        CompletableFuture<AskflowClientException> listened = new CompletableFuture<>();
        AskflowClient impatient = AskflowClient.create(ClientOptions.builder().config(p.config)
                .answerTimeout(Duration.ofMillis(300)).build());
        impatient.subscribe(never, new TurnListener() {
            @Override
            public void onAnswer(Answer answer) {
                listened.completeExceptionally(new AssertionError("an answer to a request never submitted: " + answer));
            }

            @Override
            public void onFailure(AskflowClientException failure) {
                listened.complete(failure);
            }
        });

        assertThatThrownBy(f::join).hasCauseInstanceOf(AnswerTimeoutException.class)
                .hasMessageContaining("No answer to request " + never + " within PT0.3S");
        assertThat(listened.orTimeout(10, TimeUnit.SECONDS).join()).isInstanceOf(AnswerTimeoutException.class)
                .hasMessageContaining("within PT0.3S");
        impatient.close();
    }

    @Test
    void closingFailsWhatIsWaitingAndRefusesNewWork() {
        AskflowClient own = AskflowClient.create(ClientOptions.builder().config(p.config).build());
        CompletableFuture<Answer> pending = own.answer("pending-" + tag());
        own.close();

        assertThatThrownBy(pending::join).hasCauseInstanceOf(ClientClosedException.class);
        assertThatThrownBy(() -> own.submit(PromptRequest.builder().prompt("too late").build()))
                .isInstanceOf(ClientClosedException.class).hasMessageContaining("is closed");
        own.close(); // idempotent
    }

    @Test
    void aResubmittedRequestIdGetsTheAnswerAskflowAlreadyGave() {
        String tag = tag();
        PromptRequest r = PromptRequest.builder().requestId("again-" + tag).conversationId("c-" + tag)
                .prompt("once " + tag).build();
        Answer first = client.submit(r).await(WAIT);
        // askflow drops the repeated id without a second answer; the client remembers the first.
        Answer second = client.submit(r).await(Duration.ofSeconds(5));
        assertThat(second).isEqualTo(first);
    }

    @Test
    void anUnreachableBrokerIsAClearErrorAtCreation() {
        ClientOptions nowhere = ClientOptions.builder().bootstrapServers("127.0.0.1:1").startTimeout(Duration.ofSeconds(1))
                .build();
        assertThatThrownBy(() -> AskflowClient.create(nowhere)).isInstanceOf(AskflowClientException.class)
                .hasMessageContaining("127.0.0.1:1").hasMessageContaining("ASKFLOW_KAFKA_BOOTSTRAP_SERVERS");
    }

    @Test
    void answersAreDeliveredOffTheReaderThreadOnTheCallbackExecutor() throws Exception {
        ConcurrentHashMap<String, String> threadOf = new ConcurrentHashMap<>();
        ExecutorService mine = Executors.newSingleThreadExecutor(r -> new Thread(r, "my-callbacks"));
        try (AskflowClient own = AskflowClient.create(ClientOptions.builder().config(p.config).callbackExecutor(mine)
                .build())) {
            String id = "where-" + tag();
            // Attached before the request exists, so the stage runs where the client completes the future.
            CompletableFuture<Void> done = own.answer(id)
                    .thenAccept(a -> threadOf.put("future", Thread.currentThread().getName()));
            own.submit(PromptRequest.builder().requestId(id).conversationId("c-" + id).prompt("where").build());
            done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            mine.shutdownNow();
        }
        assertThat(threadOf).containsEntry("future", "my-callbacks");
    }
}
