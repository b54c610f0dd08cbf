package vts.series;

import static vts.series.Layout.*;

import vts.codec.ChunkReader;
import vts.codec.Chunks;
import vts.mem.Mem;

/**
 * A series in native memory: a {@code ts_series} header (native/tsdb_layout.h) and an
 * array of chunk pointers ordered by time, non-overlapping. Static methods on the
 * series address; the sample paths allocate nothing on the Java heap (out-of-order
 * writes and deletes reuse per-thread scratch arrays).
 *
 * <p>Only the last chunk is open. It starts with room for one sample and grows through
 * the allocator's size classes as samples come ({@link Chunks#grow}) until it has at least
 * chunk_size data bytes (all of the block the allocator hands out); then it is full and
 * closed, and a closed chunk keeps its block unless less than half of it is used
 * ({@link Chunks#close}). A grown chunk moves: nothing may keep a chunk address across a
 * write. Not thread-safe: one writer at a time per series.
 */
public final class Series {
    private Series() {}

    /** Results of {@link #add}. */
    public static final int ADDED = 0, UPDATED = 1, ERR_BLOCKED = -1, ERR_TOO_OLD = -2;

    public static final String MSG_BLOCKED = "TSDB: Error at upsert, update is not supported when DUPLICATE_POLICY"
            + " is set to BLOCK mode, or either current or new value is NaN and DUPLICATE_POLICY is MAX/MIN/SUM";
    public static final String MSG_TOO_OLD = "TSDB: Timestamp is older than retention";

    /** Per-thread scratch arrays for re-encoding a chunk. */
    private static final class Scratch {
        long[] ts = new long[1024];
        double[] vals = new double[1024];

