package io.askflow.tools.web;

import java.io.IOException;
import java.io.InputStream;

/**
 * The body of a response sent with {@code Transfer-Encoding: chunked} (RFC 9112 section 7.1):
 * hex size lines, chunk data, a zero-size last chunk and optional trailers, which are skipped.
 */
final class ChunkedInputStream extends InputStream {
    private static final int MAX_LINE = 4096;

    private final InputStream in;
    private long left;
    private boolean done;

    ChunkedInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (done) {
            return -1;
        }
        if (left == 0) {
            left = nextChunkSize();
            if (left == 0) {
                skipTrailers();
                done = true;
                return -1;
            }
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n < 0) {
            throw new IOException("the connection closed inside a chunk");
        }
        left -= n;
        if (left == 0) {
            expectEmptyLine();
        }
        return n;
    }

    private long nextChunkSize() throws IOException {
        String line = HttpHead.readLine(in, MAX_LINE);
        if (line == null) {
            throw new IOException("the connection closed before the last chunk");
        }
        int ext = line.indexOf(';');
        String size = (ext >= 0 ? line.substring(0, ext) : line).trim();
        try {
            long value = Long.parseLong(size, 16);
            if (value < 0 || size.length() > 15) {
                throw new NumberFormatException(size);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IOException("malformed chunk size \"" + size + "\"");
        }
    }

    private void expectEmptyLine() throws IOException {
        String line = HttpHead.readLine(in, MAX_LINE);
        if (line == null || !line.isEmpty()) {
            throw new IOException("malformed chunk: no line break after its data");
        }
    }

    private void skipTrailers() throws IOException {
        for (int i = 0; i < 100; i++) {
            String line = HttpHead.readLine(in, MAX_LINE);
            if (line == null || line.isEmpty()) {
                return;
            }
        }
        throw new IOException("too many trailer fields");
    }
}
