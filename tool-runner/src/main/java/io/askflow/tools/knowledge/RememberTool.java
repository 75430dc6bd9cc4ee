package io.askflow.tools.knowledge;

import io.askflow.tools.spi.Tool;
import io.askflow.tools.spi.ToolContext;
import io.askflow.tools.spi.ToolException;
import io.askflow.tools.spi.ToolOutput;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.knowledge.Memory;
import io.askflow.knowledge.MemoryStore;
import io.askflow.message.ToolSpec;
import io.askflow.tool.BuiltinTools;
import java.sql.SQLException;

/**
 * remember: saves a fact for the turn's own tenant and user; who that is comes from the turn, never
 * the arguments. Once per fact and turn, however often the call is delivered (see {@link MemoryStore#add}).
 */
public final class RememberTool implements Tool {
    private final MemoryStore memories;

    public RememberTool(MemoryStore memories) {
        this.memories = memories;
    }

    @Override
    public ToolSpec spec() {
        return BuiltinTools.REMEMBER;
    }

    @Override
    public String permission() {
        return "memory.write";
    }

    @Override
    public ToolOutput run(JsonNode arguments, ToolContext ctx) throws ToolException, SQLException {
        String fact = arguments.path("fact").asText("").strip();
        if (fact.isEmpty()) {
            throw new ToolException("remember: fact must not be empty");
        }
        if (fact.length() > MemoryStore.MAX_CHARS) {
            throw new ToolException("remember: a fact may have at most " + MemoryStore.MAX_CHARS + " characters");
        }
        Memory m = memories.add(ctx.tenantId(), userOf(ctx), ctx.requestId(), fact);
        return ToolOutput.text("Remembered (id " + m.id() + "): " + fact);
    }

    static String userOf(ToolContext ctx) {
        return ctx.userId() == null ? "anonymous" : ctx.userId();
    }
}
