package vts.index;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import vts.query.Agg;

/**
 * Results of multi-series queries in the form one node produces them, and the steps that
 * merge the results of several nodes. A query is always "evaluate locally, then merge": on a
 * single server the merge sees one partial result; a cluster coordinator would feed it one
 * per shard. Rows are sorted by key; GROUPBY/REDUCE runs after the merge, on every source row.
 */
public final class Results {
    private Results() {}

    /** One series (or one group) of a TS.MGET / TS.MRANGE reply. */
    public static final class Row {
        public final byte[] key;
        /** All labels as name0, value0, ... (exact bytes), or null when the reply needs none. */
        public final byte[][] labels;
        public long[] ts;
        /** n rows of cols values (one column per aggregator; one for raw samples). */
        public double[] values;
        public int n;
        public int cols = 1;
        /** For a group: its reducer and the keys of its sources; else null. */
        public String reducer;
        public List<byte[]> sources;
        /** For a group: the group labels with the value shared by every source (null where they differ). */
        public byte[][] groupLabels;

        public Row(byte[] key, byte[][] labels, int capacity) {
            this.key = key;
            this.labels = labels;
            this.ts = new long[capacity];
            this.values = new double[capacity];
        }

        public void add(long t, double v) {
            if (n == ts.length) {
                int c = Math.max(8, n * 2);
                ts = Arrays.copyOf(ts, c);
                values = Arrays.copyOf(values, c);
            }
            ts[n] = t;
            values[n++] = v;
        }

        /** Adds a row of cols values. */
        public void add(long t, double[] vals) {
            if (n == ts.length) {
                int c = Math.max(8, n * 2);
                ts = Arrays.copyOf(ts, c);
            }
            if ((long) (n + 1) * cols > values.length) values = Arrays.copyOf(values, Math.max(8, (n + 1) * cols * 2));
            ts[n] = t;
            System.arraycopy(vals, 0, values, n * cols, cols);
            n++;
        }

