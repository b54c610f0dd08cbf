package vts.compaction;

import java.nio.charset.StandardCharsets;

import vts.codec.Chunks;
import vts.mem.Mem;
import vts.query.Aggregator;
import vts.series.Layout;
import vts.series.Series;
import vts.series.SeriesCursor;

/**
 * The running aggregate of a rule's open bucket, kept in the rule's record of the blob
 * (native memory, so the C persistence saves it with the rule; layout in {@link RuleBlob}).
 * With it an in-order write costs a few arithmetic operations per rule, and a bucket close
 * writes the destination without reading the source's samples again.
 *
 * <p>The state is valid only while it holds exactly the source's samples of the open
 * bucket, appended in time order: it starts when the first sample of a bucket is
 * appended and is dropped ({@link #invalidate}) by anything else (an out-of-order write or
 * an update in the open bucket, TS.DEL reaching it, a blob rewrite); the caller then
 * recomputes the bucket from the source when it closes, as before. Quantiles have no
 * running form and always recompute.
 *
 * <p>The values are the aggregation engine's, bit for bit, for everything but var/std:
 * <ul>
 * <li>sum/avg repeat the engine's Neumaier steps in its order, including its use of a chunk's
 *     stored (sum, compensation) for a chunk that lies wholly inside the bucket: the state
 *     keeps the sum as it stood before the current chunk ("base"), and when a chunk that
 *     began inside the bucket is complete, the sum becomes base + chunk summary, as the
 *     engine computes it. An overflow (the engine's scaled path) drops the state.</li>
 * <li>twa repeats the engine's trapezoids, left edge interpolated with the last non-NaN
 *     sample before the bucket, right edge with the write that closes it (a NaN write
 *     closes by recomputing, since the right neighbour is not known yet).</li>
 * <li>var/std use Welford's update (the engine merges per-chunk two-pass results), equal
 *     within a few ulps.</li>
 * </ul>
 *
 * Slot use (8 bytes each, from {@link RuleBlob#R_SLOTS}):
 * <pre>
 *   sum, avg        0 sum, 1 compensation, 2 base sum, 3 base compensation,
 *                   4 (i64) first timestamp of the chunk holding the bucket's newest samples
 *   min, max, range 0 min, 1 max
 *   first, last     0 first, 1 last
 *   var, std        0 mean, 1 M2 (of the values minus slot 2), 2 the bucket's first value
 *   twa             0 area, 1 area start, 2 (i64) last non-NaN ts, 3 its value,
 *                   4 (i64) previous non-NaN ts before the bucket (Long.MIN_VALUE: none), 5 its value
 * </pre>
 */
final class Running {
    private Running() {}

    static final int UNKNOWN = -1, ABSENT = 0, PRESENT = 1;
    private static final long NO_PREV = Long.MIN_VALUE;

    /** The value of the last {@link #value} call that answered PRESENT. */
    static double value;

    private static final SeriesCursor CURSOR = new SeriesCursor();
    private static final Aggregator[] KINDS;
    private static final byte[][] NAMES;

