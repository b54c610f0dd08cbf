package vts.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import vts.command.Matcher;

/**
 * The inverted label index of one database. Every series gets a dense id (ids of removed
 * series are reused); {@code label=value} maps to the {@link Bitmap} of ids carrying it and
 * {@code label} to the ids carrying it with any value. Label names and values are held once
 * (interned) however many series share them; per series the index keeps its key, the ids
 * of its label pairs and one slot of the key hash table.
 *
 * <p>Main thread only. Queries return fresh bitmaps/arrays, so a caller may keep iterating
 * a result while the index changes under it (a key expiring as it is opened).
 */
public final class LabelIndex {

    /** One label name: its values and the ids that have it. */
    static final class Label {
        final String name;
        final Bitmap ids = new Bitmap();
        final HashMap<String, Pair> values = new HashMap<>(4);

        Label(String name) { this.name = name; }
    }

    /** One label=value pair. */
    static final class Pair {
        final Label label;
        final String value;
        final int id;
        final Bitmap ids = new Bitmap();

        Pair(Label label, String value, int id) {
            this.label = label;
            this.value = value;
            this.id = id;
        }
    }

    private static final int[] NO_PAIRS = new int[0];

    private final HashMap<String, Label> labels = new HashMap<>();
    private Pair[] pairs = new Pair[64];
    private int[] freePairs = new int[16];
    private int nFreePairs, nextPair;

    private byte[][] keys = new byte[64][];
    private int[][] pairsOf = new int[64][];
    private long[] series = new long[64];
    private int[] freeIds = new int[16];
    private int nFreeIds, nextId;
    private final Bitmap all = new Bitmap();
    /** Ids whose key has a time to live (as the shim last reported). */
    private final Bitmap withTtl = new Bitmap();

    /** Open addressing: slot holds id + 1, 0 = empty. */
    private int[] table = new int[128];
    private int mask = 127;

    public int size() { return all.cardinality(); }

    /** Every id in use (a copy). */
    public Bitmap all() { return all.copy(); }

    public byte[] key(int id) { return keys[id]; }

    /** The series address last reported for id (0 if unknown). */
    public long series(int id) { return series[id]; }

    /**
     * The series of id if it can be read without opening its key: still indexed as key
     * (the same array) and the key has no time to live, so the server cannot be holding it
     * expired but not yet deleted. Else 0: open the key, which expires it if due.
     */
    public long seriesWithoutTtl(int id, byte[] key) {
        return keys[id] == key && !withTtl.contains(id) ? series[id] : 0;
    }

    /** Records whether key has a time to live (keys not indexed are ignored). */
    public void setTtl(byte[] key, boolean has) {
        int id = idOf(key);
        if (id < 0) return;
        if (has) withTtl.add(id);
        else withTtl.remove(id);
    }

    /** The id of key, or -1. */
    public int idOf(byte[] key) {
        int slot = find(key, hash(key));
        return slot < 0 ? -1 : table[slot] - 1;
    }

    // ------------------------------------------------------------------ changes

    /**
     * Indexes key with the given labels (name0, value0, name1, value1, ...), replacing an
     * entry the key already has. Returns the id.
     */
    public int put(byte[] key, String[] namesAndValues, long seriesAddress) {
        int h = hash(key);
        int slot = find(key, h);
        int id;
        if (slot >= 0) {
            id = table[slot] - 1;
            unlinkPairs(id);
        } else {
            id = nFreeIds > 0 ? freeIds[--nFreeIds] : nextId++;
            ensureIdCapacity(id);
            keys[id] = key;
            insertSlot(id, h);
            all.add(id);
        }
        series[id] = seriesAddress;
        linkPairs(id, namesAndValues);
        keysChanged();
        return id;
    }

    /** Replaces the labels of an indexed id. */
    public void relabel(int id, String[] namesAndValues) {
        unlinkPairs(id);
        linkPairs(id, namesAndValues);
    }

    /** Removes key; returns its former id or -1. */
    public int remove(byte[] key) {
        int slot = find(key, hash(key));
        if (slot < 0) return -1;
        int id = table[slot] - 1;
        removeSlot(slot);
        unlinkPairs(id);
        keys[id] = null;
        series[id] = 0;
        all.remove(id);
        withTtl.remove(id);
        if (nFreeIds == freeIds.length) freeIds = Arrays.copyOf(freeIds, nFreeIds * 2);
        freeIds[nFreeIds++] = id;
        keysChanged();
        return id;
    }

