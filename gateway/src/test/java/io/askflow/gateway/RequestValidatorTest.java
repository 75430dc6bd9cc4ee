package io.askflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.knowledge.Tenant;
import io.askflow.knowledge.TenantDirectory;
import io.askflow.message.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {
    private static final Instant NOW = Instant.parse("2026-11-26T08:00:00Z");
    private final RequestValidator validator = new RequestValidator(new RequestValidator.Limits(2_000, 100, Duration.ofMinutes(2)));

    private Verdict validate(String json) {
        return validator.validate(json.getBytes(StandardCharsets.UTF_8), null, NOW);
    }

    @Test
    void acceptsAMinimalRequestAndFillsDefaults() {
        Verdict v = validate("{\"requestId\":\"r1\",\"prompt\":\"hi\",\"unknownField\":1}");
        assertThat(v).isInstanceOf(Verdict.Accepted.class);
        var turn = ((Verdict.Accepted) v).turn();
        assertThat(turn.tenantId()).isEqualTo("default");
        assertThat(turn.userId()).isEqualTo("anonymous");
        assertThat(turn.conversationId()).isNotBlank();
        assertThat(turn.deadline()).isEqualTo(NOW.plus(Duration.ofMinutes(2)));
        assertThat(turn.acceptedAt()).isEqualTo(NOW);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "malformed JSON            | {\"requestId\":\"r1\",                                  | invalid_request | not valid JSON",
        "not an object             | [1,2]                                                  | invalid_request | JSON object",
        "missing prompt            | {\"requestId\":\"r1\"}                                 | invalid_request | prompt is required",
        "blank prompt              | {\"requestId\":\"r1\",\"prompt\":\"  \"}               | invalid_request | prompt is required",
        "missing requestId         | {\"prompt\":\"hi\"}                                    | invalid_request | requestId is required",
        "bad requestId             | {\"requestId\":\"a b\",\"prompt\":\"hi\"}              | invalid_request | requestId must be",
        "object for a string       | {\"requestId\":\"r1\",\"prompt\":{\"x\":1}}            | invalid_request | prompt must be a string",
        "number for a string       | {\"requestId\":\"r1\",\"prompt\":42}                     | invalid_request | prompt must be a string",
        "number for a metadata value | {\"requestId\":\"r1\",\"prompt\":\"hi\",\"metadata\":{\"a\":1}} | invalid_request | metadata.a must be a string",
        "number for a deadline     | {\"requestId\":\"r1\",\"prompt\":\"hi\",\"deadline\":1} | invalid_request | deadline must be an ISO-8601",
        "string for a number       | {\"schemaVersion\":\"1\",\"requestId\":\"r1\",\"prompt\":\"hi\"} | invalid_request | schemaVersion must be an integer",
        "NUL in the prompt         | {\"requestId\":\"r1\",\"prompt\":\"a\\u0000\"}         | invalid_request | prompt contains U+0000",
        "lone surrogate in user id | {\"requestId\":\"r1\",\"prompt\":\"a\",\"userId\":\"\\ud800\"} | invalid_request | userId contains an unpaired surrogate",
        "bad time zone             | {\"requestId\":\"r1\",\"prompt\":\"hi\",\"timeZone\":\"Mars/Base\"} | invalid_request | IANA",
        "past deadline             | {\"requestId\":\"r1\",\"prompt\":\"hi\",\"deadline\":\"2020-01-01T00:00:00Z\"} | invalid_request | already passed",
        "future schema             | {\"schemaVersion\":9,\"requestId\":\"r1\",\"prompt\":\"hi\"} | invalid_request | newer",
        "bad conversation id       | {\"requestId\":\"r1\",\"prompt\":\"hi\",\"conversationId\":\"../x y\"} | invalid_request | conversationId must be",
    })
    void rejectsWithACodeAndAReason(String name, String json, String code, String reason) {
        Verdict v = validate(json);
        assertThat(v).isInstanceOf(Verdict.Rejected.class);
        Verdict.Rejected r = (Verdict.Rejected) v;
        assertThat(r.code().wire()).isEqualTo(code);
        assertThat(r.message()).containsIgnoringCase(reason);
    }

    @Test
    void oversizedPromptIsTooLargeAndKeepsItsIds() {
        Verdict v = validate("{\"requestId\":\"r9\",\"conversationId\":\"c9\",\"prompt\":\"" + "x".repeat(101) + "\"}");
        Verdict.Rejected r = (Verdict.Rejected) v;
        assertThat(r.code()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(r.requestId()).isEqualTo("r9");
        assertThat(r.conversationId()).isEqualTo("c9");
    }

    @Test
    void oversizedRecordIsTooLarge() {
        Verdict v = validate("{\"requestId\":\"r1\",\"prompt\":\"hi\",\"pad\":\"" + "x".repeat(3_000) + "\"}");
        assertThat(((Verdict.Rejected) v).code()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(((Verdict.Rejected) v).requestId()).isEqualTo("r1");
    }

    @Test
    void emptyRecordIsInvalid() {
        assertThat(((Verdict.Rejected) validator.validate(new byte[0], null, NOW)).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(((Verdict.Rejected) validator.validate((byte[]) null, null, NOW)).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    void anHttpCallersRejectionIsLabelledWithItsOwnTenantNeverTheBodys() {
        Verdict v = validator.validate("{\"requestId\":\"r1\",\"tenantId\":\"acme\",\"prompt\":42}".getBytes(StandardCharsets.UTF_8),
                null, NOW, "globex");
        assertThat(((Verdict.Rejected) v).tenantId()).isEqualTo("globex");
    }

    @Test
    void theSameSubmissionHasTheSameFingerprintWhateverTheGatewayFillsIn() {
        String json = "{\"requestId\":\"r1\",\"prompt\":\"hi\",\"metadata\":{\"a\":\"1\",\"b\":\"2\"}}";
        String reordered = "{\"metadata\":{\"b\":\"2\",\"a\":\"1\"},\"prompt\":\"hi\",\"requestId\":\"r1\"}";
        Verdict.Accepted a = (Verdict.Accepted) validate(json);
        Verdict.Accepted b = (Verdict.Accepted) validator.validate(reordered.getBytes(StandardCharsets.UTF_8), null,
                NOW.plusSeconds(5));
        assertThat(a.fingerprint()).isEqualTo(b.fingerprint());
        assertThat(((Verdict.Accepted) validate("{\"requestId\":\"r1\",\"prompt\":\"ho\"}")).fingerprint())
                .isNotEqualTo(a.fingerprint());
    }

    @Test
    void httpFallbackRequestIdIsUsedWhenNoneIsGiven() {
        Verdict v = validator.validate("{\"prompt\":\"hi\"}".getBytes(StandardCharsets.UTF_8), "generated-1", NOW);
        assertThat(((Verdict.Accepted) v).turn().requestId()).isEqualTo("generated-1");
    }

    @Test
    void anAuthenticatedCallerMayNameOnlyItsOwnTenant() {
        byte[] other = "{\"requestId\":\"r1\",\"tenantId\":\"acme\",\"prompt\":\"hi\"}".getBytes(StandardCharsets.UTF_8);
        Verdict.Rejected r = (Verdict.Rejected) validator.validate(other, null, NOW, "globex");
        assertThat(r.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(r.message()).contains("'acme' is not the tenant of this API key");
        Verdict own = validator.validate("{\"requestId\":\"r1\",\"tenantId\":\"globex\",\"prompt\":\"hi\"}"
                .getBytes(StandardCharsets.UTF_8), null, NOW, "globex");
        assertThat(((Verdict.Accepted) own).turn().tenantId()).isEqualTo("globex");
    }

    @Test
    void aKafkaRequestNeedsAConfiguredTenantOrAnAnonymousOne() {
        TenantDirectory tenants = new TenantDirectory(List.of(Tenant.plain("acme")), "");
        RequestValidator strict = new RequestValidator(new RequestValidator.Limits(2_000, 100, Duration.ofMinutes(2)), tenants);
        Verdict.Rejected none = (Verdict.Rejected) strict.validate(bytes("{\"requestId\":\"r1\",\"prompt\":\"hi\"}"), null, NOW);
        assertThat(none.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(none.message()).isEqualTo("tenantId is required");
        Verdict.Rejected unknown = (Verdict.Rejected) strict.validate(
                bytes("{\"requestId\":\"r1\",\"tenantId\":\"globex\",\"prompt\":\"hi\"}"), null, NOW);
        assertThat(unknown.message()).isEqualTo("tenantId 'globex' is not a configured tenant");
        assertThat(((Verdict.Accepted) strict.validate(bytes("{\"requestId\":\"r1\",\"tenantId\":\"acme\",\"prompt\":\"hi\"}"),
                null, NOW)).turn().tenantId()).isEqualTo("acme");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad model          | {\"requestId\":\"r1\",\"prompt\":\"hi\",\"model\":\"a b\"}                       | model must be 1-128",
        "history role       | {\"requestId\":\"r1\",\"prompt\":\"hi\",\"history\":[{\"role\":\"tool\",\"content\":\"x\"}]} | history[0].role must be",
        "history content    | {\"requestId\":\"r1\",\"prompt\":\"hi\",\"history\":[{\"role\":\"user\"}]}        | history[0].content is required",
        "NUL in history     | {\"requestId\":\"r1\",\"prompt\":\"hi\",\"history\":[{\"role\":\"user\",\"content\":\"a\\u0000\"}]} | history[0].content contains U+0000",
        "NUL in a field name | {\"requestId\":\"r1\",\"prompt\":\"hi\",\"metadata\":{\"a\\u0000\":\"v\"}}      | A field name in metadata contains U+0000",
        "array for metadata | {\"requestId\":\"r1\",\"prompt\":\"hi\",\"metadata\":[\"a\"]}                    | metadata must be an object of strings",
        "object for history | {\"requestId\":\"r1\",\"prompt\":\"hi\",\"history\":{\"role\":\"user\"}}          | history must be an array",
        "bad tenant id      | {\"requestId\":\"r1\",\"prompt\":\"hi\",\"tenantId\":\"a b\"}                    | tenantId must be 1-128",
    })
    void rejectsTheRestWithAReasonNamingTheField(String name, String json, String reason) {
        Verdict.Rejected r = (Verdict.Rejected) validate(json);
        assertThat(r.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(r.message()).contains(reason);
    }

    @Test
    void metadataMayHaveThirtyTwoEntriesButNoMore() {
        assertThat(validate(withMetadata(32))).isInstanceOf(Verdict.Accepted.class);
        assertThat(((Verdict.Rejected) validate(withMetadata(33))).message()).contains("at most 32 entries");
    }

    @Test
    void sentHistoryIsPartOfTheTurnAndOfTheFingerprint() {
        Verdict.Accepted with = (Verdict.Accepted) validate(
                "{\"requestId\":\"r1\",\"prompt\":\"hi\",\"history\":[{\"role\":\"assistant\",\"content\":\"earlier\"}]}");
        Verdict.Accepted without = (Verdict.Accepted) validate("{\"requestId\":\"r1\",\"prompt\":\"hi\"}");
        assertThat(with.turn().history()).singleElement().satisfies(m -> assertThat(m.content()).isEqualTo("earlier"));
        assertThat(with.fingerprint()).isNotEqualTo(without.fingerprint());
        Verdict.Accepted otherMetadata = (Verdict.Accepted) validate("{\"requestId\":\"r1\",\"prompt\":\"hi\","
                + "\"metadata\":{\"k\":\"v\"},\"history\":[{\"role\":\"assistant\",\"content\":\"earlier\"}]}");
        assertThat(otherMetadata.fingerprint()).as("history is added to what was submitted, not in place of a part of it")
                .isNotEqualTo(with.fingerprint());
        Verdict.Accepted otherHistory = (Verdict.Accepted) validate(
                "{\"requestId\":\"r1\",\"prompt\":\"hi\",\"history\":[{\"role\":\"assistant\",\"content\":\"later\"}]}");
        assertThat(otherHistory.fingerprint()).isNotEqualTo(with.fingerprint());
    }

    @Test
    void aRequestBuiltInProcessIsValidatedAsOneReadFromTheWire() {
        assertThat(validator.validate(io.askflow.message.PromptRequest.of("r1", "c1", "hi"), null, NOW))
                .isInstanceOfSatisfying(Verdict.Accepted.class, a -> assertThat(a.turn().conversationId()).isEqualTo("c1"));
        assertThat(validator.validate(io.askflow.message.PromptRequest.of("r1", "c1", " "), null, NOW))
                .isInstanceOf(Verdict.Rejected.class);
    }

    @Test
    void anOversizedRecordThatIsNotJsonIsStillTooLargeWithoutIds() {
        Verdict.Rejected r = (Verdict.Rejected) validate("x".repeat(3_000));
        assertThat(r.code()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(r.requestId()).isNull();
        Verdict.Rejected http = (Verdict.Rejected) validator.validate(bytes("x".repeat(3_000)), null, NOW, "globex");
        assertThat(http.tenantId()).isEqualTo("globex");
    }

    private static String withMetadata(int entries) {
        StringBuilder sb = new StringBuilder("{\"requestId\":\"r1\",\"prompt\":\"hi\",\"metadata\":{");
        for (int i = 0; i < entries; i++) {
            sb.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        return sb.append("}}").toString();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
