package io.askflow.systemtests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay in front of a server, which a test can cut off (every connection closed, new ones
 * refused) and restore on the same port: a dependency going away under a running service without
 * stopping the shared one.
 */
final class TcpProxy implements AutoCloseable {
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;
    private int port;

    private TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
    }

    static TcpProxy start(String targetHost, int targetPort) throws IOException {
        TcpProxy proxy = new TcpProxy(targetHost, targetPort);
        proxy.listen(0);
        return proxy;
    }

    int port() {
        return port;
    }

    /** Closes every relayed connection and the listening socket: the server is gone. */
    synchronized void cut() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        open.clear();
    }

    /** Listens again on the same port. */
    synchronized void restore() throws IOException {
        listen(port);
    }

    private void listen(int onPort) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort));
        server = s;
        port = s.getLocalPort();
        Thread.ofVirtual().name("tcp-proxy-accept").start(() -> accept(s));
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                Socket upstream = new Socket(targetHost, targetPort);
                open.add(client);
                open.add(upstream);
                Thread.ofVirtual().start(() -> pump(client, upstream));
                Thread.ofVirtual().start(() -> pump(upstream, client));
            } catch (IOException e) {
                return; // cut: the listening socket was closed
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // one side closed; closing both ends the other pump too
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        cut();
    }
}
