package vts.codec;

import static org.junit.jupiter.api.Assertions.*;
import static vts.series.Layout.*;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import vts.mem.Mem;

class ChunksTest {
    static final int N = 3000;

    interface TsGen { long next(SplittableRandom r, long prev, int i); }
    interface ValGen { double next(SplittableRandom r, double prev, int i); }

    static final long START_MAX = 1L << 62;

    static final TsGen[] TS = {
        (r, p, i) -> p + 1000,
        (r, p, i) -> p + 1000 + r.nextInt(-40, 41),
        (r, p, i) -> p + r.nextInt(1, 5000),
        (r, p, i) -> p + 1 + r.nextLong(1L << 40),                    // out of the 32-bit bucket
        (r, p, i) -> r.nextLong(Long.MAX_VALUE),                      // huge and negative deltas
        (r, p, i) -> r.nextInt(3) == 0 ? p + r.nextLong(1L << 33) : p + 10,
        (r, p, i) -> r.nextInt(700) == 0 ? p + 2000 : p + 1000,         // regular but for rare gaps
    };

    static final ValGen[] VALS = {
        (r, p, i) -> 42.5,
        (r, p, i) -> i,
        (r, p, i) -> p + r.nextInt(0, 100),
        (r, p, i) -> Math.round((p + r.nextGaussian()) * 100) / 100.0,
        (r, p, i) -> r.nextDouble(),
        (r, p, i) -> (r.nextDouble() - 0.5) * 1e300,
        (r, p, i) -> Double.longBitsToDouble(r.nextLong()),           // any bits incl. NaN payloads
        (r, p, i) -> special(r),
        (r, p, i) -> r.nextInt(4) == 0 ? special(r) : Math.round(r.nextGaussian() * 1000) / 1000.0,
        (r, p, i) -> r.nextInt(10) == 0 ? r.nextDouble() : Math.round(p * 10 + r.nextInt(-5, 6)) / 10.0,
        (r, p, i) -> r.nextInt(50) == 0 ? r.nextInt(1000) / Math.pow(10, r.nextInt(16)) : p, // scale changes
        (r, p, i) -> (i % 2 == 0 ? 1 : -1) * (double) (1L << 50) + r.nextInt(3),            // near decimal limit
        (r, p, i) -> (i / 40) % 2 == 0 ? r.nextInt(100) / 10.0 : r.nextDouble() * 100,   // decimal, then XOR switch
        (r, p, i) -> i % 7 < 3 ? r.nextGaussian() : r.nextInt(50) / 4.0,                // escapes short of a switch
        (r, p, i) -> i % 9 < 5 ? Math.sin(i) : i % 9 == 5 ? Math.sin(i - 1) : r.nextInt(9), // same values after a switch
        (r, p, i) -> r.nextDouble() * 1e6,
        (r, p, i) -> r.nextInt(3) == 0 ? p : Double.longBitsToDouble(Double.doubleToRawLongBits(p) ^ (r.nextLong() >>> r.nextInt(64))),
    };

