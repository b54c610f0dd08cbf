package vts.compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import vts.query.Agg;
import vts.query.Aggregation;
import vts.query.AggregationEngine;
import vts.query.Aggregator;
import vts.query.Align;
import vts.query.BucketTimestamp;
import vts.query.Buckets;
import vts.query.RangeQuery;
import vts.series.Layout;
import vts.series.Series;

/**
 * The running state of a rule's open bucket gives, at every bucket close and for LATEST,
 * the value the aggregation engine computes from the source (bit for bit; var/std within
 * a few ulps), across chunk boundaries, NaN values and buckets spanning many chunks.
 */
class RunningTest {
    private final AggregationEngine engine = new AggregationEngine();

    private double found;

    /** The engine's value of bucket [start, start + dur), or null if TS.RANGE has no such bucket. */
    private Double engineBucket(long s, long start, long dur, long align, Agg agg) {
        curS = s;
        curFrom = Math.max(0, start);
        curTo = Buckets.last(start, dur);
        RangeQuery q = new RangeQuery(Math.max(0, start), Buckets.last(start, dur), false, null, null, 1,
                new Aggregation(List.of(agg), dur, BucketTimestamp.START, false), new Align(Align.Kind.TIMESTAMP, align));
        found = Double.NaN;
        long n = engine.run(s, q, false, (ts, vals) -> {
            found = vals[0];
            return false;
        });
        return n == 0 ? null : found;
    }

