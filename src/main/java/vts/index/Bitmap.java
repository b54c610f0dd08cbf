package vts.index;

import java.util.Arrays;

/**
 * A compressed set of non-negative ints (series ids), roaring style: the id space is cut
 * into blocks of 2^16; a block holds a sorted {@code char[]} of its low 16 bits while it has
 * at most {@link #ARRAY_MAX} members, else a 1024-word bitset. A set of at most
 * {@link #SMALL_MAX} ids (the common case of a rare label value) is kept as one sorted
 * {@code int[]} instead, which costs one small array.
 *
 * <p>Not thread-safe; the index runs on the server's main thread.
 */
public final class Bitmap {
    static final int ARRAY_MAX = 4096;
    static final int SMALL_MAX = 16;
    private static final char[] NO_KEYS = new char[0];
    private static final int[] NO_INTS = new int[0];

    // small form (keys == null): small[0, card)
    private int[] small = NO_INTS;
    // block form (keys != null)
    private char[] keys;
    private Object[] blocks; // char[] (sorted, length >= cards[i]) or long[1024]
    private int[] cards;
    private int nblocks;
    private int card;

    public Bitmap() {}

    /** The ids in [0, n), as a bitmap (for "every series"). */
    public static Bitmap range(int n) {
        Bitmap b = new Bitmap();
        for (int i = 0; i < n; i++) b.add(i);
        return b;
    }

    public static Bitmap of(int... ids) {
        Bitmap b = new Bitmap();
        for (int id : ids) b.add(id);
        return b;
    }

    /** The first n ids of sorted (ascending, distinct) as a bitmap; may keep the array. */
    static Bitmap ofSorted(int[] sorted, int n) {
        Bitmap b = new Bitmap();
        if (n <= SMALL_MAX) {
            b.small = sorted;
            b.card = n;
            return b;
        }
        for (int i = 0; i < n; i++) b.add(sorted[i]); // appends: each lands at the end of its block
        return b;
    }

    public int cardinality() { return card; }

    public boolean isEmpty() { return card == 0; }

    // ------------------------------------------------------------------ point ops

    public boolean contains(int x) {
        if (keys == null) return Arrays.binarySearch(small, 0, card, x) >= 0;
        int i = blockIndex((char) (x >>> 16));
        if (i < 0) return false;
        Object b = blocks[i];
        char lo = (char) x;
        if (b instanceof long[] bits) return (bits[lo >>> 6] & (1L << lo)) != 0;
        return Arrays.binarySearch((char[]) b, 0, cards[i], lo) >= 0;
    }

    /** Adds x; true if it was not there. */
    public boolean add(int x) {
        if (x < 0) throw new IllegalArgumentException("negative id " + x);
        if (keys == null) {
            int p = Arrays.binarySearch(small, 0, card, x);
            if (p >= 0) return false;
            p = -p - 1;
            if (card < SMALL_MAX) {
                if (card == small.length) small = Arrays.copyOf(small, Math.max(2, Math.min(SMALL_MAX, card * 2)));
                System.arraycopy(small, p, small, p + 1, card - p);
                small[p] = x;
                card++;
                return true;
            }
            toBlocks();
        }
        char hi = (char) (x >>> 16);
        int i = blockIndex(hi);
        if (i < 0) {
            i = -i - 1;
            insertBlock(i, hi, new char[4], 0);
        }
        if (addToBlock(i, (char) x)) {
            card++;
            return true;
        }
        return false;
    }

