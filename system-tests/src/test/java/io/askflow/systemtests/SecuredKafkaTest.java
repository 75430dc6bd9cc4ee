package io.askflow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.context.ContextBuilderService;
import io.askflow.embedded.EmbeddedKafka;
import io.askflow.embedded.Infrastructure;
import io.askflow.embedded.PostgresEndpoint;
import io.askflow.embedded.SaslScram;
import io.askflow.gateway.GatewayService;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.TopicSpec;
import io.askflow.kafka.Topics;
import io.askflow.launcher.PromptClient;
import io.askflow.localmodel.ChatMessage;
import io.askflow.localmodel.Reply;
import io.askflow.message.Answer;
import io.askflow.model.ModelCallerService;
import io.askflow.testkit.ScriptedModelServer;
import io.askflow.tools.ToolRunnerService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on a broker that authenticates with SASL/SCRAM and authorizes with ACLs: each
 * service runs as its own principal with exactly the ACLs of the README's table (Kafka security),
 * the backend principal may only submit requests and read answers, and is refused on every
 * internal topic. Everything Kafka-related reaches the clients through ASKFLOW_KAFKA_* variables.
 */
class SecuredKafkaTest {
    private static final String ADMIN = "admin";
    private static final String BACKEND = "backend";
    private static final String GATEWAY = "askflow-gateway";
    private static final String CONTEXT_BUILDER = "askflow-context-builder";
    private static final String MODEL_CALLER = "askflow-model-caller";
    private static final String TOOL_RUNNER = "askflow-tool-runner";
    /** The internal topics: only the pipeline's principals may read or write them. */
    private static final List<TopicSpec<?>> INTERNAL = List.of(Topics.TURNS, Topics.MODEL_CALLS, Topics.TOOL_CALLS,
            Topics.DELETIONS, Topics.DEAD_LETTERS);

    @TempDir
    static Path dir;

    private static SaslScram scram;
    private static EmbeddedKafka kafka;
    private static ScriptedModelServer model;
    private static Map<String, String> base;
    private static final Deque<AutoCloseable> started = new ArrayDeque<>();
    private static PromptClient backend;

