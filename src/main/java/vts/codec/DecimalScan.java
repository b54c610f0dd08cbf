package vts.codec;

import static vts.series.Layout.*;

import java.lang.foreign.ValueLayout;

import vts.mem.Mem;

/**
 * Fast forward scan of a decimal-mode COMPRESSED chunk (see {@link Gorilla}) that
 * aggregates in the integer domain: each decimal sample is an integer m at the current
 * scale d (its value is exactly {@code (double) m / 10^d}), so a run of samples at one
 * scale is summarised exactly by its count, the sum of m (a long), the smallest and
 * largest m and the first and last m. The division m / 10^d is monotonic, so min and max
 * of the values are the images of min and max of m.
 *
 * <p>The chunk's data words are copied once into a heap array (one bounds check per
 * chunk instead of one per read), and the common codes (delta of delta 0 followed by a
 * value delta code of at most 11 bits) are decoded with one table lookup. The scan stops
 * at anything outside the decimal delta codes (an escape, a scale change, a switch to XOR
 * mode) or at the end of valid data; the rest of the chunk is then read by a
 * {@link ChunkReader} resumed at that sample ({@link #resume}), which handles every case
 * (including a corrupt chunk, whose data ends early).
 *
 * <p>Reusable, allocates nothing after the buffer grew to the largest chunk seen; not
 * thread-safe. The chunk must not change while it is being scanned.
 */
public final class DecimalScan {
    /** {@link #run} results. */
    public static final int DONE = 0, OVER = 1, STOP = 2, MORE = 3;

    /** Samples per run at most: keeps |sum of m| &le; 2^62 (|m| &le; 2^50). */
    private static final int MAX_RUN = 4096;

    /**
     * Entries indexed by the low 12 bits of the stream at a sample: bit 0 = 0 is the
     * timestamp code "dod = 0"; then a decimal delta code "0", "10 s5" or "110 s8".
     * Entry: (delta &lt;&lt; 8) | bits consumed; 0 when the code is not one of these.
     */
    private static final int[] FAST = new int[4096];

    static {
        for (int i = 0; i < 4096; i++) {
            if ((i & 1) != 0) continue;
            int x = i >>> 1;
            int e;
            if ((x & 1) == 0) e = 2;
            else if ((x & 2) == 0) e = (((x >>> 2) << 27) >> 27) << 8 | 8;
            else if ((x & 4) == 0) e = (((x >>> 3) << 24) >> 24) << 8 | 12;
            else e = 0;
            FAST[i] = e;
        }
    }

    private long[] buf = new long[512 + 4];

    // the chunk
    private long chunk;
    private int count;
    private long bitLimit;

    // decoder state: the last committed sample is index - 1
    private int index;
    private long pos;
    private long delta;
    private long ts;
    private long m;
    private int scale;

    /** The run just scanned (valid when n &gt; 0): samples at scale {@link #scale()}. */
    public int n;
    public long sumM, minM, maxM, firstM, lastM;
    /** After OVER: the timestamp of the next sample (not consumed). */
    public long nextTs;

    /**
     * Prepares a scan of chunk c; false (nothing to scan this way) unless c is a
     * COMPRESSED chunk starting in decimal mode whose first value is a decimal.
     */
    public boolean open(long c) {
        if (Mem.getByte(c + C_ENCODING) != ENC_COMPRESSED) return false;
        if ((Mem.getByte(c + C_FLAGS) & Gorilla.FLAG_DECIMAL) == 0) return false;
        double first = Mem.getDouble(c + C_FIRST_VALUE);
        int d = Gorilla.initialScale(first);
        long m0 = Gorilla.scaled(first, d);
        if (m0 == Gorilla.NOT_DECIMAL) return false;
        int cnt = Mem.getInt(c + C_COUNT);
        if (cnt <= 0) return false;
        long capWords = (Mem.getInt(c + C_CAPACITY) & 0xffffffffL) >>> 3;
        long bitPos = Mem.getLong(c + C_BIT_POS);
        long limit = bitPos >= 0 && bitPos < capWords << 6 ? bitPos : capWords << 6;
        int words = (int) ((limit + 63) >>> 6);
        if (buf.length < words + 4) buf = new long[Math.max(words + 4, buf.length * 2)];
        java.lang.foreign.MemorySegment.copy(Mem.ALL, ValueLayout.JAVA_LONG_UNALIGNED, c + C_DATA, buf, 0, words);
        buf[words] = 0;
        buf[words + 1] = 0;
        buf[words + 2] = 0;
        buf[words + 3] = 0;
        chunk = c;
        count = cnt;
        bitLimit = limit;
        index = 0;
        pos = 0;
        delta = 0;
        ts = Mem.getLong(c + C_FIRST_TS);
        m = m0;
        scale = d;
        return true;
    }

