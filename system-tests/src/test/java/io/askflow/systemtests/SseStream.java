package io.askflow.systemtests;

import io.askflow.message.Json;
import io.askflow.message.TurnEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A Server-Sent Events response read frame by frame, as a browser's EventSource would. */
final class SseStream implements AutoCloseable {
    /** One event: its {@code id:}, {@code event:} and the TurnEvent in {@code data:}. */
    record Frame(long id, String event, TurnEvent data) {
    }

    final int status;
    final String contentType;
    private final InputStream body;
    private final BufferedReader reader;
    int comments;

    SseStream(int status, String contentType, InputStream body) {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
        this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    /** The next event, or null at the end of the stream; comment lines and {@code retry:} are skipped. */
    Frame next() throws IOException {
        Long id = null;
        String event = null;
        StringBuilder data = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                if (event != null) {
                    return new Frame(id == null ? -1 : id, event, Json.read(data.toString().getBytes(StandardCharsets.UTF_8),
                            TurnEvent.class));
                }
                continue;
            }
            if (line.startsWith(":")) {
                comments++;
            } else if (line.startsWith("id: ")) {
                id = Long.parseLong(line.substring(4));
            } else if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data.append(line.substring(6));
            }
        }
        return null;
    }

    /** Every event up to the end of the stream. */
    List<Frame> rest() throws IOException {
        List<Frame> frames = new ArrayList<>();
        for (Frame f = next(); f != null; f = next()) {
            frames.add(f);
        }
        return frames;
    }

    String remainingText() throws IOException {
        StringBuilder all = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null) {
            all.append(line).append('\n');
        }
        return all.toString();
    }

    /** Hangs up, as a client going away mid-answer. */
    @Override
    public void close() throws IOException {
        body.close();
    }
}
