package vts.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

import vts.index.Results.Partial;
import vts.index.Results.Row;

/**
 * The fan-out's messages on the cluster bus (little-endian; every message starts with the
 * request id and the attempt it belongs to):
 * <pre>
 * REQUEST  id u64, attempt u32, user (bytes, absent = -1), argc u32, argv (bytes each)
 * ANSWER   id u64, attempt u32, total u32, offset u32, then bytes [offset, offset+n) of the answer
 * PROBE    id u64, attempt u32
 * COUNTER  id u64, attempt u32, moves u64
 * ACK      id u64, attempt u32, received u32 (bytes of the answer the coordinator holds: the
 *          shard may send up to Shard.WINDOW bytes beyond them)
 * </pre>
 * An answer (split over as many ANSWER messages as its size needs) is: status u8 (0 ok,
 * 1 error), moves u64, moving u8, the owned slots (ranges), then the error text or the
 * partial result: keys, strings, count u64, rows (key, labels, columns, samples: timestamps
 * as zigzag varint deltas, values as raw u64 bits). "bytes" is a u32 length and the bytes;
 * in the partial result counts and lengths are varints (a length as length + 1, 0 for null),
 * so a TS.MGET row of a short key is ~26 bytes instead of ~40.
 */
final class Wire {
    private Wire() {}

    private static final java.lang.invoke.VarHandle INT =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final java.lang.invoke.VarHandle LONG =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    static final int REQUEST = 1, ANSWER = 2, PROBE = 3, COUNTER = 4, ACK = 5;
    /**
     * The largest message payload we send: a big answer goes out in pieces of this size. Small
     * on purpose: Valkey callocs each bus message (payload plus its ~2.3 KB header), and a
     * block above jemalloc's largest small size class (14 KB) is zeroed by madvise, whose TLB
     * shootdown across the JVM's threads cost ~0.5 ms per 100 KB answer (perf, TS.MRANGE).
     */
    static final int PIECE = 11 * 1024;
    static final int ANSWER_HEAD = 8 + 4 + 4 + 4;

    /** A shard's answer to one attempt. */
    record Answer(String error, long moves, boolean moving, BitSet served, Partial partial) {}

    // ------------------------------------------------------------ writing

    static final class Out {
        byte[] b;
        int n;

        Out() { this(256); }

        Out(long capacity) { b = new byte[(int) Math.min(Math.max(capacity, 16), Integer.MAX_VALUE - 16)]; }

        private void room(long k) {
            if (n + k > b.length) {
                long want = Math.max((long) b.length * 2, n + k);
                if (want > Integer.MAX_VALUE - 16) throw new IllegalStateException("answer larger than 2 GB");
                b = Arrays.copyOf(b, (int) want);
            }
        }

        Out u8(int v) {
            room(1);
            b[n++] = (byte) v;
            return this;
        }

        Out u32(int v) {
            room(4);
            INT.set(b, n, v);
            n += 4;
            return this;
        }

        Out u64(long v) {
            room(8);
            LONG.set(b, n, v);
            n += 8;
            return this;
        }

        Out raw(byte[] x) {
            room(x.length);
            System.arraycopy(x, 0, b, n, x.length);
            n += x.length;
            return this;
        }

        Out bytes(byte[] x) {
            if (x == null) return u32(-1);
            return u32(x.length).raw(x);
        }

        /** Unsigned LEB128: 1 byte below 128, at most 10. */
        Out var(long v) {
            room(10);
            while ((v & ~0x7FL) != 0) {
                b[n++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            b[n++] = (byte) v;
            return this;
        }

        /** Length + 1 as a varint (0: null), then the bytes. */
        Out vbytes(byte[] x) {
            if (x == null) return var(0);
            return var(x.length + 1L).raw(x);
        }

        byte[] done() { return n == b.length ? b : Arrays.copyOf(b, n); }
    }

    static final class In {
        final byte[] b;
        int p;

        In(byte[] b) { this.b = b; }

        private void need(int k) {
            if (k < 0 || p + k > b.length) throw new IllegalArgumentException("truncated cluster message");
        }

        int u8() {
            need(1);
            return b[p++] & 0xff;
        }

        int u32() {
            need(4);
            int v = (int) INT.get(b, p);
            p += 4;
            return v;
        }

        long u64() {
            need(8);
            long v = (long) LONG.get(b, p);
            p += 8;
            return v;
        }

        byte[] raw(int k) {
            need(k);
            byte[] x = Arrays.copyOfRange(b, p, p + k);
            p += k;
            return x;
        }

        byte[] bytes() {
            int k = u32();
            return k == -1 ? null : raw(k);
        }

        long var() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                need(1);
                byte x = b[p++];
                v |= (long) (x & 0x7F) << shift;
                if (x >= 0) return v;
            }
            throw new IllegalArgumentException("bad varint");
        }

        /** A varint that counts things of at least min bytes each still to come (min 0: no such bound). */
        int count(int min) {
            long v = var();
            if (v < 0 || v > Integer.MAX_VALUE || (min > 0 && v * min > b.length - p)) throw new IllegalArgumentException("bad count");
            return (int) v;
        }

        byte[] vbytes() {
            long k = var();
            if (k == 0) return null;
            if (k - 1 > b.length - p) throw new IllegalArgumentException("truncated cluster message");
            return raw((int) (k - 1));
        }
    }

