package io.askflow.gateway;

import com.zaxxer.hikari.HikariDataSource;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.db.Database;
import io.askflow.kafka.KafkaClients;
import io.askflow.kafka.Outgoing;
import io.askflow.kafka.Route;
import io.askflow.kafka.Runner;
import io.askflow.kafka.TopicInitializer;
import io.askflow.kafka.Topics;
import io.askflow.knowledge.DocumentStore;
import io.askflow.knowledge.KnowledgeSchema;
import io.askflow.knowledge.MemoryStore;
import io.askflow.knowledge.Tenant;
import io.askflow.knowledge.TenantDirectory;
import io.askflow.knowledge.UsageLedger;
import io.askflow.knowledge.UserProfiles;
import io.askflow.monitoring.Monitoring;
import io.askflow.service.Startup;
import io.askflow.telemetry.Telemetry;
import io.askflow.telemetry.Tracing;
import io.askflow.usage.PriceTable;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The gateway, wired: it admits requests from {@code askflow.requests} and HTTP, and records
 * answers so the HTTP API can serve them. Two consumer groups, because every answer must reach the
 * answer book while requests are shared out among instances.
 */
public final class GatewayService implements AutoCloseable {
    public static final String GROUP = "askflow-gateway";
    public static final String ANSWERS_GROUP = "askflow-gateway-answers";
    /** An HTTP or job turn not confirmed as published within this time is published by the outbox. */
    static final Duration OUTBOX_AGE = Duration.ofSeconds(10);

    private final HikariDataSource db;
    private final KafkaProducer<String, byte[]> producer;
    private final Runner requests;
    private final Runner answerFeed;
    private final HttpApi http;
    private final TurnOutbox outbox;
    private final JobRelease release;
    private final TurnEvents turnEvents;

