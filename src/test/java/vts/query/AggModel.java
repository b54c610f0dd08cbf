package vts.query;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * The obviously correct (and slow) version of bucketed aggregation the engine is checked
 * against: samples in a TreeMap, buckets in lists, sums in BigDecimal. Shared with the e2e
 * tests' copy of the rules (AggregationIT keeps its own, reading replies).
 */
public final class AggModel {
    /** A row: reported timestamp and values. */
    public record Row(long ts, double[] values) {
        @Override
        public String toString() {
            return ts + "=" + Arrays.toString(values);
        }
    }

    public static List<Row> run(TreeMap<Long, Double> series, long retentionFrom, long from, long to, long[] byTs,
                         double[] byValue, List<Agg> aggs, long dur, long align, BucketTimestamp bt, boolean empty,
                         long count, boolean reverse) {
        from = Math.max(from, retentionFrom);
        boolean countsNaN = aggs.stream().anyMatch(a -> a.kind() == Aggregator.COUNTNAN || a.kind() == Aggregator.COUNTALL);
        TreeMap<Long, Double> visible = new TreeMap<>(series.tailMap(retentionFrom, true));
        // the selected samples
        TreeMap<Long, Double> sel = new TreeMap<>();
        if (from <= to) {
            for (var e : visible.subMap(from, true, to, true).entrySet()) {
                double v = e.getValue();
                if (byTs != null && Arrays.binarySearch(byTs, e.getKey()) < 0) continue;
                if (byValue != null && !(v >= byValue[0] && v <= byValue[1])) continue;
                if (Double.isNaN(v) && !countsNaN) continue;
                sel.put(e.getKey(), v);
            }
        }
        TreeMap<Long, List<double[]>> buckets = new TreeMap<>(); // start -> [ts, v]
        for (var e : sel.entrySet()) {
            long st = Buckets.start(e.getKey(), dur, align);
            buckets.computeIfAbsent(st, k -> new ArrayList<>()).add(new double[] {e.getKey(), e.getValue()});
        }
        TreeMap<Long, List<double[]>> all = new TreeMap<>(buckets);
        double locf = Double.NaN; // last's value before the first bucket: the sample before from
        if (empty && !buckets.isEmpty()) {
            for (long st = buckets.firstKey(); st < buckets.lastKey(); st += dur) all.putIfAbsent(st, List.of());
            var ap = buckets.isEmpty() ? null : nonNaN(visible.headMap(sel.firstKey(), false));
            if (ap != null && ap.getKey() < from) {
                locf = ap.getValue();
                for (long st = Buckets.start(from, dur, align); st < buckets.firstKey(); st += dur) all.putIfAbsent(st, List.of());
            }
            if (visible.lastKey() > to) {
                for (long st = buckets.lastKey(); st <= Buckets.start(to, dur, align); st += dur) all.putIfAbsent(st, List.of());
            }
        }
        if (empty && buckets.isEmpty() && from <= to && !visible.isEmpty() && visible.firstKey() < from
                && visible.lastKey() > to && nonNaN(visible.headMap(from, false)) != null
                && firstNonNaN(visible.tailMap(to, false)) != null) {
            locf = nonNaN(visible.headMap(from, false)).getValue();
            for (long st = Buckets.start(from, dur, align); st <= Buckets.start(to, dur, align); st += dur) all.put(st, List.of());
        }
        // twa's points: the non-NaN selected samples; its anchors: the series' samples around them
        TreeMap<Long, Double> nn = new TreeMap<>();
        for (var e : sel.entrySet()) if (!Double.isNaN(e.getValue())) nn.put(e.getKey(), e.getValue());
        java.util.Map.Entry<Long, Double> anchorP = null, anchorQ = null;
        if (!sel.isEmpty()) {
            anchorP = nonNaN(visible.headMap(sel.firstKey(), false));
            long after = !nn.isEmpty() ? nn.lastKey() : anchorP != null ? anchorP.getKey() : Long.MIN_VALUE;
            if (after != Long.MIN_VALUE) anchorQ = firstNonNaN(visible.tailMap(after, false));
        } else if (from <= to) {
            anchorP = nonNaN(visible.headMap(from, false));
            anchorQ = firstNonNaN(visible.tailMap(to, false));
        }
        Twa tw = new Twa(nn, anchorP, anchorQ, from, to);
        List<Row> rows = new ArrayList<>();
        double prevLast = locf;
        for (var e : all.entrySet()) {
            long st = e.getKey();
            List<double[]> smp = e.getValue();
            double[] vals = new double[aggs.size()];
            List<Double> good = new ArrayList<>();
            long nans = 0;
            for (double[] sv : smp) {
                if (Double.isNaN(sv[1])) nans++;
                else good.add(sv[1]);
            }
            for (int k = 0; k < aggs.size(); k++) {
                vals[k] = value(aggs.get(k), good, nans, prevLast, st, dur, tw);
            }
            if (!good.isEmpty()) prevLast = good.get(good.size() - 1);
            rows.add(new Row(Buckets.report(st, dur, bt), vals));
        }
        if (reverse) java.util.Collections.reverse(rows);
        if (count >= 0 && rows.size() > count) rows = new ArrayList<>(rows.subList(0, (int) count));
        return rows;
    }