        /** The value of label name (exact), or null. */
        public byte[] label(byte[] name) {
            if (labels == null) return null;
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (Arrays.equals(labels[i], name)) return labels[i + 1];
            }
            return null;
        }
    }

    /**
     * What one node contributes to a multi-series command, before the merge: the keys
     * (TS.QUERYINDEX), the series rows (TS.MGET, TS.MRANGE; sorted by key, never grouped),
     * the label names or values (TS.QUERYLABELS) or a count (TS.CARD, TS.MDEL).
     * vts.cluster carries it between nodes.
     */
    public record Partial(List<byte[]> keys, List<Row> rows, List<String> strings, long count) {
        public static Partial ofKeys(List<byte[]> keys) { return new Partial(keys, List.of(), List.of(), 0); }
        public static Partial ofRows(List<Row> rows) { return new Partial(List.of(), rows, List.of(), 0); }
        public static Partial ofStrings(List<String> s) { return new Partial(List.of(), List.of(), s, 0); }
        public static Partial ofCount(long n) { return new Partial(List.of(), List.of(), List.of(), n); }
    }

    public static final java.util.Comparator<byte[]> KEY_ORDER = Arrays::compareUnsigned;

    /** Merges sorted key lists (TS.QUERYINDEX). */
    public static List<byte[]> mergeKeys(Collection<List<byte[]>> parts) {
        if (parts.size() == 1) return parts.iterator().next(); // each part is sorted already
        List<byte[]> out = new ArrayList<>();
        for (List<byte[]> p : parts) out.addAll(p);
        out.sort(KEY_ORDER);
        return out;
    }

    /** Merges sorted row lists (TS.MGET, TS.MRANGE). */
    public static List<Row> mergeRows(Collection<List<Row>> parts) {
        if (parts.size() == 1) return parts.iterator().next();
        List<Row> out = new ArrayList<>();
        for (List<Row> p : parts) out.addAll(p);
        out.sort((x, y) -> Arrays.compareUnsigned(x.key, y.key));
        return out;
    }

    /** Union of label names or values (TS.QUERYLABELS), sorted. */
    public static List<String> mergeStrings(Collection<? extends Collection<String>> parts) {
        TreeSet<String> out = new TreeSet<>();
        for (Collection<String> p : parts) out.addAll(p);
        return new ArrayList<>(out);
    }

    /** Sum of counts (TS.CARD, TS.MDEL). */
    public static long mergeCounts(long... parts) {
        long s = 0;
        for (long p : parts) s += p;
        return s;
    }

    /**
     * GROUPBY labels REDUCE reducer over merged rows (which carry all their labels). Rows
     * lacking one of the labels are left out. A group is named {@code l=v} (several labels:
     * {@code l1=v1,l2=v2}); at each timestamp present in any source the reducer combines the
     * sources' values at it. Groups come sorted by name.
     */
    public static List<Row> groupBy(List<Row> rows, List<String> groupLabels, Agg reducer, boolean reverse,
                                    long count) {
        byte[][] names = new byte[groupLabels.size()][];
        for (int i = 0; i < names.length; i++) names[i] = groupLabels.get(i).getBytes(StandardCharsets.UTF_8);
        TreeMap<byte[], List<Row>> groups = new TreeMap<>(KEY_ORDER);
        Map<byte[], byte[][]> groupValues = new HashMap<>();
        rowLoop:
        for (Row r : rows) {
            byte[][] vals = new byte[names.length][];
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < names.length; i++) {
                vals[i] = r.label(names[i]);
                if (vals[i] == null) continue rowLoop;
                if (i > 0) sb.append(',');
                sb.append(groupLabels.get(i)).append('=').append(new String(vals[i], StandardCharsets.UTF_8));
            }
            byte[] name = sb.toString().getBytes(StandardCharsets.UTF_8);
            groups.computeIfAbsent(name, k -> new ArrayList<>()).add(r);
            groupValues.putIfAbsent(name, vals);
        }
        List<Row> out = new ArrayList<>(groups.size());
        for (Map.Entry<byte[], List<Row>> e : groups.entrySet()) {
            List<Row> members = e.getValue();
            byte[][] vals = groupValues.get(e.getKey());
            byte[][] labels = new byte[names.length * 2][];
            for (int i = 0; i < names.length; i++) {
                labels[2 * i] = names[i];
                labels[2 * i + 1] = vals[i];
            }
            Row g = reduce(e.getKey(), labels, members, reducer, reverse, count);
            g.reducer = reducer.name();
            g.sources = new ArrayList<>(members.size());
            for (Row m : members) g.sources.add(m.key);
            g.groupLabels = sharedLabels(members);
            out.add(g);
        }
        return out;
    }

    /** name0, value0, ... of the labels every member has with the same value, in the first member's order. */
    private static byte[][] sharedLabels(List<Row> members) {
        Row first = members.get(0);
        if (first.labels == null) return new byte[0][];
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i + 1 < first.labels.length; i += 2) {
            boolean shared = true;
            for (Row m : members) {
                if (!Arrays.equals(m.label(first.labels[i]), first.labels[i + 1])) {
                    shared = false;
                    break;
                }
            }
            if (shared) {
                out.add(first.labels[i]);
                out.add(first.labels[i + 1]);
            }
        }
        return out.toArray(new byte[0][]);
    }

    private static Row reduce(byte[] name, byte[][] labels, List<Row> members, Agg reducer, boolean reverse,
                              long count) {
        int total = 0;
        for (Row m : members) total += m.n;
        long[] ts = new long[total];
        double[] vs = new double[total];
        int k = 0;
        for (Row m : members) {
            System.arraycopy(m.ts, 0, ts, k, m.n);
            System.arraycopy(m.values, 0, vs, k, m.n);
            k += m.n;
        }
        // sort by timestamp (stable order of sources does not matter to any reducer)
        int[] idx = sortIndex(ts, reverse);
        Row out = new Row(name, labels, 16);
        Reducer red = new Reducer(reducer);
        long limit = count < 0 ? Long.MAX_VALUE : count;
        for (int i = 0; i < total && out.n < limit; ) {
            long t = ts[idx[i]];
            red.reset();
            int j = i;
            while (j < total && ts[idx[j]] == t) red.add(vs[idx[j++]]);
            out.add(t, red.result());
            i = j;
        }
        return out;
    }

    private static int[] sortIndex(long[] ts, boolean reverse) {
        int n = ts.length;
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) boxed[i] = i;
        Arrays.sort(boxed, (a, b) -> reverse ? Long.compare(ts[b], ts[a]) : Long.compare(ts[a], ts[b]));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = boxed[i];
        return out;
    }
}
