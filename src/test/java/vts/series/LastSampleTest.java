package vts.series;

import static org.junit.jupiter.api.Assertions.*;
import static vts.series.Layout.*;

import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import vts.codec.Chunks;
import vts.mem.Mem;

/**
 * The header keeps a copy of the last sample (S_LAST_TS / S_LAST_VALUE, what TS.GET and TS.MGET
 * read). After every write of every kind it must equal the last sample decoded from the
 * chunks, and a model's: appends (through chunk growth and new chunks), upserts at and before
 * the last timestamp under every duplicate policy, increments, deletes of the last sample, of
 * random ranges and of everything, retention trims, re-encoding of foreign chunks and copies.
 */
class LastSampleTest {
    static final int[] POLICIES = {DUP_BLOCK, DUP_FIRST, DUP_LAST, DUP_MIN, DUP_MAX, DUP_SUM};

    @Test
    void theHeaderCopyIsTheLastSampleAfterEveryWrite() {
        SplittableRandom r = new SplittableRandom(13);
        for (int enc : new int[] {ENC_COMPRESSED, ENC_UNCOMPRESSED}) {
            for (int size : new int[] {48, 256, 4096}) {
                for (long retention : new long[] {0, 30_000}) run(r, enc, size, retention, 4000);
            }
        }
    }

    private static void run(SplittableRandom r, int enc, int size, long retention, int ops) {
        long s = Series.create(enc, retention, size, DUP_UNSET, false, 0, 0);
        String where = "enc " + enc + " size " + size + " retention " + retention;
        check(s, new TreeMap<>(), where + " new");
        TreeMap<Long, Double> m = new TreeMap<>();
        long t = 1_000_000 + r.nextLong(1L << 30);
        for (int op = 0; op < ops; op++) {
            int kind = r.nextInt(100);
            String what;
            if (kind < 55 || m.isEmpty()) { // append
                t = (m.isEmpty() ? t : m.lastKey()) + r.nextInt(1, 1500);
                double v = SeriesTest.randomValue(r);
                int p = POLICIES[r.nextInt(POLICIES.length)];
                assertEquals(SeriesTest.modelAdd(m, t, v, p, retention), Series.add(s, t, v, p), where);
                what = "append " + t;
            } else if (kind < 75) { // upsert at the last timestamp or before it
                long ts = r.nextInt(3) == 0 ? m.lastKey()
                        : Math.max(0, m.lastKey() - r.nextLong(r.nextBoolean() ? 2000 : 60_000));
                if (r.nextBoolean()) {
                    Long k = m.floorKey(ts);
                    if (k != null) ts = k;
                }
                double v = SeriesTest.randomValue(r);
                int p = POLICIES[r.nextInt(POLICIES.length)];
                assertEquals(SeriesTest.modelAdd(m, ts, v, p, retention), Series.add(s, ts, v, p), where);
                what = "upsert " + ts + " policy " + p;
            } else if (kind < 80) { // TS.INCRBY: the last value plus a delta, at the last timestamp or after it
                double last = Series.lastValue(s);
                long ts = r.nextBoolean() ? m.lastKey() : m.lastKey() + r.nextInt(1, 100);
                double v = last + r.nextInt(-5, 6);
                assertEquals(SeriesTest.modelAdd(m, ts, v, DUP_LAST, retention), Series.add(s, ts, v, DUP_LAST), where);
                what = "incrby " + ts;
            } else if (kind < 86) { // delete the last sample, or a range that ends at or after it
                long from = r.nextBoolean() ? m.lastKey() : m.lastKey() - r.nextLong(5000);
                long to = m.lastKey() + r.nextInt(2);
                assertDeleted(del(m, from, to), Series.delete(s, from, to), retention, where);
                what = "delete " + from + ".." + to;
            } else if (kind < 93) { // delete a random range
                long from = m.firstKey() + r.nextLong(Math.max(1, m.lastKey() - m.firstKey() + 1));
                long to = from + r.nextLong(r.nextBoolean() ? 3000 : 100_000);
                assertDeleted(del(m, from, to), Series.delete(s, from, to), retention, where);
                what = "delete " + from + ".." + to;
            } else if (kind < 94) { // delete everything
                assertDeleted(m.size(), Series.delete(s, 0, Long.MAX_VALUE), retention, where);
                m.clear();
                what = "delete all";
            } else if (kind < 97 && retention == 0) { // the series' chunks as the RedisTimeSeries loader leaves them
                long f = toForeign(s, m);
                Series.free(s);
                s = f;
                Series.reencodeForeign(s);
                what = "foreign";
            } else { // a copy (COPY, the compaction's LATEST view) goes on by itself
                long c = Series.copy(s);
                check(c, m, where + " copy");
                Series.free(s);
                s = c;
                what = "copy";
            }
            // retention drops whole chunks of samples the model still has: the model follows
            if (retention > 0) resync(s, m);
            check(s, m, where + " op " + op + " " + what);
        }
        Series.free(s);
    }