    private void linkPairs(int id, String[] nv) {
        int n = nv.length / 2;
        int[] ps = n == 0 ? NO_PAIRS : new int[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            String name = nv[2 * i], value = nv[2 * i + 1];
            Label l = labels.get(name);
            if (l == null) {
                l = new Label(name);
                labels.put(name, l);
            }
            Pair p = l.values.get(value);
            if (p == null) {
                int pid = nFreePairs > 0 ? freePairs[--nFreePairs] : nextPair++;
                if (pid >= pairs.length) pairs = Arrays.copyOf(pairs, pairs.length * 2);
                p = new Pair(l, value, pid);
                pairs[pid] = p;
                l.values.put(value, p);
            }
            if (!p.ids.add(id)) continue; // a repeated label name=value: count once
            l.ids.add(id);
            ps[k++] = p.id;
        }
        pairsOf[id] = k == ps.length ? ps : Arrays.copyOf(ps, k);
    }

    private void unlinkPairs(int id) {
        int[] ps = pairsOf[id];
        if (ps == null) return;
        for (int pid : ps) {
            Pair p = pairs[pid];
            p.ids.remove(id);
            Label l = p.label;
            if (p.ids.isEmpty()) {
                l.values.remove(p.value);
                pairs[pid] = null;
                if (nFreePairs == freePairs.length) freePairs = Arrays.copyOf(freePairs, nFreePairs * 2);
                freePairs[nFreePairs++] = pid;
            }
            // the same name may repeat with another value; keep the id while one remains
            boolean still = false;
            for (int other : ps) {
                if (other != pid && pairs[other] != null && pairs[other].label == l && pairs[other].ids.contains(id)) {
                    still = true;
                    break;
                }
            }
            if (!still) l.ids.remove(id);
            if (l.ids.isEmpty() && l.values.isEmpty()) labels.remove(l.name);
        }
        pairsOf[id] = null;
    }

    private void ensureIdCapacity(int id) {
        if (id < keys.length) return;
        int n = Math.max(keys.length * 2, id + 1);
        keys = Arrays.copyOf(keys, n);
        pairsOf = Arrays.copyOf(pairsOf, n);
        series = Arrays.copyOf(series, n);
    }

    // ------------------------------------------------------------------ queries

    /** Labels of id as name0, value0, ... (the index's copy; in no particular order). */
    public String[] labelsOf(int id) {
        int[] ps = pairsOf[id];
        String[] out = new String[ps.length * 2];
        for (int i = 0; i < ps.length; i++) {
            out[2 * i] = pairs[ps[i]].label.name;
            out[2 * i + 1] = pairs[ps[i]].value;
        }
        return out;
    }

    /** The value of label name on id, or null. */
    public String valueOf(int id, String name) {
        for (int pid : pairsOf[id]) {
            Pair p = pairs[pid];
            if (p.label.name.equals(name)) return p.value;
        }
        return null;
    }

    /** The ids of the series that every matcher accepts (a new bitmap). */
    public Bitmap query(List<Matcher> filter) {
        return query(filter, new RegexBudget(RegexBudget.DEFAULT_STEPS));
    }

    public Bitmap query(List<Matcher> filter, RegexBudget budget) {
        List<Bitmap> include = new ArrayList<>();
        List<Bitmap> exclude = new ArrayList<>();
        for (Matcher m : filter) {
            Label l = labels.get(m.label());
            switch (m) {
                case Matcher.Equal e -> include.add(pairIds(l, e.value()));
                case Matcher.In in -> include.add(union(l, in.values()));
                case Matcher.Present p -> include.add(l == null ? new Bitmap() : l.ids);
                case Matcher.Absent a -> {
                    if (l != null) exclude.add(l.ids);
                }
                case Matcher.NotEqual ne -> {
                    Bitmap b = pairIds(l, ne.value());
                    if (!b.isEmpty()) exclude.add(b);
                }
                case Matcher.NotIn ni -> exclude.add(union(l, ni.values()));
                case Matcher.Regex r -> {
                    // a series without the label matches as if its value were ""
                    boolean missingMatches = budget.matches(r.pattern(), "") != r.negated();
                    // values v that decide against the default: those that match when the
                    // missing label does not (include them), or the reverse (exclude them)
                    Bitmap b = new Bitmap();
                    if (l != null) {
                        for (Pair p : l.values.values()) {
                            boolean match = budget.matches(r.pattern(), p.value) != r.negated();
                            if (match != missingMatches) b.orInPlace(p.ids);
                        }
                    }
                    if (missingMatches) exclude.add(b);
                    else include.add(b);
                }
            }
        }
        Bitmap result;
        if (include.isEmpty()) {
            result = all.copy();
        } else {
            include.sort((x, y) -> Integer.compare(x.cardinality(), y.cardinality()));
            if (include.get(0).cardinality() <= FEW) return filterFew(include, exclude);
            result = include.get(0).copy();
            for (int i = 1; i < include.size() && !result.isEmpty(); i++) result.andInPlace(include.get(i));
        }
        for (Bitmap x : exclude) {
            if (result.isEmpty()) break;
            result.andNotInPlace(x);
        }
        return result;
    }