        void ensure(int n) {
            if (ts.length < n) {
                int len = Math.max(n, ts.length * 2);
                ts = new long[len];
                vals = new double[len];
            }
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    // ---- lifecycle ----

    public static long create(int encoding, long retentionMs, int chunkSize, int dupPolicy, boolean ignoreSet,
                              long ignoreMaxTimeDiff, double ignoreMaxValDiff) {
        checkChunkSize(chunkSize);
        long s = Mem.calloc(SERIES_SIZE);
        Mem.putInt(s + S_MAGIC, MAGIC);
        Mem.putShort(s + S_LAYOUT_VERSION, (short) VERSION);
        Mem.putByte(s + S_ENCODING, (byte) encoding);
        Mem.putByte(s + S_DUP_POLICY, (byte) dupPolicy);
        Mem.putLong(s + S_RETENTION, retentionMs);
        Mem.putInt(s + S_CHUNK_SIZE, chunkSize);
        setIgnore(s, ignoreSet, ignoreMaxTimeDiff, ignoreMaxValDiff);
        Mem.putInt(s + S_INDEX_ID, -1);
        return s;
    }

    public static void free(long s) {
        int n = nchunks(s);
        for (int i = 0; i < n; i++) Chunks.free(chunk(s, i));
        if (Mem.getInt(s + S_CHUNKS_CAP) > 0) Mem.free(Mem.getLong(s + S_CHUNKS));
        Mem.free(Mem.getLong(s + S_LABELS));
        Mem.free(Mem.getLong(s + S_RULES));
        Mem.free(Mem.getLong(s + S_SRC_KEY));
        Mem.free(s);
    }

    /** A deep copy (chunks, chunk array, blobs); the copy has index_id -1. */
    public static long copy(long s) {
        long d = Mem.alloc(SERIES_SIZE);
        Mem.copy(s, d, SERIES_SIZE);
        int n = nchunks(s);
        int cap = Mem.getInt(s + S_CHUNKS_CAP);
        if (cap > 0) {
            long arr = Mem.alloc(cap * 8L);
            for (int i = 0; i < n; i++) Mem.putLong(arr + i * 8L, Chunks.copy(chunk(s, i)));
            Mem.putLong(d + S_CHUNKS, arr);
        } else {
            Mem.putLong(d + S_CHUNKS, n == 0 ? 0 : Chunks.copy(chunk(s, 0)));
        }
        Mem.putLong(d + S_LABELS, copyBlob(Mem.getLong(s + S_LABELS), Mem.getInt(s + S_LABELS_LEN)));
        Mem.putLong(d + S_RULES, copyBlob(Mem.getLong(s + S_RULES), Mem.getInt(s + S_RULES_LEN)));
        Mem.putLong(d + S_SRC_KEY, copyBlob(Mem.getLong(s + S_SRC_KEY), Mem.getInt(s + S_SRC_KEY_LEN)));
        Mem.putInt(d + S_INDEX_ID, -1);
        return d;
    }

    private static long copyBlob(long p, int len) {
        if (p == 0) return 0;
        long q = Mem.alloc(Math.max(len, 1));
        Mem.copy(p, q, len);
        return q;
    }

    /** Bytes of native memory held: header, chunk array, chunks (header + capacity), blobs. */
    public static long memoryUsage(long s) {
        // the chunk array counts by its used length (none for one chunk: it sits in the header),
        // so that a reloaded series reports the same figure
        int n = nchunks(s);
        long total = SERIES_SIZE + (n > 1 ? n * 8L : 0);
        for (int i = 0; i < n; i++) total += Chunks.size(chunk(s, i));
        return total + (Mem.getInt(s + S_LABELS_LEN) & 0xffffffffL) + (Mem.getInt(s + S_RULES_LEN) & 0xffffffffL)
                + (Mem.getInt(s + S_SRC_KEY_LEN) & 0xffffffffL);
    }

    // ---- header fields ----

    public static int encoding(long s) { return Mem.getUByte(s + S_ENCODING); }
    public static int dupPolicy(long s) { return Mem.getUByte(s + S_DUP_POLICY); }
    public static void setDupPolicy(long s, int p) { Mem.putByte(s + S_DUP_POLICY, (byte) p); }
    public static long retention(long s) { return Mem.getLong(s + S_RETENTION); }
    public static void setRetention(long s, long ms) { Mem.putLong(s + S_RETENTION, ms); }
    public static int chunkSize(long s) { return Mem.getInt(s + S_CHUNK_SIZE); }
    public static void setChunkSize(long s, int bytes) {
        checkChunkSize(bytes);
        Mem.putInt(s + S_CHUNK_SIZE, bytes);
    }

    /** A chunk must hold at least two samples of either encoding (the command layer enforces 48..1048576). */
    private static void checkChunkSize(int bytes) {
        if (bytes < 32 || (bytes & 7) != 0) throw new IllegalArgumentException("chunk size " + bytes);
    }
    public static boolean ignoreSet(long s) { return (Mem.getInt(s + S_FLAGS) & FLAG_IGNORE_SET) != 0; }
    public static long ignoreMaxTimeDiff(long s) { return Mem.getLong(s + S_IGNORE_MAX_TIME_DIFF); }
    public static double ignoreMaxValDiff(long s) { return Mem.getDouble(s + S_IGNORE_MAX_VAL_DIFF); }
    public static long totalSamples(long s) { return Mem.getLong(s + S_TOTAL_SAMPLES); }
    /** The first timestamp (0 when empty): the first chunk's. */
    public static long firstTs(long s) {
        return nchunks(s) == 0 ? 0 : Chunks.firstTs(chunk(s, 0));
    }

    /** The last timestamp (0 when empty): the header's copy of the last chunk's. */
    public static long lastTs(long s) { return Mem.getLong(s + S_LAST_TS); }

    /** The last value (0 when empty): the header's copy of the last chunk's. */
    public static double lastValue(long s) { return Mem.getDouble(s + S_LAST_VALUE); }

    /**
     * Sets the header's copy of the last sample from the last chunk (0 and 0 when empty):
     * after every write that is not a plain append (upserts, deletes, re-encoding). With it
     * TS.GET and TS.MGET read the header only, not the chunk pointer and the chunk.
     */
    static void refreshLast(long s) {
        int n = nchunks(s);
        long c = n == 0 ? 0 : chunk(s, n - 1);
        setLast(s, c == 0 ? 0 : Chunks.lastTs(c), c == 0 ? 0 : Chunks.lastValue(c));
    }

    /** The append path's store of the new last sample (see {@link #refreshLast}). */
    private static void setLast(long s, long ts, double v) {
        Mem.putLong(s + S_LAST_TS, ts);
        Mem.putDouble(s + S_LAST_VALUE, v);
    }

    public static int nchunks(long s) { return Mem.getInt(s + S_NCHUNKS); }

    /** Chunk i: while chunks_cap is 0 the chunks field is the only chunk itself, else an array. */
    public static long chunk(long s, int i) {
        long p = Mem.getLong(s + S_CHUNKS);
        return Mem.getInt(s + S_CHUNKS_CAP) == 0 ? p : Mem.getLong(p + i * 8L);
    }
    public static int indexId(long s) { return Mem.getInt(s + S_INDEX_ID); }
    public static void setIndexId(long s, int id) { Mem.putInt(s + S_INDEX_ID, id); }

    public static void setIgnore(long s, boolean set, long maxTimeDiff, double maxValDiff) {
        int f = Mem.getInt(s + S_FLAGS);
        Mem.putInt(s + S_FLAGS, set ? f | FLAG_IGNORE_SET : f & ~FLAG_IGNORE_SET);
        Mem.putLong(s + S_IGNORE_MAX_TIME_DIFF, maxTimeDiff);
        Mem.putDouble(s + S_IGNORE_MAX_VAL_DIFF, maxValDiff);
    }

    /** Oldest timestamp a query may return: lastTs - retention (or 0 without retention). */
    public static long minVisibleTs(long s) {
        long r = retention(s);
        if (r <= 0 || totalSamples(s) == 0) return 0;
        return Math.max(0, lastTs(s) - r);
    }

    /**
     * The samples TS.RANGE can return: those at or after {@link #minVisibleTs} (retention
     * trims whole chunks, so older samples may still be stored). TS.INFO reports this count.
     */
    public static long visibleSamples(long s) {
        long min = minVisibleTs(s);
        long total = totalSamples(s);
        if (total == 0 || firstTs(s) >= min) return total;
        long hidden = 0;
        for (int i = 0, n = nchunks(s); i < n; i++) {
            long c = chunk(s, i);
            if (Chunks.lastTs(c) < min) {
                hidden += Chunks.count(c);
                continue;
            }
            if (Chunks.firstTs(c) < min) {
                ChunkReader r = new ChunkReader();
                r.reset(c);
                while (r.next() && r.ts < min) hidden++;
            }
            break;
        }
        return total - hidden;
    }

    /** The first timestamp TS.RANGE can return (0 for a series without visible samples). */
    public static long firstVisibleTs(long s) {
        if (totalSamples(s) == 0) return 0;
        long min = minVisibleTs(s);
        if (firstTs(s) >= min) return firstTs(s);
        int i = firstChunkEndingAtOrAfter(s, min);
        if (i >= nchunks(s)) return 0;
        long c = chunk(s, i);
        if (Chunks.firstTs(c) >= min) return Chunks.firstTs(c);
        ChunkReader r = new ChunkReader();
        r.reset(c);
        while (r.next()) if (r.ts >= min) return r.ts;
        return 0;
    }

    // ---- blobs ----

    /** Replaces the labels: namesAndValues holds name0, value0, name1, value1, ... */
    public static void setLabels(long s, byte[][] namesAndValues) {
        if ((namesAndValues.length & 1) != 0) throw new IllegalArgumentException("names and values must pair up");
        long len = 0;
        for (byte[] b : namesAndValues) len += 4 + b.length;
        long p = 0;
        if (namesAndValues.length > 0) {
            p = Mem.alloc(len);
            long a = p;
            for (byte[] b : namesAndValues) {
                Mem.putInt(a, b.length);
                Mem.copyFromArray(b, 0, a + 4, b.length);
                a += 4 + b.length;
            }
        }
        Mem.free(Mem.getLong(s + S_LABELS));
        Mem.putLong(s + S_LABELS, p);
        Mem.putInt(s + S_LABELS_LEN, (int) len);
        Mem.putInt(s + S_NLABELS, namesAndValues.length / 2);
    }

    public static int labelCount(long s) { return Mem.getInt(s + S_NLABELS); }

    public static byte[] labelName(long s, int i) { return labelEntry(s, 2 * i); }

    public static byte[] labelValue(long s, int i) { return labelEntry(s, 2 * i + 1); }

    private static byte[] labelEntry(long s, int k) {
        if (k < 0 || k >= 2 * labelCount(s)) throw new IndexOutOfBoundsException(k);
        long a = Mem.getLong(s + S_LABELS);
        for (int j = 0; j < k; j++) a += 4 + Mem.getInt(a);
        byte[] b = new byte[Mem.getInt(a)];
        Mem.copyToArray(a + 4, b, 0, b.length);
        return b;
    }

    /** Replaces the opaque rules blob (owned by the compaction code). */
    public static void setRules(long s, byte[] blob, int nrules) {
        setBlob(s, S_RULES, S_RULES_LEN, blob);
        Mem.putInt(s + S_NRULES, blob == null ? 0 : nrules);
    }

    public static byte[] rules(long s) { return blob(s, S_RULES, S_RULES_LEN); }

    public static int ruleCount(long s) { return Mem.getInt(s + S_NRULES); }

    /** Replaces the source key (null for none). */
    public static void setSrcKey(long s, byte[] key) { setBlob(s, S_SRC_KEY, S_SRC_KEY_LEN, key); }

    public static byte[] srcKey(long s) { return blob(s, S_SRC_KEY, S_SRC_KEY_LEN); }

    private static void setBlob(long s, int ptrOff, int lenOff, byte[] b) {
        long p = 0;
        if (b != null) {
            p = Mem.alloc(Math.max(b.length, 1));
            Mem.copyFromArray(b, 0, p, b.length);
        }
        Mem.free(Mem.getLong(s + ptrOff));
        Mem.putLong(s + ptrOff, p);
        Mem.putInt(s + lenOff, b == null ? 0 : b.length);
    }

    private static byte[] blob(long s, int ptrOff, int lenOff) {
        long p = Mem.getLong(s + ptrOff);
        if (p == 0) return null;
        byte[] b = new byte[Mem.getInt(s + lenOff)];
        Mem.copyToArray(p, b, 0, b.length);
        return b;
    }

    // ---- writes ----

    /** True when IGNORE applies to this in-order sample (the caller checks the policy is LAST). */
    public static boolean shouldIgnore(long s, long ts, double v) {
        if (!ignoreSet(s) || totalSamples(s) == 0) return false;
        long last = lastTs(s);
        return ts >= last && ts - last <= ignoreMaxTimeDiff(s) && Math.abs(v - lastValue(s)) <= ignoreMaxValDiff(s);
    }

    /**
     * Adds a sample under the effective duplicate policy (DUP_BLOCK..DUP_SUM). Returns
     * ADDED, UPDATED, ERR_BLOCKED or ERR_TOO_OLD; on an error nothing changes.
     */
    public static int add(long s, long ts, double v, int policy) {
        long total = totalSamples(s);
        if (total == 0) {
            long c = Chunks.newOpenChunk(encoding(s));
            Chunks.append(c, ts, v);
            insertSlots(s, nchunks(s), 1);
            setChunk(s, nchunks(s) - 1, c);
            Mem.putLong(s + S_TOTAL_SAMPLES, 1);
            setLast(s, ts, v);
            return ADDED;
        }
        long last = lastTs(s);
        long retention = retention(s);
        if (retention > 0 && ts < last - retention) return ERR_TOO_OLD;
        int result;
        if (ts > last) {
            int i = nchunks(s) - 1;
            if (!appendGrowing(s, i, ts, v)) {
                setChunk(s, i, Chunks.close(chunk(s, i)));
                long c = Chunks.newOpenChunk(encoding(s));
                Chunks.append(c, ts, v);
                insertSlots(s, i + 1, 1);
                setChunk(s, i + 1, c);
            }
            Mem.putLong(s + S_TOTAL_SAMPLES, total + 1);
            setLast(s, ts, v);
            result = ADDED;
        } else {
            result = upsert(s, ts, v, policy);
            if (result < 0) return result;
            refreshLast(s);
        }
        if (retention > 0) trim(s, lastTs(s) - retention); // never drops the last chunk
        return result;
    }

    /**
     * Appends to chunk i (the open one), growing it while it has less than chunk_size data
     * bytes; false, nothing appended, when it is full. The common case is one append.
     */
    private static boolean appendGrowing(long s, int i, long ts, double v) {
        long c = chunk(s, i);
        while (!Chunks.append(c, ts, v)) {
            long g = Chunks.grow(c, chunkSize(s));
            if (g == 0) return false;
            setChunk(s, i, g);
            c = g;
        }
        return true;
    }

    /** Out-of-order insert or duplicate resolution at ts &le; lastTs. */
    private static int upsert(long s, long ts, double v, int policy) {
        int i = Math.max(0, lastChunkStartingAtOrBefore(s, ts));
        long c = chunk(s, i);
        Scratch sc = SCRATCH.get();
        sc.ensure(Chunks.count(c) + 1);
        long[] tss = sc.ts;
        double[] vals = sc.vals;
        int n = Chunks.decode(c, tss, vals, 0);
        int pos = search(tss, n, ts);
        int result;
        if (pos >= 0) {
            double old = vals[pos];
            double nv;
            switch (policy) {
                case DUP_FIRST -> nv = old;
                case DUP_LAST -> nv = v;
                case DUP_MIN, DUP_MAX, DUP_SUM -> {
                    if (Double.isNaN(old) || Double.isNaN(v)) return ERR_BLOCKED;
                    nv = policy == DUP_MIN ? Math.min(old, v) : policy == DUP_MAX ? Math.max(old, v) : old + v;
                }
                default -> { return ERR_BLOCKED; }
            }
            if (Double.doubleToRawLongBits(nv) == Double.doubleToRawLongBits(old)) return UPDATED;
            vals[pos] = nv;
            result = UPDATED;
        } else {
            pos = -pos - 1;
            System.arraycopy(tss, pos, tss, pos + 1, n - pos);
            System.arraycopy(vals, pos, vals, pos + 1, n - pos);
            tss[pos] = ts;
            vals[pos] = v;
            n++;
            Mem.putLong(s + S_TOTAL_SAMPLES, totalSamples(s) + 1);
            result = ADDED;
        }
        replace(s, i, tss, vals, n);
        return result;
    }

    /** Index of ts in tss[0, n), or -(insertion point) - 1. */
    private static int search(long[] tss, int n, long ts) {
        int lo = 0, hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long t = tss[mid];
            if (t < ts) lo = mid + 1;
            else if (t > ts) hi = mid - 1;
            else return mid;
        }
        return -lo - 1;
    }

