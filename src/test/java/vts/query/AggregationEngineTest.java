package vts.query;

import static org.junit.jupiter.api.Assertions.*;
import static vts.series.Layout.*;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import vts.series.Series;

class AggregationEngineTest {
    private final AggregationEngine engine = new AggregationEngine();
    private final List<Long> allocated = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void freeSeries() {
        allocated.forEach(Series::free);
    }

    /** A series (freed after the test) holding the samples ts0, v0, ts1, v1, ... */
    private long seriesOf(int enc, int chunk, double... tsAndValues) {
        long s = newSeries(enc, chunk, 0);
        allocated.add(s);
        for (int i = 0; i < tsAndValues.length; i += 2) Series.add(s, (long) tsAndValues[i], tsAndValues[i + 1], DUP_LAST);
        return s;
    }

    static long newSeries(int enc, int chunkSize, long retention) {
        return Series.create(enc, retention, chunkSize, DUP_LAST, false, 0, 0);
    }

    static List<AggModel.Row> runEngine(AggregationEngine e, long s, RangeQuery q, boolean reverse) {
        List<AggModel.Row> out = new ArrayList<>();
        e.run(s, q, reverse, (ts, vals) -> {
            out.add(new AggModel.Row(ts, vals.clone()));
            return true;
        });
        return out;
    }

    static final Aggregator[] KINDS = Aggregator.values();

    static Agg randomAgg(SplittableRandom r) {
        Aggregator k = KINDS[r.nextInt(KINDS.length)];
        if (k == Aggregator.QUANTILE) {
            String[] ps = {"p0", "p50", "p99.9", "p100", "p25", "p90"};
            return Agg.parse(ps[r.nextInt(ps.length)]);
        }
        return Agg.of(k);
    }

    static double randomValue(SplittableRandom r, boolean nans) {
        return switch (r.nextInt(12)) {
            case 0 -> nans ? Double.NaN : 1;
            case 1 -> r.nextDouble() * 1e6;
            case 2 -> -0.0;
            case 3 -> r.nextDouble();
            default -> r.nextInt(-500, 500) / 10.0;
        };
    }

    @Test
    void randomQueriesMatchTheModel() {
        SplittableRandom r = new SplittableRandom(42);
        int checked = 0;
        for (int round = 0; round < 60; round++) {
            int enc = round % 2 == 0 ? ENC_COMPRESSED : ENC_UNCOMPRESSED;
            int chunk = new int[] {48, 128, 4096}[round % 3];
            long retention = round % 7 == 6 ? 20_000 : 0;
            boolean nans = round % 4 != 0;
            // some rounds: short decimals evenly spaced (now and then a gap), the chunks the
            // decoder takes whole and whose timestamps it derives instead of storing
            boolean regular = round % 5 >= 3;
            long step = r.nextLong(1, 5000);
            long s = newSeries(enc, chunk, retention);
            try {
                TreeMap<Long, Double> model = new TreeMap<>();
                long t = r.nextInt(3) == 0 ? 0 : r.nextLong(0, 5000);
                int n = r.nextInt(1, 800);
                for (int i = 0; i < n; i++) {
                    double v = regular ? r.nextInt(-500, 500) / 10.0 : randomValue(r, nans);
                    assertTrue(Series.add(s, t, v, DUP_LAST) >= 0);
                    model.put(t, v);
                    if (regular) t += r.nextInt(300) == 0 ? 2 * step : step;
                    else t += r.nextInt(10) == 0 ? r.nextLong(1, 3000) : r.nextLong(1, 40);
                }
                long retFrom = Series.minVisibleTs(s);
                long last = model.lastKey();
                for (int qi = 0; qi < 40; qi++) {
                    checked += checkOne(r, s, model, retFrom, last);
                }
            } finally {
                Series.free(s);
            }
        }
        assertTrue(checked > 50_000, "rows checked: " + checked);
    }

