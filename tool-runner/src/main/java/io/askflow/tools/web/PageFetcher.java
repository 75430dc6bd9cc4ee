package io.askflow.tools.web;

import io.askflow.tools.spi.ToolException;
import io.askflow.tools.spi.ToolExecutor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;

/**
 * fetch_url's hardened client: http and https only; every hop's host resolved once and every
 * address checked against {@link AddressPolicy} (unless the operator allow-listed the host); the
 * connection made to exactly those checked addresses ({@link PinnedConnection}), so DNS rebinding
 * finds no second lookup to subvert; redirects followed by hand, each re-checked, at most
 * {@link #MAX_REDIRECTS}; one time limit over all hops, slow bodies included; at most
 * {@code maxBytes} of decompressed body; only textual responses read at all.
 */
public final class PageFetcher {
    static final int MAX_REDIRECTS = 5;
    private static final String USER_AGENT = "askflow-fetch/0.1 (an assistant fetching a page a user asked about)";
    private static final String ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,"
            + "application/json;q=0.8,text/*;q=0.5";

    /**
     * A fetched page.
     *
     * @param url where the page was finally found, after redirects
     * @param mediaType the content type without parameters, lower case
     * @param charset the charset the response declared, or null
     * @param truncated the body was longer than the limit; {@code body} holds its first {@code maxBytes}
     */
    record Page(URI url, String mediaType, Charset charset, byte[] body, boolean truncated) {
    }

    /** The body as read: at most the limit, and whether there was more. */
    record Body(byte[] bytes, boolean truncated) {
    }

    /** Where one hop may connect: the addresses that passed the check (or the allow-list). */
    private record Target(URI uri, List<InetAddress> addresses) {
    }

    private final HostAllowList allowList;
    private final HostResolver resolver;
    private final Duration timeout;
    private final int maxBytes;
    private final Clock clock;
    private final SocketConnector connector;
    private final SSLSocketFactory tls;