    static double special(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0 -> Double.NaN;
            case 1 -> -0.0;
            case 2 -> 0.0;
            case 3 -> Double.POSITIVE_INFINITY;
            case 4 -> Double.NEGATIVE_INFINITY;
            case 5 -> Double.longBitsToDouble(0x7ff8000000000123L);   // NaN with payload
            case 6 -> Double.MIN_VALUE;
            default -> -Double.MAX_VALUE;
        };
    }

    record Stream(long[] ts, double[] v) {}

    static Stream stream(SplittableRandom r, TsGen tg, ValGen vg, int n) {
        long[] ts = new long[n];
        double[] v = new double[n];
        long t = r.nextLong(START_MAX);
        double x = r.nextInt(1000) / 100.0;
        for (int i = 0; i < n; i++) {
            t = tg.next(r, t, i);
            if (t < 0) t = r.nextLong(Long.MAX_VALUE);
            x = vg.next(r, x, i);
            ts[i] = t;
            v[i] = x;
        }
        return new Stream(ts, v);
    }

    @Test
    void roundTripsEveryStreamBitForBit() {
        SplittableRandom r = new SplittableRandom(7);
        ChunkReader reader = new ChunkReader();
        for (int enc : new int[] {ENC_COMPRESSED, ENC_UNCOMPRESSED}) {
            for (TsGen tg : TS) {
                for (ValGen vg : VALS) {
                    for (int cap : new int[] {48, 4096}) {
                        Stream s = stream(r, tg, vg, N / (cap == 48 ? 6 : 1));
                        checkRoundTrip(enc, cap, s, reader);
                    }
                }
            }
        }
    }

    private static void checkRoundTrip(int enc, int cap, Stream s, ChunkReader reader) {
        List<Long> chunks = new ArrayList<>();
        long c = Chunks.newChunk(enc, cap);
        int start = 0;
        for (int i = 0; i < s.ts.length; i++) {
            if (!Chunks.append(c, s.ts[i], s.v[i])) {
                checkFullAtCapacity(enc, cap, s, start, i, c);
                chunks.add(Chunks.shrink(c));
                c = Chunks.newChunk(enc, cap);
                start = i;
                assertTrue(Chunks.append(c, s.ts[i], s.v[i]));
            }
        }
        chunks.add(c);
        int k = 0;
        long[] ts = new long[s.ts.length];
        double[] vs = new double[s.ts.length];
        int off = 0;
        for (long ch : chunks) {
            checkSummary(ch, s, k);
            reader.reset(ch);
            while (reader.next()) {
                assertEquals(s.ts[k], reader.ts, "ts " + k);
                assertEquals(Double.doubleToRawLongBits(s.v[k]), Double.doubleToRawLongBits(reader.value), "value " + k);
                k++;
            }
            off += Chunks.decode(ch, ts, vs, off);
            assertEquals(0, tailBits(ch), "bits past used must be zero");
            Chunks.free(ch);
        }
        assertEquals(s.ts.length, k);
        assertEquals(k, off);
        for (int i = 0; i < k; i++) {
            assertEquals(s.ts[i], ts[i]);
            assertEquals(Double.doubleToRawLongBits(s.v[i]), Double.doubleToRawLongBits(vs[i]));
        }
    }

    /** OR of the data bytes past used. */
    static int tailBits(long c) {
        int or = 0;
        for (int i = Chunks.used(c); i < Chunks.capacity(c); i++) or |= Mem.getByte(c + C_DATA + i);
        return or;
    }

    /** The refused sample really needed more than the capacity; the chunk was untouched. */
    private static void checkFullAtCapacity(int enc, int cap, Stream s, int from, int refused, long c) {
        byte[] before = bytes(c);
        assertFalse(Chunks.append(c, s.ts[refused], s.v[refused]));
        assertArrayEquals(before, bytes(c), "a refused append must not change the chunk");
        long big = Chunks.encode(enc, s.ts, s.v, from, refused + 1, 1 << 16);
        assertNotEquals(0, big);
        int capacity = Chunks.capacity(c);
        assertTrue(capacity >= cap && capacity % 8 == 0, "capacity " + capacity);
        if (enc == ENC_COMPRESSED) {
            assertTrue((Mem.getInt(big + C_BIT_POS) & 0xffffffffL) > capacity * 8L, "refused although it fits");
            assertTrue((Mem.getInt(c + C_BIT_POS) & 0xffffffffL) <= capacity * 8L);
        } else {
            assertEquals(capacity / 16, Chunks.count(c));
        }
        Chunks.free(big);
        long again = Chunks.encode(enc, s.ts, s.v, from, refused + 1, cap);
        if (again != 0) {
            assertTrue(Chunks.capacity(again) > capacity);
            Chunks.free(again);
        }
    }

    static byte[] bytes(long c) {
        byte[] b = new byte[(int) Chunks.size(c)];
        Mem.copyToArray(c, b, 0, b.length);
        return b;
    }

    private static void checkSummary(long c, Stream s, int from) {
        int n = Chunks.count(c);
        double sum = 0, comp = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        int nans = 0;
        for (int i = from; i < from + n; i++) {
            double v = s.v[i];
            if (Double.isNaN(v)) { nans++; continue; }
            double t = sum + v;
            if (Double.isFinite(t)) comp += Math.abs(sum) >= Math.abs(v) ? (sum - t) + v : (v - t) + sum;
            sum = t;
            if (v < min) min = v;
            if (v > max) max = v;
        }
        assertEquals(nans, Chunks.nanCount(c));
        assertEquals(Double.doubleToRawLongBits(sum + comp), Double.doubleToRawLongBits(Chunks.sum(c)));
        assertEquals(Double.doubleToRawLongBits(min), Double.doubleToRawLongBits(Chunks.min(c)));
        assertEquals(Double.doubleToRawLongBits(max), Double.doubleToRawLongBits(Chunks.max(c)));
        assertEquals(s.ts[from], Chunks.firstTs(c));
        assertEquals(s.ts[from + n - 1], Chunks.lastTs(c));
        assertEquals(Double.doubleToRawLongBits(s.v[from + n - 1]), Double.doubleToRawLongBits(Chunks.lastValue(c)));
    }

    @Test
    void compensatedSumIsExactWhereNaiveIsNot() {
        long c = Chunks.newChunk(ENC_COMPRESSED, 4096);
        double[] v = {1e16, 1.0, -1e16, 1.0};
        for (int i = 0; i < v.length; i++) assertTrue(Chunks.append(c, i, v[i]));
        assertEquals(2.0, Chunks.sum(c));
        Chunks.free(c);
    }

    @Test
    void uncompressedFullAtCapacity() {
        long c = Chunks.newChunk(ENC_UNCOMPRESSED, 64);
        int n = Chunks.capacity(c) / 16;
        assertTrue(n >= 4);
        for (int i = 0; i < n; i++) assertTrue(Chunks.append(c, i, i));
        assertFalse(Chunks.append(c, n, 5));
        assertEquals(16 * n, Chunks.used(c));
        Chunks.free(c);
    }

    @Test
    void shrinkKeepsSamplesAndAllowsFurtherAppends() {
        long c = Chunks.newChunk(ENC_COMPRESSED, 4096);
        for (int i = 0; i < 100; i++) assertTrue(Chunks.append(c, i * 1000L, i * 0.5));
        c = Chunks.close(c);
        int cap = Chunks.capacity(c);
        assertTrue(cap >= ((Chunks.used(c) + 7) & ~7) && cap < 4096 && cap % 8 == 0, "capacity " + cap);
        long usable = Mem.usableSize(c);
        if (usable > 0) assertEquals((usable - CHUNK_HEADER) & ~7, cap);
        assertEquals(0, tailBits(c));
        long[] ts = new long[200];
        double[] vs = new double[200];
        assertEquals(100, Chunks.decode(c, ts, vs, 0));
        for (int i = 0; i < 100; i++) assertEquals(i * 0.5, vs[i]);
        int added = 0;
        while (Chunks.append(c, 100_000L + added, 7)) added++;
        assertEquals(100 + added, Chunks.decode(c, ts, vs, 0));
        Chunks.free(c);
    }

    @Test
    void closeKeepsAChunkOverHalfFull() {
        long c = Chunks.newChunk(ENC_COMPRESSED, 4096);
        int cap = Chunks.capacity(c);
        SplittableRandom r = new SplittableRandom(3);
        int i = 0;
        while (Chunks.append(c, i * 1000L, r.nextDouble())) i++;
        assertEquals(c, Chunks.close(c));
        assertEquals(cap, Chunks.capacity(c));
        Chunks.free(c);
    }
    @Test
    void newChunkTakesTheWholeUsableBlock() {
        for (int cap : new int[] {32, 48, 4096, 4200, 65536}) {
            long c = Chunks.newChunk(ENC_COMPRESSED, cap);
            long usable = Mem.usableSize(c);
            int expected = usable > 0 ? (int) Math.max(cap, (usable - CHUNK_HEADER) & ~7) : cap;
            assertEquals(expected, Chunks.capacity(c));
            assertEquals(0, tailBits(c));
            Chunks.free(c);
        }
    }

    /** Encoded data bits per sample of a stream in one big chunk. */
    static double bitsPerSample(long[] ts, double[] v) {
        long c = Chunks.encode(ENC_COMPRESSED, ts, v, 0, ts.length, 1 << 20);
        assertNotEquals(0, c);
        double b = (Mem.getInt(c + C_BIT_POS) & 0xffffffffL) / (double) (ts.length - 1);
        Chunks.free(c);
        return b;
    }

    @Test
    void compressionGuards() {
        SplittableRandom r = new SplittableRandom(9);
        int n = 20_000;
        long[] ts = new long[n];
        double[] u = new double[n], u6 = new double[n], dec = new double[n], ctr = new double[n];
        for (int i = 0; i < n; i++) {
            ts[i] = 1_700_000_000_000L + i * 1000L;
            u[i] = r.nextDouble();
            u6[i] = r.nextDouble() * 1e6;
            dec[i] = i < 10 ? i : r.nextDouble(); // decimal first value, then random: switches to XOR
            ctr[i] = i == 0 ? 0 : ctr[i - 1] + r.nextInt(11);
        }
        // one timestamp bit plus the value code
        assertTrue(bitsPerSample(ts, u) < 58, "uniform [0,1): " + bitsPerSample(ts, u));
        assertTrue(bitsPerSample(ts, u6) < 59, "uniform [0,1e6): " + bitsPerSample(ts, u6));
        assertTrue(bitsPerSample(ts, dec) < 59, "decimal then random: " + bitsPerSample(ts, dec));
        assertTrue(bitsPerSample(ts, ctr) < 8.01, "counter: " + bitsPerSample(ts, ctr));
    }

    // ---- corrupt chunks: the reader stops at the end of the data, never past the capacity ----

    static final Linker LINKER = Linker.nativeLinker();

    static MethodHandle libc(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd);
    }

    @Test
    void corruptChunksEndAtTheirData() throws Throwable {
        MethodHandle mmap = libc("mmap", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        MethodHandle mprotect = libc("mprotect", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        MethodHandle munmap = libc("munmap", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG));
        long page = 4096;
        // PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS
        long base = (long) mmap.invokeExact(0L, 2 * page, 3, 0x22, -1, 0L);
        assertTrue(base != -1 && base != 0);
        // the page after the chunk faults on any access
        assertEquals(0, (int) mprotect.invokeExact(base + page, page, 0));
        try {
            SplittableRandom r = new SplittableRandom(13);
            ChunkReader reader = new ChunkReader();
            long[] ts = new long[1 << 16];
            double[] vs = new double[1 << 16];
            for (int iter = 0; iter < 3000; iter++) {
                int cap = 8 * r.nextInt(0, 64);
                long c = base + page - CHUNK_HEADER - cap;
                int enc = r.nextInt(4) == 0 ? ENC_UNCOMPRESSED : ENC_COMPRESSED;
                Mem.fill(c, CHUNK_HEADER, (byte) 0);
                for (int i = 0; i < cap; i += 8) Mem.putLong(c + C_DATA + i, r.nextInt(3) == 0 ? -1L : r.nextLong());
                Mem.putInt(c + C_CAPACITY, cap);
                Mem.putByte(c + C_ENCODING, (byte) enc);
                Mem.putByte(c + C_FLAGS, (byte) r.nextInt(256));
                Mem.putByte(c + C_PREV_LEADING, (byte) r.nextInt(256));
                Mem.putByte(c + C_PREV_TRAILING, (byte) r.nextInt(256));
                Mem.putInt(c + C_COUNT, r.nextInt(1, 60_000));
                Mem.putInt(c + C_BIT_POS, switch (r.nextInt(3)) {
                    case 0 -> cap * 8;
                    case 1 -> r.nextInt(cap * 8 + 1);
                    default -> r.nextInt();
                });
                Mem.putDouble(c + C_FIRST_VALUE, r.nextBoolean() ? r.nextInt(1000) / 100.0 : r.nextDouble());
                Mem.putDouble(c + C_LAST_VALUE, r.nextDouble());
                int n = Chunks.decode(c, ts, vs, 0);
                long bitPos = Mem.getInt(c + C_BIT_POS) & 0xffffffffL;
                long bits = Math.min(bitPos, cap * 8L);
                int max = enc == ENC_UNCOMPRESSED ? cap / 16 : 1 + (int) (bits / 2); // a sample takes 2 bits or more
                assertTrue(n <= Math.min(max, Chunks.count(c)), "decoded " + n);
                reader.reset(c);
                int k = 0;
                while (reader.next()) k++;
                assertEquals(n, k);
                // the decimal scan (with the reader after it) sees the same samples, inside the chunk
                DecimalScanTest.checkScan(c, ts, vs, n, r, false);
                // appends to a corrupt chunk stay inside it too (they may refuse, or throw)
                for (int i = 0; i < 20; i++) {
                    try {
                        Chunks.append(c, r.nextLong(), r.nextInt(3) == 0 ? r.nextInt(100) / 10.0 : r.nextDouble());
                    } catch (RuntimeException e) {
                        // an exception, never a stray access, is acceptable for a corrupt header
                    }
                }
            }
        } finally {
            assertEquals(0, (int) munmap.invokeExact(base, 2 * page));
        }
    }
}