    private int checkOne(SplittableRandom r, long s, TreeMap<Long, Double> model, long retFrom, long last) {
        boolean fromMin = r.nextInt(3) == 0, toMax = r.nextInt(3) == 0;
        long from = fromMin ? 0 : r.nextLong(0, last + 100);
        long to = toMax ? Long.MAX_VALUE : r.nextLong(Math.max(0, from - 50), last + 200);
        List<Agg> aggs = new ArrayList<>();
        int na = r.nextInt(1, 4);
        for (int i = 0; i < na; i++) aggs.add(randomAgg(r));
        long dur = switch (r.nextInt(6)) {
            case 0 -> 1;
            case 1 -> r.nextLong(1, 20);
            case 2 -> r.nextLong(20, 500);
            case 3 -> r.nextLong(500, 20000);
            default -> r.nextLong(1, 200);
        };
        Align align = null;
        long alignTs = 0;
        switch (r.nextInt(4)) {
            case 0 -> {
                if (!fromMin) {
                    align = Align.START;
                    alignTs = from;
                }
            }
            case 1 -> {
                if (!toMax) {
                    align = Align.END;
                    alignTs = to;
                }
            }
            case 2 -> {
                alignTs = r.nextLong(0, 10_000);
                align = new Align(Align.Kind.TIMESTAMP, alignTs);
            }
            default -> {}
        }
        BucketTimestamp bt = BucketTimestamp.values()[r.nextInt(3)];
        boolean empty = r.nextBoolean();
        long[] byTs = null;
        if (r.nextInt(6) == 0) {
            List<Long> keys = new ArrayList<>(model.keySet());
            java.util.TreeSet<Long> pick = new java.util.TreeSet<>();
            int k = r.nextInt(1, 30);
            for (int i = 0; i < k; i++) pick.add(r.nextBoolean() ? keys.get(r.nextInt(keys.size())) : r.nextLong(0, last + 10));
            byTs = pick.stream().mapToLong(Long::longValue).toArray();
        }
        double[] byValue = null;
        if (r.nextInt(6) == 0) {
            double lo = r.nextInt(-60, 30), hi = lo + r.nextInt(0, 60);
            byValue = new double[] {lo, hi};
        }
        long count = r.nextInt(4) == 0 ? r.nextLong(1, 20) : -1;
        boolean reverse = r.nextBoolean();
        RangeQuery q = new RangeQuery(from, to, false, byTs, byValue == null ? null : new ValueFilter(byValue[0], byValue[1]),
                count, new Aggregation(aggs, dur, bt, empty), align);
        List<AggModel.Row> want = AggModel.run(model, retFrom, from, to, byTs, byValue, aggs, dur, alignTs, bt, empty,
                count, reverse);
        List<AggModel.Row> got = runEngine(engine, s, q, reverse);
        String ctx = "query " + from + ".." + to + " " + aggs.stream().map(Agg::name).toList() + " dur " + dur + " align "
                + alignTs + " " + bt + (empty ? " EMPTY" : "") + " count " + count + (reverse ? " REV" : "")
                + (byTs != null ? " byTs" : "") + (byValue != null ? " byValue" : "");
        assertRowsClose(want, got, ctx);
        return want.size();
    }

    static void assertRowsClose(List<AggModel.Row> want, List<AggModel.Row> got, String ctx) {
        if (want.size() != got.size()) fail(ctx + ": " + want.size() + " rows wanted, got " + got.size() + "\nwant " + want + "\ngot  " + got);
        for (int i = 0; i < want.size(); i++) {
            AggModel.Row w = want.get(i), g = got.get(i);
            assertEquals(w.ts(), g.ts(), ctx + " row " + i);
            for (int k = 0; k < w.values().length; k++) {
                double a = w.values()[k], b = g.values()[k];
                if (Double.isNaN(a) && Double.isNaN(b)) continue;
                double tol = 1e-9 * Math.max(1, Math.abs(a)) + 1e-6;
                if (!(Math.abs(a - b) <= tol)) fail(ctx + " row " + i + " col " + k + ": want " + a + " got " + b + "\nwant " + want + "\ngot  " + got);
            }
        }
    }

    private static RangeQuery query(long from, long to, List<Agg> aggs, long dur, boolean empty) {
        return new RangeQuery(from, to, false, null, null, -1, new Aggregation(aggs, dur, BucketTimestamp.START, empty), null);
    }

