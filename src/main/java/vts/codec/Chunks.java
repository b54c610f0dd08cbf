package vts.codec;

import static vts.series.Layout.*;

import vts.mem.Mem;

/**
 * Chunks: one native block each, a {@code ts_chunk} header (native/tsdb_layout.h)
 * followed by {@code capacity} data bytes. All methods are static, take chunk
 * addresses and allocate nothing on the Java heap.
 *
 * <ul>
 * <li>COMPRESSED data: see {@link Gorilla} for the bit format.</li>
 * <li>UNCOMPRESSED data: {@code count} pairs (int64 ts, IEEE-754 double value), little
 *     endian; bit_pos = 128 * count.</li>
 * </ul>
 * Every write keeps the summaries: count, last_ts, last_value, sum/sum_comp (Neumaier
 * compensated sum of the non-NaN values; the sum is sum + sum_comp), min and max of the
 * non-NaN values (+Inf / -Inf when there are none), nan_count. Data bytes past
 * {@code used} are always zero.
 */
public final class Chunks {
    private Chunks() {}

    private static final ThreadLocal<ChunkReader> READER = ThreadLocal.withInitial(ChunkReader::new);

    /**
     * A zeroed chunk with its header initialised and at least capacity data bytes (a
     * multiple of 8): the capacity is all of the block the allocator handed out (its
     * usable size less the header, rounded down to 8), so that no allocator size class
     * rounding is wasted.
     */
    public static long newChunk(int encoding, int capacity) {
        if (capacity < 0 || (capacity & 7) != 0) throw new IllegalArgumentException("chunk capacity " + capacity);
        long c = Mem.calloc(CHUNK_HEADER + (long) capacity);
        int cap = usableCapacity(c, capacity);
        // calloc zeroes what was asked for; the rest of the usable block is ours to clear
        if (cap > capacity) Mem.fill(c + C_DATA + capacity, cap - capacity, (byte) 0);
        Mem.putInt(c + C_CAPACITY, cap);
        Mem.putByte(c + C_ENCODING, (byte) encoding);
        Mem.putDouble(c + C_MIN, Double.POSITIVE_INFINITY);
        Mem.putDouble(c + C_MAX, Double.NEGATIVE_INFINITY);
        return c;
    }

    /**
     * A new open chunk with room for its first sample only (a compressed chunk keeps it in
     * the header, so no data bytes are asked for): it grows with its data ({@link #grow}),
     * so that a series with few samples pays for them and not for chunk_size bytes.
     */
    public static long newOpenChunk(int encoding) {
        return newChunk(encoding, encoding == ENC_UNCOMPRESSED ? 16 : 0);
    }

    /**
     * Reallocates chunk c to the next allocator size class (about 1/8 larger; jemalloc's
     * classes are 4 per doubling), at most header + maxCapacity bytes, and takes all of the
     * new block; the new data bytes are zero. Returns the (possibly moved) address, or 0
     * (nothing changed) when the capacity is already maxCapacity or more. Growing a chunk
     * from empty to 4 KB copies about 4x its final size in all: a few bytes per sample.
     */
    public static long grow(long c, int maxCapacity) {
        int cap = capacity(c);
        if (cap >= maxCapacity) return 0;
        long size = CHUNK_HEADER + (long) cap;
        long want = Math.min(CHUNK_HEADER + (long) maxCapacity, (size + size / 8 + 7) & ~7L);
        long n = Mem.realloc(c, want);
        int ncap = usableCapacity(n, (int) (want - CHUNK_HEADER));
        Mem.fill(n + C_DATA + cap, ncap - cap, (byte) 0);
        Mem.putInt(n + C_CAPACITY, ncap);
        return n;
    }

    /** Data bytes of the block c: its usable size less the header, rounded down to 8; at least min. */
    private static int usableCapacity(long c, int min) {
        long usable = Mem.usableSize(c) - CHUNK_HEADER;
        if (usable <= min) return min;
        return (int) Math.min(usable & ~7L, MAX_CAPACITY);
    }

    /** Largest capacity handed out (the C loader refuses more than 64 MiB). */
    static final int MAX_CAPACITY = 32 << 20;

    public static void free(long chunk) {
        Mem.free(chunk);
    }

    /**
     * Appends a sample after the chunk's last one (the codec itself accepts any
     * timestamp order; the series keeps chunks ordered). False, with the chunk
     * untouched, if it does not fit.
     */
    public static boolean append(long c, long ts, double v) {
        int count = Mem.getInt(c + C_COUNT);
        if (Mem.getByte(c + C_ENCODING) == ENC_COMPRESSED) {
            if (count == 0) Gorilla.first(c, ts, v);
            else if (!Gorilla.append(c, ts, v)) return false;
        } else {
            long off = (count & 0xffffffffL) << 4;
            if (off + 16 > (Mem.getInt(c + C_CAPACITY) & 0xffffffffL)) return false;
            Mem.putLong(c + C_DATA + off, ts);
            Mem.putDouble(c + C_DATA + off + 8, v);
            Mem.putInt(c + C_BIT_POS, (int) ((off + 16) << 3));
            if (count == 0) {
                Mem.putLong(c + C_FIRST_TS, ts);
                Mem.putDouble(c + C_FIRST_VALUE, v);
            }
        }
        Mem.putInt(c + C_COUNT, count + 1);
        Mem.putLong(c + C_LAST_TS, ts);
        Mem.putDouble(c + C_LAST_VALUE, v);
        summarise(c, v);
        return true;
    }

