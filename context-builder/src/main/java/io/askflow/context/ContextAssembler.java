package io.askflow.context;

import io.askflow.message.AskflowMessage;
import io.askflow.message.ChatMessage;
import io.askflow.message.ModelCall;
import io.askflow.message.ToolSpec;
import io.askflow.message.Turn;
import io.askflow.tool.BuiltinTools;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the model's input for a turn: system instructions with the date line, the conversation's
 * recent history, then the new prompt, and the tools the turn may use.
 */
final class ContextAssembler {
    /** @param tools what this deployment offers (see {@link BuiltinTools#offered}) */
    record Options(String instructions, int historyMessages, ZoneId defaultZone, List<ToolSpec> tools) {
    }

    private final History history;
    private final DateLine dateLine;
    private final Options options;

    ContextAssembler(History history, DateLine dateLine, Options options) {
        this.history = history;
        this.dateLine = dateLine;
        this.options = options;
    }

    ModelCall assemble(Turn turn) throws SQLException {
        history.recordPrompt(turn);
        ZoneId zone = turn.timeZone() != null ? ZoneId.of(turn.timeZone()) : options.defaultZone();
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system(options.instructions() + "\n\n" + dateLine.render(zone)));
        messages.addAll(history.before(turn.tenantId(), turn.conversationId(), turn.requestId(), options.historyMessages()));
        messages.add(ChatMessage.user(turn.prompt()));
        return new ModelCall(AskflowMessage.CURRENT_SCHEMA_VERSION, turn.requestId(), turn.tenantId(),
                turn.conversationId(), turn.userId(), turn.model(), 0, turn.deadline(), messages, options.tools(),
                List.of(), null, turn.metadata());
    }
}
