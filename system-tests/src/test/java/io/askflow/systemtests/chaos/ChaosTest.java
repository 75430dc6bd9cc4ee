package io.askflow.systemtests.chaos;

import static io.askflow.systemtests.chaos.ServiceProcesses.SERVICES;
import static io.askflow.systemtests.chaos.ServiceProcesses.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.embedded.EmbeddedKafka;
import io.askflow.embedded.EmbeddedPostgres;
import io.askflow.embedded.Infrastructure;
import io.askflow.kafka.TopicInitializer;
import io.askflow.kafka.Topics;
import io.askflow.launcher.PromptClient;
import io.askflow.localmodel.ChatBackend;
import io.askflow.localmodel.ChatCompletionsServer;
import io.askflow.localmodel.ChatMessage;
import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.message.PromptRequest;
import io.askflow.model.ModelCallerService;
import io.askflow.systemtests.TopicReader;
import io.askflow.testkit.Await;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 8's chaos test: two instances of every service as separate processes, so partitions move
 * between instances while they are killed; conversations of three turns, each turn with two tool
 * rounds. Every instance is SIGKILLed at a random moment and restarted, one instance of every service
 * is also killed during its start-up (its first start included), the broker is killed and restarted
 * and PostgreSQL is restarted. Run once with {@code ASKFLOW_INSTANCE_ID} unset (the default: a
 * random identity per process start) and once with it set.
 *
 * <p>Then a read_committed reader must have seen exactly one answer per request, all of them ok
 * (no coded error is acceptable: nothing here has a deadline or a model failure that could end a
 * turn with one); each conversation's stored history holds every turn once in submission order; and
 * every model call of turn N was sent turns 1..N-1, in order. The repeated model calls (allowed)
 * are counted at the model server and printed.
 */
@Tag("chaos")
class ChaosTest {
    private static final Path ROOT = Path.of("target", "chaos").toAbsolutePath();
    /** Sent in batches between the disasters; a kill waiting for work may add a few (see {@link Chaos#killAndRestart}). */
    private static final int CONVERSATIONS = 42;
    private static final int TURNS_PER_CONVERSATION = 3;
    /** current_time, a second current_time in another zone, then the answer. */
    private static final int CALLS_PER_TURN = 3;
    private static final int INSTANCES = 2;
    /** After the last disaster; a killed member holds its partitions for the embedded broker's 10 s session timeout. */
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(120);
    /** The services' own start-up timeout in this test (ASKFLOW_STARTUP_TIMEOUT) and some. */
    private static final Duration READY_WAIT = Duration.ofSeconds(150);

    private static Infrastructure infra;

    /** One broker and database for both runs: starting them is the slowest part on a small machine. */
    @BeforeAll
    static void infrastructure() {
        infra = Infrastructure.resolve(Map.of(Infrastructure.TESTCONTAINERS, "false"), ROOT.resolve("infra"));
    }

    @AfterAll
    static void stopInfrastructure() {
        if (infra != null) {
            infra.close();
        }
    }