    private static final Bitmap EMPTY = new Bitmap();

    /** At most this many ids in the smallest included set: test each of them instead of intersecting sets. */
    static final int FEW = 256;

    /**
     * The ids of include[0] (the smallest) that every other included set holds and no
     * excluded one does: a selective query over many series looks up its few ids
     * instead of copying and intersecting blocks.
     */
    private static Bitmap filterFew(List<Bitmap> include, List<Bitmap> exclude) {
        int[] ids = include.get(0).toArray();
        int n = 0;
        next:
        for (int id : ids) {
            for (int i = 1; i < include.size(); i++) if (!include.get(i).contains(id)) continue next;
            for (Bitmap x : exclude) if (x.contains(id)) continue next;
            ids[n++] = id;
        }
        return Bitmap.ofSorted(ids, n);
    }

    private static Bitmap pairIds(Label l, String value) {
        if (l == null) return EMPTY;
        Pair p = l.values.get(value);
        return p == null ? EMPTY : p.ids;
    }

    private static Bitmap union(Label l, List<String> values) {
        Bitmap b = new Bitmap();
        if (l == null) return b;
        for (String v : values) {
            Pair p = l.values.get(v);
            if (p != null) b.orInPlace(p.ids);
        }
        return b;
    }

    /** The distinct label names of the ids, sorted. */
    public List<String> labelNames(Bitmap ids) {
        TreeSet<String> out = new TreeSet<>();
        boolean everything = ids.cardinality() == all.cardinality();
        for (Label l : labels.values()) {
            if (everything ? !l.ids.isEmpty() : !l.ids.and(ids).isEmpty()) out.add(l.name);
        }
        return new ArrayList<>(out);
    }

    /** The distinct values of label name among the ids, sorted. */
    public List<String> labelValues(String name, Bitmap ids) {
        TreeSet<String> out = new TreeSet<>();
        Label l = labels.get(name);
        if (l == null) return List.of();
        boolean everything = ids.cardinality() == all.cardinality();
        for (Pair p : l.values.values()) {
            if (everything || !p.ids.and(ids).isEmpty()) out.add(p.value);
        }
        return new ArrayList<>(out);
    }

    /*
     * Key order. Sorting the matching keys of every query by comparing bytes costs more than
     * the rest of a TS.QUERYINDEX over a thousand series, so the index keeps the rank of each
     * id in key order while the keys are stable. Rebuilding it sorts every key, which with
     * 100,000 series and more takes tens of milliseconds in one command: it is rebuilt only
     * once the queries since the last change have spent as many comparisons sorting by bytes
     * as the rebuild costs (so a stream of creations keeps sorting per query, and no single
     * query pays a rebuild worth more than the sorting already done).
     */
    private int[] rank = new int[0];
    private boolean rankValid;
    /** Comparisons (estimated) spent sorting by key bytes since the keys last changed. */
    private long sortWork;

    private void keysChanged() {
        rankValid = false;
        sortWork = 0;
    }

    /** n log2 n, roughly: the comparisons of sorting n keys. */
    private static long sortCost(int n) { return (long) n * (33 - Integer.numberOfLeadingZeros(n)); }