    /** A series with the samples of m in uncompressed chunks, marked foreign (as native/rts_load.c hands it over). */
    private static long toForeign(long s, TreeMap<Long, Double> m) {
        long f = Series.create(ENC_UNCOMPRESSED, 0, Series.chunkSize(s), DUP_LAST, false, 0, 0);
        for (var e : m.entrySet()) assertEquals(Series.ADDED, Series.add(f, e.getKey(), e.getValue(), DUP_LAST));
        Mem.putByte(f + S_ENCODING, (byte) Series.encoding(s));
        Mem.putInt(f + S_FLAGS, Mem.getInt(f + S_FLAGS) | FLAG_FOREIGN_CHUNKS);
        return f;
    }

    /** With retention the model may still hold samples the series dropped: at most that many. */
    private static void assertDeleted(long model, long deleted, long retention, String where) {
        if (retention == 0) assertEquals(model, deleted, where);
        else assertTrue(deleted <= model, where);
    }

    /** The model becomes the series' samples (all of its chunks, decoded). */
    private static void resync(long s, TreeMap<Long, Double> m) {
        m.clear();
        for (int i = 0; i < Series.nchunks(s); i++) {
            long c = Series.chunk(s, i);
            long[] tss = new long[Chunks.count(c)];
            double[] vals = new double[tss.length];
            int k = Chunks.decode(c, tss, vals, 0);
            for (int j = 0; j < k; j++) m.put(tss[j], vals[j]);
        }
    }

    private static long del(TreeMap<Long, Double> m, long from, long to) {
        var sub = m.subMap(from, true, to, true);
        long n = sub.size();
        sub.clear();
        return n;
    }

    /** The header's copy against the last sample decoded from the last chunk, and against the model. */
    static void check(long s, TreeMap<Long, Double> m, String where) {
        long ts = Mem.getLong(s + S_LAST_TS);
        double v = Mem.getDouble(s + S_LAST_VALUE);
        int n = Series.nchunks(s);
        if (n == 0) {
            assertTrue(m.isEmpty(), where);
            assertEquals(0, ts, where + ": an empty series keeps 0");
            assertEquals(0, Double.doubleToRawLongBits(v), where + ": an empty series keeps 0");
            return;
        }
        long c = Series.chunk(s, n - 1);
        long[] tss = new long[Chunks.count(c)];
        double[] vals = new double[tss.length];
        int k = Chunks.decode(c, tss, vals, 0);
        assertEquals(tss.length, k, where);
        assertEquals(tss[k - 1], ts, where + ": last timestamp");
        assertEquals(Double.doubleToRawLongBits(vals[k - 1]), Double.doubleToRawLongBits(v), where + ": last value");
        assertEquals(m.lastKey(), ts, where + ": the model's last timestamp");
        assertEquals(Double.doubleToRawLongBits(m.lastEntry().getValue()), Double.doubleToRawLongBits(v),
                where + ": the model's last value");
        assertEquals(ts, Series.lastTs(s), where);
        assertEquals(Double.doubleToRawLongBits(v), Double.doubleToRawLongBits(Series.lastValue(s)), where);
    }
}
