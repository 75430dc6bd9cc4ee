package io.askflow.client;

import io.askflow.message.TurnEvent;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;

/**
 * The text of a turn so far, from its events as {@link AskflowClient#follow} delivers them: the
 * deltas of each round's current attempt, in order. A {@code retry} discards the text of the
 * attempt it repeats, and so does a round's {@code model_call} starting again with no {@code retry}
 * since (a model-caller restarted mid-call cannot know that the call was begun, so it publishes no
 * retry). The committed answer's text is what counts at the end; this is the live view before it.
 *
 * <p>Not thread-safe; a listener's callbacks run one at a time, so one instance per followed turn is
 * enough.
 */
public final class TurnText {
    private final TreeMap<Integer, StringBuilder> rounds = new TreeMap<>();
    private final Set<Integer> callStarted = new HashSet<>();

    /** Takes one event into account; other kinds than delta, retry and model-call progress change nothing. */
    public void accept(TurnEvent event) {
        switch (event.kind()) {
            case DELTA -> rounds.computeIfAbsent(event.round(), r -> new StringBuilder())
                    .append(event.text() == null ? "" : event.text());
            case RETRY -> {
                rounds.remove(event.round());
                callStarted.remove(event.round());
            }
            case PROGRESS -> {
                if (event.step() == TurnEvent.Step.MODEL_CALL && !callStarted.add(event.round())) {
                    rounds.remove(event.round()); // started again without a retry: a restart mid-call
                }
            }
            case ANSWER -> {
            }
        }
    }

    /** The text so far: every round's current attempt, in round order. */
    public String text() {
        StringBuilder all = new StringBuilder();
        rounds.values().forEach(all::append);
        return all.toString();
    }

    @Override
    public String toString() {
        return text();
    }
}