    /** Removes x; true if it was there. */
    public boolean remove(int x) {
        if (keys == null) {
            int p = Arrays.binarySearch(small, 0, card, x);
            if (p < 0) return false;
            System.arraycopy(small, p + 1, small, p, card - p - 1);
            card--;
            return true;
        }
        int i = blockIndex((char) (x >>> 16));
        if (i < 0) return false;
        char lo = (char) x;
        Object b = blocks[i];
        if (b instanceof long[] bits) {
            long m = 1L << lo;
            if ((bits[lo >>> 6] & m) == 0) return false;
            bits[lo >>> 6] &= ~m;
            cards[i]--;
            if (cards[i] <= ARRAY_MAX / 2) blocks[i] = bitsToArray(bits, cards[i]);
        } else {
            char[] arr = (char[]) b;
            int p = Arrays.binarySearch(arr, 0, cards[i], lo);
            if (p < 0) return false;
            System.arraycopy(arr, p + 1, arr, p, cards[i] - p - 1);
            cards[i]--;
            if (cards[i] == 0) {
                removeBlock(i);
            } else if (arr.length > 8 && cards[i] < arr.length / 4) {
                blocks[i] = Arrays.copyOf(arr, arr.length / 2);
            }
        }
        card--;
        if (card <= SMALL_MAX / 2) toSmall();
        return true;
    }

    /** Removes every id. */
    public void clear() {
        keys = null; // back to the small form, empty
        blocks = null;
        cards = null;
        nblocks = card = 0;
        small = NO_INTS;
    }

    // ------------------------------------------------------------------ iteration

    /** The ids in ascending order. */
    public int[] toArray() {
        int[] out = new int[card];
        if (keys == null) {
            System.arraycopy(small, 0, out, 0, card);
            return out;
        }
        int k = 0;
        for (int i = 0; i < nblocks; i++) {
            int base = keys[i] << 16;
            Object b = blocks[i];
            if (b instanceof long[] bits) {
                for (int w = 0; w < 1024; w++) {
                    long word = bits[w];
                    while (word != 0) {
                        out[k++] = base | (w << 6) | Long.numberOfTrailingZeros(word);
                        word &= word - 1;
                    }
                }
            } else {
                char[] arr = (char[]) b;
                for (int j = 0, n = cards[i]; j < n; j++) out[k++] = base | arr[j];
            }
        }
        return out;
    }

    public interface IntConsumer {
        void accept(int id);
    }

    public void forEach(IntConsumer c) {
        for (int id : toArray()) c.accept(id);
    }

    // ------------------------------------------------------------------ set algebra

    public Bitmap copy() {
        Bitmap b = new Bitmap();
        b.card = card;
        if (keys == null) {
            b.small = Arrays.copyOf(small, Math.max(card, 0));
            return b;
        }
        b.keys = Arrays.copyOf(keys, nblocks);
        b.cards = Arrays.copyOf(cards, nblocks);
        b.blocks = new Object[nblocks];
        for (int i = 0; i < nblocks; i++) {
            Object o = blocks[i];
            b.blocks[i] = o instanceof long[] l ? l.clone() : Arrays.copyOf((char[]) o, cards[i]);
        }
        b.nblocks = nblocks;
        return b;
    }

    /** A new bitmap: this ∩ other. */
    public Bitmap and(Bitmap other) {
        Bitmap a = this, b = other;
        if (a.card > b.card) {
            Bitmap t = a;
            a = b;
            b = t;
        }
        Bitmap out = new Bitmap();
        if (b.keys == null) {
            Bitmap t = a;
            a = b;
            b = t;
        }
        if (a.keys == null) {
            for (int i = 0; i < a.card; i++) {
                if (b.contains(a.small[i])) out.add(a.small[i]);
            }
            return out;
        }
        // both in block form
        out.toBlocks();
        int i = 0, j = 0;
        while (i < a.nblocks && j < b.nblocks) {
            char ka = a.keys[i], kb = b.keys[j];
            if (ka < kb) {
                i++;
            } else if (ka > kb) {
                j++;
            } else {
                Object r = andBlocks(a.blocks[i], a.cards[i], b.blocks[j], b.cards[j]);
                int c = blockCard(r);
                if (c > 0) out.insertBlock(out.nblocks, ka, r, c);
                out.card += c;
                i++;
                j++;
            }
        }
        if (out.card <= SMALL_MAX) out.toSmall();
        return out;
    }

