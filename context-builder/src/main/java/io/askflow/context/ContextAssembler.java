package io.askflow.context;

import io.askflow.knowledge.Memory;
import io.askflow.knowledge.MemoryStore;
import io.askflow.knowledge.Tenant;
import io.askflow.knowledge.TenantDirectory;
import io.askflow.knowledge.UserProfiles;
import io.askflow.message.AskflowMessage;
import io.askflow.message.ChatMessage;
import io.askflow.message.ModelCall;
import io.askflow.message.ToolSpec;
import io.askflow.message.Turn;
import io.askflow.message.Usage;
import io.askflow.tool.BuiltinTools;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the model's input for a turn, in this order: the system message (instructions, the date
 * line, memories, and the summary of older turns), the conversation's history that fits the token
 * budget, then the new prompt; and the tools the turn may use.
 *
 * <p>The budget is counted with the model family's tokenizer. The system message and the prompt
 * are always sent; history fills what is left, newest first. When older turns do not fit and
 * summaries are on, part of the room is reserved for their summary, which is stored and reused.
 *
 * <p>The tenant decides the instructions, safety rules, default model, budget and tools; the date
 * line uses the request's time zone, else the user's profile's, else the default.
 */
final class ContextAssembler {
    /**
     * @param historyMessages most rows of history read per turn (the budget decides how many are sent)
     * @param tokenBudget tokens for all messages of a model call
     * @param summaryMaxTokens room reserved for the summary when older turns are dropped; 0 disables summaries
     * @param summaryModel the model that summarises; null for the turn's model
     * @param memoryTokens most tokens of remembered facts
     * @param tools what this deployment offers (see {@link BuiltinTools#offered}); a tenant narrows it
     */
    record Options(String instructions, int historyMessages, ZoneId defaultZone, int tokenBudget, int summaryMaxTokens,
            String defaultModel, String summaryModel, int memoryTokens, List<ToolSpec> tools) {
    }

    /** Where the tenant's policy and the user's profile and memories come from. */
    record Sources(TenantDirectory tenants, UserProfiles profiles, MemoryStore memories) {
    }

    private static final int MOST_MEMORIES_READ = 100;

    private final History history;
    private final Summaries summaries;
    private final DateLine dateLine;
    private final Options options;
    private final Sources sources;

    ContextAssembler(History history, Summaries summaries, DateLine dateLine, Options options, Sources sources) {
        this.sources = sources;
        this.history = history;
        this.summaries = summaries;
        this.dateLine = dateLine;
        this.options = options;
    }

    ModelCall assemble(Turn turn) throws SQLException {
        Tenant tenant = sources.tenants().policy(turn.tenantId());
        String requestedModel = turn.model() != null ? turn.model() : tenant.defaultModel();
        String model = requestedModel != null ? requestedModel : options.defaultModel();
        TokenCounter counter = TokenCounter.forModel(model);
        SystemPrompt system = new SystemPrompt(
                tenant.instructions() != null ? tenant.instructions() : options.instructions(), tenant.safetyRules(),
                dateLine.render(zone(turn)), memories(turn, counter), null);
        ChatMessage prompt = ChatMessage.user(turn.prompt());
        int budget = tenant.tokenBudget() != null ? tenant.tokenBudget() : options.tokenBudget();

        int room = Math.max(0, budget - counter.count(ChatMessage.system(system.render()))
                - counter.count(prompt));
        boolean supplied = turn.history() != null;
        List<History.Stored> loaded = supplied ? supplied(turn)
                : history.before(turn.tenantId(), turn.conversationId(), turn.requestId(), options.historyMessages());
        HistoryWindow.Split split = HistoryWindow.fit(loaded, room, counter);
        Usage spent = Usage.ZERO; // the summary's call, which the turn's answer accounts for
        // Supplied history is the caller's and is not stored, so no stored summary can stand for its dropped part.
        if (!split.dropped().isEmpty() && options.summaryMaxTokens() > 0 && !supplied) {
            int reserve = Math.min(options.summaryMaxTokens(), room / 3);
            split = HistoryWindow.fit(loaded, room - reserve, counter);
            long through = split.kept().isEmpty() ? loaded.getLast().id() : split.kept().getFirst().id() - 1;
            String summaryModel = options.summaryModel() != null ? options.summaryModel() : model;
            Summaries.Covering summary = summaries.covering(turn.tenantId(), turn.conversationId(), through,
                    summaryModel, reserve, counter);
            system = system.withSummary(summary.text());
            spent = summary.usage();
        }

        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system(system.render()));
        split.kept().forEach(s -> messages.add(s.message()));
        messages.add(prompt);
        HistoryWindow.assertToolCallsAnswered(messages);
        return ModelCall.builder()
                .envelope(turn.envelope().toBuilder().schemaVersion(AskflowMessage.CURRENT_SCHEMA_VERSION).build())
                .model(requestedModel).messages(messages).tools(tools(tenant)).metadata(turn.metadata())
                .responseFormat(turn.responseFormat()).usage(spent).build();
    }

    /** The history the request brought, numbered in its order like stored rows (the numbers are never stored). */
    private static List<History.Stored> supplied(Turn turn) {
        List<History.Stored> rows = new ArrayList<>();
        for (int i = 0; i < turn.history().size(); i++) {
            rows.add(new History.Stored(i + 1, turn.history().get(i).toChatMessage()));
        }
        return rows;
    }

    private ZoneId zone(Turn turn) throws SQLException {
        if (turn.timeZone() != null) {
            return ZoneId.of(turn.timeZone()); // validated by the gateway
        }
        Optional<String> profile = sources.profiles().timeZone(turn.tenantId(), turn.userId());
        if (profile.isPresent()) {
            try {
                return ZoneId.of(profile.get());
            } catch (DateTimeException e) {
                // a zone the JDK no longer knows: fall back rather than fail the turn
            }
        }
        return options.defaultZone();
    }

    /** Newest first while they fit the memory budget, each with the id the forget tool takes. */
    private List<String> memories(Turn turn, TokenCounter counter) throws SQLException {
        List<String> lines = new ArrayList<>();
        int used = 0;
        for (Memory m : sources.memories().list(turn.tenantId(), turn.userId(), MOST_MEMORIES_READ)) {
            String line = "- [" + m.id() + "] " + m.text();
            int cost = counter.count(line) + 1;
            if (used + cost > options.memoryTokens()) {
                break;
            }
            used += cost;
            lines.add(line);
        }
        return lines;
    }

    private List<ToolSpec> tools(Tenant tenant) {
        return options.tools().stream().filter(t -> tenant.mayUse(t.name())).toList();
    }
}
