package vts.series;

import static org.junit.jupiter.api.Assertions.*;
import static vts.series.Layout.*;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import vts.codec.Chunks;

class SeriesTest {
    static final int[] POLICIES = {DUP_BLOCK, DUP_FIRST, DUP_LAST, DUP_MIN, DUP_MAX, DUP_SUM};

    /** Expected result of an add against the model; applies it to the model. */
    static int modelAdd(TreeMap<Long, Double> m, long ts, double v, int policy, long retention) {
        if (!m.isEmpty() && retention > 0 && ts < m.lastKey() - retention) return Series.ERR_TOO_OLD;
        Double old = m.get(ts);
        if (old == null) {
            m.put(ts, v);
            return Series.ADDED;
        }
        double nv;
        switch (policy) {
            case DUP_FIRST -> nv = old;
            case DUP_LAST -> nv = v;
            case DUP_MIN, DUP_MAX, DUP_SUM -> {
                if (Double.isNaN(old) || Double.isNaN(v)) return Series.ERR_BLOCKED;
                nv = policy == DUP_MIN ? Math.min(old, v) : policy == DUP_MAX ? Math.max(old, v) : old + v;
            }
            default -> { return Series.ERR_BLOCKED; }
        }
        m.put(ts, nv);
        return Series.UPDATED;
    }

    static double randomValue(SplittableRandom r) {
        return switch (r.nextInt(10)) {
            case 0 -> Double.NaN;
            case 1 -> r.nextDouble();
            case 2 -> -0.0;
            default -> r.nextInt(-500, 500) / 10.0;
        };
    }

    @Test
    void randomOperationsMatchTheModel() {
        SplittableRandom r = new SplittableRandom(11);
        for (int enc : new int[] {ENC_COMPRESSED, ENC_UNCOMPRESSED}) {
            for (int size : new int[] {48, 64, 4096}) {
                for (long retention : new long[] {0, 50_000}) {
                    run(r, enc, size, retention, size == 4096 ? 6000 : 1500);
                }
            }
        }
    }

    private static void run(SplittableRandom r, int enc, int size, long retention, int ops) {
        long s = Series.create(enc, retention, size, DUP_UNSET, false, 0, 0);
        TreeMap<Long, Double> m = new TreeMap<>();
        SeriesCursor cur = new SeriesCursor();
        long t = r.nextLong(1L << 40);
        String where = "enc " + enc + " size " + size + " retention " + retention;
        for (int op = 0; op < ops; op++) {
            int kind = r.nextInt(100);
            if (kind < 2 && retention == 0) {
                long a = m.isEmpty() ? t : m.firstKey() + r.nextLong(Math.max(1, m.lastKey() - m.firstKey() + 2000)) - 1000;
                long b = a + r.nextLong(r.nextBoolean() ? 3000 : 200_000);
                NavigableMap<Long, Double> sub = m.subMap(a, true, b, true);
                long expected = sub.size();
                sub.clear();
                assertEquals(expected, Series.delete(s, a, b), where);
            } else {
                long ts;
                if (kind < 70 || m.isEmpty()) ts = t += r.nextInt(1, 2000);
                else if (kind < 85) ts = t - r.nextLong(Math.min(t, 80_000));
                else {
                    Long k = m.floorKey(t - r.nextLong(Math.min(t, 60_000)));
                    ts = k == null ? t : k;
                }
                double v = randomValue(r);
                int policy = POLICIES[r.nextInt(POLICIES.length)];
                int expected = modelAdd(m, ts, v, policy, retention);
                assertEquals(expected, Series.add(s, ts, v, policy), where + " add " + ts);
            }
            if (op % 97 == 0 || op == ops - 1) check(s, m, cur, r, where);
        }
        Series.free(s);
    }