    @Test
    void millionValueSumIsRightToTheLastUlps() {
        for (int enc : new int[] {ENC_COMPRESSED, ENC_UNCOMPRESSED}) {
            long s = seriesOf(enc, 4096);
            {
                SplittableRandom r = new SplittableRandom(7);
                List<Double> vals = new ArrayList<>(1_000_000);
                for (int i = 0; i < 1_000_000; i++) {
                    double v = (r.nextDouble() - 0.3) * Math.pow(10, r.nextInt(-6, 10));
                    vals.add(v);
                    Series.add(s, i, v, DUP_LAST);
                }
                BigDecimal exact = AggModel.exactSum(vals);
                double want = exact.doubleValue();
                double naive = 0;
                for (double v : vals) naive += v;
                for (boolean decode : new boolean[] {false, true}) {
                    // FILTER_BY_VALUE over everything forces decoding instead of chunk summaries
                    ValueFilter all = decode ? new ValueFilter(-Double.MAX_VALUE, Double.MAX_VALUE) : null;
                    RangeQuery q = new RangeQuery(0, Long.MAX_VALUE, false, null, all, -1,
                            new Aggregation(List.of(Agg.of(Aggregator.SUM), Agg.of(Aggregator.AVG)), Long.MAX_VALUE,
                                    BucketTimestamp.START, false), null);
                    List<AggModel.Row> rows = runEngine(engine, s, q, false);
                    assertEquals(1, rows.size());
                    double got = rows.get(0).values()[0];
                    assertTrue(Math.abs(got - want) <= 2 * Math.ulp(want),
                            "sum " + got + " exact " + want + " naive " + naive + " (" + (decode ? "decoded" : "summaries") + ")");
                    double avg = rows.get(0).values()[1];
                    assertTrue(Math.abs(avg - want / 1e6) <= 4 * Math.ulp(want / 1e6), "avg " + avg);
                }
            }
        }
    }

    @Test
    void overflowingSumsRecover() {
        long s = seriesOf(ENC_UNCOMPRESSED, 4096, 1, 1e308, 2, 1e308, 3, -1e308);
        {
            List<AggModel.Row> rows = runEngine(engine, s,
                    query(0, Long.MAX_VALUE, List.of(Agg.of(Aggregator.SUM), Agg.of(Aggregator.AVG)), 100, false), false);
            assertEquals(1e308, rows.get(0).values()[0], 1e293);
            assertEquals(1e308 / 3, rows.get(0).values()[1], 1e293);
            rows = runEngine(engine, s, query(0, 2, List.of(Agg.of(Aggregator.SUM), Agg.of(Aggregator.AVG)), 100, false), false);
            assertEquals(Double.POSITIVE_INFINITY, rows.get(0).values()[0]);
            assertEquals(1e308, rows.get(0).values()[1], 1e293);
        }
    }

    @Test
    void hugeBucketStartsAtTheAlignedStartNotAtTwo() {
        long s = seriesOf(ENC_COMPRESSED, 4096, 5, 1, 10, 2);
        Series.add(s, Long.MAX_VALUE - 1, 3, DUP_LAST);
        {
            for (boolean empty : new boolean[] {false, true}) {
                List<AggModel.Row> rows = runEngine(engine, s,
                        query(0, Long.MAX_VALUE, List.of(Agg.of(Aggregator.COUNT)), Long.MAX_VALUE, empty), false);
                assertEquals(1, rows.size());
                assertEquals(0, rows.get(0).ts());
                assertEquals(3, rows.get(0).values()[0]);
            }
            // aligned at 1 with duration 2^63-2: [1, 2^63-2] and [2^63-1, 2^63-1]
            Series.add(s, Long.MAX_VALUE, 4, DUP_LAST);
            List<AggModel.Row> rows = runEngine(engine, s, new RangeQuery(0, Long.MAX_VALUE, false, null, null, -1,
                    new Aggregation(List.of(Agg.of(Aggregator.COUNT)), Long.MAX_VALUE - 1, BucketTimestamp.START, true),
                    new Align(Align.Kind.TIMESTAMP, 1)), false);
            assertEquals(2, rows.size());
            assertEquals(1, rows.get(0).ts());
            assertEquals(3, rows.get(0).values()[0]);
            assertEquals(Long.MAX_VALUE, rows.get(1).ts());
            assertEquals(1, rows.get(1).values()[0]);
            // END saturates instead of wrapping around
            rows = runEngine(engine, s, new RangeQuery(0, Long.MAX_VALUE, false, null, null, -1,
                    new Aggregation(List.of(Agg.of(Aggregator.COUNT)), Long.MAX_VALUE, BucketTimestamp.END, false), null), true);
            assertEquals(List.of(Long.MAX_VALUE, Long.MAX_VALUE), rows.stream().map(AggModel.Row::ts).toList());
        }
    }

