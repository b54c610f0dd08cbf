package vts.e2e;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A minimal, strict RESP2/RESP3 connection that keeps the exact reply types (simple string versus
 * bulk string, double versus string, map versus array), which Jedis' raw objects do not. Used to
 * assert reply shapes, to pipeline the fuzz test and to read pub/sub messages. Not thread-safe.
 *
 * <p>Every reply is parsed strictly: an unknown type byte, a bad length or a missing CRLF throws
 * {@link ProtocolError}, so "the server answered with a well-formed reply" is checked just by
 * reading it.
 */
public final class Resp implements AutoCloseable {

    /** A reply, with its RESP type kept. */
    public sealed interface Reply permits Simple, Bulk, Int, Err, Arr, MapReply, Dbl, Null, Bool,
            BigNum, Verbatim {
        /** The reply as plain Java data: String, Long, Double, Boolean, null, List or Map. */
        Object plain();
    }

    /** {@code +text}. */
    public record Simple(String text) implements Reply {
        public Object plain() { return text; }
    }

    /** {@code $len bytes}. */
    public record Bulk(byte[] bytes) implements Reply {
        public String text() { return new String(bytes, StandardCharsets.UTF_8); }
        public Object plain() { return text(); }
        @Override public String toString() { return "Bulk[" + text() + "]"; }
        @Override public boolean equals(Object o) {
            return o instanceof Bulk b && java.util.Arrays.equals(bytes, b.bytes);
        }
        @Override public int hashCode() { return java.util.Arrays.hashCode(bytes); }
    }

    /** {@code :n}. */
    public record Int(long value) implements Reply {
        public Object plain() { return value; }
    }

    /** {@code -message} or {@code !len message}. */
    public record Err(String message) implements Reply {
        public Object plain() { return this; }
    }

    /** {@code *n}, and in RESP3 also {@code ~n} (set) and {@code >n} (push); {@code kind} tells. */
    public record Arr(char kind, List<Reply> items) implements Reply {
        public Object plain() { return items.stream().map(Reply::plain).toList(); }
        public Reply get(int i) { return items.get(i); }
        public int size() { return items.size(); }
    }

    /** RESP3 {@code %n}: entries in server order. */
    public record MapReply(List<Map.Entry<Reply, Reply>> entries) implements Reply {
        public Object plain() {
            var m = new java.util.LinkedHashMap<Object, Object>();
            for (var e : entries) m.put(e.getKey().plain(), e.getValue().plain());
            return m;
        }
        public List<String> keys() {
            return entries.stream().map(e -> String.valueOf(e.getKey().plain())).toList();
        }
        public Reply get(String key) {
            for (var e : entries) if (key.equals(String.valueOf(e.getKey().plain()))) return e.getValue();
            return null;
        }
    }

    /** RESP3 {@code ,double}; {@code raw} is the text the server sent. */
    public record Dbl(double value, String raw) implements Reply {
        public Object plain() { return value; }
    }

    /** RESP2 {@code $-1} / {@code *-1}, RESP3 {@code _}. */
    public record Null() implements Reply {
        public Object plain() { return null; }
    }

    /** RESP3 {@code #t} / {@code #f}. */
    public record Bool(boolean value) implements Reply {
        public Object plain() { return value; }
    }

    /** RESP3 {@code (digits}. */
    public record BigNum(String digits) implements Reply {
        public Object plain() { return new java.math.BigInteger(digits); }
    }

    /** RESP3 {@code =len fmt:text}. */
    public record Verbatim(String format, String text) implements Reply {
        public Object plain() { return text; }
    }

    /** A reply that is not valid RESP. */
    public static final class ProtocolError extends RuntimeException {
        ProtocolError(String message) { super(message); }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private int pending;

    public Resp(String host, int port) {
        this(host, port, 60_000);
    }

    public Resp(String host, int port, int timeoutMillis) {
        socket = connect(host, port, timeoutMillis);
        try {
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        } catch (IOException e) {
            throw new UncheckedIOException("connect " + host + ":" + port, e);
        }
    }