    /** Deletes the samples with from &le; ts &le; to; returns how many. */
    public static long delete(long s, long from, long to) {
        if (from > to || totalSamples(s) == 0) return 0;
        int i = Math.max(0, firstChunkEndingAtOrAfter(s, from));
        long deleted = 0;
        Scratch sc = SCRATCH.get();
        while (i < nchunks(s)) {
            long c = chunk(s, i);
            if (Chunks.firstTs(c) > to) break;
            if (Chunks.firstTs(c) >= from && Chunks.lastTs(c) <= to) {
                deleted += Chunks.count(c);
                Chunks.free(c);
                removeSlots(s, i, 1);
                continue;
            }
            sc.ensure(Chunks.count(c));
            long[] tss = sc.ts;
            double[] vals = sc.vals;
            int n = Chunks.decode(c, tss, vals, 0);
            int k = 0;
            for (int j = 0; j < n; j++) {
                if (tss[j] < from || tss[j] > to) {
                    tss[k] = tss[j];
                    vals[k] = vals[j];
                    k++;
                }
            }
            if (k == n) {
                i++;
                continue;
            }
            deleted += n - k;
            i += replace(s, i, tss, vals, k);
        }
        if (deleted > 0) {
            Mem.putLong(s + S_TOTAL_SAMPLES, totalSamples(s) - deleted);
            refreshLast(s);
        }
        return deleted;
    }

