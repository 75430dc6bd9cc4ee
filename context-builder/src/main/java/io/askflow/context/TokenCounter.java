package io.askflow.context;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import io.askflow.message.ChatMessage;
import io.askflow.message.ToolCall;
import java.util.List;
import java.util.Locale;

/**
 * Counts tokens the way the model family does (jtokkit's BPE tables): o200k_base for the gpt-4o,
 * gpt-4.1, gpt-5 and o-series models, cl100k_base for everything else. A count is exact for the
 * text; the per-message framing is OpenAI's documented overhead (3 tokens a message), so the total
 * is what the API will bill, not an estimate from characters.
 */
final class TokenCounter {
    private static final int PER_MESSAGE = 3;
    private static final List<String> O200K_PREFIXES = List.of("gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5",
            "o1", "o3", "o4");

    /** Loading the BPE tables takes a moment and memory: once per process. */
    private static final class Registry {
        static final EncodingRegistry INSTANCE = Encodings.newDefaultEncodingRegistry();
    }

    private final Encoding encoding;

    private TokenCounter(Encoding encoding) {
        this.encoding = encoding;
    }

    static TokenCounter forModel(String model) {
        return new TokenCounter(Registry.INSTANCE.getEncoding(encodingFor(model)));
    }

    static EncodingType encodingFor(String model) {
        String m = model == null ? "" : model.toLowerCase(Locale.ROOT);
        int slash = m.lastIndexOf('/'); // "openai/gpt-4o" on some gateways
        String name = slash >= 0 ? m.substring(slash + 1) : m;
        return O200K_PREFIXES.stream().anyMatch(name::startsWith) ? EncodingType.O200K_BASE : EncodingType.CL100K_BASE;
    }

    String encodingName() {
        return encoding.getName();
    }

    int count(String text) {
        return text == null || text.isEmpty() ? 0 : encoding.countTokensOrdinary(text);
    }

    int count(ChatMessage m) {
        int n = PER_MESSAGE + count(m.content()) + count(m.name());
        for (ToolCall c : m.toolCalls()) {
            n += count(c.name()) + count(c.arguments()) + PER_MESSAGE;
        }
        return n;
    }

    int count(List<ChatMessage> messages) {
        return messages.stream().mapToInt(this::count).sum();
    }
}
