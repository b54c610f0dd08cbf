package vts.query;

import java.util.Arrays;
import java.util.List;

import vts.bridge.Config;
import vts.bridge.DoubleFormat;
import vts.codec.ChunkReader;
import vts.codec.Chunks;
import vts.codec.DecimalScan;
import vts.series.Layout;
import vts.series.Series;

/**
 * Bucketed aggregation over one series: TS.RANGE/REVRANGE ... AGGREGATION, and the
 * building block of compaction rules and TS.MRANGE. An engine is reusable and not
 * thread-safe (one per thread); it allocates nothing per sample and, after warming up,
 * nothing per query beyond what grows with the largest bucket or reply seen.
 *
 * <p>Semantics (the reference's unless said otherwise; README "Aggregation"):
 * <ul>
 * <li>Samples are those of [from, to] (from raised to the retention limit) that pass
 *     FILTER_BY_TS and FILTER_BY_VALUE. NaN values only count for countnan/countall; every
 *     other aggregator skips them, and a bucket holding only NaN exists only if the query
 *     has countnan or countall.</li>
 * <li>Bucket k is [align + k*d, align + (k+1)*d - 1]; it is reported at its start (0 if it
 *     starts before 0), end (start + d) or middle (start + d/2).</li>
 * <li>EMPTY reports the buckets without samples between the first and the last bucket that
 *     has some: sum, count, countnan, countall give 0; last the previous bucket's last value;
 *     twa the time-weighted average of the line joining the samples on either side; the rest
 *     NaN. It also reports the buckets from the one holding from (up to the one holding to)
 *     when the series has a sample before from (after to), for every aggregator, so a list
 *     of aggregators gives the buckets each gives alone (last then carries the sample before
 *     from forward), as the reference does.</li>
 * <li>twa: trapezoids between the bucket's samples, extended to the bucket's edges by
 *     interpolating with the sample just before the bucket (the previous selected sample,
 *     or for the first bucket the series' sample before it) and the one just after. Where
 *     the query's range cuts a bucket, only the part inside [from, to] is averaged (as the
 *     reference does): TS.RANGE s 10 10 gives the value at 10. Compaction buckets
 *     ({@link #aggregate}) are never cut.</li>
 * <li>COUNT limits the number of buckets; reverse gives the same buckets newest first
 *     (COUNT then keeps the newest).</li>
 * </ul>
 * Chunks that lie inside one bucket and inside the query are added from their summaries
 * (count, sum, min, max, first, last, NaN count) when no filter is set and no aggregator
 * needs the values themselves (var/std, quantiles, twa).
 */
public final class AggregationEngine {
    private final Accumulator acc = new Accumulator();
    private final ChunkReader reader = new ChunkReader();
    private final DecimalScan dscan = new DecimalScan();
    private final DecimalRuns runs = new DecimalRuns();
    private long[] bts = new long[1024];
    private double[] bvs = new double[1024];

    // the query
    private long s, from, to, dur, align, clipFrom, clipTo;
    private BucketTimestamp bt;
    private boolean empty, countsNaN, hasTwa, summaryOk;
    private Agg[] aggs;
    private int ncols;
    private long[] tsFilter;
    private ValueFilter vf;
    private BucketSink sink;
    private long limit, emitted;
    private boolean stopped;
    private double[] row;

    // the current bucket
    private boolean open, everOpened;
    private long curStart, curLast;
    private double prevLast;

    // twa: the last non-NaN sample before the current bucket, and the current bucket's state
    private boolean havePrev;
    private long prevT;
    private double prevV;
    private long tc;
    private double area, firstT;
    private long ptT;
    private double ptV;

    // twa: closed buckets waiting for the first sample after them
    private int pn;
    private long[] pStart = new long[16], pCount = new long[16], pLastT = new long[16], pPrevT = new long[16];
    private double[] pArea = new double[16], pFirstT = new double[16], pLastV = new double[16], pPrevV = new double[16];
    private boolean[] pHasPrev = new boolean[16];
    private double[] pRows = new double[16 * 4];

    // reverse: rows collected oldest first
    private int rn;
    private long[] rTs = new long[64];
    private double[] rVals = new double[64];

