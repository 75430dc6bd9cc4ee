package io.askflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.message.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
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
}
