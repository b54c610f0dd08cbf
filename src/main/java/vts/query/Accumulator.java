package vts.query;

import static vts.series.Layout.C_SUM;
import static vts.series.Layout.C_SUM_COMP;

import java.util.Arrays;

import vts.codec.Chunks;
import vts.mem.Mem;

/**
 * The running statistics of one bucket, for every aggregator of a query at once (each
 * statistic computed only if some aggregator needs it). NaN values are counted apart and
 * skipped by everything else. Allocates nothing per sample; the quantile buffer grows
 * (by doubling) to the largest bucket seen.
 *
 * <p>Numerics: the sum is Neumaier-compensated; if it overflows (or meets an infinity)
 * the bucket switches to a sum scaled by 2^-64, so a sum that comes back into range
 * (1e308 + 1e308 - 1e308) and every mean of finite values stay right. Variance merges
 * per-segment corrected two-pass results with Chan's formula, so it does not suffer from
 * the cancellation of sum-of-squares formulas.
 */
final class Accumulator {
    private static final double DOWN = 0x1p-64, UP = 0x1p64;

    boolean needSum, needMinMax, needFirstLast, needVar, needQuantile;

    long n; // non-NaN values
    long nan; // NaN values
    private double sum, comp;
    private boolean scaled;
    double min, max;
    double first, last;
    private long vn;
    private double vmean, vm2;
    private double[] qbuf = new double[64];
    private int qn;
    private boolean qsorted;

    void configure(Agg[] aggs) {
        needSum = needMinMax = needFirstLast = needVar = needQuantile = false;
        for (Agg a : aggs) {
            switch (a.kind()) {
                case SUM, AVG -> needSum = true;
                case MIN, MAX, RANGE -> needMinMax = true;
                case FIRST, LAST -> needFirstLast = true;
                case STD_P, STD_S, VAR_P, VAR_S -> needVar = true;
                case QUANTILE -> needQuantile = true;
                default -> {}
            }
        }
        reset();
    }

    /** True if chunk summaries can stand for the samples (no variance, quantile or twa). */
    boolean summaryCapable() {
        return !needVar && !needQuantile;
    }

    void reset() {
        n = 0;
        nan = 0;
        sum = 0;
        comp = 0;
        scaled = false;
        min = Double.POSITIVE_INFINITY;
        max = Double.NEGATIVE_INFINITY;
        first = Double.NaN;
        last = Double.NaN;
        vn = 0;
        vmean = 0;
        vm2 = 0;
        qn = 0;
        qsorted = false;
    }

    /** Adds vs[i, j) (timestamps ascending). */
    void addRange(double[] vs, int i, int j) {
        long count = 0;
        for (int k = i; k < j; k++) count += vs[k] == vs[k] ? 1 : 0;
        nan += (j - i) - count;
        if (count == 0) return;
        if (needSum) addSum(vs, i, j);
        if (needMinMax) {
            double lo = min, hi = max;
            for (int k = i; k < j; k++) {
                double v = vs[k];
                if (v < lo) lo = v; // NaN compares false
                if (v > hi) hi = v;
            }
            min = lo;
            max = hi;
        }
        if (needFirstLast) {
            if (n == 0) {
                int k = i;
                while (vs[k] != vs[k]) k++;
                first = vs[k];
            }
            int k = j - 1;
            while (vs[k] != vs[k]) k--;
            last = vs[k];
        }
        if (needVar) addVariance(vs, i, j, count);
        if (needQuantile) {
            if (qn + count > qbuf.length) qbuf = Arrays.copyOf(qbuf, (int) Math.max(qbuf.length * 2L, qn + count));
            for (int k = i; k < j; k++) {
                double v = vs[k];
                if (v == v) qbuf[qn++] = v;
            }
            qsorted = false;
        }
        n += count;
    }

    private void addSum(double[] vs, int i, int j) {
        if (!scaled) {
            double s = sum, c = comp;
            for (int k = i; k < j; k++) {
                double v = vs[k];
                if (v != v) continue;
                double t = s + v;
                if (Math.abs(s) >= Math.abs(v)) c += (s - t) + v;
                else c += (v - t) + s;
                s = t;
            }
            if (Double.isFinite(s) && Double.isFinite(c)) {
                sum = s;
                comp = c;
                return;
            }
            // overflow or an infinity: redo this segment on the scaled sum
            scaled = true;
            sum *= DOWN;
            comp *= DOWN;
        }
        for (int k = i; k < j; k++) {
            double v = vs[k];
            if (v == v) addScaled(v * DOWN);
        }
    }