    private GatewayService(Config config, Clock clock, Monitoring monitoring, Telemetry telemetry) throws IOException {
        TopicInitializer.ensureTopics(config);
        Tracing tracing = telemetry.tracing(GROUP);
        try (Startup.Parts parts = new Startup.Parts()) {
            db = parts.add(monitoring.database(Database.open(config, "gateway", ds -> Database.migrate(ds, "gateway"),
                    KnowledgeSchema::migrate)));
            TenantDirectory tenants = TenantDirectory.from(config);
            DocumentStore documents = new DocumentStore(db);
            DocumentIntake intake = new DocumentIntake(documents, config.get(Settings.MAX_DOCUMENT_BYTES));
            producer = parts.add(monitoring.kafka(KafkaClients.producer(config, "gateway"), "gateway"));
            Publishing publishing = new Publishing(producer, tracing);
            Submissions submissions = new Submissions(db);
            AnswerBook answers = new AnswerBook(db);
            RequestValidator validator = new RequestValidator(new RequestValidator.Limits(
                    config.get(Settings.MAX_REQUEST_BYTES), config.get(Settings.MAX_PROMPT_CHARS),
                    config.get(Settings.DEFAULT_DEADLINE)), tenants);
            InteractiveLoad load = new InteractiveLoad(db);
            Admission admission = new Admission(validator, submissions, clock, load);
            Jobs jobs = new Jobs(db, clock);
            release = parts.add(new JobRelease(db, submissions, publishing, clock, config.get(Settings.JOB_WINDOW),
                    config.get(Settings.JOB_WINDOW_INTERACTIVE), load, config.get(Settings.DEFAULT_DEADLINE)).start());

            requests = parts.add(KafkaClients.exactlyOnceRunner(config, GROUP,
                    // Key-ordered: a conversation's requests are numbered in the order they were produced.
                    List.of(Route.of(Topics.REQUESTS,
                            in -> admission.admit(in.value(), null, in.coordinates(), in.key()).records(),
                            (in, error) -> admission.onFailure(in.value(), in.coordinates(), in.key())).keyOrdered(),
                            Route.of(Topics.DOCUMENTS, in -> {
                                intake.add(in.value(), tenants.anonymous().map(Tenant::id).orElse(null));
                                return List.of();
                            })), monitoring).tracedBy(tracing).start());
            TurnMetrics turns = new TurnMetrics(monitoring.registry(), submissions);
            answerFeed = parts.add(KafkaClients.exactlyOnceRunner(config, ANSWERS_GROUP,
                    List.of(Route.of(Topics.ANSWERS, in -> {
                        answers.record(in.value());
                        List<Outgoing> events = jobs.record(in.value())
                                .map(e -> List.of(Outgoing.to(Topics.JOB_EVENTS, e.jobId(), e))).orElse(List.of());
                        if (!events.isEmpty()) {
                            release.nudge(); // the job's window has room again
                        }
                        turns.answered(in.value()); // last: a transient failure before it repeats the handler
                        return events;
                    })), monitoring).tracedBy(tracing).start());
            turnEvents = parts.add(new TurnEvents(KafkaClients.uncommittedReader(config, "gateway-turn-events"), answers,
                    new TurnEvents.Limits(config.get(Settings.TURN_EVENTS_KEEP), config.get(Settings.TURN_EVENTS_MAX_TURNS),
                            config.get(Settings.TURN_EVENTS_MAX_PER_TURN)), clock).start());
            outbox = parts.add(new TurnOutbox(submissions, publishing, OUTBOX_AGE, Duration.ofSeconds(2)).start());
            Authenticator authenticator = new Authenticator(tenants);
            List<String> models = config.get(Settings.MODELS).isEmpty() ? List.of(config.get(Settings.DEFAULT_MODEL))
                    : config.get(Settings.MODELS);
            http = new HttpApi(config.get(Settings.HTTP_PORT), authenticator, admission, answers, submissions,
                    publishing, config.get(Settings.MAX_REQUEST_BYTES), List.of(
                            new ChatCompletionsApi(authenticator, new HttpSubmitter(admission, publishing), answers,
                                    config.get(Settings.MAX_REQUEST_BYTES), models, clock, turnEvents,
                                    config.get(Settings.SSE_HEARTBEAT)),
                            new Console(),
                            new UserDataApi(new MemoryStore(db), new UserProfiles(db), documents, intake),
                            new JobsApi(jobs, documents, submissions, release, publishing, clock, new JobsApi.Limits(
                                    config.get(Settings.JOB_DOCUMENT_MAX_CHARS), config.get(Settings.DEFAULT_DEADLINE),
                                    config.get(Settings.MAX_REQUEST_BYTES))),
                            new DeletionApi(db, new MemoryStore(db), documents, new UserProfiles(db), publishing, clock),
                            new UsageApi(new UsageLedger(db), PriceTable.from(config))),
                    new EventStream(turnEvents, config.get(Settings.SSE_HEARTBEAT)), tracing);
            parts.keep();
        }
    }

    public static GatewayService start(Config config, Clock clock) throws IOException {
        return new GatewayService(config, clock, Monitoring.none(), Telemetry.disabled());
    }

    /** Reporting into the process's registry: one process, one /metrics. */
    public static GatewayService start(Config config, Clock clock, Monitoring monitoring) throws IOException {
        return new GatewayService(config, clock, monitoring, Telemetry.disabled());
    }

    /** Traced with the process's telemetry, as service {@link #GROUP}. */
    public static GatewayService start(Config config, Clock clock, Telemetry telemetry) throws IOException {
        return new GatewayService(config, clock, Monitoring.none(), telemetry);
    }

    public static GatewayService start(Config config, Clock clock, Monitoring monitoring, Telemetry telemetry) throws IOException {
        return new GatewayService(config, clock, monitoring, telemetry);
    }

    /** Every turn's events as they happen, for streaming front ends on this instance. */
    public TurnEvents turnEvents() {
        return turnEvents;
    }

    public int httpPort() {
        return http.port();
    }

    @Override
    public void close() {
        http.close();
        turnEvents.close();
        outbox.close();
        release.close();
        requests.close();
        answerFeed.close();
        producer.close(KafkaClients.CLOSE_TIMEOUT);
        db.close();
    }
}