    /** this ∪= other. */
    public void orInPlace(Bitmap other) {
        if (other.card == 0) return;
        if (other.keys == null || (keys == null && card + other.card <= SMALL_MAX)) {
            if (other.keys == null) {
                for (int i = 0; i < other.card; i++) add(other.small[i]);
            } else {
                for (int id : other.toArray()) add(id);
            }
            return;
        }
        if (keys == null) toBlocks();
        int j = 0;
        for (; j < other.nblocks; j++) {
            char k = other.keys[j];
            int i = blockIndex(k);
            Object ob = other.blocks[j];
            if (i < 0) {
                i = -i - 1;
                Object copy = ob instanceof long[] l ? l.clone() : Arrays.copyOf((char[]) ob, Math.max(4, other.cards[j]));
                insertBlock(i, k, copy, other.cards[j]);
                card += other.cards[j];
            } else {
                Object r = orBlocks(blocks[i], cards[i], ob, other.cards[j]);
                int c = blockCard(r);
                card += c - cards[i];
                blocks[i] = r;
                cards[i] = c;
            }
        }
    }

    /** this −= other. */
    public void andNotInPlace(Bitmap other) {
        if (card == 0 || other.card == 0) return;
        if (keys == null) {
            int k = 0;
            for (int i = 0; i < card; i++) {
                if (!other.contains(small[i])) small[k++] = small[i];
            }
            card = k;
            return;
        }
        if (other.keys == null || other.card < card / 64) {
            for (int id : other.toArray()) remove(id);
            return;
        }
        int w = 0;
        int total = 0;
        for (int i = 0; i < nblocks; i++) {
            int j = other.blockIndex(keys[i]);
            Object r = blocks[i];
            int c = cards[i];
            if (j >= 0) {
                r = andNotBlocks(blocks[i], cards[i], other.blocks[j], other.cards[j]);
                c = blockCard(r);
            }
            if (c > 0) {
                keys[w] = keys[i];
                blocks[w] = r;
                cards[w] = c;
                w++;
                total += c;
            }
        }
        for (int i = w; i < nblocks; i++) blocks[i] = null;
        nblocks = w;
        card = total;
        if (card <= SMALL_MAX / 2) toSmall();
    }

    /** this ∩= other. */
    public void andInPlace(Bitmap other) {
        Bitmap r = and(other);
        small = r.small;
        keys = r.keys;
        blocks = r.blocks;
        cards = r.cards;
        nblocks = r.nblocks;
        card = r.card;
    }

    /** Approximate bytes of heap this bitmap holds (object headers included). */
    public long heapBytes() {
        long n = 32;
        if (keys == null) return n + 16 + 4L * small.length;
        n += 16 + 2L * keys.length + 16 + 4L * cards.length + 16 + 4L * blocks.length;
        for (int i = 0; i < nblocks; i++) {
            Object b = blocks[i];
            n += b instanceof long[] ? 16 + 8192 : 16 + 2L * ((char[]) b).length;
        }
        return n;
    }

    @Override public boolean equals(Object o) {
        return o instanceof Bitmap b && b.card == card && Arrays.equals(b.toArray(), toArray());
    }

    @Override public int hashCode() { return Arrays.hashCode(toArray()); }

    @Override public String toString() { return Arrays.toString(toArray()); }

    // ------------------------------------------------------------------ internals

    private int blockIndex(char hi) {
        int lo = 0, hiIdx = nblocks - 1;
        while (lo <= hiIdx) {
            int mid = (lo + hiIdx) >>> 1;
            char k = keys[mid];
            if (k < hi) lo = mid + 1;
            else if (k > hi) hiIdx = mid - 1;
            else return mid;
        }
        return -(lo + 1);
    }