    private final BucketSink collector = (ts, vals) -> {
        if (rn == rTs.length) {
            rTs = Arrays.copyOf(rTs, rn * 2);
        }
        if ((long) (rn + 1) * vals.length > rVals.length) rVals = Arrays.copyOf(rVals, Math.max(rVals.length * 2, (rn + 1) * vals.length));
        rTs[rn] = ts;
        System.arraycopy(vals, 0, rVals, rn * vals.length, vals.length);
        rn++;
        return true;
    };

    /**
     * Runs q (which must have an aggregation) over series s, handing buckets to sink in
     * reply order (oldest first, or newest first if reverse) until COUNT buckets were given
     * or the sink returns false. Returns the number of buckets given.
     */
    public long run(long series, RangeQuery q, boolean reverse, BucketSink out) {
        Aggregation a = q.aggregation();
        long alignTs = q.align() == null ? 0 : q.align().resolve(q.from(), q.to());
        long lim = q.count() < 0 ? Long.MAX_VALUE : q.count();
        if (!reverse) {
            return execute(series, q.from(), q.to(), q.filterByTs(), q.filterByValue(), a.aggregators(),
                    a.bucketDuration(), alignTs, a.bucketTimestamp(), a.empty(), lim, out, true);
        }
        rn = 0;
        execute(series, q.from(), q.to(), q.filterByTs(), q.filterByValue(), a.aggregators(), a.bucketDuration(),
                alignTs, a.bucketTimestamp(), a.empty(), Long.MAX_VALUE, collector, true);
        int w = a.aggregators().size();
        double[] vals = new double[w];
        long given = 0;
        for (int i = rn - 1; i >= 0 && given < lim; i--) {
            System.arraycopy(rVals, i * w, vals, 0, w);
            given++;
            if (!out.bucket(rTs[i], vals)) break;
        }
        return given;
    }

    /**
     * The value of one bucket [from, toInclusive] of series s for agg, from the samples in
     * it (twa interpolates at both edges with the series' samples just outside, as in a
     * range query). NaN when the range holds no sample at all; if it holds samples but none
     * the aggregator sees (only NaN), the aggregator's EMPTY value (0 for sum and the counts,
     * NaN otherwise). toInclusive - from must be below Long.MAX_VALUE.
     */
    public double aggregate(long series, long from, long toInclusive, Agg agg) {
        if (toInclusive < from) return Double.NaN;
        long d = toInclusive - from + 1;
        if (d <= 0) throw new IllegalArgumentException("bucket too wide");
        double[] res = {Double.NaN};
        execute(series, from, toInclusive, null, null, List.of(agg, Agg.of(Aggregator.COUNTALL)), d, from,
                BucketTimestamp.START, false, 1, (ts, vals) -> {
                    res[0] = vals[0];
                    return false;
                }, false);
        return res[0];
    }

    /** The bucket holding the series' last sample: its start, and the value in {@link #aggregate}'s terms. */
    public record LatestBucket(long start, double value) {}

    /**
     * The bucket (of the given duration and alignment) holding the series' last sample,
     * for LATEST on a compaction: null if the series is empty.
     */
    public LatestBucket latest(long series, long bucketDuration, long alignTs, Agg agg) {
        if (Series.totalSamples(series) == 0) return null;
        long last = Series.lastTs(series);
        long start = Buckets.start(last, bucketDuration, alignTs);
        long lo = Math.max(0, start);
        return new LatestBucket(start, aggregate(series, lo, last, agg));
    }

    // ------------------------------------------------------------------ the driver

    private long execute(long series, long qFrom, long qTo, long[] byTs, ValueFilter byValue, List<Agg> list,
                         long duration, long alignTs, BucketTimestamp bucketTs, boolean withEmpty, long lim,
                         BucketSink out, boolean clip) {
        s = series;
        from = Math.max(qFrom, Series.minVisibleTs(series));
        to = qTo;
        // twa of a bucket the query's range cuts averages over the part inside [from, to] (the
        // reference's ta/tb); a compaction bucket (aggregate) is never cut
        clipFrom = clip ? from : 0;
        clipTo = clip ? to : Long.MAX_VALUE;
        dur = duration;
        align = alignTs;
        bt = bucketTs;
        empty = withEmpty;
        tsFilter = byTs;
        vf = byValue;
        sink = out;
        limit = lim;
        emitted = 0;
        stopped = false;
        aggs = list.toArray(new Agg[0]);
        ncols = aggs.length;
        if (row == null || row.length != ncols) row = new double[ncols];
        countsNaN = false;
        hasTwa = false;
        for (Agg a : aggs) {
            countsNaN |= a.kind() == Aggregator.COUNTNAN || a.kind() == Aggregator.COUNTALL;
            hasTwa |= a.kind() == Aggregator.TWA;
        }
        acc.configure(aggs);
        summaryOk = acc.summaryCapable() && !hasTwa && byTs == null && byValue == null;
        open = false;
        everOpened = false;
        prevLast = Double.NaN;
        havePrev = false;
        pn = 0;
        if (pRows.length < pStart.length * ncols) pRows = new double[pStart.length * ncols];
        if (Series.totalSamples(s) == 0 || from > to || limit <= 0 || (byTs != null && byTs.length == 0)) {
            return 0;
        }
        scan();
        if (!stopped) finish();
        return emitted;
    }

