package io.askflow.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Runs in a JVM whose first JDK HTTP server is one of {@link HttpServers}' (the JDK reads its idle
 * limit once, at the first server), as every askflow service process is.
 */
class HttpServersTest {

    /** More keep-alive connections than the JDK's default of 200 idle ones all answer a second request. */
    @Test
    void manyKeepAliveConnectionsStayUsable() throws Exception {
        HttpServer server = HttpServers.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            try (ex) {
                ex.sendResponseHeaders(204, -1);
            }
        });
        server.start();
        int connections = 300;
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.getAddress().getPort());
                socket.setSoTimeout(10_000);
                sockets.add(socket);
            }
            for (Socket socket : sockets) {
                assertThat(statusLine(socket)).as("first response").isEqualTo("HTTP/1.1 204 No Content");
            }
            int unanswered = 0; // every connection is idle now; a second request on each
            for (Socket socket : sockets) {
                try {
                    unanswered += statusLine(socket).startsWith("HTTP/1.1 204") ? 0 : 1;
                } catch (IOException e) {
                    unanswered++;
                }
            }
            assertThat(unanswered).as("connections of %d without an answer to a second request", connections).isZero();
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
            server.stop(0);
        }
    }

    /** One request on a kept-alive connection (a 204 has no body); its status line, or "" when closed. */
    private static String statusLine(Socket socket) throws IOException {
        socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return "";
            }
            head.append((char) b);
        }
        return head.substring(0, head.indexOf("\r\n"));
    }
}