    static java.util.Map.Entry<Long, Double> nonNaN(java.util.NavigableMap<Long, Double> m) {
        for (var e : m.descendingMap().entrySet()) if (!Double.isNaN(e.getValue())) return e;
        return null;
    }

    static java.util.Map.Entry<Long, Double> firstNonNaN(java.util.NavigableMap<Long, Double> m) {
        for (var e : m.entrySet()) if (!Double.isNaN(e.getValue())) return e;
        return null;
    }

    private static double value(Agg a, List<Double> good, long nans, double prevLast, long st, long dur,
                                Twa tw) {
        int n = good.size();
        switch (a.kind()) {
            case COUNT: return n;
            case COUNTNAN: return nans;
            case COUNTALL: return n + nans;
            case SUM: return n == 0 ? 0 : exactSum(good).doubleValue();
            case LAST: return n == 0 ? prevLast : good.get(n - 1);
            case TWA: return tw.bucket(st, dur);
            default: break;
        }
        if (n == 0) return Double.NaN;
        double[] v = good.stream().mapToDouble(Double::doubleValue).toArray();
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        BigDecimal sum = exactSum(good);
        switch (a.kind()) {
            case AVG: return sum.divide(BigDecimal.valueOf(n), MathContext.DECIMAL128).doubleValue();
            case MIN: return sorted[0];
            case MAX: return sorted[n - 1];
            case RANGE: return sorted[n - 1] - sorted[0];
            case FIRST: return v[0];
            case VAR_P, VAR_S, STD_P, STD_S: {
                BigDecimal mean = sum.divide(BigDecimal.valueOf(n), MathContext.DECIMAL128);
                BigDecimal m2 = BigDecimal.ZERO;
                for (double x : v) {
                    BigDecimal d = new BigDecimal(x).subtract(mean);
                    m2 = m2.add(d.multiply(d));
                }
                boolean sample = a.kind() == Aggregator.VAR_S || a.kind() == Aggregator.STD_S;
                double var = sample ? (n == 1 ? 0 : m2.divide(BigDecimal.valueOf(n - 1), MathContext.DECIMAL128).doubleValue())
                        : m2.divide(BigDecimal.valueOf(n), MathContext.DECIMAL128).doubleValue();
                boolean std = a.kind() == Aggregator.STD_P || a.kind() == Aggregator.STD_S;
                return std ? Math.sqrt(var) : var;
            }
            case QUANTILE: {
                double h = (n - 1) * a.fraction();
                int lo = (int) Math.floor(h);
                if (lo >= n - 1) return sorted[n - 1];
                return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
            }
            default: throw new AssertionError(a);
        }
    }

    static BigDecimal exactSum(List<Double> xs) {
        BigDecimal s = BigDecimal.ZERO;
        for (double x : xs) s = s.add(new BigDecimal(x));
        return s;
    }

    /** twa over the polyline of the points, anchored outside them, as the engine defines it. */
    record Twa(TreeMap<Long, Double> pts, java.util.Map.Entry<Long, Double> anchorP, java.util.Map.Entry<Long, Double> anchorQ,
               long from, long to) {
        java.util.Map.Entry<Long, Double> before(long t) {
            var e = pts.lowerEntry(t);
            return e != null ? e : anchorP;
        }

        java.util.Map.Entry<Long, Double> after(long t) {
            var e = pts.higherEntry(t);
            return e != null ? e : anchorQ;
        }

        double bucket(long st, long dur) {
            long end = st + dur; // exclusive (tests keep it below 2^63)
            var inside = pts.subMap(st, true, end, false);
            // the part of the bucket inside the query's [from, to]
            double a = Math.max(from, Math.max(0, st));
            if (to < end - 1) end = to; // cut: the range ends before the bucket's last timestamp
            if (inside.isEmpty()) {
                var p = before(st);
                var q = after(end - 1);
                if (p == null || q == null) return Double.NaN;
                return (interp(p, q, a) + interp(p, q, end)) / 2;
            }
            var f = inside.firstEntry();
            var l = inside.lastEntry();
            var p = before(f.getKey());
            var q = after(l.getKey());
            double area = 0, firstT, lastT;
            if (p != null) {
                area += (interp(p, f, a) + f.getValue()) * (f.getKey() - a) / 2;
                firstT = a;
            } else {
                firstT = f.getKey();
            }
            java.util.Map.Entry<Long, Double> prev = null;
            for (var e : inside.entrySet()) {
                if (prev != null) area += (prev.getValue() + e.getValue()) * (e.getKey() - prev.getKey()) / 2;
                prev = e;
            }
            if (q != null) {
                area += (interp(l, q, end) + l.getValue()) * (end - l.getKey()) / 2;
                lastT = end;
            } else {
                lastT = l.getKey();
            }
            return lastT == firstT ? l.getValue() : area / (lastT - firstT);
        }
    }

    private static double interp(java.util.Map.Entry<Long, Double> p, java.util.Map.Entry<Long, Double> q, double t) {
        return p.getValue() + (t - p.getKey()) * (q.getValue() - p.getValue()) / (q.getKey() - p.getKey());
    }
}
