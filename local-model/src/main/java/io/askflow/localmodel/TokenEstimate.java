package io.askflow.localmodel;

/**
 * Usage numbers are an approximation (one token per four characters, rounded up), not a real
 * tokenizer: askflow only needs plausible, deterministic counts to exercise its usage accounting,
 * and a real tokenizer would mean a large dependency for no behavioural gain.
 */
public final class TokenEstimate {
    private TokenEstimate() {
    }

    public static long of(String text) {
        return text == null || text.isEmpty() ? 0 : (text.length() + 3) / 4;
    }

    public static long prompt(ChatRequest request) {
        long total = 0;
        for (ChatMessage m : request.messages()) {
            total += of(m.content());
            for (ToolCall c : m.toolCalls()) {
                total += of(c.name()) + of(c.arguments());
            }
        }
        return total;
    }

    public static long completion(Reply reply) {
        return switch (reply) {
            case Reply.Text t -> of(t.content());
            case Reply.ToolCalls c -> c.calls().stream().mapToLong(x -> of(x.name()) + of(x.arguments())).sum();
            case Reply.Error e -> 0;
            case Reply.Streamed s -> completion(s.reply());
        };
    }
}
