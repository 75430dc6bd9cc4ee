package io.askflow.tools.web;

import io.askflow.tools.spi.ToolContext;
import io.askflow.tools.spi.ToolException;
import io.askflow.tools.spi.ToolOutput;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.askflow.message.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every URL of {@code ssrf-corpus.tsv} must be refused by fetch_url without any connection: a
 * canary listener on 127.0.0.1 (and ::1 where available) counts what reaches it, names resolve
 * only through this test's table (no DNS), and the socket connector lets nothing but the
 * allow-listed redirect fixture through (and never touches a non-loopback address).
 */
class SsrfCorpusTest {
    private static ServerSocket canary;
    private static ServerSocket canary6;
    private static final AtomicInteger CANARY_HITS = new AtomicInteger();
    private static final AtomicInteger FIXTURE_HITS = new AtomicInteger();
    private static HttpServer fixture;
    private static final List<String> UNEXPECTED_LOOKUPS = new CopyOnWriteArrayList<>();
    private static final List<String> CONNECTIONS = new CopyOnWriteArrayList<>();
    /** The peers the canaries accepted, in the order each accepted them. */
    private static final List<java.net.SocketAddress> CANARY_PEERS = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        canary = listen(InetAddress.getByName("127.0.0.1"));
        try {
            canary6 = listen(InetAddress.getByName("::1"));
        } catch (IOException noIpv6) {
            canary6 = null; // the corpus then aims IPv6 loopback URLs at the IPv4 canary's port
        }
        fixture = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        for (String path : List.of("/redirect", "/hop", "/r301", "/r303", "/r307", "/r308")) {
            fixture.createContext(path, ex -> {
                FIXTURE_HITS.incrementAndGet();
                try (ex) {
                    String query = ex.getRequestURI().getRawQuery();
                    String to = query.substring(query.indexOf("to=") + 3);
                    int status = path.startsWith("/r3") ? Integer.parseInt(path.substring(2)) : 302;
                    // /hop adds a hop on the fixture itself before the redirect into private space.
                    ex.getResponseHeaders().set("Location", path.equals("/hop") ? "/redirect?to=" + to : to);
                    ex.sendResponseHeaders(status, -1);
                }
            });
        }
        fixture.start();
    }

    private static ServerSocket listen(InetAddress address) throws IOException {
        ServerSocket socket = new ServerSocket(0, 50, address);
        Thread.ofVirtual().start(() -> {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    CANARY_PEERS.add(s.getRemoteSocketAddress());
                    CANARY_HITS.incrementAndGet();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        return socket;
    }

    @AfterAll
    static void stop() throws IOException {
        canary.close();
        if (canary6 != null) {
            canary6.close();
        }
        fixture.stop(0);
    }

    private record Entry(String category, String url) {
    }

    @Test
    void everyCorpusUrlIsRefusedAndTheCanaryIsNeverReached() throws Exception {
        List<Entry> corpus = corpus();
        int fixturePort = fixture.getAddress().getPort();
        PageFetcher fetcher = new PageFetcher(HostAllowList.parse(List.of("fixture.test:" + fixturePort)),
                SsrfCorpusTest::resolve, Duration.ofSeconds(2), 64 * 1024, Clock.systemUTC(), SsrfCorpusTest::connect,
                (javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault());
        FetchUrlTool tool = new FetchUrlTool(fetcher, 8000);

        Map<String, int[]> perCategory = new TreeMap<>(); // refused, total
        List<String> notRefused = new ArrayList<>();
        StringBuilder reasons = new StringBuilder();
        int canaryBefore = CANARY_HITS.get();
        for (Entry e : corpus) {
            int[] counts = perCategory.computeIfAbsent(e.category(), k -> new int[2]);
            counts[1]++;
            try {
                ToolOutput out = tool.run(url(e.url()), new ToolContext("t", "u", Instant.now().plusSeconds(10), "r", "c"));
                notRefused.add(e.category() + " " + e.url() + " -> fetched: " + out.content().lines().findFirst().orElse(""));
            } catch (ToolException refused) {
                String m = refused.getMessage();
                reasons.append(e.category()).append('\t').append(e.url()).append('\t').append(m).append('\n');
                if (m.contains("refused") || m.contains("invalid URL") || m.contains("absolute")) {
                    counts[0]++;
                } else {
                    notRefused.add(e.category() + " " + e.url() + " -> failed otherwise: " + m);
                }
            }
        }
        StringBuilder report = new StringBuilder("SSRF corpus: category refused/total\n");
        perCategory.forEach((c, n) -> report.append(String.format(Locale.ROOT, "  %-26s %3d/%d%n", c, n[0], n[1])));
        report.append(String.format(Locale.ROOT, "  %-26s %3d/%d; canary connections: %d (IPv6 canary: %s)%n", "TOTAL",
                perCategory.values().stream().mapToInt(n -> n[0]).sum(), corpus.size(), CANARY_HITS.get() - canaryBefore,
                canary6 != null ? "yes" : "unavailable"));
        System.out.print(report);
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "ssrf-corpus-report.txt"), report + "\n" + reasons);

        assertThat(corpus).hasSizeGreaterThanOrEqualTo(150);
        assertThat(perCategory).hasSizeGreaterThanOrEqualTo(12);
        assertThat(notRefused).as("corpus URLs not refused").isEmpty();
        assertThat(UNEXPECTED_LOOKUPS).as("names that would have gone to DNS").isEmpty();
        assertThat(CONNECTIONS).as("connections other than to the allow-listed fixture")
                .allMatch(c -> c.equals("127.0.0.1:" + fixturePort));
        long redirects = corpus.stream().filter(e -> e.category().equals("redirects")).count();
        assertThat(FIXTURE_HITS.get()).as("the redirect entries really went through the fixture").isGreaterThanOrEqualTo((int) redirects);
        // Nothing reached a canary, shown rather than waited for: a marker connection to each canary,
        // made after every fetch returned, is accepted after any connection a fetch made (a listener
        // accepts its backlog in order), so once the markers are in, every leak would be counted.
        List<java.net.SocketAddress> markers = new ArrayList<>();
        for (ServerSocket c : canary6 == null ? List.of(canary) : List.of(canary, canary6)) {
            try (Socket marker = new Socket(c.getInetAddress(), c.getLocalPort())) {
                markers.add(marker.getLocalSocketAddress());
            }
        }
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!CANARY_PEERS.containsAll(markers)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("The canaries did not accept the marker connections " + markers
                        + " within 10 s; accepted: " + CANARY_PEERS);
            }
            Thread.sleep(10);
        }
        assertThat(CANARY_HITS.get() - canaryBefore - markers.size()).as("connections that reached the canary").isZero();
    }

    @Test
    void theCanaryCountsAConnectionWhenOneIsAllowed() throws Exception {
        // The control: were the policy to let a corpus URL through, the canary would see it.
        int before = CANARY_HITS.get();
        PageFetcher open = new PageFetcher(HostAllowList.parse(List.of("127.0.0.1:" + canary.getLocalPort())),
                SsrfCorpusTest::resolve, Duration.ofSeconds(2), 1024, Clock.systemUTC());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FetchUrlTool(open, 8000).run(
                url("http://127.0.0.1:" + canary.getLocalPort() + "/"), new ToolContext("t", "u", Instant.now().plusSeconds(5), "r", "c")))
                .isInstanceOf(ToolException.class).hasMessageContaining("could not fetch");
        long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (CANARY_HITS.get() == before && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(CANARY_HITS.get() - before).isEqualTo(1);
    }

    private static List<Entry> corpus() throws IOException {
        int port = canary.getLocalPort();
        int port6 = canary6 != null ? canary6.getLocalPort() : port;
        String fixtureBase = "http://fixture.test:" + fixture.getAddress().getPort();
        List<Entry> entries = new ArrayList<>();
        try (InputStream in = SsrfCorpusTest.class.getResourceAsStream("/ssrf-corpus.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\t", 2);
                entries.add(new Entry(parts[0], parts[1].replace("{canary6}", Integer.toString(port6))
                        .replace("{canary}", Integer.toString(port)).replace("{fixture}", fixtureBase)));
            }
        }
        return entries;
    }

    /** The test's DNS: fixed answers, and a record of any name it was not told about. */
    private static InetAddress[] resolve(String host) throws UnknownHostException {
        String h = host.toLowerCase(Locale.ROOT).replaceAll("\\.+$", "");
        if (h.endsWith(".nip.io")) {
            return new InetAddress[] {InetAddress.getByName(h.substring(0, h.length() - ".nip.io".length()))};
        }
        String[] answer = switch (h) {
            case "fixture.test", "loop.test" -> new String[] {"127.0.0.1"};
            case "loop6.test" -> new String[] {"::1"};
            case "private.test" -> new String[] {"10.0.0.7"};
            case "mixed.test" -> new String[] {"93.184.216.34", "127.0.0.1"};
            case "ula.test" -> new String[] {"fd00::1"};
            case "linklocal6.test" -> new String[] {"fe80::1"};
            case "zero.test" -> new String[] {"0.0.0.0"};
            case "nat64.test" -> new String[] {"64:ff9b::7f00:1"};
            case "teredo.test" -> new String[] {"2001:0:4136:e378:8000:63bf:3fff:fdd2"};
            case "printer.local" -> new String[] {"192.168.1.20"};
            case "cgnat.test" -> new String[] {"100.64.0.1"};
            case "metadata-alias.test" -> new String[] {"169.254.169.254"};
            case "mapped.test" -> null; // below: an IPv4-mapped address kept as IPv6
            default -> {
                UNEXPECTED_LOOKUPS.add(host);
                throw new UnknownHostException(host);
            }
        };
        if (answer == null) {
            byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1};
            return new InetAddress[] {Inet6Address.getByAddress(null, mapped, -1)};
        }
        InetAddress[] addresses = new InetAddress[answer.length];
        for (int i = 0; i < answer.length; i++) {
            addresses[i] = InetAddress.getByName(answer[i]); // literals: no lookup
        }
        return addresses;
    }

    /** Loopback connections are real (so the canary would see a leak); anything else is recorded and refused here. */
    private static Socket connect(InetSocketAddress address, int timeoutMillis) throws IOException {
        CONNECTIONS.add(address.getAddress().getHostAddress() + ":" + address.getPort());
        if (!address.getAddress().isLoopbackAddress()) {
            throw new ConnectException("test connector: never leaves loopback");
        }
        return SocketConnector.DIRECT.connect(address, timeoutMillis);
    }

    private static JsonNode url(String url) {
        return Json.mapper().createObjectNode().put("url", url);
    }
}