    private void insertBlock(int i, char key, Object block, int c) {
        if (nblocks == keys.length) {
            int n = Math.max(2, nblocks * 2);
            keys = Arrays.copyOf(keys, n);
            cards = Arrays.copyOf(cards, n);
            blocks = Arrays.copyOf(blocks, n);
        }
        System.arraycopy(keys, i, keys, i + 1, nblocks - i);
        System.arraycopy(cards, i, cards, i + 1, nblocks - i);
        System.arraycopy(blocks, i, blocks, i + 1, nblocks - i);
        keys[i] = key;
        cards[i] = c;
        blocks[i] = block;
        nblocks++;
    }

    private void removeBlock(int i) {
        System.arraycopy(keys, i + 1, keys, i, nblocks - i - 1);
        System.arraycopy(cards, i + 1, cards, i, nblocks - i - 1);
        System.arraycopy(blocks, i + 1, blocks, i, nblocks - i - 1);
        nblocks--;
        blocks[nblocks] = null;
    }

    private boolean addToBlock(int i, char lo) {
        Object b = blocks[i];
        if (b instanceof long[] bits) {
            long m = 1L << lo;
            if ((bits[lo >>> 6] & m) != 0) return false;
            bits[lo >>> 6] |= m;
            cards[i]++;
            return true;
        }
        char[] arr = (char[]) b;
        int n = cards[i];
        int p;
        if (n > 0 && arr[n - 1] < lo) {
            p = n; // appending ids in ascending order is the common case
        } else {
            p = Arrays.binarySearch(arr, 0, n, lo);
            if (p >= 0) return false;
            p = -p - 1;
        }
        if (n == ARRAY_MAX) {
            long[] bits = arrayToBits(arr, n);
            bits[lo >>> 6] |= 1L << lo;
            blocks[i] = bits;
            cards[i]++;
            return true;
        }
        if (n == arr.length) {
            arr = Arrays.copyOf(arr, Math.min(ARRAY_MAX, n + (n >> 1) + 2));
            blocks[i] = arr;
        }
        System.arraycopy(arr, p, arr, p + 1, n - p);
        arr[p] = lo;
        cards[i]++;
        return true;
    }

    private void toBlocks() {
        int[] s = small;
        int n = card;
        keys = NO_KEYS;
        cards = NO_INTS;
        blocks = new Object[0];
        nblocks = 0;
        small = null;
        card = 0;
        for (int i = 0; i < n; i++) add(s[i]);
    }

    private void toSmall() {
        if (keys == null) return;
        int[] all = toArray();
        keys = null;
        blocks = null;
        cards = null;
        nblocks = 0;
        small = all.length == 0 ? NO_INTS : all;
        card = all.length;
    }

    private static int blockCard(Object b) {
        if (b instanceof long[] bits) {
            int c = 0;
            for (long w : bits) c += Long.bitCount(w);
            return c;
        }
        return ((char[]) b).length; // results of block ops are exact-size arrays
    }

    private static long[] arrayToBits(char[] arr, int n) {
        long[] bits = new long[1024];
        for (int i = 0; i < n; i++) bits[arr[i] >>> 6] |= 1L << arr[i];
        return bits;
    }

    private static char[] bitsToArray(long[] bits, int c) {
        char[] out = new char[Math.max(4, c)];
        int k = 0;
        for (int w = 0; w < 1024; w++) {
            long word = bits[w];
            while (word != 0) {
                out[k++] = (char) ((w << 6) | Long.numberOfTrailingZeros(word));
                word &= word - 1;
            }
        }
        return out;
    }

    /** Normalizes a result: bitsets with few members become exact-size arrays. */
    private static Object norm(long[] bits) {
        int c = 0;
        for (long w : bits) c += Long.bitCount(w);
        if (c > ARRAY_MAX) return bits;
        char[] a = bitsToArray(bits, c);
        return a.length == c ? a : Arrays.copyOf(a, c);
    }

