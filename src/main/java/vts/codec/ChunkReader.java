package vts.codec;

import static vts.series.Layout.*;

import vts.mem.Mem;

/**
 * Reusable forward decoder of one chunk (either encoding). Reset it onto a chunk
 * address, then call {@link #next()} until it returns false; after each true the
 * sample is in {@link #ts} and {@link #value}. Allocates nothing after construction.
 * The chunk must not change while it is being read.
 *
 * <p>Bounded: it never reads past the chunk's capacity. A chunk whose count claims
 * more samples than its data holds (a crafted RESTORE payload, say) ends where its
 * data ends: compressed data at bit_pos (or the capacity if that is smaller), a sample
 * whose code runs past that end is not returned.
 */
public final class ChunkReader {
    /** The current sample, valid after next() returned true. */
    public long ts;
    public double value;
    /**
     * When the current value was decoded as a decimal, value = mantissa / 10^decimals
     * (decimals &ge; 0, so its text can be written from the integer: vts.bridge.DoubleFormat);
     * -1 otherwise.
     */
    public int decimals = -1;
    public long mantissa;

    private long data;
    private long capWords;
    private long bitLimit;
    private int count;
    private int index;
    private boolean compressed;
    private boolean decimal;
    private boolean afterNonZero;
    private long pos;
    private long delta;
    private int leading, trailing;
    private int scale;
    private long refM;
    private long firstTs;
    private double firstValue;

    public ChunkReader reset(long chunk) {
        data = chunk + C_DATA;
        long capacity = Mem.getInt(chunk + C_CAPACITY) & 0xffffffffL;
        capWords = capacity >>> 3;
        count = Mem.getInt(chunk + C_COUNT);
        if (count < 0) count = 0;
        index = 0;
        compressed = Mem.getByte(chunk + C_ENCODING) == ENC_COMPRESSED;
        if (compressed) {
            long bitPos = Mem.getInt(chunk + C_BIT_POS) & 0xffffffffL;
            bitLimit = bitPos >= 0 && bitPos < capWords << 6 ? bitPos : capWords << 6;
        } else {
            count = (int) Math.min(count, capacity >>> 4);
        }
        pos = 0;
        decimals = -1;
        delta = 0;
        leading = 0;
        trailing = 0;
        afterNonZero = false;
        firstTs = Mem.getLong(chunk + C_FIRST_TS);
        firstValue = Mem.getDouble(chunk + C_FIRST_VALUE);
        decimal = compressed && (Mem.getByte(chunk + C_FLAGS) & Gorilla.FLAG_DECIMAL) != 0;
        scale = decimal ? Gorilla.initialScale(firstValue) : 0;
        refM = decimal ? Gorilla.reference(firstValue, scale) : 0;
        return this;
    }

    /**
     * Continues a decimal-mode chunk just reset onto at sample index (&ge; 1), the state
     * after sample index - 1 being the given one (from {@link DecimalScan}).
     */
    void resumeDecimal(int index, long pos, long ts, long delta, double value, int scale, long m) {
        this.index = index;
        this.pos = pos;
        this.ts = ts;
        this.delta = delta;
        this.value = value;
        this.scale = scale;
        this.refM = m;
    }

    /** Samples in the chunk (as its header says; fewer are returned if its data ends first). */
    public int count() {
        return count;
    }

    /** Index of the sample next() will return. */
    public int index() {
        return index;
    }

    public boolean next() {
        int i = index;
        if (i >= count) return false;
        if (!compressed) {
            index = i + 1;
            decimals = -1;
            long a = data + ((long) i << 4);
            ts = Mem.getLong(a);
            value = Mem.getDouble(a + 8);
            return true;
        }
        if (i == 0) {
            index = 1;
            decimals = -1;
            ts = firstTs;
            value = firstValue;
            return true;
        }
        if (pos >= bitLimit) return exhausted();
        long ts0 = ts;
        double v0 = value;
        readTs();
        if (decimal) {
            readDecimal();
        } else {
            readXor();
            decimals = -1;
        }
        if (pos > bitLimit) {
            ts = ts0;
            value = v0;
            return exhausted();
        }
        index = i + 1;
        return true;
    }