    /** Chunks a query spans at least before a helper thread decodes ahead of it. */
    private static final int AHEAD_MIN_CHUNKS = 16;

    /** The helper decoding ahead of the current query, or null. */
    private ScanAhead ahead;

    /** Tests: above 0, the thread count to use instead of ts-num-threads (which is 1 outside a server). */
    static int testThreads;

    private void scan() {
        int nch = Series.nchunks(s);
        int first = firstChunkEndingAtOrAfter(from);
        ahead = null;
        offers = false;
        offerRuns = null;
        sideAt = -1;
        if (summaryOk && nch - first >= AHEAD_MIN_CHUNKS) {
            ScanAhead a = ScanAhead.get(testThreads > 0 ? testThreads : Config.numThreads());
            // the helper formats values when the sink writes them as text, oldest first
            Agg[] text = ncols <= DoubleFormat.MAX_OFFERS && sink.writesText() ? aggs : null;
            if (a != null && a.start(s, first, from, to, dur, align, countsNaN, aggs, text)) {
                ahead = a;
                offers = text != null;
            }
        }
        try {
            scanChunks(first, nch);
        } finally {
            if (ahead != null) {
                DoubleFormat.withdraw();
                offerRuns = null;
                ahead.stop();
                ahead = null;
            }
        }
    }

    private void scanChunks(int first, int nch) {
        for (int ci = first; ci < nch; ci++) {
            long c = Series.chunk(s, ci);
            int cnt = Chunks.count(c);
            if (cnt == 0) continue;
            long cf = Chunks.firstTs(c);
            if (cf > to) return;
            long cl = Chunks.lastTs(c);
            boolean inside = cf >= from && cl <= to;
            if (summaryOk && inside && summaryUsable(c)) {
                boolean inCurrent = open && cf <= curLast;
                long bucketLast = inCurrent ? curLast : Buckets.last(Buckets.start(cf, dur, align), dur);
                if (cl <= bucketLast) {
                    if (!inCurrent) {
                        openBucket(cf);
                        if (stopped) return;
                    }
                    acc.addSummary(c);
                    continue;
                }
            }
            if (summaryOk && inside && scanDecimal(c, ci)) {
                if (stopped) return;
                continue;
            }
            feed(decode(c, cnt, inside));
            if (stopped) return;
        }
    }

    /** Adds the n samples in bts/bvs (ascending) to their buckets. */
    private void feed(int n) {
        int i = 0;
        while (i < n) {
            long t = bts[i];
            if (!open || t > curLast) {
                openBucket(t);
                if (stopped) return;
            }
            int j = bts[n - 1] <= curLast ? n : upperBound(i, n, curLast);
            acc.addRange(bvs, i, j);
            if (hasTwa) {
                twaRange(i, j);
                if (stopped) return;
            }
            i = j;
        }
    }

