package io.askflow.kafka;

import io.askflow.message.Answer;
import java.util.Map;

/**
 * An answer that a pipeline stage (context-builder, model-caller, tool-runner) publishes for a turn
 * it ran. Only such an answer finishes the turn in the context-builder; the gateway's answers to
 * refused submissions do not carry the header, so no request, however it names ids, can mark
 * another turn done and let its conversation's next turn run beside it.
 */
public final class TurnAnswer {
    private TurnAnswer() {
    }

    public static Outgoing of(Answer answer) {
        return new Outgoing(Topics.ANSWERS.name(), answer.conversationId(), Topics.ANSWERS.encode(answer),
                Map.of(HeaderKeys.TURN_ANSWER, "1"));
    }

    public static boolean isTurnAnswer(Incoming<Answer> in) {
        return in.headers() != null && in.headers().lastHeader(HeaderKeys.TURN_ANSWER) != null;
    }
}
