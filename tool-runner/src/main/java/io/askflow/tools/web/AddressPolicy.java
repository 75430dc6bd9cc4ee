package io.askflow.tools.web;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which addresses fetch_url may never reach: anything that is not a public unicast address. A
 * model can be talked into fetching any URL by the pages it reads, so without this rule it would
 * be a proxy into the operator's network and the cloud metadata service.
 *
 * <p>Addresses that embed an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are judged
 * by the embedded address, because that is where a packet to them ends up.
 */
final class AddressPolicy {
    /** Host names that reach the cloud metadata service without any address in the URL. */
    private static final Set<String> METADATA_HOSTS = Set.of("metadata", "metadata.google.internal",
            "metadata.goog", "metadata.azure.com", "instance-data", "instance-data.ec2.internal");

    private record Block(byte[] prefix, int bits, String reason) {
        boolean contains(byte[] address) {
            if (address.length != prefix.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (prefix[full] & mask);
        }
    }

    // Order matters where blocks nest: the more specific reason comes first.
    private static final List<Block> V4 = List.of(
            block("0.0.0.0", 8, "a local (this-network) address"),
            block("10.0.0.0", 8, "private"),
            block("100.64.0.0", 10, "shared carrier-grade NAT space"),
            block("127.0.0.0", 8, "loopback"),
            block("169.254.169.254", 32, "the cloud metadata service"),
            block("169.254.0.0", 16, "link-local"),
            block("172.16.0.0", 12, "private"),
            block("192.0.0.0", 24, "reserved for protocol assignments"),
            block("192.0.2.0", 24, "reserved for documentation"),
            block("192.88.99.0", 24, "a deprecated 6to4 relay"),
            block("192.168.0.0", 16, "private"),
            block("198.18.0.0", 15, "reserved for benchmarking"),
            block("198.51.100.0", 24, "reserved for documentation"),
            block("203.0.113.0", 24, "reserved for documentation"),
            block("224.0.0.0", 4, "multicast"),
            block("255.255.255.255", 32, "broadcast"),
            block("240.0.0.0", 4, "reserved"));

    private static final List<Block> V6 = List.of(
            block("::1", 128, "loopback"),
            block("::", 128, "unspecified"),
            block("100::", 64, "a discard-only address"),
            block("64:ff9b:1::", 48, "reserved for local NAT64"),
            block("2001:db8::", 32, "reserved for documentation"),
            // Teredo (2001::/32, an IPv4 address hidden inside), benchmarking, ORCHID and other protocol space.
            block("2001::", 23, "reserved for IETF protocol assignments"),
            block("3fff::", 20, "reserved for documentation"),
            block("5f00::", 16, "reserved for segment routing (SRv6)"),
            block("fc00::", 7, "unique-local (private)"),
            block("fe80::", 10, "link-local"),
            block("fec0::", 10, "site-local (private)"),
            block("ff00::", 8, "multicast"));

    private AddressPolicy() {
    }

    /** Why {@code address} may not be fetched, e.g. {@code address 10.0.0.1 is private}; empty when it is public. */
    static Optional<String> refusal(InetAddress address) {
        return reason(address).map(r -> "address " + address.getHostAddress() + " is " + r);
    }

    /** Why a host name may not be fetched whatever it resolves to; empty when only its addresses decide. */
    static Optional<String> refusal(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1); // "metadata.google.internal." names the same host
        }
        if (METADATA_HOSTS.contains(h)) {
            return Optional.of("host " + host + " is a cloud metadata endpoint");
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return Optional.of("host " + host + " is loopback");
        }
        if (h.endsWith(".internal")) {
            return Optional.of("host " + host + " is in the private-use .internal domain");
        }
        return Optional.empty();
    }

    private static Optional<String> reason(InetAddress address) {
        byte[] a = address.getAddress();
        if (address instanceof Inet4Address) {
            return first(V4, a);
        }
        if (address instanceof Inet6Address) {
            Optional<byte[]> embedded = embeddedV4(a);
            if (embedded.isPresent()) {
                return first(V4, embedded.get()).map(r -> r + " (embedded in an IPv6 address)");
            }
            return first(V6, a);
        }
        return Optional.of("of an unknown kind");
    }

    /** The IPv4 address a packet to {@code a} would really reach, for the IPv6 forms that embed one. */
    private static Optional<byte[]> embeddedV4(byte[] a) {
        boolean first80Zero = allZero(a, 0, 10);
        if (first80Zero && (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff) {
            return Optional.of(slice(a, 12)); // ::ffff:a.b.c.d, IPv4-mapped
        }
        if (first80Zero && a[10] == 0 && a[11] == 0 && !allZero(a, 12, 16)
                && !(allZero(a, 12, 15) && a[15] == 1)) {
            return Optional.of(slice(a, 12)); // ::a.b.c.d, the deprecated IPv4-compatible form
        }
        if (allZero(a, 0, 8) && (a[8] & 0xff) == 0xff && (a[9] & 0xff) == 0xff && a[10] == 0 && a[11] == 0) {
            return Optional.of(slice(a, 12)); // ::ffff:0:a.b.c.d, IPv4-translated (SIIT)
        }
        if (a[0] == 0 && a[1] == 0x64 && (a[2] & 0xff) == 0xff && (a[3] & 0xff) == 0x9b && allZero(a, 4, 12)) {
            return Optional.of(slice(a, 12)); // 64:ff9b::/96, NAT64 well-known prefix
        }
        if (a[0] == 0x20 && a[1] == 0x02) {
            return Optional.of(new byte[] {a[2], a[3], a[4], a[5]}); // 2002::/16, 6to4
        }
        return Optional.empty();
    }

    private static Optional<String> first(List<Block> blocks, byte[] a) {
        return blocks.stream().filter(b -> b.contains(a)).map(Block::reason).findFirst();
    }

    private static boolean allZero(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] slice(byte[] a, int from) {
        return java.util.Arrays.copyOfRange(a, from, from + 4);
    }

    private static Block block(String literal, int bits, String reason) {
        try {
            // Literals only, so this never touches DNS.
            return new Block(InetAddress.getByName(literal).getAddress(), bits, reason);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
