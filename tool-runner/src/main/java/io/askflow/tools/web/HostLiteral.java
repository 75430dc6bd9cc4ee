package io.askflow.tools.web;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a URL's host the way other software would read it as an IP address. Browsers, curl and
 * {@code inet_aton} accept {@code 2130706433}, {@code 0177.0.0.1}, {@code 0x7f.1} and {@code 127.1}
 * for 127.0.0.1, and the JDK passes most of those to DNS as names. Parsing them here means they are
 * judged (and connected to) as the address they stand for, and never sent to a resolver.
 */
final class HostLiteral {
    /** A last label that is a number makes the whole host an IPv4 address, as in the WHATWG URL standard. */
    private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0x[0-9a-f]*");
    private static final Pattern V6_CHARS = Pattern.compile("[0-9a-f:.]+");

    private HostLiteral() {
    }

    /**
     * @param host as in the URL: IPv6 in brackets or not, possibly with a zone id and trailing dots
     * @return the address the host spells, or empty when it is a name
     * @throws IllegalArgumentException when the host looks like an address but is not a valid one
     */
    static Optional<InetAddress> address(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.indexOf(':') >= 0) {
            return Optional.of(v6(h));
        }
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        String last = h.substring(h.lastIndexOf('.') + 1);
        if (!NUMERIC_LABEL.matcher(last).matches()) {
            return Optional.empty();
        }
        return Optional.of(v4(h));
    }

    private static InetAddress v6(String h) {
        int zone = h.indexOf('%');
        // The zone (scope) picks an interface, not a different address class; the address decides.
        String bare = zone >= 0 ? h.substring(0, zone) : h;
        if (!V6_CHARS.matcher(bare).matches()) {
            throw new IllegalArgumentException("not a valid IPv6 address: " + h);
        }
        try {
            // Brackets make the JDK parse a literal and never fall back to a DNS lookup.
            return InetAddress.getByName("[" + bare + "]");
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a valid IPv6 address: " + h);
        }
    }

    /** inet_aton: one to four parts, each decimal, octal (leading 0) or hex (0x); the last fills the remaining bytes. */
    private static InetAddress v4(String h) {
        String[] parts = h.split("\\.", -1);
        if (parts.length > 4) {
            throw new IllegalArgumentException("not a valid IPv4 address: " + h);
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = number(parts[i], h);
        }
        long address = 0;
        for (int i = 0; i < parts.length - 1; i++) {
            if (values[i] > 255) {
                throw new IllegalArgumentException("not a valid IPv4 address: " + h);
            }
            address |= values[i] << (8 * (3 - i));
        }
        long last = values[parts.length - 1];
        if (last >= 1L << (8 * (5 - parts.length))) {
            throw new IllegalArgumentException("not a valid IPv4 address: " + h);
        }
        address |= last;
        byte[] bytes = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return Inet4Address.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always a valid address
        }
    }

    private static long number(String part, String host) {
        try {
            if (part.startsWith("0x")) {
                return part.length() == 2 ? 0 : parseBounded(part.substring(2), 16);
            }
            if (part.length() > 1 && part.startsWith("0")) {
                return parseBounded(part.substring(1), 8);
            }
            return parseBounded(part, 10);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a valid IPv4 address: " + host);
        }
    }

    private static long parseBounded(String digits, int radix) {
        if (digits.isEmpty() || digits.length() > 12) {
            throw new NumberFormatException(digits);
        }
        return Long.parseLong(digits, radix);
    }
}
