package vts.codec;

import static org.junit.jupiter.api.Assertions.*;
import static vts.series.Layout.*;

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
            assertTrue(Mem.getLong(big + C_BIT_POS) > capacity * 8L, "refused although it fits");
            assertTrue(Mem.getLong(c + C_BIT_POS) <= capacity * 8L);
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
}
