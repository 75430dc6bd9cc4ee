package io.askflow.context;

import io.askflow.message.AskflowMessage;
import io.askflow.message.ChatMessage;
import io.askflow.message.ModelCall;
import io.askflow.message.Turn;
import io.askflow.tool.BuiltinTools;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the model's input for a turn, in this order: the system message (instructions, the date
 * line, memories, and the summary of older turns), the conversation's history that fits the token
 * budget, then the new prompt; and the tools the turn may use.
 *
 * <p>The budget is counted with the model family's tokenizer. The system message and the prompt
 * are always sent; history fills what is left, newest first. When older turns do not fit and
 * summaries are on, part of the room is reserved for their summary, which is stored and reused.
 */
final class ContextAssembler {
    /**
     * @param historyMessages most rows of history read per turn (the budget decides how many are sent)
     * @param tokenBudget tokens for all messages of a model call
     * @param summaryMaxTokens room reserved for the summary when older turns are dropped; 0 disables summaries
     * @param summaryModel the model that summarises; null for the turn's model
     */
    record Options(String instructions, int historyMessages, ZoneId defaultZone, int tokenBudget, int summaryMaxTokens,
            String defaultModel, String summaryModel) {
    }

    private final History history;
    private final Summaries summaries;
    private final DateLine dateLine;
    private final Options options;

    ContextAssembler(History history, Summaries summaries, DateLine dateLine, Options options) {
        this.history = history;
        this.summaries = summaries;
        this.dateLine = dateLine;
        this.options = options;
    }

    ModelCall assemble(Turn turn) throws SQLException {
        history.recordPrompt(turn);
        String model = turn.model() != null ? turn.model() : options.defaultModel();
        TokenCounter counter = TokenCounter.forModel(model);
        ZoneId zone = turn.timeZone() != null ? ZoneId.of(turn.timeZone()) : options.defaultZone();
        SystemPrompt system = new SystemPrompt(options.instructions(), null, dateLine.render(zone), List.of(), null);
        ChatMessage prompt = ChatMessage.user(turn.prompt());

        int room = Math.max(0, options.tokenBudget() - counter.count(ChatMessage.system(system.render()))
                - counter.count(prompt));
        List<History.Stored> loaded = history.before(turn.tenantId(), turn.conversationId(), turn.requestId(),
                options.historyMessages());
        HistoryWindow.Split split = HistoryWindow.fit(loaded, room, counter);
        if (!split.dropped().isEmpty() && options.summaryMaxTokens() > 0) {
            int reserve = Math.min(options.summaryMaxTokens(), room / 3);
            split = HistoryWindow.fit(loaded, room - reserve, counter);
            long through = split.kept().isEmpty() ? loaded.getLast().id() : split.kept().getFirst().id() - 1;
            String summaryModel = options.summaryModel() != null ? options.summaryModel() : model;
            system = system.withSummary(summaries.covering(turn.tenantId(), turn.conversationId(), through, summaryModel,
                    reserve, counter).orElse(null));
        }

        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system(system.render()));
        split.kept().forEach(s -> messages.add(s.message()));
        messages.add(prompt);
        HistoryWindow.assertToolCallsAnswered(messages);
        return new ModelCall(AskflowMessage.CURRENT_SCHEMA_VERSION, turn.requestId(), turn.tenantId(),
                turn.conversationId(), turn.userId(), turn.model(), 0, turn.deadline(), messages, BuiltinTools.all(),
                List.of(), null, turn.metadata(), turn.jobId(), turn.responseFormat());
    }
}
