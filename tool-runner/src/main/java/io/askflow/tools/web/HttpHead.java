package io.askflow.tools.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The status line and header fields of an HTTP/1.1 response, read with hard limits because the
 * server is whoever the model pointed us at.
 *
 * @param headers field names in lower case, values in arrival order
 */
record HttpHead(int status, Map<String, List<String>> headers) {
    private static final int MAX_LINE = 16 * 1024;
    private static final int MAX_FIELDS = 200;

    HttpHead {
        headers = Map.copyOf(headers);
    }

    Optional<String> first(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    /** All values of a comma-separated field such as Transfer-Encoding, lower case, in order. */
    List<String> tokens(String name) {
        List<String> tokens = new ArrayList<>();
        for (String v : headers.getOrDefault(name, List.of())) {
            for (String t : v.split(",")) {
                if (!t.isBlank()) {
                    tokens.add(t.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        return tokens;
    }

    /** Reads a response head, skipping interim 1xx responses. */
    static HttpHead read(InputStream in) throws IOException {
        while (true) {
            HttpHead head = readOne(in);
            if (head.status() >= 200 || head.status() == 101) {
                return head;
            }
        }
    }

    private static HttpHead readOne(InputStream in) throws IOException {
        String statusLine = readLine(in, MAX_LINE);
        if (statusLine == null) {
            throw new IOException("the server closed the connection without a response");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || parts[1].length() != 3) {
            throw new IOException("not an HTTP/1.x response");
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP/1.x response");
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 0;; i++) {
            String line = readLine(in, MAX_LINE);
            if (line == null) {
                throw new IOException("the server closed the connection inside the response head");
            }
            if (line.isEmpty()) {
                break;
            }
            if (i >= MAX_FIELDS) {
                throw new IOException("more than " + MAX_FIELDS + " header fields");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue; // not a field; ignoring it is what lenient clients do
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(line.substring(colon + 1).trim());
        }
        headers.replaceAll((k, v) -> List.copyOf(v));
        return new HttpHead(status, headers);
    }

    /** One line without its CRLF (a bare LF is accepted); null at the end of the stream before any byte. */
    static String readLine(InputStream in, int max) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            if (line.size() >= max) {
                throw new IOException("a response line is longer than " + max + " bytes");
            }
            line.write(b);
        }
    }
}
