package io.askflow.tools.knowledge;

import io.askflow.tools.spi.Tool;
import io.askflow.tools.spi.ToolContext;
import io.askflow.tools.spi.ToolException;
import io.askflow.tools.spi.ToolOutput;

import com.fasterxml.jackson.databind.JsonNode;
import io.askflow.knowledge.MemoryStore;
import io.askflow.message.ToolSpec;
import io.askflow.tool.BuiltinTools;
import java.sql.SQLException;

/**
 * forget: deletes one of the turn's own user's memories. A memory id of another user or tenant
 * gets the same answer as an id that never existed, so the tool cannot probe for them.
 */
public final class ForgetTool implements Tool {
    private final MemoryStore memories;

    public ForgetTool(MemoryStore memories) {
        this.memories = memories;
    }

    @Override
    public ToolSpec spec() {
        return BuiltinTools.FORGET;
    }

    @Override
    public String permission() {
        return "memory.write";
    }

    @Override
    public ToolOutput run(JsonNode arguments, ToolContext ctx) throws ToolException, SQLException {
        String id = arguments.path("memory_id").asText("").strip();
        if (memories.delete(ctx.tenantId(), RememberTool.userOf(ctx), id)) {
            return ToolOutput.text("Forgotten: memory " + id);
        }
        throw new ToolException("forget: no remembered fact has the id \"" + id + "\"");
    }
}