    /** Slots as ranges (count u32, then first u32 and last u32 of each): a few bytes for a shard's usual ranges. */
    private static void writeSlots(Out o, BitSet slots) {
        int at = o.n, count = 0;
        o.u32(0);
        for (int s = slots.nextSetBit(0); s >= 0; s = slots.nextSetBit(s + 1)) {
            int e = slots.nextClearBit(s) - 1;
            o.u32(s).u32(e);
            count++;
            s = e;
        }
        INT.set(o.b, at, count);
    }

    private static BitSet readSlots(In in) {
        int count = in.u32();
        if (count < 0 || count > Slots.COUNT) throw new IllegalArgumentException("bad slot ranges");
        BitSet slots = new BitSet(Slots.COUNT);
        for (int i = 0; i < count; i++) {
            int s = in.u32(), e = in.u32();
            if (s < 0 || e < s || e >= Slots.COUNT) throw new IllegalArgumentException("bad slot range");
            slots.set(s, e + 1);
        }
        return slots;
    }

    static byte[] request(long id, int attempt, byte[] user, byte[][] argv) {
        Out o = new Out().u64(id).u32(attempt).bytes(user).u32(argv.length);
        for (byte[] a : argv) o.bytes(a);
        return o.done();
    }

    static byte[] probe(long id, int attempt) { return new Out().u64(id).u32(attempt).done(); }

    static byte[] ack(long id, int attempt, int received) { return new Out().u64(id).u32(attempt).u32(received).done(); }

    static byte[] counter(long id, int attempt, long moves) { return new Out().u64(id).u32(attempt).u64(moves).done(); }

    /** The answer body (before it is cut into ANSWER pieces): its first o.n bytes of o.b. */
    static Out answer(Answer a) {
        Out o = new Out(a.partial() == null ? 256 : size(a.partial())).u8(a.error() == null ? 0 : 1).u64(a.moves())
                .u8(a.moving() ? 1 : 0);
        writeSlots(o, a.served());
        if (a.error() != null) return o.bytes(a.error().getBytes(StandardCharsets.UTF_8));
        Partial p = a.partial();
        o.var(p.keys().size());
        for (byte[] k : p.keys()) o.vbytes(k);
        o.var(p.strings().size());
        for (String s : p.strings()) o.vbytes(s.getBytes(StandardCharsets.UTF_8));
        o.u64(p.count());
        o.var(p.rows().size());
        for (Row r : p.rows()) {
            o.vbytes(r.key);
            if (r.labels == null) {
                o.var(0);
            } else {
                o.var(r.labels.length + 1L);
                for (byte[] l : r.labels) o.vbytes(l);
            }
            o.var(r.cols).var(r.n);
            o.room(10L * r.n + 8L * r.n * r.cols);
            long prev = 0;
            for (int i = 0; i < r.n; i++) { // zigzag deltas: a bucket or a second apart is 2-3 bytes, not 8
                long d = r.ts[i] - prev;
                o.var((d << 1) ^ (d >> 63));
                prev = r.ts[i];
            }
            for (int i = 0; i < r.n * r.cols; i++) o.u64(Double.doubleToRawLongBits(r.values[i]));
        }
        return o;
    }

    /** About the encoded size of p, so the answer is mostly written without regrowing. */
    private static long size(Partial p) {
        long n = 64 + 8L * 2 * 16; // head, a few slot ranges
        for (byte[] k : p.keys()) n += 2 + k.length;
        for (String s : p.strings()) n += 2 + 3L * s.length();
        for (Row r : p.rows()) { // timestamps as ~3-byte deltas
            n += 2 + r.key.length + 1 + 2 + 3L * r.n + 8L * r.n * r.cols;
            if (r.labels != null) {
                for (byte[] l : r.labels) n += 2 + l.length;
            }
        }
        return n;
    }

    static Answer readAnswer(byte[] body) {
        In in = new In(body);
        int status = in.u8();
        long moves = in.u64();
        boolean moving = in.u8() != 0;
        BitSet served = readSlots(in);
        if (status != 0) return new Answer(new String(in.bytes(), StandardCharsets.UTF_8), moves, moving, served, null);
        int nk = in.count(1);
        List<byte[]> keys = new ArrayList<>(nk);
        for (int i = 0; i < nk; i++) keys.add(in.vbytes());
        int ns = in.count(1);
        List<String> strings = new ArrayList<>(ns);
        for (int i = 0; i < ns; i++) strings.add(new String(in.vbytes(), StandardCharsets.UTF_8));
        long count = in.u64();
        int nr = in.count(4);
        List<Row> rows = new ArrayList<>(nr);
        for (int i = 0; i < nr; i++) {
            byte[] key = in.vbytes();
            int nl = in.count(1);
            byte[][] labels = null;
            if (nl != 0) {
                labels = new byte[nl - 1][];
                for (int j = 0; j < nl - 1; j++) labels[j] = in.vbytes();
            }
            int cols = in.count(0);
            int n = in.count(1);
            if (key == null || cols < 1 || (long) n * cols * 8 > body.length) throw new IllegalArgumentException("bad row");
            Row r = new Row(key, labels, 0);
            r.cols = cols;
            r.ts = new long[n];
            r.values = new double[n * cols];
            long prev = 0;
            for (int j = 0; j < n; j++) {
                long z = in.var();
                prev += (z >>> 1) ^ -(z & 1);
                r.ts[j] = prev;
            }
            for (int j = 0; j < n * cols; j++) r.values[j] = Double.longBitsToDouble(in.u64());
            r.n = n;
            rows.add(r);
        }
        return new Answer(null, moves, moving, served, new Partial(keys, rows, strings, count));
    }
}
