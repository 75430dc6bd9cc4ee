package io.askflow.tools.web;

import io.askflow.tools.spi.ToolException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pinned HTTP/1.1 client against a raw socket server that writes exactly the bytes a test
 * wants (framing, compression, slow drips), and the pinning itself: one lookup, and the connection
 * goes to the address that lookup returned.
 */
class PinnedFetchTest {
    private static final int MAX = 4096;

    private RawServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** Answers each connection with the bytes {@code respond} makes of the request head. */
    private static final class RawServer implements AutoCloseable {
        final ServerSocket socket;
        final List<String> requests = new CopyOnWriteArrayList<>();

        RawServer(Function<String, Writer> respond) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        Thread.ofVirtual().start(() -> {
                            try (s) {
                                String head = readHead(s.getInputStream());
                                requests.add(head);
                                respond.apply(head).write(s.getOutputStream());
                            } catch (IOException | InterruptedException e) {
                                // the client went away, as some tests intend
                            }
                        });
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @FunctionalInterface
    private interface Writer {
        void write(OutputStream out) throws IOException, InterruptedException;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static Writer bytes(String head, byte[] body) {
        return out -> {
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        };
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(data);
        }
        return b.toByteArray();
    }

    private static byte[] deflate(byte[] data, boolean raw) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(b, new Deflater(Deflater.DEFAULT_COMPRESSION, raw))) {
            z.write(data);
        }
        return b.toByteArray();
    }

    private PageFetcher fetcher(String allow, HostResolver resolver, Duration timeout, SocketConnector connector) {
        return new PageFetcher(HostAllowList.parse(List.of(allow)), resolver, timeout, MAX, Clock.systemUTC(), connector,
                (javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault());
    }

    private PageFetcher local() {
        return fetcher("127.0.0.1:" + server.port(), HostResolver.SYSTEM, Duration.ofSeconds(5), SocketConnector.DIRECT);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    private static String text(PageFetcher.Page page) {
        return new String(page.body(), StandardCharsets.UTF_8);
    }

    private static Instant soon() {
        return Instant.now().plusSeconds(30);
    }

    @Test
    void chunkedBodiesAreReassembledAndTrailersSkipped() throws Exception {
        server = new RawServer(head -> bytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n",
                "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
        PageFetcher.Page page = local().fetch(URI.create(url("/chunked")), soon());
        assertThat(text(page)).isEqualTo("hello, world");
        assertThat(page.truncated()).isFalse();
    }

    @Test
    void gzipAndBothDeflateFlavoursAreDecoded() throws Exception {
        byte[] body = "compressed text ".repeat(20).getBytes(StandardCharsets.UTF_8);
        byte[] gz = gzip(body);
        byte[] zlib = deflate(body, false);
        byte[] raw = deflate(body, true);
        server = new RawServer(head -> {
            String path = head.substring(4, head.indexOf(' ', 4));
            byte[] b = path.equals("/gzip") ? gz : path.equals("/zlib") ? zlib : raw;
            String coding = path.equals("/gzip") ? "gzip" : "deflate";
            return bytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: " + coding
                    + "\r\nContent-Length: " + b.length + "\r\n\r\n", b);
        });
        for (String path : List.of("/gzip", "/zlib", "/raw")) {
            assertThat(text(local().fetch(URI.create(url(path)), soon()))).as(path).isEqualTo(new String(body, StandardCharsets.UTF_8));
        }
        assertThat(server.requests).allSatisfy(r -> assertThat(r).contains("Accept-Encoding: gzip, deflate\r\n"));
    }

    @Test
    void theSizeLimitAppliesAfterDecompression() throws Exception {
        byte[] bomb = gzip(new byte[MAX * 100]); // 400 KB of zeros in well under 1 KB
        assertThat(bomb.length).isLessThan(MAX);
        server = new RawServer(head -> bytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n", chunked(bomb)));
        PageFetcher.Page page = local().fetch(URI.create(url("/bomb")), soon());
        assertThat(page.body()).hasSize(MAX);
        assertThat(page.truncated()).isTrue();
    }

    private static byte[] chunked(byte[] data) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes(data);
        b.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return b.toByteArray();
    }

    @Test
    void aBodyWithoutLengthEndsWhenTheServerCloses() throws Exception {
        server = new RawServer(head -> bytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n",
                "until close".getBytes(StandardCharsets.UTF_8)));
        assertThat(text(local().fetch(URI.create(url("/eof")), soon()))).isEqualTo("until close");
    }

    @Test
    void aSlowDripBodyIsCutOffByTheTotalTimeNotEachRead() {
        // One byte every 200 ms: no single read waits long, but the whole body would take 20 s.
        AtomicInteger dripped = new AtomicInteger();
        server = uncheck(() -> new RawServer(head -> out -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            for (int i = 0; i < 100; i++) {
                out.write('x');
                out.flush();
                dripped.incrementAndGet();
                Thread.sleep(200);
            }
        }));
        PageFetcher fetcher = fetcher("127.0.0.1:" + server.port(), HostResolver.SYSTEM, Duration.ofMillis(1000),
                SocketConnector.DIRECT);
        assertThatThrownBy(() -> fetcher.fetch(URI.create(url("/drip")), soon()))
                .isInstanceOf(ToolException.class).hasMessageContaining("timed out after 1 s");
        // A per-read timeout would have waited for the whole body: the fetch gave up while the server was still dripping.
        assertThat(dripped.get()).as("bytes the server had sent when the fetch gave up").isLessThan(100);
    }

    @Test
    void malformedFramingIsAnErrorNotAHang() throws Exception {
        server = new RawServer(head -> bytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n",
                "zz\r\nnope".getBytes(StandardCharsets.ISO_8859_1)));
        assertThatThrownBy(() -> local().fetch(URI.create(url("/bad")), soon()))
                .isInstanceOf(ToolException.class).hasMessageContaining("malformed chunk size");
    }

    @Test
    void theHostFieldNamesTheHostAsWrittenWhileTheConnectionGoesToItsCheckedAddress() throws Exception {
        server = new RawServer(head -> bytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n",
                "ok".getBytes(StandardCharsets.UTF_8)));
        AtomicInteger lookups = new AtomicInteger();
        HostResolver resolver = host -> {
            lookups.incrementAndGet();
            return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
        };
        PageFetcher fetcher = fetcher("wiki.intranet.test:" + server.port(), resolver, Duration.ofSeconds(5),
                SocketConnector.DIRECT);
        PageFetcher.Page page = fetcher.fetch(URI.create("http://wiki.intranet.test:" + server.port() + "/a?b=c"), soon());
        assertThat(text(page)).isEqualTo("ok");
        assertThat(lookups.get()).isEqualTo(1);
        assertThat(server.requests.getFirst()).startsWith("GET /a?b=c HTTP/1.1\r\nHost: wiki.intranet.test:" + server.port() + "\r\n")
                .contains("Connection: close\r\n");
    }

    @Test
    void dnsRebindingFindsNoSecondLookup() throws Exception {
        // The first answer is public and passes the check; a rebinding server would answer loopback next.
        AtomicInteger lookups = new AtomicInteger();
        HostResolver rebinding = host -> lookups.getAndIncrement() == 0
                ? new InetAddress[] {InetAddress.getByName("93.184.216.34")}
                : new InetAddress[] {InetAddress.getByName("127.0.0.1")};
        List<InetSocketAddress> attempts = new CopyOnWriteArrayList<>();
        SocketConnector recordOnly = (address, timeout) -> {
            attempts.add(address);
            throw new ConnectException("test: not leaving the machine");
        };
        PageFetcher fetcher = new PageFetcher(HostAllowList.none(), rebinding, Duration.ofSeconds(5), MAX, Clock.systemUTC(),
                recordOnly, (javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault());

        assertThatThrownBy(() -> fetcher.fetch(URI.create("http://rebind.example:8080/"), soon()))
                .isInstanceOf(ToolException.class).hasMessageContaining("could not fetch");
        assertThat(lookups.get()).isEqualTo(1);
        assertThat(attempts).containsExactly(new InetSocketAddress(InetAddress.getByName("93.184.216.34"), 8080));
    }

    @Test
    void everyCheckedAddressIsTriedInOrderAndNoOther() throws Exception {
        InetAddress[] two = {InetAddress.getByName("93.184.216.34"), InetAddress.getByName("93.184.216.35")};
        List<InetSocketAddress> attempts = new CopyOnWriteArrayList<>();
        PageFetcher fetcher = new PageFetcher(HostAllowList.none(), host -> two, Duration.ofSeconds(5), MAX, Clock.systemUTC(),
                (address, timeout) -> {
                    attempts.add(address);
                    throw new ConnectException("test: not leaving the machine");
                }, (javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault());
        assertThatThrownBy(() -> fetcher.fetch(URI.create("https://two.example/"), soon())).isInstanceOf(ToolException.class);
        assertThat(attempts).extracting(InetSocketAddress::getAddress).containsExactly(two);
        assertThat(attempts).extracting(InetSocketAddress::getPort).containsOnly(443);
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> T uncheck(IoSupplier<T> s) {
        try {
            return s.get();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
