package io.askflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.askflow.config.Config;
import io.askflow.config.Settings;
import io.askflow.db.Database;
import io.askflow.db.Jdbc;
import io.askflow.embedded.EmbeddedPostgres;
import io.askflow.kafka.Outgoing;
import io.askflow.kafka.Topics;
import io.askflow.message.Answer;
import io.askflow.message.ErrorCode;
import io.askflow.message.Turn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a submission comes to, on the gateway's real tables in a real PostgreSQL: the outcomes the
 * system tests rely on (exactly one turn per request id, a redelivery republishing the same turn, a
 * duplicate publishing nothing, a reused id refused), asserted on the records Admission returns and
 * the rows it leaves. Fast enough for mutation testing (docs/quality.md).
 */
class AdmissionTest {
    private static final Instant NOW = Instant.parse("2026-12-01T08:00:00Z");
    private static EmbeddedPostgres postgres;
    private static HikariDataSource db;

    private final String run = UUID.randomUUID() + "/";
    private final Admission admission = admissionAt(NOW);

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.start(Files.createTempDirectory("admission-test-pg"));
        db = Database.open(Config.of(Map.of(
                Settings.DATABASE_URL.name(), postgres.endpoint().jdbcUrl(),
                Settings.DATABASE_USER.name(), postgres.endpoint().user(),
                Settings.DATABASE_PASSWORD.name(), postgres.endpoint().password())), "gateway");
    }

    @AfterAll
    static void stop() {
        db.close();
        postgres.close();
    }

    @Test
    void anAcceptedRequestBecomesOneNumberedTurnOfItsConversation() throws Exception {
        String conv = id("conv");
        Admission.Result first = admitKafka(request(id("r"), conv, "first"), src("src-1"), conv);
        Admission.Result second = admitKafka(request(id("r"), conv, "second"), src("src-2"), conv);

        Turn t1 = onlyTurn(first, conv);
        Turn t2 = onlyTurn(second, conv);
        assertThat(first.duplicate()).isFalse();
        assertThat(first.conversationId()).isEqualTo(conv);
        assertThat(t1.prompt()).isEqualTo("first");
        assertThat(t1.sequence()).isEqualTo(1);
        assertThat(t2.sequence()).isEqualTo(2);
        assertThat(((Verdict.Accepted) second.verdict()).turn()).isEqualTo(t2);
    }

    @Test
    void aRedeliveryRepublishesTheSameTurnWithoutValidatingAgain() throws Exception {
        String conv = id("conv");
        String rid = id("r");
        String body = "{\"requestId\":\"" + rid + "\",\"conversationId\":\"" + conv + "\",\"prompt\":\"hi\","
                + "\"deadline\":\"" + NOW.plusSeconds(30) + "\"}";
        String source = id("requests-0@");
        Turn claimed = onlyTurn(admitKafka(body, source, conv), conv);

        // An hour later the deadline has passed: validated anew, the request would be refused.
        Admission.Result again = admissionAt(NOW.plus(Duration.ofHours(1)))
                .admit(body.getBytes(StandardCharsets.UTF_8), null, source, conv);
        assertThat(onlyTurn(again, conv)).isEqualTo(claimed);
        assertThat(again.duplicate()).isFalse();
    }

    @Test
    void theSameRequestFromAnotherSourceIsADuplicateThatPublishesNothing() throws Exception {
        String conv = id("conv");
        String body = request(id("r"), conv, "same");
        admitKafka(body, src("src-a"), conv);
        Admission.Result dup = admitKafka(body, src("src-b"), "another-key");

        assertThat(dup.duplicate()).isTrue();
        assertThat(dup.records()).isEmpty();
        assertThat(dup.conversationId()).isEqualTo(conv);
        assertThat(rows("SELECT count(*) FROM gateway_submissions WHERE conversation_id = ?", conv)).isEqualTo(1);
    }

    @Test
    void aTakenIdWithOtherContentIsRefusedWithDuplicateRequestAndTheEarlierTurnStands() throws Exception {
        String conv = id("conv");
        String rid = id("r");
        Turn earlier = onlyTurn(admitKafka(request(rid, conv, "one"), src("src-a"), conv), conv);
        Admission.Result reused = admitKafka(request(rid, conv, "two"), src("src-b"), "the-key");

        Answer refusal = onlyAnswer(reused, "the-key");
        assertThat(refusal.error().code()).isEqualTo(ErrorCode.DUPLICATE_REQUEST);
        assertThat(refusal.requestId()).isEqualTo(rid);
        assertThat(reused.verdict()).isInstanceOf(Verdict.Rejected.class);
        assertThat(reused.duplicate()).isFalse();
        assertThat(admission.onFailure(request(rid, conv, "one").getBytes(StandardCharsets.UTF_8), src("src-a"), conv))
                .singleElement().satisfies(o -> assertThat(Topics.TURNS.decode(o.value())).isEqualTo(earlier));
    }

    @Test
    void aRejectionIsAnAnswerKeyedByItsConversationOrElseByTheRecordKey() throws Exception {
        Answer byKey = onlyAnswer(admitKafka("{\"prompt\":", src("src-x"), "record-key"), "record-key");
        assertThat(byKey.error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(byKey.createdAt()).isEqualTo(NOW);

        String conv = id("conv");
        Answer byConversation = onlyAnswer(admitKafka("{\"requestId\":\"" + id("r") + "\",\"conversationId\":\""
                + conv + "\"}", src("src-y"), "record-key"), conv);
        assertThat(byConversation.error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(byConversation.conversationId()).isEqualTo(conv);
        assertThat(rows("SELECT count(*) FROM gateway_submissions WHERE conversation_id = ?", conv)).isZero();
    }

    @Test
    void aFailedAdmissionOfAnUnclaimedRequestIsAnsweredWithInternalUnderItsOwnIds() throws Exception {
        String conv = id("conv");
        String rid = id("r");
        List<Outgoing> out = admission.onFailure(request(rid, conv, "hi").getBytes(StandardCharsets.UTF_8),
                src("src-never-claimed"), "record-key");
        assertThat(out).singleElement().satisfies(o -> {
            assertThat(o.topic()).isEqualTo(Topics.ANSWERS.name());
            assertThat(o.key()).isEqualTo("record-key");
            Answer a = Topics.ANSWERS.decode(o.value());
            assertThat(a.error().code()).isEqualTo(ErrorCode.INTERNAL);
            assertThat(a.requestId()).isEqualTo(rid);
        });
    }

    @Test
    void anHttpSubmissionIsTheCallersTenantsAndWaitsInTheOutboxUntilPublished() throws Exception {
        String conv = id("conv");
        String rid = id("r");
        Admission.Result r = admission.admitFor("acme", request(rid, conv, "hi").getBytes(StandardCharsets.UTF_8),
                null, "http:" + rid);
        Turn turn = onlyTurn(r, conv);
        assertThat(turn.tenantId()).isEqualTo("acme");
        String pending = "SELECT count(*) FROM gateway_submissions WHERE request_id = ? AND pending_turn IS NOT NULL";
        assertThat(rows(pending, rid)).isEqualTo(1);
        admission.published(List.of(turn));
        assertThat(rows(pending, rid)).isZero();

        Admission.Result kafka = admitKafka(request(rid, conv, "hi"), "kafka:" + rid, conv);
        assertThat(onlyTurn(kafka, conv).tenantId()).as("the same id in another tenant is another request")
                .isEqualTo("default");
        assertThat(rows("SELECT count(*) FROM gateway_submissions WHERE request_id = ? AND pending_turn IS NOT NULL",
                rid)).as("a Kafka submission is republished by Kafka, not by the outbox").isZero();
    }

    private Admission.Result admitKafka(String body, String source, String key) throws Exception {
        return admission.admit(body.getBytes(StandardCharsets.UTF_8), null, source, key);
    }

    private static Turn onlyTurn(Admission.Result r, String conv) {
        assertThat(r.verdict()).isInstanceOf(Verdict.Accepted.class);
        assertThat(r.records()).hasSize(1);
        Outgoing o = r.records().get(0);
        assertThat(o.topic()).isEqualTo(Topics.TURNS.name());
        assertThat(o.key()).isEqualTo(conv);
        return Topics.TURNS.decode(o.value());
    }

    private static Answer onlyAnswer(Admission.Result r, String key) {
        assertThat(r.records()).hasSize(1);
        Outgoing o = r.records().get(0);
        assertThat(o.topic()).isEqualTo(Topics.ANSWERS.name());
        assertThat(o.key()).isEqualTo(key);
        return Topics.ANSWERS.decode(o.value());
    }

    private static String request(String rid, String conv, String prompt) {
        return "{\"requestId\":\"" + rid + "\",\"conversationId\":\"" + conv + "\",\"prompt\":\"" + prompt + "\"}";
    }

    /** Sources are unique in Kafka (topic, partition, offset): each test has its own. */
    private String src(String name) {
        return run + name;
    }

    private static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    private static long rows(String sql, String arg) throws Exception {
        return Jdbc.queryFirst(db, sql, rs -> rs.getLong(1), arg).orElseThrow();
        }

    /** Admission on the shared tables, as a gateway whose clock reads {@code now}. */
    private static Admission admissionAt(Instant now) {
        return new Admission(new RequestValidator(new RequestValidator.Limits(2_000, 100, Duration.ofMinutes(2))),
                new Submissions(db), Clock.fixed(now, ZoneOffset.UTC), new InteractiveLoad(db));
    }
}