    /** A connected socket: 5 s to connect, the given read timeout, no Nagle delay. */
    static Socket connect(String host, int port, int timeoutMillis) {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), 5_000);
            s.setSoTimeout(timeoutMillis);
            s.setTcpNoDelay(true);
            return s;
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // failing anyway
            }
            throw new UncheckedIOException("connect " + host + ":" + port, e);
        }
    }

    /** Switches this connection to RESP3 (HELLO 3) and returns the HELLO reply. */
    public Reply hello3() {
        return call("HELLO", "3");
    }

    /** Sends one command and reads its reply. */
    public Reply call(Object... args) {
        send(args);
        return read();
    }

    /** Queues one command (pipelining); {@link #read()} returns the replies in order. */
    public void send(Object... args) {
        byte[][] raw = new byte[args.length][];
        for (int i = 0; i < args.length; i++) raw[i] = bytes(args[i]);
        sendRaw(raw);
    }

    /** Queues one command given as raw argument bytes. */
    public void sendRaw(byte[]... args) {
        try {
            out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (byte[] a : args) {
                out.write(('$' + Integer.toString(a.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(a);
                out.write('\r');
                out.write('\n');
            }
            pending++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes raw bytes as they are (for inline commands or deliberately broken input). */
    public void writeBytes(byte[] raw) {
        try {
            out.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flushes what was queued and reads the next reply. */
    public Reply read() {
        flush();
        try {
            Reply r = parse();
            if (pending > 0) pending--;
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the next reply (or push message), or null if none arrives within the timeout. */
    public Reply readWithin(int millis) {
        flush();
        try {
            int old = socket.getSoTimeout();
            socket.setSoTimeout(millis);
            try {
                return parse();
            } catch (SocketTimeoutException e) {
                return null;
            } finally {
                socket.setSoTimeout(old);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Number of commands sent whose reply was not read yet. */
    public int pending() {
        return pending;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    static byte[] bytes(Object o) {
        if (o instanceof byte[] b) return b;
        return String.valueOf(o).getBytes(StandardCharsets.UTF_8);
    }

    private Reply parse() throws IOException {
        int type = in.read();
        if (type < 0) throw new EOFException("connection closed by the server");
        String line = readLine();
        switch (type) {
            case '+':
                return new Simple(line);
            case '-':
                return new Err(line);
            case ':':
                return new Int(parseLong(line));
            case '$': {
                long n = parseLong(line);
                if (n == -1) return new Null();
                return new Bulk(readExact(checkLen(n)));
            }
            case '!': {
                return new Err(new String(readExact(checkLen(parseLong(line))), StandardCharsets.UTF_8));
            }
            case '=': {
                String s = new String(readExact(checkLen(parseLong(line))), StandardCharsets.UTF_8);
                if (s.length() < 4 || s.charAt(3) != ':') throw new ProtocolError("bad verbatim string " + s);
                return new Verbatim(s.substring(0, 3), s.substring(4));
            }
            case '*':
            case '~':
            case '>': {
                long n = parseLong(line);
                if (n == -1 && type == '*') return new Null();
                int len = checkLen(n);
                List<Reply> items = new ArrayList<>(Math.min(len, 1 << 16));
                for (int i = 0; i < len; i++) items.add(parse());
                return new Arr((char) type, items);
            }
            case '%':
            case '|': {
                int len = checkLen(parseLong(line));
                List<Map.Entry<Reply, Reply>> entries = new ArrayList<>(Math.min(len, 1 << 16));
                for (int i = 0; i < len; i++) entries.add(Map.entry(parse(), parse()));
                if (type == '|') return parse(); // attribute: skip it, return the reply it annotates
                return new MapReply(entries);
            }
            case ',': {
                double d = switch (line) {
                    case "inf" -> Double.POSITIVE_INFINITY;
                    case "-inf" -> Double.NEGATIVE_INFINITY;
                    case "nan", "-nan" -> Double.NaN;
                    default -> {
                        try {
                            yield Double.parseDouble(line);
                        } catch (NumberFormatException e) {
                            throw new ProtocolError("bad double " + line);
                        }
                    }
                };
                return new Dbl(d, line);
            }
            case '_':
                if (!line.isEmpty()) throw new ProtocolError("bad null " + line);
                return new Null();
            case '#':
                if (line.equals("t")) return new Bool(true);
                if (line.equals("f")) return new Bool(false);
                throw new ProtocolError("bad boolean " + line);
            case '(':
                if (!line.matches("-?[0-9]+")) throw new ProtocolError("bad big number " + line);
                return new BigNum(line);
            default:
                throw new ProtocolError("unknown reply type byte " + type + " followed by " + line);
        }
    }

    private static int checkLen(long n) {
        if (n < 0 || n > Integer.MAX_VALUE - 16) throw new ProtocolError("bad length " + n);
        return (int) n;
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new ProtocolError("bad integer " + s);
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(32);
        while (true) {
            int c = in.read();
            if (c < 0) throw new EOFException("connection closed inside a reply");
            if (c == '\r') {
                int d = in.read();
                if (d != '\n') throw new ProtocolError("CR without LF");
                return b.toString(StandardCharsets.UTF_8);
            }
            if (c == '\n') throw new ProtocolError("LF without CR");
            b.write(c);
        }
    }

    private byte[] readExact(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) throw new EOFException("connection closed inside a bulk string");
        if (in.read() != '\r' || in.read() != '\n') throw new ProtocolError("bulk string without CRLF");
        return b;
    }
}