    private void assertSame(Double expected, int st, double actual, Aggregator kind, String what) {
        if (expected == null) {
            assertEquals(Running.ABSENT, st, what + ": bucket should be absent");
            return;
        }
        assertEquals(Running.PRESENT, st, what + ": bucket should be present (" + expected + ")");
        if (kind == Aggregator.SUM || kind == Aggregator.AVG) {
            // the range engine sums decimal chunks exactly in the integer domain, the running
            // state keeps a compensated sum, whose error is bounded by a few units of rounding
            // of the sum of magnitudes (not of the result, which may cancel towards 0)
            double tol = 2 * Math.ulp(expected) + 4 * 0x1p-52 * magnitude(kind == Aggregator.AVG);
            assertTrue(Math.abs(expected - actual) <= tol, what + ": expected " + expected
                    + " but was " + actual + " (tolerance " + tol + ")");
            return;
        }
        boolean ulps = switch (kind) {
            case VAR_P, VAR_S, STD_P, STD_S -> true;
            default -> false;
        };
        if (ulps) {
            double e = expected;
            if (e == actual || Math.abs(e - actual) <= 1e-12 * Math.max(Math.abs(e), Math.abs(actual))) return;
            // ill-conditioned data (a large mean, a small spread): neither is exact; the running
            // form must then be at least as close to the exact value as the engine
            double exact = exact(kind);
            assertTrue(Math.abs(actual - exact) <= Math.abs(e - exact), what + ": engine " + e + ", running " + actual
                    + ", exact " + exact);
        } else {
            assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual),
                    what + ": expected " + expected + " but was " + actual);
        }
    }

    private long curS, curFrom, curTo;

    /** var/std of the current bucket's samples in exact arithmetic, rounded at the end. */
    /** The sum of |x| over the current bucket's non-NaN samples (divided by their count for avg). */
    private double magnitude(boolean mean) {
        double sum = 0;
        int n = 0;
        vts.series.SeriesCursor c = new vts.series.SeriesCursor().reset(curS, curFrom, curTo, false);
        while (c.next()) {
            if (c.value != c.value) continue;
            sum += Math.abs(c.value);
            n++;
        }
        return mean && n > 0 ? sum / n : sum;
    }

    private double exact(Aggregator kind) {
        java.math.MathContext mc = new java.math.MathContext(60);
        java.math.BigDecimal sum = java.math.BigDecimal.ZERO;
        List<java.math.BigDecimal> xs = new java.util.ArrayList<>();
        vts.series.SeriesCursor c = new vts.series.SeriesCursor().reset(curS, curFrom, curTo, false);
        while (c.next()) {
            if (c.value != c.value) continue;
            java.math.BigDecimal x = new java.math.BigDecimal(c.value);
            xs.add(x);
            sum = sum.add(x);
        }
        java.math.BigDecimal mean = sum.divide(java.math.BigDecimal.valueOf(xs.size()), mc);
        java.math.BigDecimal m2 = java.math.BigDecimal.ZERO;
        for (java.math.BigDecimal x : xs) m2 = m2.add(x.subtract(mean).pow(2));
        int n = xs.size();
        boolean sample = kind == Aggregator.VAR_S || kind == Aggregator.STD_S;
        double var = n == 1 && sample ? 0 : m2.divide(java.math.BigDecimal.valueOf(sample ? n - 1 : n), mc).doubleValue();
        return kind == Aggregator.STD_P || kind == Aggregator.STD_S ? Math.sqrt(var) : var;
    }

    /** Feeds in-order samples the way Compaction's write hook does, checking each close and LATEST. */
    private int run(Aggregator kind, long seed, int chunkSize, int encoding, long dur, long align, boolean withNaN) {
        Agg agg = Agg.of(kind);
        Random rnd = new Random(seed);
        long s = Series.create(encoding, 0, chunkSize, Layout.DUP_LAST, false, 0, 0);
        int checked = 0;
        try {
            RuleBlob.write(s, List.of(new Rule(new byte[] {'d'}, agg, dur, align, RuleBlob.NO_BUCKET)));
            long rec = RuleBlob.record(s, 0);
            long t = rnd.nextInt(50);
            double base = rnd.nextBoolean() ? 0 : rnd.nextGaussian() * 1e9;
            for (int i = 0; i < 3000; i++) {
                t += 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 200 : 20);
                double v = withNaN && rnd.nextInt(15) == 0 ? Double.NaN
                        : switch (rnd.nextInt(3)) {
                            case 0 -> base + rnd.nextGaussian() * 1000;
                            case 1 -> Math.round(rnd.nextGaussian() * 100) / 10.0;
                            default -> rnd.nextDouble() * 1e-3;
                        };
                Series.add(s, t, v, Layout.DUP_LAST);
                long open = RuleBlob.openBucket(rec);
                long b = Buckets.start(t, dur, align);
                long prevLast = RuleBlob.sourceLast(rec);
                boolean append = t == Series.lastTs(s) && t > prevLast;
                RuleBlob.setSourceLast(rec, Series.lastTs(s));
                if (open == RuleBlob.NO_BUCKET || b > open) {
                    RuleBlob.setOpenBucket(rec, b);
                    if (open != RuleBlob.NO_BUCKET) {
                        int st = Running.value(rec, kind, s, open, dur, true, t, v);
                        if (st != Running.UNKNOWN) {
                            assertSame(engineBucket(s, open, dur, align, agg), st, Running.value, kind,
                                    kind + " close of bucket " + open + " (seed " + seed + ")");
                            checked++;
                        } else {
                            assertTrue(kind == Aggregator.TWA && v != v || !Running.valid(rec),
                                    "unknown only for twa closed by NaN");
                        }
                    }
                    if (append && prevLast < b) Running.begin(rec, kind, s, b, t, v);
                    else Running.invalidate(rec);
                } else {
                    assertTrue(Running.valid(rec), "in-order writes keep the state");
                    Running.add(rec, kind, s, b, t, v);
                }
                assertTrue(Running.valid(rec), "in-order writes keep the state");
                if (rnd.nextInt(7) == 0) {
                    int st = Running.value(rec, kind, s, b, dur, false, 0, 0);
                    Double e = engineBucket(s, b, dur, align, agg);
                    assertSame(e, st, Running.value, kind, kind + " LATEST of bucket " + b + " (seed " + seed + ")");
                }
            }
        } finally {
            Series.free(s);
        }
        return checked;
    }

    @Test
    void everyRunningAggregatorMatchesTheEngine() {
        long seed = 1;
        for (Aggregator kind : Aggregator.values()) {
            if (kind == Aggregator.QUANTILE) continue;
            int checked = 0;
            for (long dur : new long[] {1, 10, 100, 1000, 20000}) {
                for (int chunk : new int[] {64, 256, 4096}) {
                    for (int enc : new int[] {Layout.ENC_COMPRESSED, Layout.ENC_UNCOMPRESSED}) {
                        checked += run(kind, seed++, chunk, enc, dur, seed % 3 == 0 ? 7 : 0, seed % 2 == 0);
                    }
                }
            }
            assertTrue(checked > 1000, kind + ": " + checked + " closes checked");
        }
    }

    @Test
    void kindIsReadFromTheName() {
        long s = Series.create(Layout.ENC_COMPRESSED, 0, 4096, Layout.DUP_LAST, false, 0, 0);
        try {
            for (String name : new String[] {"avg", "sum", "std.p", "var.s", "twa", "countnan", "countall", "range", "p50",
                    "p99.9", "p0"}) {
                Agg a = Agg.parse(name);
                RuleBlob.write(s, List.of(new Rule(new byte[] {'x', 'y'}, a, 10, 0, RuleBlob.NO_BUCKET)));
                assertEquals(a.kind(), Running.kind(RuleBlob.record(s, 0)), name);
            }
        } finally {
            Series.free(s);
        }
    }
}
