package io.askflow.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.askflow.message.TurnEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TurnTextTest {
    private long seq;

    private TurnEvent event(TurnEvent.Kind kind, int round, TurnEvent.Step step, String text) {
        return new TurnEvent(1, "r-1", "default", "c-1", ++seq, kind, round, 0, step, null, null, text, null,
                Instant.EPOCH);
    }

    private TurnEvent delta(int round, String text) {
        return event(TurnEvent.Kind.DELTA, round, null, text);
    }

    private TurnEvent modelCall(int round) {
        return event(TurnEvent.Kind.PROGRESS, round, TurnEvent.Step.MODEL_CALL, null);
    }

    @Test
    void aRetryDiscardsOnlyTheTextOfTheRoundItRepeats() {
        TurnText t = new TurnText();
        t.accept(modelCall(0));
        t.accept(delta(0, "Let me look. "));
        t.accept(modelCall(1));
        t.accept(delta(1, "It is Tues"));
        t.accept(event(TurnEvent.Kind.RETRY, 1, TurnEvent.Step.MODEL_CALL, null));
        t.accept(modelCall(1));
        t.accept(delta(1, "It is Tuesday."));
        assertThat(t.text()).isEqualTo("Let me look. It is Tuesday.");
    }

    @Test
    void aModelCallStartingAgainWithoutARetryCountsAsOne() {
        TurnText t = new TurnText();
        t.accept(modelCall(0));
        t.accept(delta(0, "half an ans"));
        t.accept(modelCall(0)); // a restarted model-caller repeats the call and cannot say so
        t.accept(delta(0, "a whole answer"));
        assertThat(t.text()).isEqualTo("a whole answer");
    }
}
