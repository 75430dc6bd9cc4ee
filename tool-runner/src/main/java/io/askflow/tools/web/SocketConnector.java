package io.askflow.tools.web;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;

/**
 * Opens the TCP connection fetch_url talks over, to an address that was already checked. Tests
 * replace it to see which address a fetch would have reached without reaching it.
 */
@FunctionalInterface
interface SocketConnector {
    /** NO_PROXY: a configured SOCKS proxy would connect on our behalf to wherever it resolves the name. */
    SocketConnector DIRECT = (address, timeoutMillis) -> {
        Socket socket = new Socket(Proxy.NO_PROXY);
        try {
            socket.connect(address, timeoutMillis);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    };

    /** @param address resolved, never a name to look up */
    Socket connect(InetSocketAddress address, int timeoutMillis) throws IOException;
}
