package io.askflow.openai;

import com.openai.client.OpenAIClient;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Clients that share out many concurrent calls, each with a connection pool of its own ({@link OpenAiClients#pool}). */
public final class OpenAiClientPool implements AutoCloseable {
    private final List<OpenAIClient> clients;
    private final AtomicInteger next = new AtomicInteger();

    OpenAiClientPool(List<OpenAIClient> clients) {
        if (clients.isEmpty()) {
            throw new IllegalArgumentException("a pool needs at least one client");
        }
        this.clients = List.copyOf(clients);
    }

    /** The clients in turn. */
    public OpenAIClient next() {
        return clients.get(Math.floorMod(next.getAndIncrement(), clients.size()));
    }

    public int size() {
        return clients.size();
    }

    @Override
    public void close() {
        clients.forEach(OpenAIClient::close);
    }
}
