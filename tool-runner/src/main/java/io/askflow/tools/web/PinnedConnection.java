package io.askflow.tools.web;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 GET over a connection to an address fetch_url has already checked. The JDK's
 * HttpClient resolves the host again when it connects, so a DNS server answering differently the
 * second time (DNS rebinding) could steer it to a private address; here there is no second lookup.
 * For https the TLS layer still gets the host name, for SNI and for certificate hostname
 * verification, so pinning the address weakens neither.
 *
 * <p>One request per connection ({@code Connection: close}), so a body without a length simply
 * ends when the server closes. Every read is bounded by the fetch's one deadline.
 */
final class PinnedConnection implements AutoCloseable {
    /** Two layers (e.g. gzip over deflate) is already unusual; more is an attempt to burn CPU. */
    private static final int MAX_CODINGS = 2;

    private final Socket socket;
    private final InputStream in;
    private final HttpHead head;

    private PinnedConnection(Socket socket, InputStream in, HttpHead head) {
        this.socket = socket;
        this.in = in;
        this.head = head;
    }

    /**
     * Connects to the first of {@code addresses} that answers, sends the request and reads the response head.
     *
     * @param addresses checked addresses of {@code uri}'s host, tried in order
     */
    static PinnedConnection get(URI uri, List<InetAddress> addresses, SocketConnector connector, SSLSocketFactory tls,
            String userAgent, String accept, long endNanos) throws IOException {
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        Socket socket = connect(addresses, port, connector, endNanos);
        try {
            if (https) {
                socket = startTls(socket, bareHost(uri.getHost()), port, tls, endNanos);
            }
            OutputStream out = socket.getOutputStream();
            out.write(request(uri, port, https, userAgent, accept).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = new BufferedInputStream(new DeadlineInputStream(socket, endNanos), 8192);
            return new PinnedConnection(socket, in, HttpHead.read(in));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    HttpHead head() {
        return head;
    }

    /**
     * The body, de-chunked and decompressed, at most {@code maxBytes} of it: the limit applies to
     * what the page decompresses to, so a small compressed bomb cannot exhaust memory.
     */
    PageFetcher.Body readBody(int maxBytes) throws IOException {
        InputStream body = decoded(framed());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (bytes.size() <= maxBytes) {
            int n = body.read(buffer, 0, Math.min(buffer.length, maxBytes + 1 - bytes.size()));
            if (n < 0) {
                return new PageFetcher.Body(bytes.toByteArray(), false);
            }
            bytes.write(buffer, 0, n);
        }
        byte[] all = bytes.toByteArray();
        return new PageFetcher.Body(java.util.Arrays.copyOf(all, maxBytes), true);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private InputStream framed() throws IOException {
        List<String> transfer = head.tokens("transfer-encoding");
        if (!transfer.isEmpty()) {
            // Transfer-Encoding wins over Content-Length (RFC 9112 6.3); only chunked is asked for by anyone.
            if (!transfer.equals(List.of("chunked"))) {
                throw new IOException("unsupported transfer encoding " + String.join(", ", transfer));
            }
            return new ChunkedInputStream(in);
        }
        List<String> lengths = head.tokens("content-length");
        if (!lengths.isEmpty()) {
            if (lengths.stream().distinct().count() > 1) {
                throw new IOException("conflicting Content-Length fields");
            }
            long length;
            try {
                length = Long.parseLong(lengths.getFirst());
            } catch (NumberFormatException e) {
                throw new IOException("malformed Content-Length");
            }
            if (length < 0) {
                throw new IOException("malformed Content-Length");
            }
            return new LengthLimitedInputStream(in, length);
        }
        return in; // until the server closes the connection
    }

    private InputStream decoded(InputStream body) throws IOException {
        List<String> codings = head.tokens("content-encoding").stream().filter(c -> !c.equals("identity")).toList();
        if (codings.size() > MAX_CODINGS) {
            throw new IOException("more than " + MAX_CODINGS + " content encodings");
        }
        InputStream decoded = body;
        // Codings are listed in the order they were applied, so they are undone from the last.
        for (int i = codings.size() - 1; i >= 0; i--) {
            decoded = switch (codings.get(i)) {
                case "gzip", "x-gzip" -> new GZIPInputStream(decoded);
                case "deflate" -> inflater(decoded);
                default -> throw new IOException("unsupported content encoding " + codings.get(i));
            };
        }
        return decoded;
    }

    /** "deflate" should be zlib-wrapped, but some servers send raw deflate: the first two bytes tell. */
    private static InputStream inflater(InputStream in) throws IOException {
        PushbackInputStream peek = new PushbackInputStream(in, 2);
        int b0 = peek.read();
        int b1 = b0 < 0 ? -1 : peek.read();
        if (b1 >= 0) {
            peek.unread(b1);
        }
        if (b0 >= 0) {
            peek.unread(b0);
        }
        boolean zlib = b0 >= 0 && b1 >= 0 && (b0 & 0x0f) == 8 && ((b0 << 8) | b1) % 31 == 0;
        return new InflaterInputStream(peek, new Inflater(!zlib));
    }

    private static Socket connect(List<InetAddress> addresses, int port, SocketConnector connector, long endNanos)
            throws IOException {
        IOException last = null;
        for (InetAddress a : addresses) {
            long remainingMillis = (endNanos - System.nanoTime()) / 1_000_000;
            if (remainingMillis <= 0) {
                throw new SocketTimeoutException("the fetch time limit passed while connecting");
            }
            try {
                return connector.connect(new InetSocketAddress(a, port), (int) Math.min(Integer.MAX_VALUE, remainingMillis));
            } catch (IOException e) {
                last = e;
            }
        }
        throw last != null ? last : new IOException("no address to connect to");
    }

    private static Socket startTls(Socket plain, String host, int port, SSLSocketFactory tls, long endNanos)
            throws IOException {
        SSLSocket socket = (SSLSocket) tls.createSocket(plain, host, port, true);
        SSLParameters params = socket.getSSLParameters();
        if (HostLiteral.address(host).isEmpty()) {
            params.setServerNames(List.of(new SNIHostName(host)));
        }
        // Certificate must match the host name in the URL, not the address we connected to.
        params.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(params);
        long remainingMillis = (endNanos - System.nanoTime()) / 1_000_000;
        if (remainingMillis <= 0) {
            throw new SocketTimeoutException("the fetch time limit passed before the TLS handshake");
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis));
        socket.startHandshake();
        return socket;
    }

    private static String request(URI uri, int port, boolean https, String userAgent, String accept) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        boolean defaultPort = port == (https ? 443 : 80);
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        String hostField = defaultPort ? host : host + ":" + port;
        return "GET " + target + " HTTP/1.1\r\n"
                + "Host: " + hostField + "\r\n"
                + "User-Agent: " + userAgent + "\r\n"
                + "Accept: " + accept + "\r\n"
                + "Accept-Encoding: gzip, deflate\r\n"
                + "Connection: close\r\n\r\n";
    }

    /** The host for TLS: without IPv6 brackets or a trailing dot, which SNI does not allow. */
    private static String bareHost(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }
}
