package io.askflow.service;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The one way askflow's services open a JDK HTTP server (the gateway's API, every process's
 * management port).
 *
 * <p>The JDK's server keeps at most 200 idle keep-alive connections per JVM (the system property
 * {@code sun.net.httpserver.maxIdleConnections}) and closes every further one right after its
 * response, without a {@code Connection: close}. A client that keeps more connections (a backend
 * with a pool of 500, openai-java's pools against the local model) then sends its next request on a
 * closed connection and fails; under a burst some requests fail every retry that way. The property is
 * read once, when the JVM's first server starts, so it is raised here, before any server of a
 * service starts, unless the operator set it ({@code -Dsun.net.httpserver.maxIdleConnections=}).
 * The local model's server ({@code ChatCompletionsServer}, a module without this one) does the same.
 */
public final class HttpServers {
    /** The JDK's own switch; see the class comment. */
    public static final String MAX_IDLE_CONNECTIONS_PROPERTY = "sun.net.httpserver.maxIdleConnections";
    /**
     * Above the model-caller's default cap of calls in flight (8,192, each on a connection of its
     * own), so a full model-caller's connections to a server in the same JVM all stay usable; idle
     * connections still close after the JDK's idle interval (30 s).
     */
    public static final int MAX_IDLE_CONNECTIONS = 16_384;

    private HttpServers() {
    }

    /** A server bound to {@code address} with that accept backlog, not started. */
    public static HttpServer create(InetSocketAddress address, int backlog) throws IOException {
        keepIdleConnections();
        return HttpServer.create(address, backlog);
    }

    static void keepIdleConnections() {
        if (System.getProperty(MAX_IDLE_CONNECTIONS_PROPERTY) == null) {
            System.setProperty(MAX_IDLE_CONNECTIONS_PROPERTY, Integer.toString(MAX_IDLE_CONNECTIONS));
        }
    }
}