    /** Drops whole chunks ending before minTs. */
    private static void trim(long s, long minTs) {
        int n = nchunks(s);
        int k = 0;
        long dropped = 0;
        while (k < n - 1 && Chunks.lastTs(chunk(s, k)) < minTs) {
            dropped += Chunks.count(chunk(s, k));
            Chunks.free(chunk(s, k));
            k++;
        }
        if (k == 0) return;
        removeSlots(s, 0, k);
        Mem.putLong(s + S_TOTAL_SAMPLES, totalSamples(s) - dropped);
    }

    /**
     * Replaces chunk i by chunks holding samples [0, n) (none if n is 0), each filled up
     * to chunk_size data bytes, then closed (a new last chunk of the series too: it
     * shrinks to its data when that is less than half, and grows again as it fills).
     * Returns how many chunks took its place.
     */
    private static int replace(long s, int i, long[] tss, double[] vals, int n) {
        Chunks.free(chunk(s, i));
        if (n == 0) {
            removeSlots(s, i, 1);
            return 0;
        }
        int enc = encoding(s);
        int size = chunkSize(s);
        int from = 0;
        int made = 0;
        while (from < n) {
            long c = Chunks.newChunk(enc, size);
            from = Chunks.appendAll(c, tss, vals, from, n);
            c = Chunks.close(c);
            if (made > 0) insertSlots(s, i + made, 1);
            setChunk(s, i + made, c);
            made++;
        }
        return made;
    }