    @Test
    void negativeBucketStartIsReportedAtZero() {
        long s = seriesOf(ENC_COMPRESSED, 4096, 2, 1, 8, 2);
        {
            List<AggModel.Row> rows = runEngine(engine, s, new RangeQuery(0, 100, false, null, null, -1,
                    new Aggregation(List.of(Agg.of(Aggregator.SUM)), 10, BucketTimestamp.START, false),
                    new Align(Align.Kind.TIMESTAMP, 5)), false);
            assertEquals(2, rows.size());
            assertEquals(0, rows.get(0).ts());
            assertEquals(1, rows.get(0).values()[0]);
            assertEquals(5, rows.get(1).ts());
        }
    }

    @Test
    void aggregateAndLatestForCompaction() {
        long s = seriesOf(ENC_COMPRESSED, 48);
        {
            for (int i = 0; i < 100; i++) Series.add(s, i * 10L, i, DUP_LAST);
            assertEquals(10 + 11 + 12, engine.aggregate(s, 100, 129, Agg.of(Aggregator.SUM)));
            assertEquals(3, engine.aggregate(s, 100, 129, Agg.of(Aggregator.COUNT)));
            assertEquals(11, engine.aggregate(s, 100, 129, Agg.parse("p50")));
            assertTrue(Double.isNaN(engine.aggregate(s, 2000, 3000, Agg.of(Aggregator.SUM))));
            // twa over [100, 130] (the bucket's end is exclusive; the line goes on to 130): 11.5
            assertEquals(11.5, engine.aggregate(s, 100, 129, Agg.of(Aggregator.TWA)), 1e-12);
            AggregationEngine.LatestBucket b = engine.latest(s, 60, 0, Agg.of(Aggregator.MAX));
            assertEquals(960, b.start());
            assertEquals(99, b.value());
        }
    }

    @Test
    void emptyFillValues() {
        long s = seriesOf(ENC_UNCOMPRESSED, 4096, 10, 4, 50, 8);
        {
            List<Agg> aggs = new ArrayList<>();
            for (String n : new String[] {"sum", "count", "countnan", "countall", "last", "twa", "avg", "min", "first", "p50"}) aggs.add(Agg.parse(n));
            List<AggModel.Row> rows = runEngine(engine, s, query(0, 100, aggs, 10, true), false);
            assertEquals(5, rows.size());
            double[] e = rows.get(1).values(); // bucket [20, 30): empty
            assertEquals(0, e[0]);
            assertEquals(0, e[1]);
            assertEquals(0, e[2]);
            assertEquals(0, e[3]);
            assertEquals(4, e[4]);
            assertEquals(5.5, e[5], 1e-12); // line 4 -> 8 over 10..50, averaged over [20, 30]
            for (int k = 6; k < 10; k++) assertTrue(Double.isNaN(e[k]), "col " + k);
        }
    }

    /**
     * The helper thread (decoding ahead, and formatting one-run buckets' values while it is
     * ahead) changes nothing: every query gives the same rows, bit for bit, as the main
     * thread alone, and every value's text written through DoubleFormat is its own.
     */
    @Test
    void helperThreadGivesTheSameRowsAndTexts() {
        SplittableRandom r = new SplittableRandom(11);
        long before = DecimalRuns.offered, sideBefore = AggregationEngine.sideUsed;
        long rows = 0;
        // small chunks (many of them), and large ones where 1 s buckets make more runs per
        // chunk than the helper holds (it leaves those to the main thread)
        for (int chunkSize : new int[] {256, 4096}) {
            rows += helperRounds(r, chunkSize);
        }
        assertTrue(rows > 100_000, "rows: " + rows);
        assertTrue(DecimalRuns.offered > before, "the helper formatted no value in " + rows + " rows");
        assertTrue(AggregationEngine.sideUsed > sideBefore, "the main thread never decoded while waiting for the helper");
    }