    /**
     * Both runs use the same consumer groups; a run's instances are stopped with SIGTERM at its end
     * (see {@link ServiceProcesses#close}), so they leave the groups rather than hold the next run's
     * partitions for a session timeout.
     */
    @ParameterizedTest(name = "instance ids {0}")
    @ValueSource(strings = {"set", "unset"})
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void exactlyOneAnswerPerRequestThroughKillsAndRestarts(String instanceIds) throws Exception {
        EmbeddedKafka broker = infra.embeddedKafka().orElse(null);
        EmbeddedPostgres database = infra.embeddedPostgres().orElse(null);
        assumeTrue(broker != null && database != null, "Kafka and PostgreSQL must be embedded to restart them");
        Path dir = ROOT.resolve("instance-ids-" + instanceIds);
        String tag = "ids-" + instanceIds;
        Random random = new Random(20261201L + instanceIds.hashCode());
        ScriptedModel scripted = new ScriptedModel();
        long t0 = System.nanoTime();
        try (ChatCompletionsServer model1 = ChatCompletionsServer.start(scripted.backend(0));
                ChatCompletionsServer model2 = ChatCompletionsServer.start(scripted.backend(1))) {
            Map<String, String> env = new HashMap<>();
            env.put(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), infra.kafka().bootstrapServers());
            env.put(Settings.DATABASE_URL.name(), infra.postgres().jdbcUrl());
            env.put(Settings.DATABASE_USER.name(), infra.postgres().user());
            env.put(Settings.DATABASE_PASSWORD.name(), infra.postgres().password());
            env.put(Settings.OPENAI_BASE_URL.name(), model1.baseUrl());
            env.put(Settings.OPENAI_API_KEY.name(), "sk-chaos");
            env.put(Settings.TOPIC_PARTITIONS.name(), "6");
            env.put(Settings.HTTP_PORT.name(), "0");
            env.put(Settings.DEFAULT_DEADLINE.name(), "PT15M");
            env.put(Settings.SHUTDOWN_TIMEOUT.name(), "PT5S");
            // Well inside the test's timeout, so that a dependency that never came back fails a
            // start with its one line instead of a timeout that tells nothing.
            env.put(Settings.STARTUP_TIMEOUT.name(), "PT2M");
            Config config = Config.of(env);
            TopicInitializer.ensureTopics(config);
            // Each model-caller instance has a model server of its own, so a kill can wait for a call
            // of the very instance it kills to be on the wire: the case where a call is repeated.
            Map<String, Map<String, String>> instanceEnv = Map.of(
                    instance("model-caller", 2), Map.of(Settings.OPENAI_BASE_URL.name(), model2.baseUrl()));
            Timeline timeline = new Timeline(t0);

            try (ServiceProcesses services = new ServiceProcesses(dir, env, "set".equals(instanceIds), instanceEnv);
                    PromptClient client = new PromptClient(config)) {
                Run run = new Run(tag, config, client, services, new Chaos(services, scripted, random, timeline, config), timeline);
                try {
                    run.disasters(broker, database);
                    run.verify(scripted);
                } catch (Throwable failure) {
                    // A timeout interrupts the run before any assertion could tell what happened.
                    System.out.printf("%nchaos (instance ids %s) failed after %.1f s; services:%s%ntimeline:%s%n", instanceIds,
                            (System.nanoTime() - t0) / 1e9, services.report(), timeline);
                    throw failure;
                }
                System.out.printf("%nchaos (instance ids %s): %d conversations x %d turns x 2 tool rounds, %d instances, "
                                + "%d kills (%d during start-up, %d of them before ready, %d during a model call), 1 broker restart, 1 PostgreSQL "
                                + "restart, in %.1f s; answers per request: exactly 1, all ok; history in order, each turn "
                                + "once; repeated model calls: %d (%d calls for %d needed, %d call steps repeated)%ntimeline:%s%n",
                        instanceIds, run.conversations, TURNS_PER_CONVERSATION, SERVICES.size() * INSTANCES, run.chaos.kills.get(),
                        run.chaos.startUpKills.get(), run.chaos.killedBeforeReady.get(), run.chaos.killedMidCall.get(), (System.nanoTime() - t0) / 1e9,
                        scripted.calls() - run.neededCalls(), scripted.calls(), run.neededCalls(), scripted.repeatedSteps(),
                        timeline);
            }
        }
    }

    /** One run's requests, disasters and checks; its conversations and requests carry the run's tag. */
    private static final class Run {
        private final String tag;
        private final Config config;
        private final PromptClient client;
        private final ServiceProcesses services;
        private final Chaos chaos;
        private final Timeline timeline;
        /** Request id to prompt, in submission order. */
        private final Map<String, String> prompts = new LinkedHashMap<>();
        /** The later turn of each conversation, sent once the chaos is over: request id to prompt. */
        private final Map<String, String> laterTurns = new LinkedHashMap<>();
        /** Conversations sent so far; only the thread that runs the disasters sends them. */
        private int conversations;

        Run(String tag, Config config, PromptClient client, ServiceProcesses services, Chaos chaos, Timeline timeline) {
            this.tag = tag;
            this.config = config;
            this.client = client;
            this.services = services;
            this.chaos = chaos;
            this.timeline = timeline;
        }

        int neededCalls() {
            return (prompts.size() + laterTurns.size()) * CALLS_PER_TURN;
        }

        /** Starts the instances, then sends conversations in batches, a disaster after each batch. */
        void disasters(EmbeddedKafka broker, EmbeddedPostgres database) throws Exception {
            for (String s : SERVICES) {
                for (int n = 1; n <= INSTANCES; n++) {
                    services.start(instance(s, n));
                }
            }
            // Kills during the first start (in the first run, while the schema is being created).
            for (String s : SERVICES) {
                chaos.killDuringStartUp(instance(s, 2), false);
            }

            List<Runnable> disasters = new ArrayList<>();
            for (String s : SERVICES) {
                for (int n = 1; n <= INSTANCES; n++) {
                    String victim = instance(s, n);
                    disasters.add(() -> chaos.killAndRestart(victim, this::sendConversation));
                }
                String victim = instance(s, 1 + chaos.random.nextInt(INSTANCES));
                disasters.add(() -> chaos.killDuringStartUp(victim, true));
            }
            disasters.add(() -> {
                timeline.note("broker killed");
                broker.kill();
                broker.restart();
                timeline.note("broker back");
            });
            disasters.add(() -> {
                timeline.note("PostgreSQL restarting");
                database.restart();
                timeline.note("PostgreSQL back");
            });
            Collections.shuffle(disasters, chaos.random);

            int perStep = CONVERSATIONS / disasters.size() + 1;
            int batched = 0;
            for (Runnable disaster : disasters) {
                for (int i = 0; i < perStep && batched < CONVERSATIONS; i++, batched++) {
                    sendConversation();
                }
                client.drain(Duration.ofMillis(chaos.random.nextInt(400))); // turns of this batch are in flight now
                disaster.run();
            }
            timeline.note("chaos over");
        }

        /** Sends the next conversation, all its turns at once: the context-builder runs them one at a time, in order. */
        void sendConversation() {
            int conversation = conversations++;
            for (int turn = 1; turn <= TURNS_PER_CONVERSATION; turn++) {
                String id = requestId(conversation, turn);
                client.send(PromptRequest.of(id, conversationId(conversation), prompt(conversation, turn)));
                prompts.put(id, prompt(conversation, turn));
            }
        }

        void verify(ScriptedModel scripted) throws Exception {
            long deadline = System.nanoTime() + ANSWER_WAIT.toNanos();
            for (String id : prompts.keySet()) {
                Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
                assertThat(client.await(id, left)).as("answer to %s; missing: %s", id, missing()).isPresent();
            }
            timeline.note("all answered");
            // A later turn in every conversation runs after everything before it in its conversation was handled:
            // once it is answered, a duplicate answer would be below the end of the answers topic, counted there.
            for (int c = 0; c < conversations; c++) {
                laterTurns.put(laterTurnId(c), laterTurn(c));
                client.send(PromptRequest.of(laterTurnId(c), conversationId(c), laterTurn(c)));
            }
            for (String id : laterTurns.keySet()) {
                assertThat(client.await(id, ANSWER_WAIT)).as("answer to the later turn %s", id).isPresent();
            }
            timeline.note("later turns answered");
            assertThat(services.exited()).as("instances that exited by themselves").isEmpty();

            Map<String, String> asked = new LinkedHashMap<>(prompts);
            asked.putAll(laterTurns);
            List<Answer> answers = TopicReader.answersToEnd(config, key -> key != null && key.startsWith(tag + "-conversation-"));
            Map<String, Long> perRequest = answers.stream().filter(a -> a.requestId() != null)
                    .collect(Collectors.groupingBy(Answer::requestId, Collectors.counting()));
            assertThat(perRequest.keySet()).containsExactlyInAnyOrderElementsOf(asked.keySet());
            assertThat(perRequest.values()).as("answers per request, read to the end of %s", Topics.ANSWERS.name())
                    .containsOnly(1L);
            for (Answer a : answers) {
                assertThat(a.isOk()).as("answer %s", a).isTrue();
                assertThat(a.text()).isEqualTo(answerTo(asked.get(a.requestId())));
                assertThat(a.toolRounds()).isEqualTo(2);
            }

            assertHistoryStoredInOrder();
            assertEveryCallSawTheEarlierTurns(scripted);
            // Each model-caller killed during a call of its own leaves that call to be made again.
            assertThat(chaos.killedMidCall.get()).as("model-callers killed during a model call").isPositive();
            assertThat(scripted.calls()).as("model calls, repeated after a model-caller was killed mid-call")
                    .isGreaterThanOrEqualTo(neededCalls() + chaos.killedMidCall.get());
        }

        /** cb_messages, by row id: user 1, assistant 1, user 2, ... of each conversation, each once. */
        private void assertHistoryStoredInOrder() throws Exception {
            Map<String, List<String>> expected = new LinkedHashMap<>();
            for (int c = 0; c < conversations; c++) {
                List<String> rows = expected.computeIfAbsent(conversationId(c), k -> new ArrayList<>());
                for (int turn = 1; turn <= TURNS_PER_CONVERSATION; turn++) {
                    rows.add(requestId(c, turn) + " user " + prompt(c, turn));
                    rows.add(requestId(c, turn) + " assistant " + answerTo(prompt(c, turn)));
                }
                rows.add(laterTurnId(c) + " user " + laterTurn(c));
                rows.add(laterTurnId(c) + " assistant " + answerTo(laterTurn(c)));
            }
            try (Connection c = DriverManager.getConnection(infra.postgres().jdbcUrl(), infra.postgres().user(),
                    infra.postgres().password()); Statement st = c.createStatement()) {
                // The context-builder stores an answer when it reads it, which may be after the reader saw it.
                Map<String, List<String>> stored;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                do {
                    stored = history(st);
                } while (!stored.equals(expected) && System.nanoTime() < deadline && sleep(200));
                assertThat(stored).as("stored history per conversation").containsExactlyInAnyOrderEntriesOf(expected);
            }
        }

        private Map<String, List<String>> history(Statement st) throws Exception {
            Map<String, List<String>> stored = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT conversation_id, request_id, role, content FROM cb_messages "
                    + "WHERE conversation_id LIKE '" + tag + "-%' ORDER BY id")) {
                while (rs.next()) {
                    stored.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4));
                }
            }
            return stored;
        }

        /** Every call of every turn, repeated ones included, was sent exactly the earlier turns, in order. */
        private void assertEveryCallSawTheEarlierTurns(ScriptedModel scripted) {
            for (int c = 0; c < conversations; c++) {
                List<String> earlier = new ArrayList<>();
                for (int turn = 1; turn <= TURNS_PER_CONVERSATION; turn++) {
                    String prompt = prompt(c, turn);
                    List<List<String>> seen = scripted.histories.getOrDefault(prompt, List.of());
                    assertThat(seen).as("model calls of %s", prompt).hasSizeGreaterThanOrEqualTo(CALLS_PER_TURN);
                    for (List<String> history : seen) {
                        assertThat(history).as("history sent with %s", prompt).containsExactlyElementsOf(earlier);
                    }
                    earlier.add("user: " + prompt);
                    earlier.add("assistant: " + answerTo(prompt));
                }
            }
        }

        private List<String> missing() {
            var answered = client.answers().stream().map(Answer::requestId).collect(Collectors.toSet());
            return prompts.keySet().stream().filter(id -> !answered.contains(id)).toList();
        }

        private String conversationId(int conversation) {
            return tag + "-conversation-" + conversation;
        }

        private String requestId(int conversation, int turn) {
            return conversationId(conversation) + "-turn-" + turn;
        }

        private String prompt(int conversation, int turn) {
            return tag + " conversation " + conversation + " turn " + turn;
        }

        private String laterTurnId(int conversation) {
            return conversationId(conversation) + "-later";
        }

        private String laterTurn(int conversation) {
            return tag + " conversation " + conversation + " later turn";
        }
    }

    private static String answerTo(String prompt) {
        return "answer to " + prompt;
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /**
     * The model: two tool rounds per turn, then a fixed answer. It records the history every call
     * was sent and counts the calls per turn and round, so repeats are seen where they happen.
     */
    private static final class ScriptedModel {
        final Map<String, List<List<String>>> histories = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> perStep = new ConcurrentHashMap<>();
        private final AtomicInteger[] inFlight = {new AtomicInteger(), new AtomicInteger()};

        ChatBackend backend(int server) {
            return request -> {
                List<ChatMessage> messages = request.messages();
                int user = messages.size() - 1;
                while (user > 0 && !messages.get(user).hasRole("user")) {
                    user--;
                }
                String prompt = messages.get(user).text();
                long round = messages.subList(user + 1, messages.size()).stream().filter(m -> m.hasRole("tool")).count();
                perStep.computeIfAbsent(prompt + "#" + round, k -> new AtomicInteger()).incrementAndGet();
                histories.computeIfAbsent(prompt, k -> new CopyOnWriteArrayList<>()).add(conversation(messages.subList(0, user)));
                // Model calls take a while, as real ones do, so kills land on calls in flight.
                inFlight[server].incrementAndGet();
                try {
                    Thread.sleep(100 + ThreadLocalRandom.current().nextInt(300));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    inFlight[server].decrementAndGet();
                }
                return switch ((int) round) {
                    case 0 -> Reply.toolCall("current_time", "{}");
                    case 1 -> Reply.toolCall("current_time", "{\"time_zone\":\"Asia/Tokyo\"}");
                    default -> Reply.text(answerTo(prompt));
                };
            };
        }

        /** The earlier turns as sent: user prompts and final answers, not the system message. */
        private static List<String> conversation(List<ChatMessage> before) {
            return before.stream()
                    .filter(m -> m.hasRole("user") || m.hasRole("assistant") && m.toolCalls().isEmpty())
                    .map(m -> m.role() + ": " + m.text()).toList();
        }

        boolean callInFlight(int server) {
            return inFlight[server].get() > 0;
        }

        int calls() {
            return perStep.values().stream().mapToInt(AtomicInteger::get).sum();
        }

        long repeatedSteps() {
            return perStep.values().stream().filter(n -> n.get() > 1).count();
        }
    }

    /** Kills and restarts of service instances, counted and written to the timeline. */
    private static final class Chaos {
        final AtomicInteger kills = new AtomicInteger();
        final AtomicInteger startUpKills = new AtomicInteger();
        final AtomicInteger killedBeforeReady = new AtomicInteger();
        final AtomicInteger killedMidCall = new AtomicInteger();
        private final ServiceProcesses services;
        final Random random;
        private final ScriptedModel model;
        private final Timeline timeline;
        private final Config config;

        Chaos(ServiceProcesses services, ScriptedModel model, Random random, Timeline timeline, Config config) {
            this.services = services;
            this.config = config;
            this.model = model;
            this.random = random;
            this.timeline = timeline;
        }

        /**
         * Kills the instance and starts it again; a model-caller is killed during a model call of its own.
         *
         * @param moreWork sends one more conversation, for a model-caller whose partitions hold no work
         */
        void killAndRestart(String victim, Runnable moreWork) {
            if (ServiceProcesses.service(victim).equals("model-caller")) {
                // Waits for a positive signal: a call of this very instance on the wire. The call's
                // record is then processed again: a repeated call. The batches in flight may all
                // be on the other instance's partitions (4 conversations on 6 partitions), so every
                // 2 s without a call another conversation is sent: a conversation's partition is
                // its key's, and each lands on the victim's with odds of about a half. An instance
                // that never calls within the bound never got ready or holds no partition, and
                // killing it anyway would drop the case this kill is for, so the run fails instead.
                int server = victim.endsWith("-1") ? 0 : 1;
                // A start on this loaded machine takes 5-30 s (eight JVMs, a broker and a database on
                // two cores), more after a broker restart: the bound for a call counts from ready.
                awaitReady(victim);
                Duration bound = Duration.ofSeconds(60);
                long start = System.nanoTime();
                long deadline = start + bound.toNanos();
                long nextTopUp = start + Duration.ofSeconds(2).toNanos();
                int added = 0;
                while (!model.callInFlight(server)) {
                    long now = System.nanoTime();
                    if (now > deadline) {
                        throw new AssertionError("Waited " + bound.toSeconds() + " s for a model call of " + victim
                                + " to be on the wire, to kill it during the call, with " + added
                                + " conversations added meanwhile; none came. Group " + ModelCallerService.GROUP + ": "
                                + members(ModelCallerService.GROUP) + ". Services:" + services.report());
                    }
                    if (now > nextTopUp) {
                        moreWork.run();
                        added++;
                        nextTopUp = now + Duration.ofSeconds(2).toNanos();
                    }
                    sleep(5);
                }
                if (added > 0) {
                    timeline.note(added + " conversations added for a call of " + victim);
                }
                kill(victim, "killed during a model call");
                killedMidCall.incrementAndGet();
                sleep(200 + random.nextInt(1_500));
                start(victim);
                return;
            }
            kill(victim, "killed");
            sleep(200 + random.nextInt(1_500));
            start(victim);
        }

        private void awaitReady(String victim) {
            Await.until(victim + " to be ready after its start", READY_WAIT, () -> services.ready(victim));
        }

        /** For a failure message: the group's members and the partitions each holds, as the broker sees them. */
        private String members(String group) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(Settings.KAFKA_BOOTSTRAP_SERVERS)))) {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                        .get(10, TimeUnit.SECONDS);
                return d.groupState() + " " + d.members().stream()
                        .map(m -> m.clientId() + m.groupInstanceId().map(i -> " (" + i + ")").orElse("") + " "
                                + m.assignment().topicPartitions())
                        .collect(Collectors.joining(", ", "[", "]"));
            } catch (Exception e) {
                return "not described (" + e + ")";
            }
        }

        /**
         * Kills the instance within about a second of a start, before it is ready, and starts it again.
         *
         * @param restartFirst whether to kill the running instance and start it first (false: it was just started)
         */
        void killDuringStartUp(String victim, boolean restartFirst) {
            if (restartFirst) {
                kill(victim, "killed");
                start(victim);
            }
            sleep(300 + random.nextInt(1_200));
            startUpKills.incrementAndGet();
            try {
                boolean ready = services.ready(victim);
                if (!ready) {
                    killedBeforeReady.incrementAndGet();
                }
                kill(victim, ready ? "killed (it was ready already)" : "killed during start-up");
            } catch (java.io.IOException e) {
                throw new IllegalStateException("Cannot read the log of " + victim, e);
            }
            sleep(200 + random.nextInt(800));
            start(victim);
        }

        private void kill(String victim, String what) {
            try {
                services.kill(victim);
            } catch (Exception e) {
                throw new IllegalStateException("Cannot kill " + victim, e);
            }
            kills.incrementAndGet();
            timeline.note(victim + " " + what);
        }

        private void start(String victim) {
            try {
                services.start(victim);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("Cannot start " + victim, e);
            }
            timeline.note(victim + " started");
        }
    }

    /** What happened when, for the report and for failure messages. */
    private static final class Timeline {
        private final long t0;
        private final List<String> events = new CopyOnWriteArrayList<>();

        Timeline(long t0) {
            this.t0 = t0;
        }

        void note(String event) {
            events.add(String.format("%6.1f s %s", (System.nanoTime() - t0) / 1e9, event));
        }

        @Override
        public String toString() {
            return events.stream().map(e -> "\n  " + e).collect(Collectors.joining());
        }
    }
}
