package vts.query;

import vts.bridge.DoubleFormat;

/**
 * A decoded decimal chunk reduced to runs: consecutive samples in one bucket (at most
 * {@link #MAX_RUN} per run), each summarised in the integer domain as {@link
 * Accumulator#addDecimal} takes it. Reducing needs only the query's bucket grid, not the
 * engine's state, so a helper thread can do it ({@link ScanAhead}), and the engine then
 * reads a few values per bucket instead of every sample.
 */
final class DecimalRuns {
    /** Samples per run at most: keeps |sum of m| &le; 2^62 (|m| &le; 2^50). */
    static final int MAX_RUN = 4096;

    int n;
    /** Per run: the timestamp of its first sample, its count, and the sum, min, max, first and last of its m. */
    long[] ts = new long[64], sum = new long[64], lo = new long[64], hi = new long[64], first = new long[64],
            last = new long[64];
    int[] count = new int[64];
    /** The values are m / div. */
    double div;

    /** Runs [0, formatted) hold their aggregators' values (raw bits) and texts, see {@link #formatNext}. */
    volatile int formatted;
    private long[] vbits = new long[64];
    private byte[] text = new byte[64 * TEXT];
    private byte[] tlen = new byte[64];
    private static final int TEXT = 32;

    /**
     * Reduces the n decimal samples ms[k] / div at ts[k] (ascending), or at t0 + k * step
     * (step &gt; 0) when ts is null, into runs split at the edges of the buckets of
     * duration dur aligned to align. Sums are formed only if needSum, min and max only if
     * needMinMax. Returns false (the runs are then unusable) if there would be more than
     * maxRuns runs: the arrays grow with the runs, and a helper bounds what it holds.
     */
    boolean reduce(long[] tsIn, long t0, long step, long[] ms, int samples, double div, long dur, long align,
                   boolean needSum, boolean needMinMax, int maxRuns) {
        this.div = div;
        formatted = 0;
        n = 0;
        int r = 0, i = 0, guess = 1;
        long bucketLast = Long.MIN_VALUE;
        while (i < samples) {
            long t = tsIn == null ? t0 + i * step : tsIn[i];
            if (t > bucketLast) {
                // usually the next bucket: no division
                long start = bucketLast != Long.MIN_VALUE && bucketLast <= Long.MAX_VALUE - dur && t <= bucketLast + dur
                        ? bucketLast + 1 : Buckets.start(t, dur, align);
                bucketLast = Buckets.last(start, dur);
            }
            int j;
            int g = i + guess;
            if (tsIn == null) {
                if (g < samples && t0 + (g - 1) * step <= bucketLast && t0 + g * step > bucketLast) {
                    j = g;
                } else {
                    // a negative span can only come from a corrupt chunk; i + 1 keeps the loop moving then
                    long span = bucketLast - t0;
                    j = span < 0 ? samples : (int) Math.min(samples, span / step + 1);
                    j = Math.max(j, i + 1);
                }
            } else if (tsIn[samples - 1] <= bucketLast) {
                j = samples;
            } else if (g < samples && tsIn[g - 1] <= bucketLast && tsIn[g] > bucketLast) {
                j = g;
            } else {
                j = upperBound(tsIn, i, samples, bucketLast);
            }
            guess = j - i;
            while (i < j) {
                if (r == ts.length) {
                    if (r >= maxRuns) return false;
                    grow((int) Math.min(maxRuns, 2L * r));
                }
                int e = Math.min(j, i + MAX_RUN);
                long s = 0, mn = Long.MAX_VALUE, mx = Long.MIN_VALUE;
                if (needSum) {
                    for (int k = i; k < e; k++) s += ms[k];
                }
                if (needMinMax) {
                    for (int k = i; k < e; k++) {
                        long v = ms[k];
                        mn = Math.min(mn, v);
                        mx = Math.max(mx, v);
                    }
                }
                ts[r] = tsIn == null ? t0 + i * step : tsIn[i];
                count[r] = e - i;
                sum[r] = s;
                lo[r] = mn;
                hi[r] = mx;
                first[r] = ms[i];
                last[r] = ms[e - 1];
                r++;
                i = e;
            }
        }
        n = r;
        return true;
    }

    /** Values per run formatted by {@link #formatNext} (the query's aggregators). */
    private int cols = 1;

    /** Makes room for the texts of cols values for every run but the last; call before the runs are shared. */
    void prepareText(int cols) {
        this.cols = cols;
        int m = (n - 1) * cols;
        if (vbits.length < m) {
            int cap = Math.max(m, vbits.length * 2);
            vbits = new long[cap];
            text = new byte[cap * TEXT];
            tlen = new byte[cap];
        }
    }

    /**
     * Formats the values of the next run but the last (after {@link #prepareText}): the
     * values the aggregators would give a bucket made of that run alone, computed as the
     * engine does, with acc as scratch (the same operations, so the same doubles). False
     * when all are done. One thread formats; others may read the runs before
     * {@link #formatted} meanwhile.
     */
    boolean formatNext(Agg[] aggs, Accumulator acc, StringBuilder sb, byte[] tmp) {
        int k = formatted;
        if (k >= n - 1) return false;
        acc.reset();
        acc.addDecimal(count[k], sum[k], lo[k], hi[k], first[k], last[k], div);
        for (int c = 0; c < cols; c++) {
            double v = AggregationEngine.valueOf(aggs[c], acc);
            int len = DoubleFormat.format(v, tmp, sb);
            int i = k * cols + c;
            System.arraycopy(tmp, 0, text, i * TEXT, len);
            tlen[i] = (byte) len;
            vbits[i] = Double.doubleToRawLongBits(v);
        }
        formatted = k + 1; // publishes the texts
        return true;
    }

    /**
     * Offers run k's texts for the row of values (see {@link DoubleFormat#offerRow}) if it
     * was formatted; each value's text only if it is that value's. Main thread only.
     */
    void offer(int k, double[] row) {
        if (k >= formatted || row.length != cols) return;
        for (int c = 0; c < cols; c++) {
            int i = k * cols + c;
            boolean same = vbits[i] == Double.doubleToRawLongBits(row[c]);
            DoubleFormat.offerValue(c, vbits[i], i * TEXT, same ? tlen[i] : -1);
            if (same) offered++;
        }
        DoubleFormat.offerRow(text, cols);
    }

    /** Texts offered (tests check the helper's formatting is used at all). Main thread only. */
    static long offered;

    private void grow(int cap) {
        ts = java.util.Arrays.copyOf(ts, cap);
        sum = java.util.Arrays.copyOf(sum, cap);
        lo = java.util.Arrays.copyOf(lo, cap);
        hi = java.util.Arrays.copyOf(hi, cap);
        first = java.util.Arrays.copyOf(first, cap);
        last = java.util.Arrays.copyOf(last, cap);
        count = java.util.Arrays.copyOf(count, cap);
    }

    /** First index in [i, n) whose timestamp ts[k] is above t (ts[i] &le; t). */
    static int upperBound(long[] ts, int i, int n, long t) {
        int lo = i + 1, hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (ts[mid] <= t) lo = mid + 1;
            else hi = mid - 1;
        }
        return lo;
    }
}