    /** Largest chunk the re-encoding makes of one foreign chunk (the RDB loader takes up to 64 MiB). */
    static final long FOREIGN_MAX_CAPACITY = 16L << 20;

    /**
     * Re-encodes every chunk of s whose encoding is not the series' own (chunks converted
     * from a RedisTimeSeries RDB arrive uncompressed), one chunk for one, each with at least
     * chunk_size data bytes, grown until its samples fit (beyond FOREIGN_MAX_CAPACITY: split
     * into chunk_size chunks, as an out-of-order write would); clears FLAG_FOREIGN_CHUNKS.
     * Returns how many chunks were re-encoded.
     */
    public static int reencodeForeign(long s) {
        int enc = encoding(s);
        int n = nchunks(s);
        int done = 0;
        Scratch sc = SCRATCH.get();
        for (int i = 0; i < n; i++) {
            long c = chunk(s, i);
            if (Chunks.encoding(c) == enc) continue;
            sc.ensure(Chunks.count(c));
            int k = Chunks.decode(c, sc.ts, sc.vals, 0);
            long nc = 0;
            for (long cap = chunkSize(s); nc == 0 && cap <= FOREIGN_MAX_CAPACITY; cap *= 2) {
                nc = Chunks.encode(enc, sc.ts, sc.vals, 0, k, (int) cap);
            }
            done++;
            if (nc == 0) { // too many samples for one chunk of ours: chunk_size chunks instead
                int made = replace(s, i, sc.ts, sc.vals, k);
                i += made - 1;
                n += made - 1;
                continue;
            }
            if (i < n - 1) nc = Chunks.close(nc);
            Chunks.free(c);
            setChunk(s, i, nc);
        }
        Mem.putInt(s + S_FLAGS, Mem.getInt(s + S_FLAGS) & ~FLAG_FOREIGN_CHUNKS);
        refreshLast(s); // the same samples; the C loader already set it, this keeps the rule local
        return done;
    }

