package io.askflow.kafka;

import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.monitoring.Monitoring;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The one place where askflow's Kafka clients get their settings. Services build their clients
 * here in {@code Main} and hand them to the runner; business logic never builds a client, and
 * neither do the launcher's tools or the tests. Every client also gets the TLS, SASL and other
 * properties passed through from {@code ASKFLOW_KAFKA_*} variables ({@link ClientProperties}).
 */
public final class KafkaClients {
    /**
     * How long closing a client may wait for unsent records. Bounded, because an unbounded
     * {@code close()} hangs a stopping service forever when the broker is already gone.
     */
    public static final java.time.Duration CLOSE_TIMEOUT = java.time.Duration.ofSeconds(10);

    /**
     * How long a broker parks a read_committed fetch that has nothing readable yet (Kafka's default
     * is 500 ms). The commit marker that makes a transaction's records readable ends the wait
     * (RunnerHopBenchmark: a committed record is visible at the reader about 2 ms after its commit
     * returns, as a plain record is after its send); this bounds the cases where nothing ends it.
     */
    public static final int READ_COMMITTED_FETCH_WAIT_MS = 10;

    /** How long a member that died without leaving keeps its partitions before the group moves them. */
    public static final int SESSION_TIMEOUT_MS = 10_000;

    private KafkaClients() {
    }

    /** Idempotent, acks=all, and no linger: every hop is interactive, so 4.x's 5 ms default would be paid per hop. */
    public static KafkaProducer<String, byte[]> producer(Config config, String clientId) {
        Map<String, Object> p = producerProps(config, clientId);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        return new KafkaProducer<>(passThrough(config, p, ClientProperties.Kind.PRODUCER), new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * For turn events (TurnEventPublisher): not transactional, so a reader sees a delta as soon as the
     * broker has it rather than at the next commit; idempotent, so a retried send is not doubled; a
     * 1 ms linger lets the deltas of a fast stream share a request without delaying the first one much.
     */
    public static KafkaProducer<String, byte[]> eventProducer(Config config, String clientId) {
        Map<String, Object> p = producerProps(config, clientId);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000); // at least linger + request.timeout.ms (30 s)
        return new KafkaProducer<>(passThrough(config, p, ClientProperties.Kind.PRODUCER), new StringSerializer(), new ByteArraySerializer());
    }

    private static Map<String, Object> producerProps(Config config, String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(Settings.KAFKA_BOOTSTRAP_SERVERS));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return p;
    }

    /**
     * A producer for {@link Runner#exactlyOnce}. The transactional id must be stable for one
     * instance of one consumer group (see {@code ASKFLOW_INSTANCE_ID}): a restarted instance then
     * aborts the transaction its predecessor left open at once, instead of read_committed readers
     * waiting for the transaction timeout.
     */
    public static KafkaProducer<String, byte[]> transactionalProducer(Config config, String clientId, String transactionalId) {
        Map<String, Object> p = producerProps(config, clientId);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        // The runner's drains are validated against this one value (RunnerOptions.MAX_DRAIN).
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) RunnerOptions.TRANSACTION_TIMEOUT.toMillis());
        return new KafkaProducer<>(passThrough(config, p, ClientProperties.Kind.PRODUCER), new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * The standard wiring of an exactly-once runner for a service: its consumer group, a consumer,
     * and transactional producers whose id is the group plus the instance identity.
     */
    public static Runner exactlyOnceRunner(Config config, String groupId, java.util.List<Route<?>> routes) {
        return exactlyOnceRunner(config, groupId, routes, Monitoring.none());
    }

    /** As above, with the runner's metrics and its clients' metrics (lag, request rates) in {@code monitoring}. */
    public static Runner exactlyOnceRunner(Config config, String groupId, java.util.List<Route<?>> routes,
            Monitoring monitoring) {
        String instance = config.find(Settings.INSTANCE_ID).orElseGet(() -> java.util.UUID.randomUUID().toString());
        String clientId = groupId + "-" + instance;
        return Runner.exactlyOnce(RunnerOptions.from(config, groupId).withMetrics(monitoring.runner(groupId)), routes,
                monitoring.kafka(consumer(config, groupId, clientId), clientId),
                () -> monitoring.kafka(transactionalProducer(config, clientId, clientId), clientId));
    }

    /**
     * Manual commits only: the runner commits up to the lowest unfinished record. read_committed
     * so that a transactional producer's aborted writes are never processed.
     */
    public static KafkaConsumer<String, byte[]> consumer(Config config, String groupId, String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(Settings.KAFKA_BOOTSTRAP_SERVERS));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, READ_COMMITTED_FETCH_WAIT_MS);
        // Cooperative rebalancing on the classic protocol: a member joining or leaving moves only the
        // partitions that change owner and no other member stops. Not KIP-848's protocol: there, a
        // static member SIGKILLed and restarted is refused (UnreleasedInstanceIdException, fatal to
        // the consumer) until the broker's session timeout (45 s minimum by default) expires, where
        // the classic protocol hands it its partitions at once (docs/architecture.md, Rebalances).
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // A member killed without leaving holds its partitions this long; the default is 45 s.
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
        config.find(Settings.INSTANCE_ID).ifPresent(id -> {
            // Static membership: a restarted instance takes its partitions back without a rebalance.
            p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupId + "-" + id);
        });
        return new KafkaConsumer<>(passThrough(config, p, ClientProperties.Kind.CONSUMER), new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * A consumer outside any group, for clients that {@code assign()} partitions and read them
     * (a backend's answer reader, the dead-letter tool, tests): read_committed, nothing committed.
     */
    public static KafkaConsumer<String, byte[]> reader(Config config, String clientId) {
        return groupless(config, clientId, "read_committed", READ_COMMITTED_FETCH_WAIT_MS);
    }

    /**
     * A consumer outside any group that reads what is not committed yet (turn events are written
     * without transactions, and their reader must not wait for the commits of the records beside them).
     */
    public static KafkaConsumer<String, byte[]> uncommittedReader(Config config, String clientId) {
        // No commit markers to wait for here: a fetch returns as soon as a record arrives.
        return groupless(config, clientId, "read_uncommitted", 100);
    }

    private static KafkaConsumer<String, byte[]> groupless(Config config, String clientId, String isolation, int fetchWaitMs) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(Settings.KAFKA_BOOTSTRAP_SERVERS));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, fetchWaitMs);
        return new KafkaConsumer<>(passThrough(config, p, ClientProperties.Kind.CONSUMER), new StringDeserializer(), new ByteArrayDeserializer());
    }

    public static Admin admin(Config config, String clientId) {
        return Admin.create(passThrough(config, adminProps(config, clientId), ClientProperties.Kind.ADMIN));
    }

    /**
     * An admin client whose calls give up after {@code timeout}, for start-up probes that must
     * answer within their deadline; built here like every other client, so a broker that needs
     * TLS or SASL is probed with them.
     */
    public static Admin admin(Config config, String clientId, java.time.Duration timeout) {
        Map<String, Object> p = adminProps(config, clientId);
        int millis = (int) Math.max(1, timeout.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        return Admin.create(passThrough(config, p, ClientProperties.Kind.ADMIN));
    }

    private static Map<String, Object> adminProps(Config config, String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(Settings.KAFKA_BOOTSTRAP_SERVERS));
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return p;
    }

    /** askflow's own properties plus the passed-through ones; the latter cannot name a managed key. */
    static Map<String, Object> passThrough(Config config, Map<String, Object> own, ClientProperties.Kind kind) {
        Map<String, Object> all = new HashMap<>(own);
        all.putAll(ClientProperties.of(config, kind));
        return all;
    }
}