    private static void summarise(long c, double v) {
        if (v != v) {
            Mem.putInt(c + C_NAN_COUNT, Mem.getInt(c + C_NAN_COUNT) + 1);
            return;
        }
        double sum = Mem.getDouble(c + C_SUM);
        double t = sum + v;
        if (!Double.isFinite(t)) {
            // an infinity: the compensation would turn into NaN (Inf - Inf); keep it finite
        } else if (Math.abs(sum) >= Math.abs(v)) {
            Mem.putDouble(c + C_SUM_COMP, Mem.getDouble(c + C_SUM_COMP) + ((sum - t) + v));
        } else {
            Mem.putDouble(c + C_SUM_COMP, Mem.getDouble(c + C_SUM_COMP) + ((v - t) + sum));
        }
        Mem.putDouble(c + C_SUM, t);
        if (v < Mem.getDouble(c + C_MIN)) Mem.putDouble(c + C_MIN, v);
        if (v > Mem.getDouble(c + C_MAX)) Mem.putDouble(c + C_MAX, v);
    }

    /**
     * Appends ts[i], vals[i] for i in [from, to) until one does not fit; returns the
     * index of the first sample not appended (to when all fit).
     */
    public static int appendAll(long c, long[] ts, double[] vals, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!append(c, ts[i], vals[i])) return i;
        }
        return to;
    }

    /**
     * A new chunk of the given capacity holding samples [from, to), or 0 (nothing
     * allocated) if they do not all fit.
     */
    public static long encode(int encoding, long[] ts, double[] vals, int from, int to, int capacity) {
        long c = newChunk(encoding, capacity);
        if (appendAll(c, ts, vals, from, to) != to) {
            free(c);
            return 0;
        }
        return c;
    }

    /**
     * Decodes all samples into ts/vals starting at off; returns how many there were
     * (the count, or fewer for a corrupt chunk whose data ends first).
     */
    public static int decode(long c, long[] ts, double[] vals, int off) {
        ChunkReader r = READER.get().reset(c);
        int i = off;
        while (r.next()) {
            ts[i] = r.ts;
            vals[i] = r.value;
            i++;
        }
        return i - off;
    }

    /**
     * Called when a chunk is closed (no more appends expected): reallocates it to its
     * used bytes only when that frees a lot, that is when less than half of the
     * capacity is used (a chunk split off by an out-of-order insert, say); a full
     * chunk stays as it is, since a smaller block would mostly land in a size class
     * with as much waste. Returns the (possibly moved) address.
     */
    public static long close(long c) {
        int used = used(c);
        int capacity = Mem.getInt(c + C_CAPACITY);
        if (used >= capacity / 2) return c;
        return shrink(c);
    }

    /**
     * Reallocates a chunk to header + used rounded up to 8, then takes all of the new
     * block's usable size as capacity; returns the (possibly moved) address.
     */
    public static long shrink(long c) {
        int used = used(c);
        int cap = (used + 7) & ~7;
        if (cap == Mem.getInt(c + C_CAPACITY)) return c;
        long n = Mem.realloc(c, CHUNK_HEADER + (long) cap);
        int ncap = usableCapacity(n, cap);
        // bytes past used stay zero: realloc kept [0, cap), the rest may be anything
        Mem.fill(n + C_DATA + used, ncap - used, (byte) 0);
        Mem.putInt(n + C_CAPACITY, ncap);
        return n;
    }

    /** A copy of the chunk (same capacity). */
    public static long copy(long c) {
        long size = CHUNK_HEADER + (Mem.getInt(c + C_CAPACITY) & 0xffffffffL);
        long n = Mem.alloc(size);
        Mem.copy(c, n, size);
        return n;
    }

    // ---- header getters ----

    public static int count(long c) { return Mem.getInt(c + C_COUNT); }
    public static int capacity(long c) { return Mem.getInt(c + C_CAPACITY); }
    /** Data bytes holding samples: (bit_pos + 7) / 8 (an uncompressed chunk counts 128 bits a sample). */
    public static int used(long c) { return (int) (((Mem.getInt(c + C_BIT_POS) & 0xffffffffL) + 7) >>> 3); }
    public static int encoding(long c) { return Mem.getUByte(c + C_ENCODING); }
    public static long firstTs(long c) { return Mem.getLong(c + C_FIRST_TS); }
    public static long lastTs(long c) { return Mem.getLong(c + C_LAST_TS); }
    public static double firstValue(long c) { return Mem.getDouble(c + C_FIRST_VALUE); }
    public static double lastValue(long c) { return Mem.getDouble(c + C_LAST_VALUE); }
    /** Compensated sum of the non-NaN values. */
    public static double sum(long c) { return Mem.getDouble(c + C_SUM) + Mem.getDouble(c + C_SUM_COMP); }
    public static double min(long c) { return Mem.getDouble(c + C_MIN); }
    public static double max(long c) { return Mem.getDouble(c + C_MAX); }
    public static int nanCount(long c) { return Mem.getInt(c + C_NAN_COUNT); }
    /** Bytes of the block: header plus capacity. */
    public static long size(long c) { return CHUNK_HEADER + (Mem.getInt(c + C_CAPACITY) & 0xffffffffL); }
}