    private void addScaled(double v) {
        double s = sum;
        double t = s + v;
        if (!Double.isFinite(t)) {
            // an infinity among the values: the compensation would turn into NaN
        } else if (Math.abs(s) >= Math.abs(v)) {
            comp += (s - t) + v;
        } else {
            comp += (v - t) + s;
        }
        sum = t;
    }

    /** Adds one value to the compensated sum (used for chunk summaries). */
    private void addSumValue(double v) {
        if (!scaled) {
            double s = sum;
            double t = s + v;
            if (Double.isFinite(t)) {
                if (Math.abs(s) >= Math.abs(v)) comp += (s - t) + v;
                else comp += (v - t) + s;
                sum = t;
                return;
            }
            scaled = true;
            sum *= DOWN;
            comp *= DOWN;
        }
        addScaled(v * DOWN);
    }

    /** Corrected two-pass variance of the segment, merged into the bucket's (Chan et al.). */
    private void addVariance(double[] vs, int i, int j, long count) {
        double s = 0;
        for (int k = i; k < j; k++) {
            double v = vs[k];
            if (v == v) s += v;
        }
        // the second pass's correction term (d1) absorbs the rounding of this mean
        double mean = s / count;
        double m2 = 0, d1 = 0;
        for (int k = i; k < j; k++) {
            double v = vs[k];
            if (v != v) continue;
            double d = v - mean;
            m2 += d * d;
            d1 += d;
        }
        m2 -= d1 * d1 / count;
        if (vn == 0) {
            vn = count;
            vmean = mean;
            vm2 = m2;
            return;
        }
        long total = vn + count;
        double delta = mean - vmean;
        vm2 += m2 + delta * delta * ((double) vn * count / total);
        vmean += delta * count / total;
        vn = total;
    }

    /**
     * Adds a whole chunk from its summary. The caller guarantees the chunk lies inside the
     * bucket and the query, its sum is finite, and first/last are not NaN when needed.
     */
    void addSummary(long c) {
        int count = Chunks.count(c);
        int nans = Chunks.nanCount(c);
        long values = count - nans;
        nan += nans;
        if (values == 0) return;
        if (needSum) {
            addSumValue(Mem.getDouble(c + C_SUM));
            addSumValue(Mem.getDouble(c + C_SUM_COMP));
        }
        if (needMinMax) {
            double lo = Chunks.min(c), hi = Chunks.max(c);
            if (lo < min) min = lo;
            if (hi > max) max = hi;
        }
        if (needFirstLast) {
            if (n == 0) first = Chunks.firstValue(c);
            last = Chunks.lastValue(c);
        }
        n += values;
    }

    /**
     * Adds count (&ge; 1) decimal values m / div (timestamps ascending) given by the sum,
     * min, max, first and last of their integers m (|sum| &le; 2^62). The values are exactly
     * m / div, so min, max, first and last are exact; the sum is the rounded exact sum.
     */
    void addDecimal(int count, long sumM, long minM, long maxM, long firstM, long lastM, double div) {
        if (needSum) addSumValue(sumM / div);
        if (needMinMax) {
            double lo = minM / div, hi = maxM / div;
            if (lo < min) min = lo;
            if (hi > max) max = hi;
        }
        if (needFirstLast) {
            if (n == 0) first = firstM / div;
            last = lastM / div;
        }
        n += count;
    }

    double sum() {
        return scaled ? (sum + comp) * UP : sum + comp;
    }

    double avg() {
        return scaled ? ((sum + comp) / n) * UP : (sum + comp) / n;
    }

    double varP() {
        return vn == 0 ? Double.NaN : Math.max(0, vm2) / vn;
    }

    double varS() {
        if (vn == 0) return Double.NaN;
        return vn == 1 ? 0 : Math.max(0, vm2) / (vn - 1);
    }

    /** Linear interpolation between the closest ranks (R-7 / NumPy's default). */
    double quantile(double f) {
        if (qn == 0) return Double.NaN;
        if (!qsorted) {
            Arrays.sort(qbuf, 0, qn);
            qsorted = true;
        }
        double h = (qn - 1) * f;
        int lo = (int) Math.floor(h);
        if (lo >= qn - 1) return qbuf[qn - 1];
        double a = qbuf[lo], b = qbuf[lo + 1];
        return a + (h - lo) * (b - a);
    }
}
