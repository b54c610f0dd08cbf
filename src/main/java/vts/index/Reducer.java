package vts.index;

import java.util.Arrays;

import vts.query.Agg;
import vts.query.Aggregator;

/**
 * The GROUPBY reducers: every aggregator except first, last and twa (the quantile
 * extension included). NaN values are skipped by all but countnan and countall; with no
 * value left the result is NaN (0 for the counts).
 */
final class Reducer {
    private final Aggregator kind;
    private final double fraction;
    private long n, nan, all;
    private double sum, min, max, mean, m2;
    private double[] kept = new double[8];

    Reducer(Agg agg) {
        this.kind = agg.kind();
        this.fraction = agg.fraction();
    }

    void reset() {
        n = nan = all = 0;
        sum = mean = m2 = 0;
        min = Double.POSITIVE_INFINITY;
        max = Double.NEGATIVE_INFINITY;
    }

    void add(double v) {
        all++;
        if (Double.isNaN(v)) {
            nan++;
            return;
        }
        if (kind == Aggregator.QUANTILE) {
            if (n == kept.length) kept = Arrays.copyOf(kept, kept.length * 2);
            kept[(int) n] = v;
        }
        n++;
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
        double d = v - mean; // Welford
        mean += d / n;
        m2 += d * (v - mean);
    }

    double result() {
        switch (kind) {
            case COUNT: return n;
            case COUNTNAN: return nan;
            case COUNTALL: return all;
            default: break;
        }
        if (n == 0) return Double.NaN;
        return switch (kind) {
            case SUM -> sum;
            case AVG -> sum / n;
            case MIN -> min;
            case MAX -> max;
            case RANGE -> max - min;
            case VAR_P -> m2 / n;
            case VAR_S -> n > 1 ? m2 / (n - 1) : 0;
            case STD_P -> Math.sqrt(m2 / n);
            case STD_S -> n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
            case QUANTILE -> quantile();
            default -> throw new IllegalStateException("not a reducer: " + kind);
        };
    }

    private double quantile() {
        int c = (int) n;
        Arrays.sort(kept, 0, c);
        double pos = fraction * (c - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(c - 1, lo + 1);
        return kept[lo] + (kept[hi] - kept[lo]) * (pos - lo);
    }
}
