package io.askflow.systemtests.startup;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.embedded.Infrastructure;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.TopicInitializer;
import io.askflow.kafka.TopicSpec;
import io.askflow.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's whole start-up (topic creation, every owner's migrations, a consumer group's first
 * join) survives a SIGKILL at moments spread over it: the next start succeeds, leaves the schema a
 * start never killed leaves, and consumes. On a broker and database of its own, because every
 * trial starts from a cluster without askflow topics and from an empty database.
 */
class StartupKillTest {
    private static final Logger LOG = LoggerFactory.getLogger(StartupKillTest.class);
    private static final int PARTITIONS = 2;
    private static final int KILLS = 3;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private static Infrastructure infra;
    private static Schemas schemas;
    private static Path argfile;
    private static Admin admin;

    @BeforeAll
    static void startInfrastructure() throws Exception {
        Path dir = Files.createTempDirectory("askflow-startup-kill-");
        infra = Infrastructure.resolve(Map.of(Infrastructure.TESTCONTAINERS, "false"), dir.resolve("infra"));
        schemas = new Schemas(infra.postgres());
        argfile = ProbeProcess.argfile(dir);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafka().bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (infra != null) {
            infra.close();
        }
    }

    @BeforeEach
    void noAskflowTopics() throws Exception {
        Set<String> names = Set.copyOf(Topics.all().stream().map(TopicSpec::name).toList());
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        List<String> doomed = existing.stream().filter(names::contains).toList();
        admin.deleteTopics(doomed).all().get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().anyMatch(names::contains)) {
            assertThat(System.nanoTime()).as("topics deleted within 30 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void aStartKilledAtAnyMomentIsFinishedByTheNextStart() throws Exception {
        Map<String, String> reference = env("reference");
        Duration whole;
        try (ProbeProcess probe = ProbeProcess.start(argfile, reference, "start", "probe-reference")) {
            whole = startAndConsume(probe, Config.of(reference), "reference");
        }
        List<String> expected = schemas.fingerprint(Config.of(reference));
        LOG.info("A start never killed consumed its first record after {} ms", whole.toMillis());

        Random random = new Random();
        for (int k = 0; k < KILLS; k++) {
            noAskflowTopics();
            Map<String, String> env = env("kill");
            // Kill moments spread over the whole start, one in each third, so that some land in
            // topic creation, some in the migrations and some in the group's first join.
            long killAfter = (long) (whole.toMillis() * (k + random.nextDouble()) / KILLS);
            String group = "probe-" + k;
            try (ProbeProcess first = ProbeProcess.start(argfile, env, "start", group)) {
                Thread.sleep(killAfter);
                first.kill();
                LOG.info("Killed a start after {} ms; its last words: {}", killAfter, lastLine(first.output()));
            }
            try (ProbeProcess second = ProbeProcess.start(argfile, env, "start", group)) {
                startAndConsume(second, Config.of(env), "after-kill-" + k);
            }
            assertThat(schemas.fingerprint(Config.of(env))).as("schema after a kill after %d ms", killAfter).isEqualTo(expected);
            assertAllTopics();
        }
    }

    @Test
    void topicsLeftHalfCreatedAreCompletedEvenByStartsRacingEachOther() throws Exception {
        List<TopicSpec<?>> all = Topics.all();
        admin.createTopics(all.subList(0, 3).stream()
                .map(t -> new NewTopic(t.name(), PARTITIONS, (short) 1).configs(t.configs())).toList())
                .all().get(30, TimeUnit.SECONDS);
        Config config = Config.of(env("topics"));

        CompletableFuture<Void> one = CompletableFuture.runAsync(() -> TopicInitializer.ensureTopics(config));
        CompletableFuture<Void> other = CompletableFuture.runAsync(() -> TopicInitializer.ensureTopics(config));
        one.get(60, TimeUnit.SECONDS);
        other.get(60, TimeUnit.SECONDS);

        assertAllTopics();
        TopicInitializer.ensureTopics(config);
    }

    /** Waits for the probe's start, then for it to consume a record sent afterwards; returns the time taken. */
    private static Duration startAndConsume(ProbeProcess probe, Config config, String marker) throws Exception {
        assertThat(probe.await(START_TIMEOUT, "STARTED")).as("start-up output:\n%s", probe.output()).isPresent();
        try (var producer = KafkaClients.producer(config, "startup-kill-test")) {
            producer.send(new ProducerRecord<>(Topics.REQUESTS.name(), marker, marker.getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS);
        }
        assertThat(probe.await(START_TIMEOUT, "CONSUMED " + marker)).as("output:\n%s", probe.output()).isPresent();
        return probe.age();
    }

    private static void assertAllTopics() throws Exception {
        List<String> names = Topics.all().stream().map(TopicSpec::name).toList();
        Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
        assertThat(described.keySet()).containsExactlyInAnyOrderElementsOf(names);
        assertThat(described.values()).allSatisfy(d -> assertThat(d.partitions()).hasSize(PARTITIONS));
        ConfigResource deadLetters = new ConfigResource(ConfigResource.Type.TOPIC, Topics.DEAD_LETTERS.name());
        var configs = admin.describeConfigs(List.of(deadLetters)).all().get(30, TimeUnit.SECONDS).get(deadLetters);
        assertThat(configs.get("retention.ms").value()).isEqualTo(Topics.DEAD_LETTERS.configs().get("retention.ms"));
    }

    private static Map<String, String> env(String purpose) throws Exception {
        Map<String, String> env = new HashMap<>(schemas.fresh(purpose));
        env.put(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), infra.kafka().bootstrapServers());
        env.put(Settings.TOPIC_PARTITIONS.name(), Integer.toString(PARTITIONS));
        // A restarted service keeps its identity, so its consumer takes over its predecessor's membership.
        env.put(Settings.INSTANCE_ID.name(), "probe-1");
        return env;
    }

    private static String lastLine(String output) {
        return output.isEmpty() ? "(none)" : output.substring(output.lastIndexOf('\n') + 1);
    }
}