    @BeforeAll
    static void securedPipeline() throws Exception {
        Map<String, String> passwords = new HashMap<>();
        for (String user : List.of(ADMIN, BACKEND, GATEWAY, CONTEXT_BUILDER, MODEL_CALLER, TOOL_RUNNER)) {
            passwords.put(user, "pw-" + UUID.randomUUID());
        }
        scram = new SaslScram(ADMIN, passwords);
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), scram);
        model = ScriptedModelServer.start();
        model.respondWith(req -> {
            ChatMessage last = req.lastMessage().orElseThrow();
            return last.hasRole("tool") ? Reply.text("The tool said: " + last.text()) : Reply.toolCall("current_time", "{}");
        });
        base = new HashMap<>();
        base.put(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers());
        PostgresEndpoint db = ownDatabase(Infrastructure.shared().postgres());
        base.put(Settings.DATABASE_URL.name(), db.jdbcUrl());
        base.put(Settings.DATABASE_USER.name(), db.user());
        base.put(Settings.DATABASE_PASSWORD.name(), db.password());
        base.put(Settings.TOPIC_PARTITIONS.name(), "2");
        base.put(Settings.HTTP_PORT.name(), "0");
        base.put(Settings.OPENAI_BASE_URL.name(), model.baseUrl());
        base.put(Settings.OPENAI_API_KEY.name(), "sk-test-never-shown");
        base.put(Settings.DEFAULT_MODEL.name(), "scripted-model");

        try (Admin admin = KafkaClients.admin(as(ADMIN), "acl-setup")) {
            admin.createAcls(acls()).all().get(30, TimeUnit.SECONDS);
        }
        // The services create the topics themselves, with their own principals' CREATE ACL.
        started.push(GatewayService.start(as(GATEWAY), Clock.systemUTC()));
        started.push(ContextBuilderService.start(as(CONTEXT_BUILDER), Clock.systemUTC()));
        started.push(ModelCallerService.start(as(MODEL_CALLER), Clock.systemUTC()));
        started.push(ToolRunnerService.start(as(TOOL_RUNNER), Clock.systemUTC()));
        backend = new PromptClient(as(BACKEND));
    }

    @AfterAll
    static void stop() {
        if (backend != null) {
            backend.close();
        }
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        if (model != null) {
            model.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aTurnWithAToolRoundRunsEndToEndWithEveryServiceAsItsOwnPrincipal() {
        String requestId = backend.ask("secured-" + UUID.randomUUID(), "What time is it?");

        // Generous: the first turn also waits for five consumer groups to form on a fresh broker.
        Answer answer = backend.await(requestId, Duration.ofSeconds(120)).orElseThrow(() -> new AssertionError("no answer"));

        assertThat(answer.isOk()).as("answer %s", answer).isTrue();
        assertThat(answer.toolRounds()).isEqualTo(1);
        assertThat(answer.text()).startsWith("The tool said: ");
    }

    @Test
    void theBackendIsRefusedWritingAnyTopicButRequestsAndDocuments() throws Exception {
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(as(BACKEND), "forger")) {
            for (TopicSpec<?> topic : List.of(Topics.TURNS, Topics.MODEL_CALLS, Topics.TOOL_CALLS, Topics.ANSWERS,
                    Topics.JOB_EVENTS, Topics.DELETIONS, Topics.DEAD_LETTERS, Topics.ANSWER_DELTAS)) {
                assertRefusedWriting(producer, topic);
            }
            // The same producer may write what a backend submits: the refusals above were about the topics.
            String document = "{\"documentId\":\"d-" + UUID.randomUUID() + "\",\"title\":\"note\",\"contentType\":\"text/plain\",\"text\":\"hello\"}";
            producer.send(new ProducerRecord<>(Topics.DOCUMENTS.name(), "d", document.getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theBackendIsRefusedReadingInternalTopics() {
        try (KafkaConsumer<String, byte[]> reader = KafkaClients.reader(as(BACKEND), "snoop")) {
            for (TopicSpec<?> topic : INTERNAL) {
                TopicPartition partition = new TopicPartition(topic.name(), 0);
                reader.assign(List.of(partition));
                reader.seekToBeginning(List.of(partition));
                assertThatThrownBy(() -> reader.poll(Duration.ofSeconds(10)))
                        .as("reading %s", topic.name())
                        .isInstanceOfSatisfying(TopicAuthorizationException.class,
                                e -> assertThat(e.unauthorizedTopics()).containsExactly(topic.name()));
            }
        }
    }

    @Test
    void aServicePrincipalMayWriteOnlyWhatItsServiceProduces() throws Exception {
        // The model-caller produces tool calls and answers, never turns: a leaked model-caller
        // credential cannot inject turns, so tenant and user on askflow.turns stay the gateway's word.
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(as(MODEL_CALLER), "model-caller-forger")) {
            assertRefusedWriting(producer, Topics.TURNS);
            assertRefusedWriting(producer, Topics.REQUESTS);
        }
    }

    @Test
    void aWrongPasswordIsRefusedAtAuthentication() {
        Map<String, String> env = new HashMap<>(base);
        SaslScram.clientProperties(BACKEND, "not-the-password")
                .forEach((key, value) -> env.put(Settings.KAFKA_CLIENT_PROPERTIES.variable(key), value));
        try (KafkaConsumer<String, byte[]> reader = KafkaClients.reader(Config.of(env), "impostor")) {
            assertThatThrownBy(() -> reader.partitionsFor(Topics.ANSWERS.name(), Duration.ofSeconds(30)))
                    .isInstanceOf(AuthenticationException.class);
        }
    }

    private static void assertRefusedWriting(KafkaProducer<String, byte[]> producer, TopicSpec<?> topic) {
        assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic.name(), "k", "{}".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS))
                .as("writing %s", topic.name())
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(TopicAuthorizationException.class,
                        e -> assertThat(e.unauthorizedTopics()).containsExactly(topic.name()));
    }

    /** The environment of a process that authenticates as {@code user}: the base plus ASKFLOW_KAFKA_* SASL properties. */
    private static Config as(String user) {
        Map<String, String> env = new HashMap<>(base);
        scram.clientProperties(user).forEach((key, value) -> env.put(Settings.KAFKA_CLIENT_PROPERTIES.variable(key), value));
        return Config.of(env);
    }

    /**
     * The README's table (Kafka security), binding by binding. Every service principal may describe
     * and create the askflow topics (each service creates missing ones at start-up), read its input
     * topics with its consumer groups and write its outputs with its transactional ids, both named
     * after its group.
     */
    private static List<AclBinding> acls() {
        List<AclBinding> acls = new ArrayList<>();
        service(acls, GATEWAY, GatewayService.GROUP, List.of(Topics.REQUESTS, Topics.DOCUMENTS, Topics.ANSWERS,
                        Topics.ANSWER_DELTAS),
                List.of(Topics.TURNS, Topics.ANSWERS, Topics.JOB_EVENTS, Topics.DELETIONS, Topics.DEAD_LETTERS));
        service(acls, CONTEXT_BUILDER, ContextBuilderService.GROUP, List.of(Topics.TURNS, Topics.ANSWERS, Topics.DELETIONS),
                List.of(Topics.MODEL_CALLS, Topics.ANSWERS, Topics.DEAD_LETTERS));
        service(acls, MODEL_CALLER, ModelCallerService.GROUP, List.of(Topics.MODEL_CALLS),
                List.of(Topics.TOOL_CALLS, Topics.ANSWERS, Topics.DEAD_LETTERS, Topics.ANSWER_DELTAS));
        service(acls, TOOL_RUNNER, ToolRunnerService.GROUP, List.of(Topics.TOOL_CALLS),
                List.of(Topics.MODEL_CALLS, Topics.ANSWERS, Topics.DEAD_LETTERS, Topics.ANSWER_DELTAS));
        for (TopicSpec<?> t : List.of(Topics.REQUESTS, Topics.DOCUMENTS)) {
            acls.add(allow(BACKEND, ResourceType.TOPIC, t.name(), PatternType.LITERAL, AclOperation.WRITE));
        }
        for (TopicSpec<?> t : List.of(Topics.ANSWERS, Topics.JOB_EVENTS, Topics.ANSWER_DELTAS)) {
            acls.add(allow(BACKEND, ResourceType.TOPIC, t.name(), PatternType.LITERAL, AclOperation.READ));
        }
        return acls;
    }

    private static void service(List<AclBinding> acls, String user, String group, List<TopicSpec<?>> reads,
            List<TopicSpec<?>> writes) {
        acls.add(allow(user, ResourceType.TOPIC, "askflow.", PatternType.PREFIXED, AclOperation.DESCRIBE));
        acls.add(allow(user, ResourceType.TOPIC, "askflow.", PatternType.PREFIXED, AclOperation.CREATE));
        reads.forEach(t -> acls.add(allow(user, ResourceType.TOPIC, t.name(), PatternType.LITERAL, AclOperation.READ)));
        writes.forEach(t -> acls.add(allow(user, ResourceType.TOPIC, t.name(), PatternType.LITERAL, AclOperation.WRITE)));
        acls.add(allow(user, ResourceType.GROUP, group, PatternType.PREFIXED, AclOperation.READ));
        acls.add(allow(user, ResourceType.TRANSACTIONAL_ID, group, PatternType.PREFIXED, AclOperation.WRITE));
    }

    private static AclBinding allow(String user, ResourceType type, String name, PatternType pattern, AclOperation op) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
    }

    /**
     * A database of its own on the shared PostgreSQL: the gateway's outbox publishes every turn in
     * its database that is not yet published, and other tests' turns belong on the other broker.
     */
    private static PostgresEndpoint ownDatabase(PostgresEndpoint shared) throws Exception {
        String name = "askflow_secured_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(shared.jdbcUrl(), shared.user(), shared.password());
                var statement = c.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        String url = shared.jdbcUrl().replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
        return new PostgresEndpoint(url, shared.user(), shared.password(), shared.origin());
    }
}