    // ---- chunk array ----

    private static void setChunk(long s, int i, long c) {
        if (Mem.getInt(s + S_CHUNKS_CAP) == 0) Mem.putLong(s + S_CHUNKS, c);
        else Mem.putLong(Mem.getLong(s + S_CHUNKS) + i * 8L, c);
    }

    /**
     * Opens k empty slots at index at. A series of one chunk keeps it in the header; the
     * second chunk makes an array (see native/tsdb_layout.h).
     */
    private static void insertSlots(long s, int at, int k) {
        int n = nchunks(s);
        int cap = Mem.getInt(s + S_CHUNKS_CAP);
        if (cap == 0 && n + k <= 1) { // stays in the header (the slot is set next)
            Mem.putInt(s + S_NCHUNKS, n + k);
            return;
        }
        long arr = Mem.getLong(s + S_CHUNKS);
        if (n + k > cap) {
            int ncap = Math.max(n + k, Math.max(4, cap * 2));
            if (cap == 0) {
                long only = arr;
                arr = Mem.alloc(ncap * 8L);
                Mem.putLong(arr, only);
            } else {
                arr = Mem.realloc(arr, ncap * 8L);
            }
            Mem.putLong(s + S_CHUNKS, arr);
            Mem.putInt(s + S_CHUNKS_CAP, ncap);
        }
        if (at < n) Mem.copy(arr + at * 8L, arr + (at + k) * 8L, (n - at) * 8L);
        Mem.putInt(s + S_NCHUNKS, n + k);
    }

