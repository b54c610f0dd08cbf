package vts.codec;

import static vts.series.Layout.*;

import vts.mem.Mem;

/**
 * Reusable forward decoder of one chunk (either encoding). Reset it onto a chunk
 * address, then call {@link #next()} until it returns false; after each true the
 * sample is in {@link #ts} and {@link #value}. Allocates nothing after construction.
 * The chunk must not change while it is being read.
 */
public final class ChunkReader {
    /** The current sample, valid after next() returned true. */
    public long ts;
    public double value;

    private long data;
    private long capWords;
    private int count;
    private int index;
    private boolean compressed;
    private boolean decimal;
    private long pos;
    private long delta;
    private int leading, trailing;
    private int scale;
    private long refM;
    private long firstTs;
    private double firstValue;

    public ChunkReader reset(long chunk) {
        data = chunk + C_DATA;
        capWords = (Mem.getInt(chunk + C_CAPACITY) & 0xffffffffL) >>> 3;
        count = Mem.getInt(chunk + C_COUNT);
        index = 0;
        compressed = Mem.getByte(chunk + C_ENCODING) == ENC_COMPRESSED;
        pos = 0;
        delta = 0;
        leading = 0;
        trailing = 0;
        decimal = compressed && (Mem.getByte(chunk + C_FLAGS) & Gorilla.FLAG_DECIMAL) != 0;
        scale = decimal ? Mem.getUByte(chunk + C_PREV_TRAILING) : 0;
        firstTs = Mem.getLong(chunk + C_FIRST_TS);
        firstValue = Mem.getDouble(chunk + C_FIRST_VALUE);
        refM = decimal ? Gorilla.reference(firstValue, scale) : 0;
        return this;
    }

    /** Samples in the chunk. */
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
        index = i + 1;
        if (!compressed) {
            long a = data + ((long) i << 4);
            ts = Mem.getLong(a);
            value = Mem.getDouble(a + 8);
            return true;
        }
        if (i == 0) {
            ts = firstTs;
            value = firstValue;
            return true;
        }
        readTs();
        if (decimal) readDecimal();
        else readXor();
        return true;
    }

    private void readTs() {
        long x = peek();
        delta += readCode(x, Long.numberOfTrailingZeros(~x), Gorilla.TS_WIDTHS);
        ts += delta;
    }

    /** Reads the code of bucket k whose first 64 bits are x. */
    private long readCode(long x, int k, byte[] widths) {
        int w = widths[k];
        int n = k + 1 + w;
        if (n <= 64) {
            pos += n;
            return w == 0 ? 0 : signed(x >>> (k + 1), w);
        }
        pos += k + 1;
        long v = peek();
        pos += w;
        return signed(v, w);
    }

    private void readXor() {
        long x = peek();
        if ((x & 1) == 0) {
            pos += 1;
            return;
        }
        long bits;
        if ((x & 2) == 0) {
            pos += 2;
            int len = 64 - leading - trailing;
            bits = (peek() & Gorilla.mask(len)) << trailing;
            pos += len;
        } else {
            int lead = (int) (x >>> 2) & 63;
            int len = (int) (x >>> 8) & 63;
            if (len == 0) len = 64;
            pos += 14;
            int trail = 64 - lead - len;
            bits = (peek() & Gorilla.mask(len)) << trail;
            pos += len;
            leading = lead;
            trailing = trail;
        }
        value = Double.longBitsToDouble(Double.doubleToRawLongBits(value) ^ bits);
    }

    private void readDecimal() {
        long x = peek();
        int k = Long.numberOfTrailingZeros(~x);
        if (k == 6) {
            pos += 7;
            value = Double.longBitsToDouble(peek());
            pos += 64;
            refM = Gorilla.reference(value, scale);
            return;
        }
        if (k >= 7) {
            scale = (int) (x >>> 7) & 15;
            refM = Gorilla.reference(value, scale);
            pos += 11;
            x = peek();
            k = Long.numberOfTrailingZeros(~x);
        }
        long dm = readCode(x, k, Gorilla.DEC_WIDTHS);
        // refM equals reference(value, scale): m / 10^d maps back to m for |m| <= 2^50
        long m = refM + dm;
        refM = m;
        value = m / Gorilla.POW10[scale];
    }

    private static long signed(long x, int bits) {
        if (bits == 64) return x;
        return (x << (64 - bits)) >> (64 - bits);
    }

    /** The 64 bits of the stream starting at pos (zeros past the capacity). */
    private long peek() {
        long w = pos >>> 6;
        int off = (int) (pos & 63);
        long x = Mem.getLong(data + (w << 3)) >>> off;
        if (off != 0 && w + 1 < capWords) {
            x |= Mem.getLong(data + ((w + 1) << 3)) << (64 - off);
        }
        return x;
    }
}