    public PageFetcher(HostAllowList allowList, HostResolver resolver, Duration timeout, int maxBytes, Clock clock) {
        this(allowList, resolver, timeout, maxBytes, clock, SocketConnector.DIRECT,
                (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    PageFetcher(HostAllowList allowList, HostResolver resolver, Duration timeout, int maxBytes, Clock clock,
            SocketConnector connector, SSLSocketFactory tls) {
        this.allowList = allowList;
        this.resolver = resolver;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.clock = clock;
        this.connector = connector;
        this.tls = tls;
    }

    int maxBytes() {
        return maxBytes;
    }

    Duration timeout() {
        return timeout;
    }

    /**
     * @param deadline the tool call's deadline; the fetch stops at it or after the fetch timeout, whichever is first
     * @throws ToolException with a message for the model: refused, unreachable, timed out, HTTP error, not text
     */
    Page fetch(URI start, Instant deadline) throws ToolException, InterruptedException {
        Duration untilDeadline = Duration.between(clock.instant(), deadline);
        Duration budget = untilDeadline.compareTo(timeout) < 0 ? untilDeadline : timeout;
        long endNanos = System.nanoTime() + Math.max(0, budget.toNanos());
        URI uri = start;
        for (int redirects = 0;; redirects++) {
            Target target = check(uri, start);
            if (System.nanoTime() >= endNanos) {
                throw timedOut(start, budget);
            }
            try (PinnedConnection connection = PinnedConnection.get(uri, target.addresses(), connector, tls, USER_AGENT,
                    ACCEPT, endNanos)) {
                HttpHead head = connection.head();
                int status = head.status();
                if (isRedirect(status)) {
                    if (redirects >= MAX_REDIRECTS) {
                        throw new ToolException("fetch_url gave up on " + start + ": more than " + MAX_REDIRECTS + " redirects");
                    }
                    URI from = uri;
                    String location = head.first("location").orElseThrow(() -> new ToolException(
                            "fetch_url got HTTP " + status + " without a Location from " + from));
                    uri = resolve(uri, location);
                    continue;
                }
                if (status >= 400) {
                    throw new ToolException("fetch_url got HTTP " + status + " from " + uri);
                }
                if (status < 200 || status >= 300) {
                    throw new ToolException("fetch_url got an unexpected HTTP " + status + " from " + uri);
                }
                ContentType type = ContentType.of(head.first("content-type").orElse(""));
                if (!type.textual()) {
                    throw new ToolException("fetch_url refused " + uri + ": content type "
                            + (type.mediaType().isEmpty() ? "(none)" : type.mediaType()) + " is not text");
                }
                Body body = connection.readBody(maxBytes);
                return new Page(uri, type.mediaType(), type.charset(), body.bytes(), body.truncated());
            } catch (SocketTimeoutException e) {
                interruptedCheck();
                throw timedOut(start, budget);
            } catch (IOException e) {
                interruptedCheck();
                throw new ToolException("fetch_url could not fetch " + uri + " (" + describe(e) + ")", e);
            }
        }
    }

    /** The addresses {@code uri} may be fetched from, or a refusal; nothing here connects anywhere. */
    private Target check(URI uri, URI start) throws ToolException, InterruptedException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw refused(uri, start, "only http and https URLs are fetched");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw refused(uri, start, "the URL has no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw refused(uri, start, "URLs with credentials are not fetched");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65_535) {
            throw refused(uri, start, "port " + uri.getPort() + " is not a valid port");
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        boolean allowed = allowList.permits(bare, port);
        Optional<InetAddress> literal;
        try {
            literal = HostLiteral.address(bare);
        } catch (IllegalArgumentException e) {
            throw refused(uri, start, "host " + host + " is " + e.getMessage());
        }
        if (literal.isEmpty() && !allowed) {
            Optional<String> byName = AddressPolicy.refusal(bare);
            if (byName.isPresent()) {
                throw refused(uri, start, byName.get());
            }
        }
        List<InetAddress> addresses = literal.isPresent() ? List.of(literal.get()) : resolve(bare, uri);
        if (!allowed) {
            // Any private address refuses the host: the connection could go to any of them.
            for (InetAddress a : addresses) {
                Optional<String> refusal = AddressPolicy.refusal(a);
                if (refusal.isPresent()) {
                    throw refused(uri, start, refusal.get());
                }
            }
        }
        return new Target(uri, addresses);
    }

    private List<InetAddress> resolve(String host, URI uri) throws ToolException, InterruptedException {
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new ToolException("fetch_url could not resolve host " + host + " of " + uri);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException(); // resolution is not interruptible; a timed-out call stops here
        }
        if (addresses == null || addresses.length == 0) {
            throw new ToolException("fetch_url could not resolve host " + host + " of " + uri);
        }
        return Arrays.asList(addresses);
    }

    private static void interruptedCheck() throws InterruptedException {
        // A virtual thread's socket is closed when the thread is interrupted; report that as what it is.
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    private static String describe(IOException e) {
        String kind = e instanceof SSLException ? "TLS failure" : e.getClass().getSimpleName();
        return e.getMessage() == null ? kind : kind + ": " + e.getMessage();
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static URI resolve(URI base, String location) throws ToolException {
        try {
            URI next = base.resolve(location.trim());
            // A fragment is never sent; dropping it keeps URLs in sources and messages canonical.
            return next.getRawFragment() == null ? next
                    : URI.create(next.toString().substring(0, next.toString().indexOf('#')));
        } catch (IllegalArgumentException e) {
            throw new ToolException("fetch_url got an unusable redirect Location from " + base);
        }
    }

    private static ToolException refused(URI uri, URI start, String reason) {
        String via = uri.equals(start) ? "" : " (redirected from " + start + ")";
        return new ToolException("fetch_url refused " + uri + via + ": " + reason);
    }

    private static ToolException timedOut(URI start, Duration budget) {
        return new ToolException("fetch_url timed out after " + ToolExecutor.describe(budget) + " fetching " + start);
    }

    /** A response's content type, as far as deciding whether and how to read it. */
    private record ContentType(String mediaType, Charset charset) {
        static ContentType of(String raw) {
            String[] parts = raw.split(";");
            String media = parts[0].trim().toLowerCase(Locale.ROOT);
            Charset charset = null;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                    String name = p.substring("charset=".length()).trim().replace("\"", "").replace("'", "");
                    try {
                        charset = Charset.forName(name);
                    } catch (IllegalArgumentException unknown) {
                        charset = null; // leave it to the parser's detection
                    }
                }
            }
            return new ContentType(media, charset);
        }

        boolean textual() {
            return mediaType.startsWith("text/") || mediaType.equals("application/xhtml+xml")
                    || mediaType.equals("application/xml") || mediaType.equals("application/json")
                    || mediaType.endsWith("+xml") || mediaType.endsWith("+json");
        }
    }
}
