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
 *     endian; used = 16 * count.</li>
 * </ul>
 * Every write keeps the summaries: count, last_ts, last_value, sum/sum_comp (Neumaier
 * compensated sum of the non-NaN values; the sum is sum + sum_comp), min and max of the
 * non-NaN values (+Inf / -Inf when there are none), nan_count. Data bytes past
 * {@code used} are always zero.
 */
public final class Chunks {
    private Chunks() {}

    private static final ThreadLocal<ChunkReader> READER = ThreadLocal.withInitial(ChunkReader::new);

    /** A zeroed chunk of capacity data bytes (a multiple of 8) with its header initialised. */
    public static long newChunk(int encoding, int capacity) {
        if (capacity < 0 || (capacity & 7) != 0) throw new IllegalArgumentException("chunk capacity " + capacity);
        long c = Mem.calloc(CHUNK_HEADER + (long) capacity);
        Mem.putInt(c + C_CAPACITY, capacity);
        Mem.putByte(c + C_ENCODING, (byte) encoding);
        Mem.putDouble(c + C_MIN, Double.POSITIVE_INFINITY);
        Mem.putDouble(c + C_MAX, Double.NEGATIVE_INFINITY);
        return c;
    }

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
            long off = (long) count << 4;
            if (off + 16 > (Mem.getInt(c + C_CAPACITY) & 0xffffffffL)) return false;
            Mem.putLong(c + C_DATA + off, ts);
            Mem.putDouble(c + C_DATA + off + 8, v);
            Mem.putInt(c + C_USED, (int) (off + 16));
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

    /** Decodes all samples into ts/vals starting at off; returns the sample count. */
    public static int decode(long c, long[] ts, double[] vals, int off) {
        int n = Mem.getInt(c + C_COUNT);
        if (Mem.getByte(c + C_ENCODING) != ENC_COMPRESSED) {
            long a = c + C_DATA;
            for (int i = 0; i < n; i++, a += 16) {
                ts[off + i] = Mem.getLong(a);
                vals[off + i] = Mem.getDouble(a + 8);
            }
            return n;
        }
        ChunkReader r = READER.get().reset(c);
        int i = off;
        while (r.next()) {
            ts[i] = r.ts;
            vals[i] = r.value;
            i++;
        }
        return n;
    }

    /**
     * Reallocates a closed chunk to header + used rounded up to 8; updates capacity and
     * returns the (possibly moved) address.
     */
    public static long shrink(long c) {
        int cap = (Mem.getInt(c + C_USED) + 7) & ~7;
        if (cap == Mem.getInt(c + C_CAPACITY)) return c;
        long n = Mem.realloc(c, CHUNK_HEADER + (long) cap);
        Mem.putInt(n + C_CAPACITY, cap);
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
    public static int used(long c) { return Mem.getInt(c + C_USED); }
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