    /** The data ended before count samples: there are no more. */
    private boolean exhausted() {
        count = index;
        return false;
    }

    private void readTs() {
        long x = peek();
        int k = Math.min(Long.numberOfTrailingZeros(~x), Gorilla.TS_WIDTHS.length - 1);
        delta += readCode(x, k, Gorilla.TS_WIDTHS);
        ts += delta;
    }

    /** Reads the code of bucket k whose first 64 bits are x. */
    private long readCode(long x, int k, byte[] widths) {
        int w = widths[k];
        int n = k + 1 + w;
        if (n <= 64) {
            pos += n;
            return w == 0 ? 0 : Gorilla.signed(x >>> (k + 1), w);
        }
        pos += k + 1;
        long v = peek();
        pos += w;
        return Gorilla.signed(v, w);
    }

    private void readXor() {
        long x = peek();
        long bits;
        if ((x & 3) != 3) {
            boolean one = (x & 1) == 0;
            pos += one ? 1 : 2;
            if (one == afterNonZero) {
                int len = 64 - leading - trailing;
                bits = len <= 0 ? 0 : (peek() & Gorilla.mask(len)) << trailing;
                pos += Math.max(len, 0);
            } else {
                afterNonZero = false;
                return;
            }
        } else if ((x & 4) == 0) {
            int lead = (int) (x >>> 3) & 63;
            int len = (int) (x >>> 9) & 63;
            if (len == 0) len = 64;
            pos += 15;
            int trail = Math.max(64 - lead - len, 0);
            bits = (peek() & Gorilla.mask(len)) << trail;
            pos += len;
            leading = lead;
            trailing = trail;
        } else {
            int cl = Gorilla.CLASSES[(int) (x >>> 3) & 7];
            pos += 6;
            bits = peek() & Gorilla.mask(64 - cl);
            pos += 64 - cl;
            leading = cl;
            trailing = 0;
        }
        afterNonZero = true;
        value = Double.longBitsToDouble(Double.doubleToRawLongBits(value) ^ bits);
    }

    private void readDecimal() {
        long x = peek();
        int k = Long.numberOfTrailingZeros(~x);
        if (k == Gorilla.ESC) {
            if ((x & (1L << (k + 1))) != 0) {
                // switch: XOR mode for the rest of the chunk
                pos += k + 2;
                decimal = false;
                readXor();
                decimals = -1;
                return;
            }
            int cl = Gorilla.CLASSES[(int) (x >>> (k + 2)) & 7];
            pos += k + 5;
            long bits = peek() & Gorilla.mask(64 - cl);
            pos += 64 - cl;
            value = Double.longBitsToDouble(Double.doubleToRawLongBits(value) ^ bits);
            refM = Gorilla.reference(value, scale);
            decimals = -1;
            return;
        }
        if (k > Gorilla.ESC) {
            scale = (int) (x >>> (Gorilla.ESC + 1)) & 15;
            refM = Gorilla.reference(value, scale);
            pos += Gorilla.ESC + 5;
            x = peek();
            k = Math.min(Long.numberOfTrailingZeros(~x), Gorilla.DEC_WIDTHS.length - 1);
        }
        long dm = readCode(x, k, Gorilla.DEC_WIDTHS);
        // refM equals reference(value, scale): m / 10^d maps back to m for |m| <= 2^50
        long m = refM + dm;
        refM = m;
        value = m / Gorilla.POW10[scale];
        mantissa = m;
        decimals = scale;
    }


    /** The 64 bits of the stream starting at pos (zeros past the capacity). */
    private long peek() {
        long w = pos >>> 6;
        if (w >= capWords) return 0;
        int off = (int) (pos & 63);
        long x = Mem.getLong(data + (w << 3)) >>> off;
        if (off != 0 && w + 1 < capWords) {
            x |= Mem.getLong(data + ((w + 1) << 3)) << (64 - off);
        }
        return x;
    }
}