    /** The scale of the last run: its values are m / 10^scale. */
    public int scale() {
        return scale;
    }

    /** 10^scale as a double. */
    public double divisor() {
        return Gorilla.POW10[scale];
    }

    /**
     * Scans samples with timestamp &le; limit into the run (n, sumM, ...). Returns DONE at
     * the end of the chunk, OVER when the next sample's timestamp is above limit (in
     * nextTs), STOP when the next sample needs the general reader ({@link #resume}), MORE
     * when the run is full (4096 samples): add it and call again.
     */
    public int run(long limit) {
        final long[] b = buf;
        final int[] fast = FAST;
        int i = index;
        long p = pos, dl = delta, t = ts, mm = m;
        long sum = 0, lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
        int k = 0;
        int status = DONE;
        long bl = bitLimit;
        if (i == 0) {
            if (t > limit) {
                n = 0;
                nextTs = t;
                return OVER;
            }
            sum = mm;
            lo = mm;
            hi = mm;
            firstM = mm;
            k = 1;
            i = 1;
        }
        int end = (int) Math.min(count, (long) i + MAX_RUN - k);
        while (true) {
            if (i >= end) {
                status = i >= count ? DONE : MORE;
                break;
            }
            if (p >= bl) {
                status = STOP;
                break;
            }
            long x = peek(b, p);
            int e = fast[(int) x & 0xfff];
            long np, ndl = dl, nm;
            if (e != 0) {
                np = p + (e & 0xff);
                nm = mm + (e >> 8);
            } else {
                // general timestamp code, then a decimal delta code (anything else: STOP)
                int kt = Math.min(Long.numberOfTrailingZeros(~x), Gorilla.TS_WIDTHS.length - 1);
                int wt = Gorilla.TS_WIDTHS[kt];
                long q = p + kt + 1;
                ndl += wt == 0 ? 0 : signed(peek(b, q), wt);
                q += wt;
                long y = peek(b, q);
                int kv = Long.numberOfTrailingZeros(~y);
                if (kv >= Gorilla.ESC) {
                    status = STOP;
                    break;
                }
                int wv = Gorilla.DEC_WIDTHS[kv];
                q += kv + 1;
                nm = mm + (wv == 0 ? 0 : signed(peek(b, q), wv));
                np = q + wv;
            }
            long nt = t + ndl;
            if (np > bl) {
                status = STOP;
                break;
            }
            if (nt > limit) {
                status = OVER;
                nextTs = nt;
                break;
            }
            p = np;
            dl = ndl;
            t = nt;
            mm = nm;
            if (k == 0) firstM = mm;
            sum += mm;
            lo = Math.min(lo, mm);
            hi = Math.max(hi, mm);
            k++;
            i++;
        }
        index = i;
        pos = p;
        delta = dl;
        ts = t;
        m = mm;
        n = k;
        sumM = sum;
        minM = lo;
        maxM = hi;
        lastM = mm;
        return status;
    }

    /** A reader positioned at the next sample of this scan (after STOP), on the same chunk. */
    public ChunkReader resume(ChunkReader r) {
        r.reset(chunk);
        if (index > 0) r.resumeDecimal(index, pos, ts, delta, (double) m / Gorilla.POW10[scale], scale, m);
        return r;
    }

    private static long peek(long[] b, long p) {
        int w = (int) (p >>> 6);
        int off = (int) p & 63;
        return (b[w] >>> off) | ((b[w + 1] << 1) << (63 - off));
    }

    private static long signed(long x, int bits) {
        if (bits == 64) return x;
        return (x << (64 - bits)) >> (64 - bits);
    }
}
