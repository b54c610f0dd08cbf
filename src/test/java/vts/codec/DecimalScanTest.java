package vts.codec;

import static org.junit.jupiter.api.Assertions.*;
import static vts.series.Layout.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DecimalScanTest {
    /**
     * Scans chunk c with random bucket limits and checks every run, and the general reader's
     * remainder after STOP, against the samples ts/vs[0, n) decoded by ChunkReader: same
     * samples, bit for bit. Returns the number of samples the scan saw, or -1 if the chunk
     * is not scanned this way. Not strict (a corrupt chunk, whose integers may leave the
     * decimal range): only the samples' timestamps and the runs' first and last values.
     */
    static int checkScan(long c, long[] ts, double[] vs, int n, SplittableRandom r, boolean strict) {
        DecimalScan sc = new DecimalScan();
        if (!sc.open(c)) {
            assertFalse(Chunks.encoding(c) == ENC_COMPRESSED && n > 0
                    && (Mem_flags(c) & Gorilla.FLAG_DECIMAL) != 0
                    && Gorilla.scaled(Chunks.firstValue(c), Gorilla.initialScale(Chunks.firstValue(c))) != Gorilla.NOT_DECIMAL
                    && Chunks.count(c) > 0, "a decimal chunk was refused");
            return -1;
        }
        int i = 0;
        long lim = Long.MIN_VALUE;
        while (true) {
            int st = sc.run(lim);
            if (sc.n > 0) {
                double div = sc.divisor();
                long sum = 0;
                double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
                for (int k = i; k < i + sc.n; k++) {
                    assertTrue(k < n, "scan returned more samples than the reader");
                    assertTrue(ts[k] <= lim, "sample after the limit");
                    if (!strict) continue;
                    long m = Gorilla.scaled(vs[k], sc.scale());
                    assertNotEquals(Gorilla.NOT_DECIMAL, m, "not a decimal at the run's scale");
                    assertEquals(Double.doubleToRawLongBits(vs[k]), Double.doubleToRawLongBits(m / div));
                    sum += m;
                    lo = Math.min(lo, vs[k]);
                    hi = Math.max(hi, vs[k]);
                }
                if (strict) {
                    assertEquals(sum, sc.sumM);
                    assertEquals(lo, sc.minM / div);
                    assertEquals(hi, sc.maxM / div);
                }
                assertEquals(Double.doubleToRawLongBits(vs[i]), Double.doubleToRawLongBits(sc.firstM / div));
                assertEquals(Double.doubleToRawLongBits(vs[i + sc.n - 1]), Double.doubleToRawLongBits(sc.lastM / div));
                i += sc.n;
            }
            switch (st) {
                case DecimalScan.OVER -> {
                    assertTrue(i < n);
                    assertEquals(ts[i], sc.nextTs);
                    assertTrue(sc.nextTs > lim);
                    // the next bucket ends somewhere at or after this sample
                    lim = r.nextInt(4) == 0 ? sc.nextTs : sc.nextTs + r.nextLong(1, 1L << r.nextInt(1, 40));
                    if (lim < sc.nextTs) lim = Long.MAX_VALUE;
                }
                case DecimalScan.MORE -> assertTrue(i < n);
                case DecimalScan.DONE -> {
                    assertEquals(n, i);
                    return i;
                }
                default -> {
                    ChunkReader rd = sc.resume(new ChunkReader());
                    while (rd.next()) {
                        assertTrue(i < n);
                        assertEquals(ts[i], rd.ts);
                        assertEquals(Double.doubleToRawLongBits(vs[i]), Double.doubleToRawLongBits(rd.value));
                        i++;
                    }
                    assertEquals(n, i);
                    return i;
                }
            }
        }
    }

    /**
     * decodeAll on chunk c: -1, or exactly the samples ts/vs[0, n) (bit for bit); then the
     * same with the checkpoint corrupted in one random field, which must never give wrong
     * samples. Returns decodeAll's result on the intact chunk.
     */
    static int checkDecodeAll(long c, long[] ts, double[] vs, int n, SplittableRandom r) {
        int got = decodeAllMatches(c, ts, vs, n);
        long off = switch (r.nextInt(5)) {
            case 0 -> C_CKPT_INDEX;
            case 1 -> r.nextBoolean() ? C_CKPT_BIT : C_CKPT_SCALE;
            case 2 -> C_CKPT_TS;
            case 3 -> C_CKPT_DELTA;
            default -> C_CKPT_M;
        };
        int width = off < C_CKPT_TS ? 4 : 8;
        byte[] saved = new byte[width];
        for (int i = 0; i < width; i++) saved[i] = vts.mem.Mem.getByte(c + off + i);
        if (width == 4) vts.mem.Mem.putInt(c + off, vts.mem.Mem.getInt(c + off) + (r.nextBoolean() ? 1 : -1));
        else vts.mem.Mem.putLong(c + off, vts.mem.Mem.getLong(c + off) + r.nextInt(-3, 4));
        decodeAllMatches(c, ts, vs, n);
        for (int i = 0; i < width; i++) vts.mem.Mem.putByte(c + off + i, saved[i]);
        return got;
    }

    private static int decodeAllMatches(long c, long[] ts, double[] vs, int n) {
        DecimalScan sc = new DecimalScan();
        if (!sc.open(c)) return -1;
        int got = sc.decodeAll();
        if (got < 0) return got;
        assertEquals(n, got);
        for (int k = 0; k < n; k++) {
            assertEquals(ts[k], sc.tsAt(k), "timestamp " + k);
            assertEquals(Double.doubleToRawLongBits(vs[k]), Double.doubleToRawLongBits(sc.outM[k] / sc.divisor()),
                    "value " + k);
        }
        return got;
    }

    private static int Mem_flags(long c) {
        return vts.mem.Mem.getUByte(c + C_FLAGS);
    }

    @Test
    void scansEveryStreamLikeTheReader() {
        SplittableRandom r = new SplittableRandom(7);
        long[] ts = new long[20_000];
        double[] vs = new double[20_000];
        int scanned = 0, decoded = 0, checkpointed = 0;
        for (int round = 0; round < 600; round++) {
            ChunksTest.TsGen tg = ChunksTest.TS[r.nextInt(ChunksTest.TS.length)];
            ChunksTest.ValGen vg = ChunksTest.VALS[r.nextInt(ChunksTest.VALS.length)];
            ChunksTest.Stream s = ChunksTest.stream(r, tg, vg, r.nextInt(1, 9000));
            int cap = 8 * r.nextInt(1, 1024);
            long c = Chunks.newChunk(ENC_COMPRESSED, cap);
            try {
                int fit = Chunks.appendAll(c, s.ts(), s.v(), 0, s.ts().length);
                int n = Chunks.decode(c, ts, vs, 0);
                assertEquals(fit, n);
                if (checkScan(c, ts, vs, n, r, true) >= 0) scanned++;
                if (checkDecodeAll(c, ts, vs, n, r) >= 0) {
                    decoded++;
                    if (vts.mem.Mem.getInt(c + C_CKPT_BIT) != 0) checkpointed++;
                }
            } finally {
                Chunks.free(c);
            }
        }
        assertTrue(scanned > 100, "decimal chunks scanned: " + scanned);
        assertTrue(checkpointed > 30, "chunks decoded from their checkpoint: " + checkpointed + " of " + decoded);
    }

    @Test
    void randomWalkWithTwoDecimalsIsScannedToTheEnd() {
        SplittableRandom r = new SplittableRandom(3);
        long[] t = new long[5000];
        double[] v = new double[5000];
        double x = 100;
        for (int i = 0; i < t.length; i++) {
            x += r.nextDouble(-1, 1);
            t[i] = 1_600_000_000_000L + 1000L * i;
            v[i] = Double.parseDouble(String.format("%.2f", x));
        }
        long c = Chunks.newChunk(ENC_COMPRESSED, 10240);
        try {
            int n = Chunks.appendAll(c, t, v, 0, t.length);
            assertEquals(t.length, n);
            DecimalScan sc = new DecimalScan();
            assertTrue(sc.open(c));
            long total = 0;
            int st;
            while ((st = sc.run(Long.MAX_VALUE)) == DecimalScan.MORE) total += sc.n;
            assertEquals(DecimalScan.DONE, st);
            assertEquals(n, total + sc.n);
            long[] ts = new long[n];
            double[] vs = new double[n];
            Chunks.decode(c, ts, vs, 0);
            checkScan(c, ts, vs, n, r, true);
            assertNotEquals(0, vts.mem.Mem.getInt(c + C_CKPT_BIT), "no checkpoint");
            assertEquals(n, checkDecodeAll(c, ts, vs, n, r));
        } finally {
            Chunks.free(c);
        }
    }

    @Test
    void aChunkStillFillingKeepsItsCheckpointNearTheMiddle() {
        SplittableRandom r = new SplittableRandom(11);
        long c = Chunks.newChunk(ENC_COMPRESSED, 1 << 16);
        try {
            int n = 3000;
            long[] t = new long[n];
            double[] v = new double[n];
            long[] ts = new long[n];
            double[] vs = new double[n];
            for (int i = 0; i < n; i++) {
                t[i] = 1_700_000_000_000L + 1000L * i + (r.nextInt(10) == 0 ? r.nextInt(-300, 300) : 0);
                v[i] = (i + r.nextInt(3)) % 97 / (r.nextInt(50) == 0 ? 10.0 : 1.0);
                assertTrue(Chunks.append(c, t[i], v[i]));
                long pos = vts.mem.Mem.getInt(c + C_BIT_POS) & 0xffffffffL;
                long ck = vts.mem.Mem.getInt(c + C_CKPT_BIT) & 0xffffffffL;
                if (i >= 2) {
                    // it trails the middle by at most about one sample (here under 64 bits)
                    assertTrue(Math.abs(2 * ck - pos) <= 2 * 64, "checkpoint at bit " + ck + " of " + pos);
                }
                if (i % 500 == 499) {
                    assertEquals(i + 1, Chunks.decode(c, ts, vs, 0));
                    assertEquals(i + 1, checkDecodeAll(c, ts, vs, i + 1, r), "decoded as two chains");
                }
            }
        } finally {
            Chunks.free(c);
        }
    }

    @Test
    void theRegularHintIsCheckedWhileDecoding() {
        SplittableRandom r = new SplittableRandom(13);
        int n = 3000;
        long[] t = new long[n];
        double[] v = new double[n];
        long[] ts = new long[n];
        double[] vs = new double[n];
        for (int round = 0; round < 200; round++) {
            int odd = r.nextBoolean() ? n : r.nextInt(1, n); // the one sample off the grid, if any
            for (int i = 0; i < n; i++) {
                t[i] = 1_000_000L + 1000L * i + (i >= odd ? r.nextInt(1, 3) : 0);
                v[i] = (i * 7 + round) % 113 / 10.0;
            }
            long c = Chunks.newChunk(ENC_COMPRESSED, 8192);
            try {
                int fit = Chunks.appendAll(c, t, v, 0, n);
                int flags = vts.mem.Mem.getUByte(c + C_FLAGS);
                assertEquals(n, fit);
                boolean regular = odd == n;
                assertEquals(regular, (flags & Gorilla.FLAG_REGULAR) != 0, "hint with the odd sample at " + odd);
                assertEquals(fit, Chunks.decode(c, ts, vs, 0));
                // a forged hint must never give wrong timestamps: decodeAll refuses the chunk
                vts.mem.Mem.putByte(c + C_FLAGS, (byte) (flags | Gorilla.FLAG_REGULAR));
                int got = checkDecodeAll(c, ts, vs, fit, r);
                if (!regular) assertEquals(-1, got);
                else assertEquals(fit, got, "a regular chunk decodes whole");
            } finally {
                Chunks.free(c);
            }
        }
    }
}
