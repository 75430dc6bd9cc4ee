package io.askflow.tools.web;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Reads from a socket with each read's timeout set to the time left until one deadline, so a server
 * that sends one byte every few seconds cannot stretch a fetch past its total time limit the way a
 * plain per-read timeout would allow.
 */
final class DeadlineInputStream extends FilterInputStream {
    private final Socket socket;
    private final long endNanos;

    DeadlineInputStream(Socket socket, long endNanos) throws IOException {
        super(socket.getInputStream());
        this.socket = socket;
        this.endNanos = endNanos;
    }

    @Override
    public int read() throws IOException {
        arm();
        return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        arm();
        return super.read(b, off, len);
    }

    private void arm() throws IOException {
        long remainingMillis = (endNanos - System.nanoTime()) / 1_000_000;
        if (remainingMillis <= 0) {
            throw new SocketTimeoutException("the fetch time limit passed");
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis));
    }
}