    /**
     * Adds chunk c (inside the query, no filter, no twa) by a decimal scan that
     * aggregates in the integer domain; false if c is not a decimal chunk (nothing done).
     */
    private boolean scanDecimal(long c, int ci) {
        if (ahead != null) {
            if (sideAt == ci) {
                sideAt = -1;
                sideUsed++;
                feedRuns(side);
                return true;
            }
            if (sideAt >= 0 && sideAt < ci) sideAt = -1; // not expected: the chunk went another way
            DecimalRuns pre = ahead.take(ci, waiter);
            if (pre != null) {
                feedRuns(pre);
                ahead.done();
                return true;
            }
        }
        DecimalScan sc = dscan;
        if (!sc.open(c)) return false;
        int all = sc.decodeAll();
        if (all >= 0) {
            runs.reduce(sc.regular ? null : sc.outTs, sc.firstTs, sc.step, sc.outM, all, sc.divisor(), dur, align,
                    acc.needSum, acc.needMinMax, Integer.MAX_VALUE);
            feedRuns(runs);
            return true;
        }
        long lim = open ? curLast : Long.MIN_VALUE;
        while (true) {
            int st = sc.run(lim);
            if (sc.n > 0) acc.addDecimal(sc.n, sc.sumM, sc.minM, sc.maxM, sc.firstM, sc.lastM, sc.divisor());
            switch (st) {
                case DecimalScan.OVER -> {
                    openBucket(sc.nextTs);
                    if (stopped) return true;
                    lim = curLast;
                }
                case DecimalScan.MORE -> {}
                case DecimalScan.DONE -> {
                    return true;
                }
                default -> {
                    // an escape, a scale change, XOR mode or the end of the data: the general reader
                    int cnt = Chunks.count(c);
                    if (bts.length < cnt) {
                        bts = new long[Math.max(cnt, bts.length * 2)];
                        bvs = new double[bts.length];
                    }
                    ChunkReader r = sc.resume(reader);
                    boolean dropNaN = !countsNaN;
                    int n = 0;
                    while (r.next() && n < cnt) {
                        double v = r.value;
                        if (dropNaN && v != v) continue;
                        bts[n] = r.ts;
                        bvs[n] = v;
                        n++;
                    }
                    feed(n);
                    return true;
                }
            }
        }
    }

    /**
     * The current bucket is exactly run offerRun of offerRuns, whose value the helper may
     * have formatted (a run before the chunk's last, so the bucket closes while the runs
     * are still the main thread's); else null.
     */
    private DecimalRuns offerRuns;
    private int offerRun;
    private boolean offers;

    /**
     * A chunk after the current one the main thread decoded itself while the helper was
     * finishing the current one (so that when decoding is what limits the query, both
     * threads decode): its index (or -1) and runs.
     */
    private int sideAt = -1;
    private final DecimalRuns side = new DecimalRuns();
    /** Chunks the main thread decoded while waiting and used (tests check the path runs). */
    static long sideUsed;
    private final ScanAhead.Waiter waiter = this::decodeNextWhileWaiting;

    private void decodeNextWhileWaiting(int ci) {
        if (sideAt >= 0) return;
        int nch = Series.nchunks(s);
        for (int cj = ci + 1; cj < nch && cj <= ci + 4; cj++) {
            long c = Series.chunk(s, cj);
            if (!ScanAhead.decodes(c, from, to, dur, align, countsNaN, acc.needFirstLast, acc.needSum)) continue;
            ahead.leaveBefore(cj + 1);
            DecimalScan sc = dscan;
            if (sc.open(c)) {
                int all = sc.decodeAll();
                if (all >= 0 && side.reduce(sc.regular ? null : sc.outTs, sc.firstTs, sc.step, sc.outM, all,
                        sc.divisor(), dur, align, acc.needSum, acc.needMinMax, Integer.MAX_VALUE)) {
                    sideAt = cj;
                }
            }
            return;
        }
    }

    /** Adds the runs of a decimal chunk to their buckets. */
    private void feedRuns(DecimalRuns r) {
        Accumulator x = acc;
        long[] ts = r.ts;
        for (int k = 0, n = r.n; k < n; k++) {
            long t = ts[k];
            if (!open || t > curLast) {
                openBucket(t);
                if (stopped) return;
                if (offers && k < n - 1) {
                    offerRuns = r;
                    offerRun = k;
                }
            } else {
                offerRuns = null;
            }
            x.addDecimal(r.count[k], r.sum[k], r.lo[k], r.hi[k], r.first[k], r.last[k], r.div);
        }
        offerRuns = null;
    }

    private boolean summaryUsable(long c) {
        return summaryUsable(c, countsNaN, acc.needFirstLast, acc.needSum);
    }

    /** Whether chunk c's summary can stand for its samples in a query with these needs. */
    static boolean summaryUsable(long c, boolean countsNaN, boolean needFirstLast, boolean needSum) {
        int nans = Chunks.nanCount(c);
        if (nans > 0 && (!countsNaN || needFirstLast)) return false;
        return !needSum || Double.isFinite(Chunks.sum(c));
    }

    /** First index in [i, n) whose timestamp is above t (bts[i] &le; t). */
    private int upperBound(int i, int n, long t) {
        return DecimalRuns.upperBound(bts, i, n, t);
    }