    static {
        Aggregator[] all = Aggregator.values();
        KINDS = new Aggregator[all.length - 1];
        NAMES = new byte[all.length - 1][];
        int k = 0;
        for (Aggregator a : all) {
            if (a == Aggregator.QUANTILE) continue;
            KINDS[k] = a;
            NAMES[k++] = a.wireName().getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** The aggregator of a record, read from its name without allocating. */
    static Aggregator kind(long rec) {
        int n = Mem.getShort(rec + RuleBlob.R_AGG_LEN) & 0xffff;
        long p = RuleBlob.destPtr(rec) + RuleBlob.destLen(rec);
        outer:
        for (int k = 0; k < KINDS.length; k++) {
            byte[] w = NAMES[k];
            if (w.length != n) continue;
            for (int i = 0; i < n; i++) {
                if (Mem.getByte(p + i) != w[i]) continue outer;
            }
            return KINDS[k];
        }
        return Aggregator.QUANTILE;
    }

    static boolean valid(long rec) { return (Mem.getShort(rec + RuleBlob.R_FLAGS) & RuleBlob.F_RUNNING) != 0; }

    static void invalidate(long rec) {
        Mem.putShort(rec + RuleBlob.R_FLAGS, (short) (Mem.getShort(rec + RuleBlob.R_FLAGS) & ~RuleBlob.F_RUNNING));
    }

    private static long slot(long rec, int k) { return rec + RuleBlob.R_SLOTS + 8L * k; }
    private static double d(long rec, int k) { return Mem.getDouble(slot(rec, k)); }
    private static void d(long rec, int k, double v) { Mem.putDouble(slot(rec, k), v); }
    private static long l(long rec, int k) { return Mem.getLong(slot(rec, k)); }
    private static void l(long rec, int k, long v) { Mem.putLong(slot(rec, k), v); }

    /**
     * Starts the running state of bucket b (start) whose first sample (ts, v) was just
     * appended to s. The previous state, if valid, gives twa its left neighbour.
     */
    static void begin(long rec, Aggregator kind, long s, long b, long ts, double v) {
        if (kind == Aggregator.QUANTILE) {
            invalidate(rec);
            return;
        }
        long pt = NO_PREV;
        double pv = 0;
        if (kind == Aggregator.TWA) {
            if (valid(rec)) {
                if (Mem.getLong(rec + RuleBlob.R_N) > 0) {
                    pt = l(rec, 2);
                    pv = d(rec, 3);
                } else {
                    pt = l(rec, 4);
                    pv = d(rec, 5);
                }
            } else if (ts > 0) {
                SeriesCursor c = CURSOR.reset(s, 0, ts - 1, true);
                while (c.next()) {
                    if (c.value == c.value) {
                        pt = c.ts;
                        pv = c.value;
                        break;
                    }
                }
            }
        }
        Mem.putLong(rec + RuleBlob.R_N, 0);
        Mem.putLong(rec + RuleBlob.R_NAN, 0);
        Mem.putLong(rec + RuleBlob.R_FIRST_TS, ts);
        for (int k = 0; k < RuleBlob.SLOTS; k++) l(rec, k, 0);
        switch (kind) {
            case SUM, AVG -> l(rec, 4, Chunks.firstTs(lastChunk(s)));
            case MIN, MAX, RANGE -> {
                d(rec, 0, Double.POSITIVE_INFINITY);
                d(rec, 1, Double.NEGATIVE_INFINITY);
            }
            case FIRST, LAST -> {
                d(rec, 0, Double.NaN);
                d(rec, 1, Double.NaN);
            }
            case TWA -> {
                l(rec, 4, pt);
                d(rec, 5, pv);
            }
            default -> {}
        }
        Mem.putShort(rec + RuleBlob.R_FLAGS, (short) (Mem.getShort(rec + RuleBlob.R_FLAGS) | RuleBlob.F_RUNNING));
        sample(rec, kind, b, ts, v);
    }

    /** Adds (ts, v), just appended to s, to the valid state of the open bucket b. */
    static void add(long rec, Aggregator kind, long s, long b, long ts, double v) {
        if (kind == Aggregator.SUM || kind == Aggregator.AVG) {
            long last = lastChunk(s);
            long seg = l(rec, 4);
            long cf = Chunks.firstTs(last);
            if (cf != seg) {
                // ts began a new chunk: the previous one is complete
                if (cf != ts || Series.nchunks(s) < 2) {
                    invalidate(rec);
                    return;
                }
                if (seg >= Math.max(0, b)) {
                    long prev = Series.chunk(s, Series.nchunks(s) - 2);
                    if (Chunks.firstTs(prev) != seg) {
                        invalidate(rec);
                        return;
                    }
                    if (!summarize(rec, prev)) return;
                }
                d(rec, 2, d(rec, 0));
                d(rec, 3, d(rec, 1));
                l(rec, 4, cf);
            }
        }
        sample(rec, kind, b, ts, v);
    }

    /**
     * The engine adds a chunk lying wholly inside the bucket from its summary when it can:
     * the sum becomes base + (chunk sum, chunk compensation). False (state dropped) on overflow.
     */
    private static boolean summarize(long rec, long chunk) {
        if (Chunks.nanCount(chunk) != 0 || !Double.isFinite(Chunks.sum(chunk))) return true; // decoded: per sample
        double s = d(rec, 2), c = d(rec, 3);
        double v = Mem.getDouble(chunk + Layout.C_SUM);
        double t = s + v;
        if (!Double.isFinite(t)) return overflow(rec);
        c += Math.abs(s) >= Math.abs(v) ? (s - t) + v : (v - t) + s;
        s = t;
        v = Mem.getDouble(chunk + Layout.C_SUM_COMP);
        t = s + v;
        if (!Double.isFinite(t)) return overflow(rec);
        c += Math.abs(s) >= Math.abs(v) ? (s - t) + v : (v - t) + s;
        d(rec, 0, t);
        d(rec, 1, c);
        return true;
    }

    private static boolean overflow(long rec) {
        invalidate(rec);
        return false;
    }

    /** One sample into the state (the chunk bookkeeping of sum/avg done). */
    private static void sample(long rec, Aggregator kind, long b, long ts, double v) {
        if (v != v) {
            Mem.putLong(rec + RuleBlob.R_NAN, Mem.getLong(rec + RuleBlob.R_NAN) + 1);
            return;
        }
        long n = Mem.getLong(rec + RuleBlob.R_N);
        switch (kind) {
            case SUM, AVG -> {
                double s = d(rec, 0), c = d(rec, 1);
                double t = s + v;
                if (Math.abs(s) >= Math.abs(v)) c += (s - t) + v;
                else c += (v - t) + s;
                if (!Double.isFinite(t) || !Double.isFinite(c)) {
                    invalidate(rec); // the engine switches to its scaled sum: recompute
                    return;
                }
                d(rec, 0, t);
                d(rec, 1, c);
            }
            case MIN, MAX, RANGE -> {
                if (v < d(rec, 0)) d(rec, 0, v);
                if (v > d(rec, 1)) d(rec, 1, v);
            }
            case FIRST, LAST -> {
                if (n == 0) d(rec, 0, v);
                d(rec, 1, v);
            }
            case VAR_P, VAR_S, STD_P, STD_S -> {
                // Welford on the values shifted by the bucket's first one (well conditioned
                // even for a large mean with a small spread)
                if (n == 0) d(rec, 2, v);
                double x = v - d(rec, 2);
                double mean = d(rec, 0);
                double delta = x - mean;
                mean += delta / (n + 1);
                d(rec, 0, mean);
                d(rec, 1, d(rec, 1) + delta * (x - mean));
            }
            case TWA -> {
                if (n == 0) {
                    long pt = l(rec, 4);
                    if (pt != NO_PREV) {
                        double pv = d(rec, 5);
                        long a = Math.max(0, b);
                        double va = pv + ((double) (a - pt) * (v - pv)) / (double) (ts - pt);
                        d(rec, 0, (va + v) * (double) (ts - a) / 2.0);
                        d(rec, 1, a);
                    } else {
                        d(rec, 0, 0);
                        d(rec, 1, ts);
                    }
                } else {
                    d(rec, 0, d(rec, 0) + (d(rec, 3) + v) * (double) (ts - l(rec, 2)) / 2.0);
                }
                l(rec, 2, ts);
                d(rec, 3, v);
            }
            default -> {}
        }
        Mem.putLong(rec + RuleBlob.R_N, n + 1);
    }

    /**
     * The open bucket b's value as TS.RANGE computes it now: PRESENT (in {@link #value}),
     * ABSENT (the bucket holds nothing the aggregator sees) or UNKNOWN (no valid state:
     * recompute). closing: a write at qt (value qv, appended to s, in a later bucket)
     * closes the bucket; otherwise the bucket is still open (LATEST).
     */
    static int value(long rec, Aggregator kind, long s, long b, long dur, boolean closing, long qt, double qv) {
        if (!valid(rec) || kind == Aggregator.QUANTILE) return UNKNOWN;
        long visible = Math.max(Series.minVisibleTs(s), Series.firstTs(s));
        if (Mem.getLong(rec + RuleBlob.R_FIRST_TS) < visible) return UNKNOWN; // retention trimmed the bucket
        long n = Mem.getLong(rec + RuleBlob.R_N), nan = Mem.getLong(rec + RuleBlob.R_NAN);
        switch (kind) {
            case COUNTNAN, COUNTALL -> {
                if (n + nan == 0) return ABSENT;
                value = kind == Aggregator.COUNTNAN ? nan : n + nan;
                return PRESENT;
            }
            default -> {
                if (n == 0) return ABSENT;
            }
        }
        switch (kind) {
            case COUNT -> value = n;
            case SUM, AVG -> {
                double sum = d(rec, 0), comp = d(rec, 1);
                long seg = l(rec, 4);
                long last = lastChunk(s);
                // the chunk of the bucket's newest samples lies wholly inside the bucket when it
                // began inside it and (closing) the closing write began a new chunk
                boolean whole = seg >= Math.max(0, b) && (!closing || Chunks.firstTs(last) == qt);
                if (whole) {
                    long c = closing ? (Series.nchunks(s) < 2 ? 0 : Series.chunk(s, Series.nchunks(s) - 2)) : last;
                    if (c == 0 || Chunks.firstTs(c) != seg) return UNKNOWN;
                    if (Chunks.nanCount(c) == 0 && Double.isFinite(Chunks.sum(c))) {
                        double bs = d(rec, 2), bc = d(rec, 3);
                        double v = Mem.getDouble(c + Layout.C_SUM);
                        double t = bs + v;
                        if (!Double.isFinite(t)) return UNKNOWN;
                        bc += Math.abs(bs) >= Math.abs(v) ? (bs - t) + v : (v - t) + bs;
                        bs = t;
                        v = Mem.getDouble(c + Layout.C_SUM_COMP);
                        t = bs + v;
                        if (!Double.isFinite(t)) return UNKNOWN;
                        bc += Math.abs(bs) >= Math.abs(v) ? (bs - t) + v : (v - t) + bs;
                        sum = t;
                        comp = bc;
                    }
                }
                value = kind == Aggregator.SUM ? sum + comp : (sum + comp) / n;
            }
            case MIN -> value = d(rec, 0);
            case MAX -> value = d(rec, 1);
            case RANGE -> value = d(rec, 1) - d(rec, 0);
            case FIRST -> value = d(rec, 0);
            case LAST -> value = d(rec, 1);
            case VAR_P -> value = Math.max(0, d(rec, 1)) / n;
            case VAR_S -> value = n == 1 ? 0 : Math.max(0, d(rec, 1)) / (n - 1);
            case STD_P -> value = Math.sqrt(Math.max(0, d(rec, 1)) / n);
            case STD_S -> value = Math.sqrt(n == 1 ? 0 : Math.max(0, d(rec, 1)) / (n - 1));
            case TWA -> {
                long pt = l(rec, 4);
                if (pt != NO_PREV && pt < visible) return UNKNOWN; // the left neighbour is gone
                if (closing && qv != qv) return UNKNOWN; // the right neighbour is not known yet
                double res = d(rec, 0);
                double first = d(rec, 1);
                long lt = l(rec, 2);
                double lv = d(rec, 3);
                double last = lt;
                if (closing) {
                    double tb = (double) (b - lt) + (double) dur;
                    double vb = lv + (tb * (qv - lv)) / (double) (qt - lt);
                    res += (vb + lv) * tb / 2.0;
                    last = (double) b + (double) dur;
                }
                value = last == first ? lv : res / (last - first);
            }
            default -> {
                return UNKNOWN;
            }
        }
        return PRESENT;
    }

    /** The previous non-NaN sample twa's open bucket interpolates with may change by a write at ts. */
    static boolean leftEdgeAffected(long rec, long ts) {
        long pt = l(rec, 4);
        return pt == NO_PREV || ts >= pt;
    }

    private static long lastChunk(long s) {
        return Series.chunk(s, Series.nchunks(s) - 1);
    }
}