    static void check(long s, TreeMap<Long, Double> m, SeriesCursor cur, SplittableRandom r, String where) {
        // structure: chunks ordered, non-overlapping, counts add up
        int n = Series.nchunks(s);
        long total = 0;
        long prevLast = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            long c = Series.chunk(s, i);
            assertTrue(Chunks.count(c) > 0, where);
            assertTrue(Chunks.firstTs(c) > prevLast, where + " chunks overlap");
            assertTrue(Chunks.firstTs(c) <= Chunks.lastTs(c), where);
            prevLast = Chunks.lastTs(c);
            total += Chunks.count(c);
        }
        assertEquals(total, Series.totalSamples(s), where);
        if (m.isEmpty()) {
            assertEquals(0, Series.totalSamples(s), where);
            assertFalse(cur.reset(s, 0, Long.MAX_VALUE, false).next());
            return;
        }
        assertEquals(m.lastKey(), Series.lastTs(s), where);
        assertEquals(bits(m.lastEntry().getValue()), bits(Series.lastValue(s)), where);
        long min = Series.minVisibleTs(s);
        if (Series.retention(s) == 0) {
            assertEquals(m.size(), Series.totalSamples(s), where);
            assertEquals(m.firstKey(), Series.firstTs(s), where);
        }
        NavigableMap<Long, Double> visible = m.tailMap(min, true);
        compare(visible, cur.reset(s, 0, Long.MAX_VALUE, false), false, where);
        compare(visible, cur.reset(s, 0, Long.MAX_VALUE, true), true, where);
        for (int q = 0; q < 5; q++) {
            long a = m.firstKey() - 10 + r.nextLong(m.lastKey() - m.firstKey() + 20);
            long b = a + r.nextLong(50_000);
            boolean rev = r.nextBoolean();
            long lo = Math.max(a, min);
            NavigableMap<Long, Double> exp = lo > b ? new TreeMap<>() : m.subMap(lo, true, b, true);
            compare(exp, cur.reset(s, a, b, rev), rev, where);
        }
    }

    static void compare(NavigableMap<Long, Double> expected, SeriesCursor cur, boolean reverse, String where) {
        for (Map.Entry<Long, Double> e : (reverse ? expected.descendingMap() : expected).entrySet()) {
            assertTrue(cur.next(), where + " missing " + e.getKey());
            assertEquals(e.getKey(), cur.ts, where);
            assertEquals(bits(e.getValue()), bits(cur.value), where + " at " + e.getKey());
        }
        assertFalse(cur.next(), where + " extra sample");
    }

    static long bits(double d) {
        return Double.doubleToRawLongBits(d);
    }

    @Test
    void deleteEverythingAndStartAgain() {
        long s = Series.create(ENC_COMPRESSED, 0, 64, DUP_UNSET, false, 0, 0);
        for (int i = 0; i < 500; i++) assertEquals(Series.ADDED, Series.add(s, i * 10L, i, DUP_BLOCK));
        assertTrue(Series.nchunks(s) > 5);
        assertEquals(500, Series.delete(s, 0, 10_000));
        assertEquals(0, Series.totalSamples(s));
        assertEquals(0, Series.nchunks(s));
        assertEquals(Series.ADDED, Series.add(s, 5, 1.5, DUP_BLOCK));
        assertEquals(5, Series.firstTs(s));
        assertEquals(5, Series.lastTs(s));
        Series.free(s);
    }

    @Test
    void retentionDropsWholeChunksAndRejectsOldSamples() {
        long s = Series.create(ENC_UNCOMPRESSED, 1000, 48, DUP_UNSET, false, 0, 0);
        for (int i = 0; i < 100; i++) Series.add(s, i * 100L, i, DUP_BLOCK);
        assertEquals(9900 - 1000, Series.minVisibleTs(s));
        assertEquals(Series.ERR_TOO_OLD, Series.add(s, 8899, 1, DUP_LAST));
        assertEquals(Series.UPDATED, Series.add(s, 8900, 1, DUP_LAST));
        assertTrue(Series.totalSamples(s) <= 11 + 3, "old chunks dropped");
        assertTrue(Series.firstTs(s) >= 8900 - 300);
        Series.free(s);
    }

    @Test
    void ignoreIsInclusive() {
        long s = Series.create(ENC_COMPRESSED, 0, 4096, DUP_LAST, true, 10, 0.5);
        assertFalse(Series.shouldIgnore(s, 0, 0));
        Series.add(s, 100, 1.0, DUP_LAST);
        assertTrue(Series.shouldIgnore(s, 110, 1.5));
        assertTrue(Series.shouldIgnore(s, 100, 0.5));
        assertFalse(Series.shouldIgnore(s, 111, 1.0));
        assertFalse(Series.shouldIgnore(s, 105, 1.51));
        assertFalse(Series.shouldIgnore(s, 99, 1.0));
        Series.setIgnore(s, false, 10, 0.5);
        assertFalse(Series.shouldIgnore(s, 100, 1.0));
        Series.free(s);
    }

    @Test
    void labelsBlobsCopyAndMemoryUsage() {
        long s = Series.create(ENC_COMPRESSED, 0, 128, DUP_UNSET, false, 0, 0);
        Series.setLabels(s, new byte[][] {b("a"), b("1"), b("name"), b("")});
        Series.setLabels(s, new byte[][] {b("host"), b("h1"), b("dc"), b("eu-west")});
        assertEquals(2, Series.labelCount(s));
        assertArrayEquals(b("dc"), Series.labelName(s, 1));
        assertArrayEquals(b("eu-west"), Series.labelValue(s, 1));
        assertArrayEquals(b("h1"), Series.labelValue(s, 0));
        Series.setSrcKey(s, b("src"));
        Series.setRules(s, b("rule-bytes"), 1);
        for (int i = 0; i < 300; i++) Series.add(s, i * 1000L, i % 7, DUP_BLOCK);
        long c = Series.copy(s);
        assertEquals(-1, Series.indexId(c));
        assertEquals(Series.memoryUsage(s), Series.memoryUsage(c));
        long expected = SERIES_SIZE + 8L * Series.nchunks(s) + 4 + 4 + 4 + 2 + 4 + 2 + 4 + 7 + 3 + 10;
        for (int i = 0; i < Series.nchunks(s); i++) expected += Chunks.size(Series.chunk(s, i));
        assertEquals(expected, Series.memoryUsage(s));
        Series.add(s, 1, 5, DUP_BLOCK);
        Series.free(s);
        assertArrayEquals(b("src"), Series.srcKey(c));
        assertArrayEquals(b("rule-bytes"), Series.rules(c));
        assertEquals(300, Series.totalSamples(c));
        SeriesCursor cur = new SeriesCursor().reset(c, 0, Long.MAX_VALUE, false);
        for (int i = 0; i < 300; i++) {
            assertTrue(cur.next());
            assertEquals(i % 7, cur.value);
        }
        Series.free(c);
    }

    @Test
    void theOpenChunkGrowsWithItsDataUpToChunkSize() {
        for (int enc : new int[] {ENC_COMPRESSED, ENC_UNCOMPRESSED}) {
            long s = Series.create(enc, 0, 4096, DUP_UNSET, false, 0, 0);
            SplittableRandom r = new SplittableRandom(3);
            TreeMap<Long, Double> m = new TreeMap<>();
            int lastCap = 0;
            int grew = 0;
            for (int i = 0; Series.nchunks(s) < 3; i++) {
                double v = Math.round(r.nextDouble(-1000, 1000)) / 100.0;
                assertEquals(Series.ADDED, Series.add(s, 1000L * i, v, DUP_BLOCK));
                m.put(1000L * i, v);
                long open = Series.chunk(s, Series.nchunks(s) - 1);
                int cap = Chunks.capacity(open);
                if (i == 0) assertTrue(Chunks.size(open) <= 160, "a one-sample chunk is small: " + Chunks.size(open));
                if (Series.nchunks(s) == 1 && cap > lastCap && i > 0) grew++;
                lastCap = cap;
                // every data byte past used is zero (the bit writer ORs into them)
                for (int b = Chunks.used(open); b < cap; b++) assertEquals(0, vts.mem.Mem.getByte(open + C_DATA + b));
            }
            assertTrue(grew > 5, "grew through several size classes: " + grew);
            // the full chunks reached chunk_size (less one sample's worth, at most 17 bytes)
            for (int i = 0; i < Series.nchunks(s) - 1; i++) {
                assertTrue(Chunks.capacity(Series.chunk(s, i)) >= 4096);
                assertTrue(Chunks.used(Series.chunk(s, i)) > 4096 - 17, "used " + Chunks.used(Series.chunk(s, i)));
            }
            compare(m, new SeriesCursor().reset(s, 0, Long.MAX_VALUE, false), false, "grown");
            compare(m, new SeriesCursor().reset(s, 0, Long.MAX_VALUE, true), true, "grown");
            Series.free(s);
        }
    }

    static final class Mem2 {
        static int chunksCap(long s) { return vts.mem.Mem.getInt(s + S_CHUNKS_CAP); }
    }

    static byte[] b(String x) {
        return x.getBytes(StandardCharsets.UTF_8);
    }
}
