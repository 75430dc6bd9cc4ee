package io.askflow.tools.web;

import java.io.IOException;
import java.io.InputStream;

/** A body of a declared Content-Length: ends after that many bytes, and fails if the server closes early. */
final class LengthLimitedInputStream extends InputStream {
    private final InputStream in;
    private long left;

    LengthLimitedInputStream(InputStream in, long length) {
        this.in = in;
        this.left = length;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (left == 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n < 0) {
            throw new IOException("the connection closed " + left + " bytes before the declared end of the body");
        }
        left -= n;
        return n;
    }
}