    /** Decodes the selected samples of chunk c into bts/bvs; returns how many. */
    private int decode(long c, int cnt, boolean inside) {
        if (bts.length < cnt) {
            bts = new long[Math.max(cnt, bts.length * 2)];
            bvs = new double[bts.length];
        }
        boolean plain = inside && tsFilter == null && vf == null && (countsNaN || Chunks.nanCount(c) == 0);
        if (plain) return Chunks.decode(c, bts, bvs, 0);
        long[] tf = tsFilter;
        ValueFilter f = vf;
        double lo = f == null ? 0 : f.min(), hi = f == null ? 0 : f.max();
        boolean dropNaN = !countsNaN;
        int n = 0, fi = 0;
        ChunkReader r = reader.reset(c);
        while (r.next()) {
            long t = r.ts;
            if (t < from) continue;
            if (t > to) break;
            double v = r.value;
            if (dropNaN && v != v) continue;
            if (f != null && !(v >= lo && v <= hi)) continue;
            if (tf != null) {
                while (fi < tf.length && tf[fi] < t) fi++;
                if (fi == tf.length) break;
                if (tf[fi] != t) continue;
            }
            bts[n] = t;
            bvs[n] = v;
            n++;
        }
        return n;
    }

    private int firstChunkEndingAtOrAfter(long ts) {
        int lo = 0, hi = Series.nchunks(s) - 1, r = hi + 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Chunks.lastTs(Series.chunk(s, mid)) >= ts) {
                r = mid;
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        }
        return r;
    }

    // ------------------------------------------------------------------ buckets

    /** Opens the bucket holding t (the first selected sample after the current bucket). */
    private void openBucket(long t) {
        // usually the bucket right after the current one: no division
        long ns = open && t > curLast && curLast < Long.MAX_VALUE - dur && t <= curLast + dur ? curLast + 1
                : Buckets.start(t, dur, align);
        if (open) {
            closeBucket();
            if (stopped) return;
            if (empty) fillEmpty(curLast + 1, ns);
        } else {
            if (hasTwa || empty) {
                lookUpPrevious(t);
                // EMPTY: the buckets from the one holding from, when the series has a sample
                // before from (last carries that sample's value forward)
                if (empty && havePrev && prevT < from) {
                    prevLast = prevV;
                    fillEmpty(Buckets.start(from, dur, align), ns);
                }
            }
            everOpened = true;
        }
        if (stopped) return;
        open = true;
        curStart = ns;
        curLast = Buckets.last(ns, dur);
        offerRuns = null;
        acc.reset();
        tc = 0;
    }

    /** Empty buckets starting at first, first + dur, ... below until. */
    private void fillEmpty(long first, long until) {
        long st = first;
        while (st < until && !stopped) {
            emptyBucket(st);
            if (Long.compareUnsigned(until - st, dur) <= 0) break;
            st += dur;
        }
    }

    private void emptyBucket(long start) {
        for (int k = 0; k < ncols; k++) row[k] = emptyValue(aggs[k]);
        if (hasTwa) pend(start, 0);
        else emit(start);
    }

    private double emptyValue(Agg a) {
        return switch (a.kind()) {
            case SUM, COUNT, COUNTNAN, COUNTALL -> 0;
            case LAST -> prevLast;
            default -> Double.NaN;
        };
    }

    private void closeBucket() {
        Accumulator x = acc;
        if (x.n == 0) {
            for (int k = 0; k < ncols; k++) row[k] = emptyValue(aggs[k]);
            row = fixCounts(row);
        } else {
            for (int k = 0; k < ncols; k++) row[k] = valueOf(aggs[k], x);
            prevLast = x.last;
        }
        if (hasTwa) {
            pend(curStart, tc);
            if (tc > 0) {
                havePrev = true;
                prevT = ptT;
                prevV = ptV;
            }
        } else if (offerRuns != null) {
            // the helper may have formatted this one-run bucket's value already
            offerRuns.offer(offerRun, row);
            try {
                emit(curStart);
            } finally {
                DoubleFormat.withdraw(); // the text is the helper's: never left behind
            }
        } else {
            emit(curStart);
        }
    }

    /** A bucket of only NaN values still counts them. */
    private double[] fixCounts(double[] r) {
        for (int k = 0; k < ncols; k++) {
            Aggregator kind = aggs[k].kind();
            if (kind == Aggregator.COUNTNAN || kind == Aggregator.COUNTALL) r[k] = acc.nan;
        }
        return r;
    }

    /** The value of aggregator a for the bucket in x (twa: NaN, filled in later). */
    static double valueOf(Agg a, Accumulator x) {
        return switch (a.kind()) {
            case AVG -> x.avg();
            case SUM -> x.sum();
            case MIN -> x.min;
            case MAX -> x.max;
            case RANGE -> x.max - x.min;
            case COUNT -> x.n;
            case FIRST -> x.first;
            case LAST -> x.last;
            case STD_P -> Math.sqrt(x.varP());
            case STD_S -> Math.sqrt(x.varS());
            case VAR_P -> x.varP();
            case VAR_S -> x.varS();
            case TWA -> Double.NaN; // filled when the bucket is resolved
            case COUNTNAN -> x.nan;
            case COUNTALL -> x.n + x.nan;
            case QUANTILE -> x.quantile(a.fraction());
        };
    }

    private void emit(long start) {
        if (stopped) return;
        emitted++;
        if (!sink.bucket(Buckets.report(start, dur, bt), row) || emitted >= limit) stopped = true;
    }

    private void finish() {
        if (open) {
            closeBucket();
            if (stopped) return;
        }
        if (!hasTwa) {
            // EMPTY: every aggregator reports the buckets up to the one holding to when the
            // series has samples after to, as twa does (the same buckets whatever the list)
            if (!empty) return;
            if (everOpened) {
                if (Series.lastTs(s) > to && curLast < to) fillEmpty(curLast + 1, Buckets.start(to, dur, align) + 1);
            } else if (Series.firstTs(s) < from && Series.lastTs(s) > to) {
                lookUpPrevious(from);
                if (havePrev && findNext(to)) {
                    prevLast = prevV;
                    fillEmpty(Buckets.start(from, dur, align), Buckets.start(to, dur, align) + 1);
                }
            }
            return;
        }
        long q = -1;
        double qv = Double.NaN;
        boolean haveNext;
        if (everOpened) {
            // the first non-NaN sample after the last one the query saw
            long after = havePrev ? prevT : curLast;
            haveNext = findNext(after);
            if (haveNext) {
                q = foundT;
                qv = foundV;
            }
            if (empty && Series.lastTs(s) > to && curLast < to) {
                fillEmpty(curLast + 1, Buckets.start(to, dur, align) + 1);
            }
        } else {
            // no sample in the range: with EMPTY, interpolate across it if samples surround it
            if (!empty || Series.firstTs(s) >= from || Series.lastTs(s) <= to) return;
            lookUpPrevious(from);
            haveNext = findNext(to);
            if (!havePrev || !haveNext) return;
            q = foundT;
            qv = foundV;
            prevLast = prevV;
            fillEmpty(Buckets.start(from, dur, align), Buckets.start(to, dur, align) + 1);
        }
        resolve(haveNext, q, qv);
    }

    // ------------------------------------------------------------------ twa

    private void twaRange(int i, int j) {
        for (int k = i; k < j; k++) {
            double v = bvs[k];
            if (v != v) continue;
            long t = bts[k];
            if (pn > 0) resolve(true, t, v);
            if (stopped) return;
            if (tc == 0) {
                if (havePrev) {
                    long a = Math.max(clipFrom, Math.max(0, curStart));
                    double va = prevV + ((double) (a - prevT) * (v - prevV)) / (double) (t - prevT);
                    area = (va + v) * (double) (t - a) / 2.0;
                    firstT = a;
                } else {
                    area = 0;
                    firstT = t;
                }
            } else {
                area += (ptV + v) * (double) (t - ptT) / 2.0;
            }
            ptT = t;
            ptV = v;
            tc++;
        }
    }

    /** Queues the bucket in row for twa (count = its non-NaN samples). */
    private void pend(long start, long count) {
        if (pn == pStart.length) growPending();
        pStart[pn] = start;
        pCount[pn] = count;
        pArea[pn] = area;
        pFirstT[pn] = firstT;
        pLastT[pn] = ptT;
        pLastV[pn] = ptV;
        pHasPrev[pn] = havePrev;
        pPrevT[pn] = prevT;
        pPrevV[pn] = prevV;
        System.arraycopy(row, 0, pRows, pn * ncols, ncols);
        pn++;
    }

    private void growPending() {
        int m = pStart.length * 2;
        pStart = Arrays.copyOf(pStart, m);
        pCount = Arrays.copyOf(pCount, m);
        pArea = Arrays.copyOf(pArea, m);
        pFirstT = Arrays.copyOf(pFirstT, m);
        pLastT = Arrays.copyOf(pLastT, m);
        pLastV = Arrays.copyOf(pLastV, m);
        pHasPrev = Arrays.copyOf(pHasPrev, m);
        pPrevT = Arrays.copyOf(pPrevT, m);
        pPrevV = Arrays.copyOf(pPrevV, m);
        pRows = Arrays.copyOf(pRows, m * ncols);
    }

    /** Completes and emits the queued buckets, q being the first non-NaN sample after them. */
    private void resolve(boolean haveQ, long qt, double qv) {
        for (int e = 0; e < pn && !stopped; e++) {
            System.arraycopy(pRows, e * ncols, row, 0, ncols);
            double twa = twaOf(e, haveQ, qt, qv);
            for (int k = 0; k < ncols; k++) {
                if (aggs[k].kind() == Aggregator.TWA) row[k] = twa;
            }
            emit(pStart[e]);
        }
        pn = 0;
    }

    private double twaOf(int e, boolean haveQ, long qt, double qv) {
        long start = pStart[e];
        // the bucket's end, exclusive, or the query's end where it cuts the bucket (a range
        // ending at the bucket's last timestamp holds all of it: a compaction bucket)
        boolean cut = clipTo < Buckets.last(start, dur);
        double b = cut ? (double) clipTo : (double) start + (double) dur;
        if (pCount[e] == 0) {
            if (!pHasPrev[e] || !haveQ) return Double.NaN;
            double pt = pPrevT[e], pv = pPrevV[e];
            double slope = (qv - pv) / ((double) qt - pt);
            double a = Math.max(clipFrom, Math.max(0, start));
            double va = pv + (a - pt) * slope;
            double vb = pv + (b - pt) * slope;
            return (va + vb) / 2.0;
        }
        double res = pArea[e];
        double first = pFirstT[e];
        long lt = pLastT[e];
        double lv = pLastV[e];
        double last = lt;
        if (haveQ) {
            double tb = cut ? (double) (clipTo - lt) : (double) (start - lt) + (double) dur;
            double vb = lv + (tb * (qv - lv)) / (double) (qt - lt);
            res += (vb + lv) * tb / 2.0;
            last = b;
        }
        if (last == first) return lv;
        return res / (last - first);
    }

    private long foundT;
    private double foundV;

    /** Sets havePrev/prevT/prevV to the series' last non-NaN sample before t (within retention). */
    private void lookUpPrevious(long t) {
        havePrev = false;
        long min = Series.minVisibleTs(s);
        if (t <= min) return;
        int ci = lastChunkStartingAtOrBefore(t - 1);
        for (; ci >= 0; ci--) {
            long c = Series.chunk(s, ci);
            if (Chunks.lastTs(c) < min) return;
            ChunkReader r = reader.reset(c);
            boolean found = false;
            while (r.next()) {
                if (r.ts >= t) break;
                if (r.ts < min || r.value != r.value) continue;
                found = true;
                prevT = r.ts;
                prevV = r.value;
            }
            if (found) {
                havePrev = true;
                return;
            }
        }
    }

    /** Finds the series' first non-NaN sample after t into foundT/foundV. */
    private boolean findNext(long t) {
        if (t == Long.MAX_VALUE) return false;
        int nch = Series.nchunks(s);
        for (int ci = firstChunkEndingAtOrAfter(t + 1); ci < nch; ci++) {
            ChunkReader r = reader.reset(Series.chunk(s, ci));
            while (r.next()) {
                if (r.ts <= t || r.value != r.value) continue;
                foundT = r.ts;
                foundV = r.value;
                return true;
            }
        }
        return false;
    }

    private int lastChunkStartingAtOrBefore(long ts) {
        int lo = 0, hi = Series.nchunks(s) - 1, r = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Chunks.firstTs(Series.chunk(s, mid)) <= ts) {
                r = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return r;
    }

    static {
        // the engine reads chunk headers directly; keep it honest about the layout it assumes
        if (Layout.C_SUM_COMP != Layout.C_SUM + 8) throw new AssertionError("chunk layout");
    }
}
