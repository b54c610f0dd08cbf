package vts.e2e;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A RESP connection that returns each reply as the exact bytes the server sent, so that two
 * servers' replies can be compared byte for byte ({@link Resp} keeps types, but e.g. folds
 * {@code $-1} and {@code *-1} into one null). It reads just enough structure to find where a
 * reply ends. Not thread-safe.
 */
final class RawResp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String where;

    /** Connects; {@code protocol} 3 sends HELLO 3 first. */
    RawResp(String host, int port, int protocol, int timeoutMillis) {
        where = host + ":" + port;
        socket = Resp.connect(host, port, timeoutMillis);
        try {
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        } catch (IOException e) {
            throw new UncheckedIOException("connect " + where, e);
        }
        if (protocol == 3) {
            byte[] hello = call("HELLO", "3");
            if (hello.length == 0 || hello[0] != '%') {
                throw new IllegalStateException("HELLO 3 refused by " + where + ": " + show(hello, 200));
            }
        }
    }

    RawResp(ValkeyServer s, int protocol) {
        this(s.host(), s.port(), protocol, 60_000);
    }

    /** Sends one command and returns its reply's bytes. */
    byte[] call(Object... args) {
        send(args);
        return read();
    }

    void send(Object... args) {
        try {
            out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (Object a : args) {
                byte[] b = Resp.bytes(a);
                out.write(('$' + Integer.toString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(b);
                out.write('\r');
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flushes and reads the next reply's bytes. */
    byte[] read() {
        try {
            out.flush();
            ByteArrayOutputStream b = new ByteArrayOutputStream(256);
            copyOne(b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("reading a reply from " + where, e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** True if the reply is an error ({@code -} or RESP3 {@code !}). */
    static boolean isError(byte[] reply) {
        return reply.length > 0 && (reply[0] == '-' || reply[0] == '!');
    }

    /** The reply as printable text (CR LF shown as {@code \r\n}), cut to {@code max} characters. */
    static String show(byte[] reply, int max) {
        return show(reply, 0, max);
    }

    static String show(byte[] reply, int from, int max) {
        StringBuilder s = new StringBuilder();
        if (from > 0) s.append("…");
        for (int i = from; i < reply.length && s.length() < max; i++) {
            int c = reply[i] & 0xff;
            if (c == '\r') s.append("\\r");
            else if (c == '\n') s.append("\\n");
            else if (c < 0x20 || c >= 0x7f) s.append(String.format("\\x%02x", c));
            else s.append((char) c);
        }
        if (s.length() >= max) s.append("…");
        return s.toString();
    }

    /** Where two replies first differ, with some context of each; null if equal. */
    static String diff(byte[] expected, byte[] actual) {
        int n = Math.min(expected.length, actual.length);
        int i = 0;
        while (i < n && expected[i] == actual[i]) i++;
        if (i == n && expected.length == actual.length) return null;
        int from = Math.max(0, i - 120);
        return "first difference at byte " + i + " (lengths " + expected.length + " and " + actual.length + ")\n"
                + "  expected: " + show(expected, from, 400) + "\n"
                + "  actual:   " + show(actual, from, 400);
    }

    private void copyOne(ByteArrayOutputStream b) throws IOException {
        int type = in.read();
        if (type < 0) throw new EOFException("connection closed by " + where);
        b.write(type);
        String line = copyLine(b);
        switch (type) {
            case '$', '!', '=' -> {
                long n = Long.parseLong(line);
                if (n >= 0) {
                    byte[] body = in.readNBytes((int) n + 2);
                    if (body.length != n + 2) throw new EOFException("connection closed inside a string");
                    b.write(body);
                }
            }
            case '*', '~', '>' -> {
                long n = Long.parseLong(line);
                for (long i = 0; i < n; i++) copyOne(b);
            }
            case '%' -> {
                long n = Long.parseLong(line);
                for (long i = 0; i < 2 * n; i++) copyOne(b);
            }
            case '|' -> { // attribute, then the reply it annotates
                long n = Long.parseLong(line);
                for (long i = 0; i < 2 * n; i++) copyOne(b);
                copyOne(b);
            }
            default -> { } // + - : , _ # ( carry everything on their line
        }
    }

    private String copyLine(ByteArrayOutputStream b) throws IOException {
        StringBuilder s = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) throw new EOFException("connection closed inside a reply from " + where);
            b.write(c);
            if (c == '\r') {
                int d = in.read();
                if (d < 0) throw new EOFException("connection closed inside a reply from " + where);
                b.write(d);
                return s.toString();
            }
            s.append((char) c);
        }
    }
}
