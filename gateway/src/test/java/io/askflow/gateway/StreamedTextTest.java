package io.askflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.message.ErrorCode;
import org.junit.jupiter.api.Test;

/** What a chat-completions stream sends of a turn's deltas, and the OpenAI error each askflow code becomes. */
class StreamedTextTest {

    @Test
    void deltasAreForwardedAndTheCommittedAnswerAddsWhatTheyMissed() {
        StreamedText t = new StreamedText();
        assertThat(t.delta(0, "It is ")).isEqualTo("It is ");
        assertThat(t.delta(0, "noon")).isEqualTo("noon");
        assertThat(t.rest("It is noon.")).isEqualTo(".");
        assertThat(t.rest("It is noon.")).as("nothing twice").isEmpty();
    }

    @Test
    void aRepeatedModelCallSendsOnlyWhatGoesBeyondItsRound() {
        StreamedText t = new StreamedText();
        t.delta(1, "The door ");
        t.retry(1);
        assertThat(t.delta(1, "The ")).as("replaying what was sent").isEmpty();
        assertThat(t.delta(1, "door is green")).isEqualTo("is green");
        assertThat(t.rest("The door is green")).isEmpty();
    }

    @Test
    void aRepeatedCallThatSaysSomethingElseIsNotSpliced() {
        StreamedText t = new StreamedText();
        t.delta(0, "Yes, ");
        t.retry(0);
        assertThat(t.delta(0, "No, it is not")).isEmpty();
        assertThat(t.rest("No, it is not")).as("the sent text does not begin the answer: askflow.text has it").isEmpty();
    }

    @Test
    void everyCodeHasAnOpenAiStatusAndRefusalsAreClientErrors() {
        for (ErrorCode code : ErrorCode.values()) {
            OpenAiError e = OpenAiError.of(code, "why", null);
            assertThat(e.status()).as(code.wire()).isIn(400, 401, 409, 429, 500, 503, 504);
            if (code.refusesSubmission()) {
                assertThat(e.status()).as(code.wire()).isBetween(400, 499);
            }
            assertThat(e.code()).isEqualTo(code == ErrorCode.UNAUTHORIZED ? "invalid_api_key" : code.wire());
            assertThat(e.body().path("error").fieldNames()).toIterable()
                    .containsExactly("message", "type", "param", "code");
        }
        assertThat(OpenAiError.of(ErrorCode.RATE_LIMITED, "slow down", null).status()).isEqualTo(429);
        assertThat(OpenAiError.of(ErrorCode.DEADLINE_EXCEEDED, "late", null).status()).isEqualTo(504);
    }
}
