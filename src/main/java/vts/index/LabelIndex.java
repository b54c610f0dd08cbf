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

    /*
     * Per-id data in pages of PAGE entries: growing by one page never copies what exists
     * (one doubled array of a million entries is a copy of megabytes inside one command).
     */
    private static final int PAGE_BITS = 12, PAGE = 1 << PAGE_BITS, PAGE_MASK = PAGE - 1;
    private byte[][][] keyPages = new byte[1][][];
    private int[][][] pairPages = new int[1][][];
    private long[][] seriesPages = new long[1][];
    private int pages;
    private int[] freeIds = new int[16];
    private int nFreeIds, nextId;
    private final Bitmap all = new Bitmap();
    /** Ids whose key has a time to live (as the shim last reported). */
    private final Bitmap withTtl = new Bitmap();

    /*
     * The key table: SEGMENTS open-addressing tables (slot holds id + 1, 0 = empty), chosen
     * by the hash's top bits. Each grows by itself, so growing rehashes 1/SEGMENTS of the
     * keys in one command instead of all of them (a million keys: tens of ms).
     */
    private static final int SEGMENT_BITS = 8, SEGMENTS = 1 << SEGMENT_BITS;
    private final int[][] tables = new int[SEGMENTS][];
    private final int[] tableCounts = new int[SEGMENTS];

    public int size() { return all.cardinality(); }

    /** Every id in use (a copy). */
    public Bitmap all() { return all.copy(); }

    public byte[] key(int id) { return keyPages[id >>> PAGE_BITS][id & PAGE_MASK]; }

    /** The series address last reported for id (0 if unknown). */
    public long series(int id) { return seriesPages[id >>> PAGE_BITS][id & PAGE_MASK]; }

    private int[] pairsOf(int id) { return pairPages[id >>> PAGE_BITS][id & PAGE_MASK]; }

    private void setPairsOf(int id, int[] ps) { pairPages[id >>> PAGE_BITS][id & PAGE_MASK] = ps; }

    private void setId(int id, byte[] key, long seriesAddress) {
        keyPages[id >>> PAGE_BITS][id & PAGE_MASK] = key;
        seriesPages[id >>> PAGE_BITS][id & PAGE_MASK] = seriesAddress;
    }

    /**
     * The series of id if it can be read without opening its key: still indexed as key
     * (the same array) and the key has no time to live, so the server cannot be holding it
     * expired but not yet deleted. Else 0: open the key, which expires it if due.
     */
    public long seriesWithoutTtl(int id, byte[] key) {
        return key(id) == key && !withTtl.contains(id) ? series(id) : 0;
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
        int h = hash(key);
        int slot = find(key, h);
        return slot < 0 ? -1 : tables[segment(h)][slot] - 1;
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
            id = tables[segment(h)][slot] - 1;
            unlinkPairs(id);
            seriesPages[id >>> PAGE_BITS][id & PAGE_MASK] = seriesAddress; // the key's array stays
        } else {
            id = nFreeIds > 0 ? freeIds[--nFreeIds] : nextId++;
            ensureIdCapacity(id);
            setId(id, key, seriesAddress);
            insertSlot(id, h);
            all.add(id);
            unranked.add(id);
            if (building != null) changedSinceSnapshot.add(id);
        }
        linkPairs(id, namesAndValues);
        return id;
    }

    /** Replaces the labels of an indexed id. */
    public void relabel(int id, String[] namesAndValues) {
        unlinkPairs(id);
        linkPairs(id, namesAndValues);
    }

    /** Removes key; returns its former id or -1. */
    public int remove(byte[] key) {
        int h = hash(key);
        int slot = find(key, h);
        if (slot < 0) return -1;
        int id = tables[segment(h)][slot] - 1;
        removeSlot(segment(h), slot);
        unlinkPairs(id);
        setId(id, null, 0);
        all.remove(id);
        withTtl.remove(id);
        unranked.remove(id); // its place in the key order is dropped at the next rebuild
        if (building != null) changedSinceSnapshot.add(id);
        if (nFreeIds == freeIds.length) freeIds = Arrays.copyOf(freeIds, nFreeIds * 2);
        freeIds[nFreeIds++] = id;
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
        setPairsOf(id, k == ps.length ? ps : Arrays.copyOf(ps, k));
    }

    private void unlinkPairs(int id) {
        int[] ps = pairsOf(id);
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
        setPairsOf(id, null);
    }

    private void ensureIdCapacity(int id) {
        while ((id >>> PAGE_BITS) >= pages) {
            if (pages == keyPages.length) { // the page directories: a few hundred entries at most
                keyPages = Arrays.copyOf(keyPages, pages * 2);
                pairPages = Arrays.copyOf(pairPages, pages * 2);
                seriesPages = Arrays.copyOf(seriesPages, pages * 2);
            }
            keyPages[pages] = new byte[PAGE][];
            pairPages[pages] = new int[PAGE][];
            seriesPages[pages] = new long[PAGE];
            pages++;
        }
    }

    // ------------------------------------------------------------------ queries

    /** Labels of id as name0, value0, ... (the index's copy; in no particular order). */
    public String[] labelsOf(int id) {
        int[] ps = pairsOf(id);
        String[] out = new String[ps.length * 2];
        for (int i = 0; i < ps.length; i++) {
            out[2 * i] = pairs[ps[i]].label.name;
            out[2 * i + 1] = pairs[ps[i]].value;
        }
        return out;
    }

    /** The value of label name on id, or null. */
    public String valueOf(int id, String name) {
        for (int pid : pairsOf(id)) {
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
     * the rest of a TS.QUERYINDEX over a thousand series, so the index keeps every id's rank
     * in key order ({@link #order}). A new key does not disturb the ranks of the others (only
     * their relative order matters), so creations do not invalidate it: ids added since the
     * last rebuild ({@link #unranked}) are sorted by bytes within each query and merged into
     * the ranked ones. The rebuild merges the sorted new keys into the old order (one pass,
     * no comparison of the ranked keys among themselves); it runs once the queries since the
     * last one have spent as much extra work as it costs, so a stream of creations neither
     * slows each query down to a full sort nor puts a full sort into one query.
     *
     * A rebuild over many ids (the first one after loading a million keys in random order:
     * ~0.5 s of comparisons, each a cache miss) does not run inside the query that triggers
     * it: that query copies the ids and their key arrays (a snapshot; key arrays are never
     * changed in place) and a background thread sorts the copy, touching nothing else. Until
     * it is done queries go on as before (ranks of the last rebuild, unranked ids sorted per
     * query); the first query after it installs the result. Ids created, reused or removed
     * since the snapshot ({@link #changedSinceSnapshot}) get no rank from it: they stay
     * unranked (or are not in use), so a stale position is never read.
     */
    private int[] rank = new int[0];
    /** The ranked ids in key order, as of the last rebuild (ids removed since included). */
    private int[] order = new int[0];
    /** Ids added (or reused) since the last rebuild: their rank is not known. */
    private final Bitmap unranked = new Bitmap();
    /** Work (estimated comparisons and moves) queries spent on unranked ids since the last rebuild. */
    private long sortWork;
    /** The rebuild sorting on the background thread, or null. */
    private RankBuild building;
    /** Ids put or removed since {@link #building}'s snapshot. */
    private final Bitmap changedSinceSnapshot = new Bitmap();
    /** Rebuilds over at least this many ids (ranked and new) sort on a background thread. */
    static int backgroundRebuildIds = 50_000;

    /** n log2 n, roughly: the comparisons of sorting n keys. */
    private static long sortCost(int n) { return (long) n * (33 - Integer.numberOfLeadingZeros(n)); }

    /** The ids in ascending order of their keys (unsigned bytes). */
    public int[] sortedByKey(Bitmap ids) {
        if (building != null && building.done) install(building);
        int[] a = ids.toArray();
        if (a.length < 2) return a;
        int nu = unranked.isEmpty() ? 0 : countUnranked(a);
        if (nu > 0) {
            sortWork += sortCost(nu) + (nu == a.length ? 0 : a.length);
            if (building == null && sortWork >= rebuildCost()) {
                rebuildRank();
                nu = unranked.isEmpty() ? 0 : countUnranked(a);
            }
        }
        if (nu == 0) {
            sortByRank(a, 0, a.length);
            return a;
        }
        // ranked ids first (by rank), the unranked after them (by bytes); then merge the two
        int[] u = new int[nu];
        byte[][] uk = new byte[nu][];
        int r = 0, k = 0;
        for (int id : a) {
            if (unranked.contains(id)) {
                uk[k] = key(id);
                u[k++] = id;
            } else {
                a[r++] = id;
            }
        }
        int[] up = sortedPositions(uk);
        int[] out = new int[a.length];
        if (r > 0) sortByRank(a, 0, r);
        merge(a, r > 0 ? keysOf(a, r) : null, r, u, uk, up, out);
        return out;
    }

    private int countUnranked(int[] a) {
        int n = 0;
        for (int id : a) if (unranked.contains(id)) n++;
        return n;
    }

    /** The keys of ids[0, n). */
    private byte[][] keysOf(int[] ids, int n) {
        byte[][] k = new byte[n][];
        for (int i = 0; i < n; i++) k[i] = key(ids[i]);
        return k;
    }

    /**
     * Merges x[0, nx), sorted by its keys xk, and y taken in the order of the positions yp
     * (y[yp[j]] has the key yk[yp[j]]), into out.
     */
    private static void merge(int[] x, byte[][] xk, int nx, int[] y, byte[][] yk, int[] yp, int[] out) {
        int i = 0, j = 0, k = 0, ny = yp.length;
        while (i < nx && j < ny) out[k++] = Arrays.compareUnsigned(xk[i], yk[yp[j]]) <= 0 ? x[i++] : y[yp[j++]];
        while (i < nx) out[k++] = x[i++];
        while (j < ny) out[k++] = y[yp[j++]];
    }

    private void sortByRank(int[] a, int from, int to) {
        if (to - from < 64) {
            // a few ids: insertion sort by rank, without reading their keys
            for (int i = from + 1; i < to; i++) {
                int v = a[i], r = rank[v];
                int j = i - 1;
                while (j >= from && rank[a[j]] > r) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
            return;
        }
        long[] packed = new long[to - from];
        for (int i = from; i < to; i++) packed[i - from] = ((long) rank[a[i]] << 32) | a[i];
        Arrays.sort(packed);
        for (int i = from; i < to; i++) a[i] = (int) packed[i - from];
    }

    /** The estimated work of a rebuild: sorting the unranked keys, and one pass over all. */
    private long rebuildCost() {
        int nu = unranked.cardinality();
        return sortCost(nu) + order.length + all.cardinality();
    }

    /** Rebuilds the ranks: here for a small index, else on a background thread (see above). */
    private void rebuildRank() {
        int[] fresh = unranked.toArray();
        // the old order without the ids removed (or removed and reused) since
        int[] old = new int[order.length];
        int n = 0;
        for (int id : order) {
            if (all.contains(id) && !unranked.contains(id)) old[n++] = id;
        }
        RankBuild b = new RankBuild(fresh, keysOf(fresh, fresh.length), old, keysOf(old, n), n, nextId);
        if (n + fresh.length < backgroundRebuildIds) {
            b.run();
            install(b);
            return;
        }
        building = b;
        changedSinceSnapshot.clear();
        b.thread = Thread.ofPlatform().daemon().name("vts-key-rank").start(b);
    }

    /** Takes a finished rebuild's order and ranks (a failed one is dropped: the next query may start another). */
    private void install(RankBuild b) {
        building = null;
        if (b.order != null) {
            order = b.order;
            rank = b.rank;
            unranked.andInPlace(changedSinceSnapshot); // what changed since the snapshot stays unranked
            sortWork = 0;
        }
        changedSinceSnapshot.clear();
    }

    /** Waits for a background rebuild to finish (tests); true if one was running. */
    boolean awaitRankBuild() throws InterruptedException {
        RankBuild b = building;
        if (b == null) return false;
        b.thread.join();
        return true;
    }

    /**
     * A rebuild of the key order over a snapshot: the new ids with their keys, the old order
     * (ids still ranked) with theirs. It reads nothing but these arrays, so it may run on
     * another thread; the main thread reads order and rank only after done.
     */
    private static final class RankBuild implements Runnable {
        private final int[] fresh, old;
        private byte[][] freshKeys, oldKeys; // dropped once merged: less for a collection to copy
        private final int nOld, ids;
        Thread thread;
        int[] order, rank;
        volatile boolean done;

        RankBuild(int[] fresh, byte[][] freshKeys, int[] old, byte[][] oldKeys, int nOld, int ids) {
            this.fresh = fresh;
            this.freshKeys = freshKeys;
            this.old = old;
            this.oldKeys = oldKeys;
            this.nOld = nOld;
            this.ids = ids;
        }

        @Override public void run() {
            try {
                int[] fp = sortedPositions(freshKeys);
                int[] merged = new int[nOld + fresh.length];
                merge(old, oldKeys, nOld, fresh, freshKeys, fp, merged);
                freshKeys = null;
                oldKeys = null;
                int[] r = new int[Math.max(ids, 16)];
                for (int i = 0; i < merged.length; i++) r[merged[i]] = i;
                rank = r;
                order = merged;
            } catch (Throwable t) {
                // out of heap: no new order; queries keep sorting the new ids themselves
                rank = null;
                order = null;
            } finally {
                done = true;
            }
        }
    }

    /** The positions 0 .. keys.length - 1 in the byte order of their keys (stable). */
    private static int[] sortedPositions(byte[][] keys) {
        int n = keys.length;
        int[] pos = new int[n];
        for (int i = 0; i < n; i++) pos[i] = i;
        mergeSort(pos, new int[n], 0, n, keys);
        return pos;
    }

    /** Sorts the positions a[lo, hi) by keys[position]. */
    private static void mergeSort(int[] a, int[] tmp, int lo, int hi, byte[][] keys) {
        if (hi - lo <= 16) {
            for (int i = lo + 1; i < hi; i++) {
                int v = a[i];
                int j = i - 1;
                while (j >= lo && Arrays.compareUnsigned(keys[a[j]], keys[v]) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
            return;
        }
        int mid = (lo + hi) >>> 1;
        mergeSort(a, tmp, lo, mid, keys);
        mergeSort(a, tmp, mid, hi, keys);
        if (Arrays.compareUnsigned(keys[a[mid - 1]], keys[a[mid]]) <= 0) return;
        System.arraycopy(a, lo, tmp, lo, hi - lo);
        int i = lo, j = mid, k = lo;
        while (i < mid && j < hi) a[k++] = Arrays.compareUnsigned(keys[tmp[i]], keys[tmp[j]]) <= 0 ? tmp[i++] : tmp[j++];
        while (i < mid) a[k++] = tmp[i++];
        while (j < hi) a[k++] = tmp[j++];
    }

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
            long address = series(id);
            if (key(id) != null && address != 0) c.accept(address);
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
        n += pages * (3 * 16 + (4L + 4L + 8L) * PAGE) + 4L * (rank.length + order.length) + unranked.heapBytes();
        for (int[] t : tables) n += t == null ? 0 : 16 + 4L * t.length;
        for (int id = 0; id < nextId; id++) {
            byte[] k = key(id);
            int[] ps = pairsOf(id);
            if (k != null) n += align(16 + k.length);
            if (ps != null) n += align(16 + 4L * ps.length);
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

    private static int segment(int h) { return h >>> (32 - SEGMENT_BITS); }

    /** The slot of key within its segment's table, or -1. */
    private int find(byte[] key, int h) {
        int[] t = tables[segment(h)];
        if (t == null) return -1;
        int mask = t.length - 1;
        for (int s = h & mask; ; s = (s + 1) & mask) {
            int v = t[s];
            if (v == 0) return -1;
            if (Arrays.equals(key(v - 1), key)) return s;
        }
    }

    private void insertSlot(int id, int h) {
        int g = segment(h);
        int[] t = tables[g];
        if (t == null) t = tables[g] = new int[8];
        else if ((tableCounts[g] + 1) * 2 > t.length) t = rehash(g, t.length * 2);
        int mask = t.length - 1;
        int s = h & mask;
        while (t[s] != 0) s = (s + 1) & mask;
        t[s] = id + 1;
        tableCounts[g]++;
    }

    private void removeSlot(int g, int slot) {
        // backward-shift deletion keeps probe chains intact without tombstones
        int[] t = tables[g];
        int mask = t.length - 1;
        int s = slot;
        t[s] = 0;
        for (int i = (s + 1) & mask; t[i] != 0; i = (i + 1) & mask) {
            int home = hash(key(t[i] - 1)) & mask;
            boolean between = s <= i ? (home <= s || home > i) : (home <= s && home > i);
            if (between) {
                t[s] = t[i];
                t[i] = 0;
                s = i;
            }
        }
        tableCounts[g]--;
    }

    private int[] rehash(int g, int cap) {
        int[] old = tables[g];
        int[] t = new int[cap];
        int mask = cap - 1;
        for (int v : old) {
            if (v == 0) continue;
            int s = hash(key(v - 1)) & mask;
            while (t[s] != 0) s = (s + 1) & mask;
            t[s] = v;
        }
        return tables[g] = t;
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
