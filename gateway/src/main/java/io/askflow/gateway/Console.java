package io.askflow.gateway;

import com.sun.net.httpserver.HttpExchange;
import io.askflow.message.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * The web console at {@code /}: static files from the gateway's resources, no build step and
 * nothing from elsewhere. Loading it needs no key (the page asks for one and sends it with each API
 * call); the Content-Security-Policy admits only this origin, so the page runs no script but its own
 * even if an answer's text tried to inject one.
 */
final class Console implements HttpApi.Door {
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";
    private static final String PREFIX = "/console/";
    /** Every file the console has; nothing else under the prefix is served. */
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");

    @Override
    public boolean owns(String path) {
        return path.equals("/") || path.startsWith(PREFIX);
    }

    @Override
    public void serve(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String name = path.equals("/") ? "index.html" : path.substring(PREFIX.length());
        HttpCall call = new HttpCall(ex, null, List.of());
        if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
            call.error(405, ErrorCode.INVALID_REQUEST, "The console is read with GET");
            return;
        }
        String type = FILES.get(name);
        if (type == null) {
            call.error(404, ErrorCode.INVALID_REQUEST, "No such console file: " + path);
            return;
        }
        byte[] body;
        try (InputStream in = Console.class.getResourceAsStream("console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("The console file " + name + " is missing from the gateway's resources");
            }
            body = in.readAllBytes();
        }
        var headers = ex.getResponseHeaders();
        headers.set("Content-Type", type);
        headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Cache-Control", "no-cache");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(200, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