    private static Object andBlocks(Object a, int ca, Object b, int cb) {
        if (a instanceof long[] x && b instanceof long[] y) {
            long[] r = new long[1024];
            for (int w = 0; w < 1024; w++) r[w] = x[w] & y[w];
            return norm(r);
        }
        if (a instanceof long[]) {
            Object t = a;
            a = b;
            b = t;
            int tc = ca;
            ca = cb;
            cb = tc;
        }
        char[] x = (char[]) a;
        char[] r = new char[ca];
        int k = 0;
        if (b instanceof long[] bits) {
            for (int i = 0; i < ca; i++) {
                char v = x[i];
                if ((bits[v >>> 6] & (1L << v)) != 0) r[k++] = v;
            }
        } else {
            char[] y = (char[]) b;
            if (ca > cb) {
                char[] t = x;
                x = y;
                y = t;
                int tc = ca;
                ca = cb;
                cb = tc;
            }
            if ((long) ca * 16 < cb) {
                // lopsided (a rare value against a common one): search each of the few in the
                // many instead of walking the many (a 20-series query over a million series
                // walked ~50,000 ids)
                int j = 0;
                for (int i = 0; i < ca && j < cb; i++) {
                    int p = Arrays.binarySearch(y, j, cb, x[i]);
                    if (p >= 0) {
                        r[k++] = x[i];
                        j = p + 1;
                    } else {
                        j = -p - 1;
                    }
                }
            } else {
                int i = 0, j = 0;
                while (i < ca && j < cb) {
                    char u = x[i], v = y[j];
                    if (u < v) i++;
                    else if (u > v) j++;
                    else {
                        r[k++] = u;
                        i++;
                        j++;
                    }
                }
            }
        }
        return k == r.length ? r : Arrays.copyOf(r, k);
    }

    private static Object orBlocks(Object a, int ca, Object b, int cb) {
        if (a instanceof char[] x && b instanceof char[] y && ca + cb <= ARRAY_MAX) {
            char[] r = new char[ca + cb];
            int i = 0, j = 0, k = 0;
            while (i < ca && j < cb) {
                char u = x[i], v = y[j];
                if (u < v) r[k++] = x[i++];
                else if (u > v) r[k++] = y[j++];
                else {
                    r[k++] = u;
                    i++;
                    j++;
                }
            }
            while (i < ca) r[k++] = x[i++];
            while (j < cb) r[k++] = y[j++];
            return k == r.length ? r : Arrays.copyOf(r, k);
        }
        long[] r = a instanceof long[] x ? x.clone() : arrayToBits((char[]) a, ca);
        if (b instanceof long[] y) {
            for (int w = 0; w < 1024; w++) r[w] |= y[w];
        } else {
            char[] y = (char[]) b;
            for (int j = 0; j < cb; j++) r[y[j] >>> 6] |= 1L << y[j];
        }
        return norm(r);
    }

    private static Object andNotBlocks(Object a, int ca, Object b, int cb) {
        if (a instanceof long[] x) {
            long[] r = x.clone();
            if (b instanceof long[] y) {
                for (int w = 0; w < 1024; w++) r[w] &= ~y[w];
            } else {
                char[] y = (char[]) b;
                for (int j = 0; j < cb; j++) r[y[j] >>> 6] &= ~(1L << y[j]);
            }
            return norm(r);
        }
        char[] x = (char[]) a;
        char[] r = new char[ca];
        int k = 0;
        if (b instanceof long[] bits) {
            for (int i = 0; i < ca; i++) {
                char v = x[i];
                if ((bits[v >>> 6] & (1L << v)) == 0) r[k++] = v;
            }
        } else {
            char[] y = (char[]) b;
            int i = 0, j = 0;
            while (i < ca) {
                char u = x[i];
                while (j < cb && y[j] < u) j++;
                if (j >= cb || y[j] != u) r[k++] = u;
                i++;
            }
        }
        return k == r.length ? r : Arrays.copyOf(r, k);
    }
}