    private long helperRounds(SplittableRandom r, int chunkSize) {
        long s = newSeries(ENC_COMPRESSED, chunkSize, 0);
        allocated.add(s);
        long t = 1_000_000;
        double v = 100;
        for (int i = 0; i < 120_000; i++) {
            // a random walk with 2 decimals, 1 s apart; a few gaps, an irregular stretch, a
            // NaN and values that are not short decimals (chunks the general path takes)
            v = Math.round((v + r.nextInt(-100, 101) / 100.0) * 100) / 100.0;
            double x = i == 50_000 ? Double.NaN : (i >= 70_000 && i < 70_300) ? v + r.nextDouble() : v;
            assertTrue(Series.add(s, t, x, DUP_LAST) >= 0);
            if (i >= 90_000 && i < 92_000) t += r.nextLong(1, 3000);
            else t += r.nextInt(5000) == 0 ? 60_000 : 1000;
        }
        long first = 1_000_000, last = Series.lastTs(s);
        String[] names = {"avg", "sum", "min", "max", "range", "count", "first", "last", "countnan", "countall"};
        long rows = 0;
        try {
            for (int qi = 0; qi < 60; qi++) {
                List<Agg> aggs = new ArrayList<>();
                int na = qi % 4 == 0 ? 2 : 1;
                for (int i = 0; i < na; i++) aggs.add(Agg.parse(names[r.nextInt(names.length)]));
                long dur = new long[] {1000, 7000, 60_000, 60_000, 600_000, 3_600_000}[r.nextInt(6)];
                long from = r.nextInt(3) == 0 ? 0 : r.nextLong(first, last);
                long to = r.nextInt(3) == 0 ? Long.MAX_VALUE : r.nextLong(from, last + 1);
                long count = r.nextInt(5) == 0 ? r.nextLong(1, 500) : -1;
                Align align = r.nextInt(3) == 0 ? new Align(Align.Kind.TIMESTAMP, r.nextLong(0, 100_000)) : null;
                RangeQuery q = new RangeQuery(from, to, false, null, null, count,
                        new Aggregation(aggs, dur, BucketTimestamp.values()[r.nextInt(3)], r.nextInt(4) == 0), align);
                boolean reverse = r.nextInt(4) == 0;
                AggregationEngine.testThreads = 0;
                List<String> alone = runAsText(q, s, reverse, 0);
                AggregationEngine.testThreads = 2;
                List<String> helped = runAsText(q, s, reverse, 1 + qi % 3);
                assertEquals(alone, helped, "query " + qi + " " + aggs + " dur " + dur + " " + from + ".." + to);
                rows += alone.size();
            }
        } finally {
            AggregationEngine.testThreads = 0;
        }
        return rows;
    }

    /**
     * Runs q through a sink that writes its values as text (as a RESP2 reply does), pausing
     * now and then so a helper can get ahead; each row as "ts v1 v2 ..." with the values' bits
     * and texts, after checking each text is the value's own.
     */
    private List<String> runAsText(RangeQuery q, long s, boolean reverse, int pauseEvery) {
        List<String> out = new ArrayList<>();
        long buf = vts.mem.Mem.alloc(64);
        try {
            engine.run(s, q, reverse, new BucketSink() {
                @Override
                public boolean bucket(long ts, double[] vals) {
                    StringBuilder row = new StringBuilder().append(ts);
                    for (double x : vals) {
                        int n = vts.bridge.DoubleFormat.write(x, buf);
                        byte[] b = new byte[n];
                        vts.mem.Mem.copyToArray(buf, b, 0, n);
                        String text = new String(b, java.nio.charset.StandardCharsets.US_ASCII);
                        assertEquals(vts.bridge.DoubleFormat.toString(x), text, "text of " + x);
                        row.append(' ').append(Double.doubleToRawLongBits(x)).append('=').append(text);
                    }
                    out.add(row.toString());
                    if (pauseEvery > 0 && out.size() % (pauseEvery * 40) == 0) java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                    return true;
                }

                @Override
                public boolean writesText() {
                    return true;
                }
            });
        } finally {
            vts.mem.Mem.free(buf);
        }
        return out;
    }
}