    /** The ids in ascending order of their keys (unsigned bytes). */
    public int[] sortedByKey(Bitmap ids) {
        int[] a = ids.toArray();
        if (a.length < 2) return a;
        if (!rankValid) {
            sortWork += sortCost(a.length);
            if (sortWork >= sortCost(all.cardinality())) rebuildRank();
        }
        if (rankValid && a.length < 64) {
            // a few ids: insertion sort by rank, without reading their keys
            for (int i = 1; i < a.length; i++) {
                int v = a[i], r = rank[v];
                int j = i - 1;
                while (j >= 0 && rank[a[j]] > r) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
            return a;
        }
        if (rankValid) {
            long[] packed = new long[a.length];
            for (int i = 0; i < a.length; i++) packed[i] = ((long) rank[a[i]] << 32) | a[i];
            Arrays.sort(packed);
            for (int i = 0; i < a.length; i++) a[i] = (int) packed[i];
            return a;
        }
        int[] tmp = new int[a.length];
        mergeSort(a, tmp, 0, a.length);
        return a;
    }

    private void rebuildRank() {
        int[] order = all.toArray();
        mergeSort(order, new int[order.length], 0, order.length);
        if (rank.length < nextId) rank = new int[Math.max(nextId, 16)];
        for (int i = 0; i < order.length; i++) rank[order[i]] = i;
        rankValid = true;
    }

    private void mergeSort(int[] a, int[] tmp, int lo, int hi) {
        if (hi - lo <= 16) {
            for (int i = lo + 1; i < hi; i++) {
                int v = a[i];
                int j = i - 1;
                while (j >= lo && cmp(a[j], v) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
            return;
        }
        int mid = (lo + hi) >>> 1;
        mergeSort(a, tmp, lo, mid);
        mergeSort(a, tmp, mid, hi);
        if (cmp(a[mid - 1], a[mid]) <= 0) return;
        System.arraycopy(a, lo, tmp, lo, hi - lo);
        int i = lo, j = mid, k = lo;
        while (i < mid && j < hi) a[k++] = cmp(tmp[i], tmp[j]) <= 0 ? tmp[i++] : tmp[j++];
        while (i < mid) a[k++] = tmp[i++];
        while (j < hi) a[k++] = tmp[j++];
    }

    private int cmp(int x, int y) { return Arrays.compareUnsigned(keys[x], keys[y]); }

    // ------------------------------------------------------------------ statistics

    /** Number of distinct label names and label=value pairs. */
    public int labelCount() { return labels.size(); }

    /**
     * Calls c with the address of each indexed series whose id is in [from, from + span), for
     * INFO statistics gathered a slice at a time; returns the next id to visit, or -1 after the
     * last one.
     */
    public int forEachSeries(int from, int span, java.util.function.LongConsumer c) {
        int end = (int) Math.min(nextId, (long) from + span);
        for (int id = from; id < end; id++) {
            if (keys[id] != null && series[id] != 0) c.accept(series[id]);
        }
        return end >= nextId ? -1 : end;
    }

    public int pairCount() { return nextPair - nFreePairs; }

    /**
     * Estimated heap bytes the index holds: per-id arrays, key bytes, pair lists, the hash
     * table, interned strings, maps and bitmaps (object headers counted at 16 bytes,
     * references at 4 with compressed oops).
     */
    public long heapBytes() {
        long n = 0;
        n += 16 + 4L * keys.length + 16 + 4L * pairsOf.length + 16 + 8L * series.length + 16 + 4L * table.length;
        for (int id = 0; id < nextId; id++) {
            if (keys[id] != null) n += align(16 + keys[id].length);
            if (pairsOf[id] != null) n += align(16 + 4L * pairsOf[id].length);
        }
        n += all.heapBytes() + 16 + 4L * pairs.length;
        for (Label l : labels.values()) {
            n += 24 + stringBytes(l.name) + l.ids.heapBytes() + 48 + 16 + 4L * Math.max(16, l.values.size() * 2);
            for (Pair p : l.values.values()) {
                n += 24 + 32 /* map node */ + stringBytes(p.value) + p.ids.heapBytes();
            }
        }
        return n;
    }

    private static long stringBytes(String s) { return 24 + align(16 + s.length()); }

    private static long align(long n) { return (n + 7) & ~7L; }

    // ------------------------------------------------------------------ key table

    private static int hash(byte[] key) {
        int h = 0x9747b28c;
        for (byte b : key) h = (h ^ b) * 0x01000193;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h;
    }

    private int find(byte[] key, int h) {
        for (int s = h & mask; ; s = (s + 1) & mask) {
            int v = table[s];
            if (v == 0) return -1;
            if (Arrays.equals(keys[v - 1], key)) return s;
        }
    }

    private void insertSlot(int id, int h) {
        if ((all.cardinality() + 1) * 2 > table.length) rehash(table.length * 2);
        int s = h & mask;
        while (table[s] != 0) s = (s + 1) & mask;
        table[s] = id + 1;
    }

    private void removeSlot(int slot) {
        // backward-shift deletion keeps probe chains intact without tombstones
        int s = slot;
        table[s] = 0;
        for (int t = (s + 1) & mask; table[t] != 0; t = (t + 1) & mask) {
            int home = hash(keys[table[t] - 1]) & mask;
            boolean between = s <= t ? (home <= s || home > t) : (home <= s && home > t);
            if (between) {
                table[s] = table[t];
                table[t] = 0;
                s = t;
            }
        }
    }

    private void rehash(int cap) {
        int[] old = table;
        table = new int[cap];
        mask = cap - 1;
        for (int v : old) {
            if (v == 0) continue;
            int s = hash(keys[v - 1]) & mask;
            while (table[s] != 0) s = (s + 1) & mask;
            table[s] = v;
        }
    }

    /** For tests: label name → value → ids, as plain collections. */
    Map<String, Map<String, int[]>> dump() {
        Map<String, Map<String, int[]>> out = new HashMap<>();
        for (Label l : labels.values()) {
            Map<String, int[]> vs = new HashMap<>();
            for (Pair p : l.values.values()) vs.put(p.value, p.ids.toArray());
            out.put(l.name, vs);
        }
        return out;
    }
}
