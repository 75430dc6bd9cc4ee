package io.askflow.tools;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * fetch_url's hardened HTTP client: http and https only, every hop's host checked against
 * {@link AddressPolicy} (unless the operator allow-listed it) before any connection, redirects
 * followed by hand so each is re-checked, one time limit over all hops including slow bodies, and
 * at most {@code maxBytes} of body read. Only textual responses are read at all.
 *
 * <p>Known gap: the check resolves the host, and then HttpClient resolves it again to connect, so
 * a DNS server that answers differently the second time (DNS rebinding) can still steer the
 * connection to a private address. Closing it needs the connection pinned to the checked address.
 */
final class PageFetcher implements AutoCloseable {
    static final int MAX_REDIRECTS = 5;
    private static final String USER_AGENT = "askflow-fetch/0.1 (an assistant fetching a page a user asked about)";
    private static final String ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,"
            + "application/json;q=0.8,text/*;q=0.5";

    /** Name resolution, replaceable so tests can give a host any addresses without a DNS server. */
    @FunctionalInterface
    interface Resolver {
        Resolver DNS = InetAddress::getAllByName;

        InetAddress[] resolve(String host) throws UnknownHostException;
    }

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

    private final HostAllowList allowList;
    private final Resolver resolver;
    private final Duration timeout;
    private final int maxBytes;
    private final Clock clock;
    private final HttpClient client;

    PageFetcher(HostAllowList allowList, Resolver resolver, Duration timeout, int maxBytes, Clock clock) {
        this.allowList = allowList;
        this.resolver = resolver;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.clock = clock;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                // The address check is only meaningful when we connect to the address ourselves.
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(timeout)
                .build();
    }

    int maxBytes() {
        return maxBytes;
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
            check(uri, start);
            HttpResponse<Body> response = send(uri, start, budget, endNanos);
            int status = response.statusCode();
            if (isRedirect(status)) {
                if (redirects >= MAX_REDIRECTS) {
                    throw new ToolException("fetch_url gave up on " + start + ": more than " + MAX_REDIRECTS + " redirects");
                }
                String location = response.headers().firstValue("location")
                        .orElseThrow(() -> new ToolException("fetch_url got HTTP " + status + " without a Location from " + response.uri()));
                uri = resolve(uri, location);
                continue;
            }
            if (status >= 400) {
                throw new ToolException("fetch_url got HTTP " + status + " from " + uri);
            }
            if (status < 200 || status >= 300) {
                throw new ToolException("fetch_url got an unexpected HTTP " + status + " from " + uri);
            }
            ContentType type = ContentType.of(response);
            if (!type.textual()) {
                throw new ToolException("fetch_url refused " + uri + ": content type "
                        + (type.mediaType().isEmpty() ? "(none)" : type.mediaType()) + " is not text");
            }
            Body body = response.body();
            return new Page(uri, type.mediaType(), type.charset(), body.bytes(), body.truncated());
        }
    }

    private void check(URI uri, URI start) throws ToolException, InterruptedException {
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
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        if (allowList.permits(host, port)) {
            return;
        }
        Optional<String> byName = AddressPolicy.refusal(host);
        if (byName.isPresent()) {
            throw refused(uri, start, byName.get());
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new ToolException("fetch_url could not resolve host " + host + " of " + uri);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException(); // resolution is not interruptible; a timed-out call stops here
        }
        // Any private address refuses the host: the connection could go to any of them.
        for (InetAddress a : addresses) {
            Optional<String> refusal = AddressPolicy.refusal(a);
            if (refusal.isPresent()) {
                throw refused(uri, start, refusal.get());
            }
        }
    }

    private HttpResponse<Body> send(URI uri, URI start, Duration budget, long endNanos)
            throws ToolException, InterruptedException {
        long remaining = endNanos - System.nanoTime();
        if (remaining <= 0) {
            throw timedOut(start, budget);
        }
        HttpRequest request = HttpRequest.newBuilder(uri)
                .GET()
                .timeout(Duration.ofNanos(remaining))
                .header("User-Agent", USER_AGENT)
                .header("Accept", ACCEPT)
                .build();
        CompletableFuture<HttpResponse<Body>> pending = client.sendAsync(request,
                info -> new LimitedBody(wantsBody(info) ? maxBytes : -1));
        try {
            // sendAsync completes only once the body is read, so this one wait bounds slow bodies too.
            return pending.get(remaining, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw timedOut(start, budget);
        } catch (InterruptedException e) {
            pending.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw timedOut(start, budget);
            }
            String what = cause == null ? "unknown error" : cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            throw new ToolException("fetch_url could not fetch " + uri + " (" + what + ")", cause);
        }
    }

    private static boolean wantsBody(HttpResponse.ResponseInfo info) {
        return info.statusCode() >= 200 && info.statusCode() < 300 && ContentType.of(info.headers()).textual();
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

    @Override
    public void close() {
        client.shutdownNow();
    }

    /** A response's content type, as far as deciding whether and how to read it. */
    private record ContentType(String mediaType, Charset charset) {
        static ContentType of(HttpResponse<?> response) {
            return of(response.headers());
        }

        static ContentType of(java.net.http.HttpHeaders headers) {
            String raw = headers.firstValue("content-type").orElse("");
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

    /** The body as read: at most the limit, and whether there was more. */
    private record Body(byte[] bytes, boolean truncated) {
    }

    /**
     * Collects up to {@code maxBytes} and then cancels the stream, so an endless or huge body costs
     * at most one byte more than the limit. A negative limit reads nothing (redirects, errors, binary).
     */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<Body> {
        private final int maxBytes;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<Body> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        LimitedBody(int maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public CompletionStage<Body> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (maxBytes < 0) {
                s.cancel();
                result.complete(new Body(new byte[0], false));
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : buffers) {
                int n = Math.min(maxBytes + 1 - bytes.size(), b.remaining());
                byte[] chunk = new byte[n];
                b.get(chunk);
                bytes.write(chunk, 0, n);
                if (bytes.size() > maxBytes) {
                    subscription.cancel();
                    result.complete(new Body(Arrays.copyOf(bytes.toByteArray(), maxBytes), true));
                    return;
                }
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(new Body(bytes.toByteArray(), false));
        }
    }
}
