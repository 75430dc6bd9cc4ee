package io.askflow.context;

import io.askflow.message.ChatMessage;
import io.askflow.message.Usage;
import io.askflow.telemetry.SemConv;
import io.askflow.telemetry.Tracing;
import io.opentelemetry.api.trace.Span;
import java.util.List;

/** Condenses turns that fell out of the token budget into a few sentences the model still sees. */
interface Summarizer {
    /** Starts the summariser's instructions, so logs and test servers can tell its calls apart. */
    String INSTRUCTIONS = "Summarise the earlier part of a conversation between a user and an assistant.";

    /** The summary's text (null when the model wrote none) and what writing it cost, which the turn's answer carries. */
    record Written(String text, Usage usage) {
    }

    /**
     * @param previous the summary of everything before {@code messages}, or null
     * @param maxTokens the summary's token limit
     */
    Written summarize(String model, String previous, List<ChatMessage> messages, int maxTokens);

    /** Each summary as a {@code summarise} span of the turn's trace, naming the model that wrote it. */
    static Summarizer traced(Summarizer summarizer, Tracing tracing) {
        return (model, previous, messages, maxTokens) -> tracing.inSpan("summarise", () -> {
            Span.current().setAttribute(SemConv.GEN_AI_REQUEST_MODEL, model);
            return summarizer.summarize(model, previous, messages, maxTokens);
        });
    }

    /** Summaries switched off. */
    Summarizer NONE = (model, previous, messages, maxTokens) -> new Written(null, Usage.ZERO);
}
