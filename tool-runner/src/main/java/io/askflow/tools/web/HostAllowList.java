package io.askflow.tools.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The operator's exceptions to {@link AddressPolicy}: {@code host:port} entries, or a bare
 * {@code host} for any port, that fetch_url may reach although they resolve to non-public
 * addresses (an intranet wiki, or a local fixture in tests). Hosts are compared as written in the
 * URL, so allowing {@code localhost:8080} does not allow {@code 127.0.0.1:8080}.
 */
public final class HostAllowList {
    private static final int ANY_PORT = -1;

    private record Entry(String host, int port) {
    }

    private final List<Entry> entries;

    private HostAllowList(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static HostAllowList none() {
        return new HostAllowList(List.of());
    }

    /** @throws IllegalArgumentException on an entry that is not {@code host}, {@code host:port} or {@code [v6]:port} */
    public static HostAllowList parse(List<String> raw) {
        List<Entry> entries = new ArrayList<>();
        for (String r : raw) {
            String e = r.trim().toLowerCase(Locale.ROOT);
            if (e.isEmpty()) {
                continue;
            }
            String host = e;
            int port = ANY_PORT;
            if (e.startsWith("[")) {
                int close = e.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("Bad fetch allow-list entry '" + r + "'");
                }
                host = e.substring(1, close);
                String rest = e.substring(close + 1);
                if (!rest.isEmpty()) {
                    port = port(rest.startsWith(":") ? rest.substring(1) : rest, r);
                }
            } else if (e.indexOf(':') >= 0 && e.indexOf(':') == e.lastIndexOf(':')) {
                host = e.substring(0, e.indexOf(':'));
                port = port(e.substring(e.indexOf(':') + 1), r);
            } // more than one colon and no brackets: a bare IPv6 address, any port
            entries.add(new Entry(host, port));
        }
        return new HostAllowList(entries);
    }

    /** @param host as in the URL, IPv6 brackets optional; @param port the effective port (default filled in) */
    boolean permits(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        for (Entry e : entries) {
            if (e.host.equals(h) && (e.port == ANY_PORT || e.port == port)) {
                return true;
            }
        }
        return false;
    }

    private static int port(String text, String entry) {
        try {
            int p = Integer.parseInt(text);
            if (p < 1 || p > 65_535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Bad port in fetch allow-list entry '" + entry + "'");
        }
    }
}