    /** Removes k slots at index at; one chunk left goes back into the header. */
    private static void removeSlots(long s, int at, int k) {
        int n = nchunks(s);
        long arr = Mem.getLong(s + S_CHUNKS);
        if (Mem.getInt(s + S_CHUNKS_CAP) == 0) {
            Mem.putLong(s + S_CHUNKS, 0);
            Mem.putInt(s + S_NCHUNKS, n - k);
            return;
        }
        if (at + k < n) Mem.copy(arr + (at + k) * 8L, arr + at * 8L, (n - at - k) * 8L);
        if (n - k <= 1) {
            Mem.putLong(s + S_CHUNKS, n - k == 1 ? Mem.getLong(arr) : 0);
            Mem.putInt(s + S_CHUNKS_CAP, 0);
            Mem.free(arr);
        }
        Mem.putInt(s + S_NCHUNKS, n - k);
    }

    /** Index of the last chunk with first_ts &le; ts, or -1. */
    static int lastChunkStartingAtOrBefore(long s, long ts) {
        int lo = 0, hi = nchunks(s) - 1, r = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Chunks.firstTs(chunk(s, mid)) <= ts) {
                r = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return r;
    }

    private static final ThreadLocal<vts.codec.ChunkReader> COUNT_READER =
            ThreadLocal.withInitial(vts.codec.ChunkReader::new);

    /**
     * How many samples TS.RANGE s from + would return (from clamped to {@link #minVisibleTs}),
     * counting no further than limit: whole chunks by their headers, only the chunk that
     * holds from is decoded. TS.READ BLOCK asks this at every wake-up.
     */
    public static long countAtOrAfter(long s, long from, long limit) {
        if (totalSamples(s) == 0) return 0;
        from = Math.max(from, minVisibleTs(s));
        if (lastTs(s) < from) return 0;
        long n = 0;
        int nc = nchunks(s);
        for (int i = firstChunkEndingAtOrAfter(s, from); i < nc && n < limit; i++) {
            long c = chunk(s, i);
            if (Chunks.firstTs(c) >= from) {
                n += Chunks.count(c);
                continue;
            }
            vts.codec.ChunkReader r = COUNT_READER.get().reset(c);
            while (r.next()) if (r.ts >= from) n++;
        }
        return Math.min(n, limit);
    }

    /** Index of the first chunk with last_ts &ge; ts, or nchunks. */
    static int firstChunkEndingAtOrAfter(long s, long ts) {
        int lo = 0, hi = nchunks(s) - 1, r = nchunks(s);
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Chunks.lastTs(chunk(s, mid)) >= ts) {
                r = mid;
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        }
        return r;
    }
}
