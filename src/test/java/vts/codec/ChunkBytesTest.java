package vts.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static vts.series.Layout.*;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongUnaryOperator;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import vts.mem.Mem;

/**
 * The compressed chunk bytes are an on-disk format (RDB stores them): a faster writer must
 * write exactly the same bits. Eight value shapes (decimal walks, counters, constants, full
 * doubles, NaN and infinities, a decimal chunk that turns to XOR, scale changes) under three
 * timestamp shapes are encoded and their data bytes and header fields (all but capacity,
 * which depends on the allocator) summed into CRCs. The expected CRCs were taken from the
 * writer as of b4b5cba (before the TS.MADD speed work); a change to either means the
 * writer's output changed. Run {@code main} to print the current figures.
 */
class ChunkBytesTest {
    static final long EXPECTED_DATA = 2175013708L, EXPECTED_HEADER = 3958046679L, EXPECTED_CKPT = 3308614898L;

    static final int SERIES = 40, SAMPLES = 5000, CAPACITY = 1 << 20;

    /** {data, header without capacity and checkpoint, checkpoint fields} CRCs over every shape. */
    static long[] crcs() {
        CRC32 data = new CRC32(), header = new CRC32(), ckpt = new CRC32();
        SplittableRandom r = new SplittableRandom(20261205);
        DoubleUnaryOperator[] values = {
            p -> Math.round((p + r.nextDouble(-1, 1)) * 100) / 100.0, // random walk, 2 decimals
            p -> p + r.nextInt(11), // integer counter
            p -> 42.5, // constant
            p -> r.nextDouble(), // full doubles
            p -> Math.round(r.nextDouble() * 10000) / 100.0, // random 2 decimals (the madd bench's shape)
            p -> r.nextInt(50) == 0 ? Double.NaN : r.nextInt(80) == 0 ? Double.POSITIVE_INFINITY
                    : r.nextInt(3) == 0 ? -0.0 : Math.round(r.nextDouble() * 1000) / 10.0, // specials mixed in
            p -> p == Math.rint(p) && p < 2000 ? p + 1 : r.nextDouble(), // decimal, then XOR
            p -> Math.round(r.nextDouble() * 1e6) / Math.pow(10, r.nextInt(8)), // growing scales
        };
        LongUnaryOperator[] times = {
            t -> t + 1000, // regular
            t -> t + 1000 + r.nextInt(-20, 21), // jittered
            t -> t + 1 + (r.nextInt(10) == 0 ? r.nextLong(1L << 40) : r.nextInt(5000)), // irregular, large gaps
        };
        for (DoubleUnaryOperator vf : values) {
            for (LongUnaryOperator tf : times) {
                for (int s = 0; s < SERIES; s++) {
                    long c = Chunks.newChunk(ENC_COMPRESSED, CAPACITY);
                    try {
                        long t = 1_700_000_000_000L + r.nextInt(1000);
                        double v = vf.applyAsDouble(100);
                        for (int i = 0; i < SAMPLES; i++) {
                            if (!Chunks.append(c, t, v)) throw new AssertionError("chunk full");
                            t = tf.applyAsLong(t);
                            v = vf.applyAsDouble(v);
                        }
                        for (int off = 0; off < C_DATA; off++) {
                            if (off >= C_CAPACITY && off < C_CAPACITY + 4) continue;
                            (off >= C_CKPT_INDEX ? ckpt : header).update(Mem.getByte(c + off));
                        }
                        for (int i = 0; i < Chunks.used(c); i++) data.update(Mem.getByte(c + C_DATA + i));
                    } finally {
                        Chunks.free(c);
                    }
                }
            }
        }
        return new long[] {data.getValue(), header.getValue(), ckpt.getValue()};
    }

    @Test
    void writerOutputIsUnchanged() {
        long[] c = crcs();
        assertEquals(EXPECTED_DATA, c[0], "data bytes");
        assertEquals(EXPECTED_HEADER, c[1], "header fields");
        assertEquals(EXPECTED_CKPT, c[2], "checkpoint fields");
    }

    @Test
    void bucketTablesMatchTheLoop() {
        SplittableRandom r = new SplittableRandom(5);
        for (int bits = 0; bits <= 64; bits++) {
            for (int i = 0; i < 200; i++) {
                long x = bits == 0 ? 0 : r.nextLong() >> (64 - bits);
                long[] xs = {x, x + 1, x - 1, 1L << Math.min(bits, 63), -(1L << Math.min(bits, 63)), (1L << Math.min(bits, 62)) - 1};
                for (long y : xs) {
                    assertEquals(Gorilla.bucket(y, Gorilla.TS_WIDTHS), Gorilla.tsBucket(y), "ts " + y);
                    if (y >= -(1L << 51) && y <= 1L << 51) assertEquals(Gorilla.bucket(y, Gorilla.DEC_WIDTHS), Gorilla.decBucket(y), "dec " + y);
                }
            }
        }
    }

    public static void main(String[] args) {
        long[] c = crcs();
        System.out.printf("data %dL, header %dL, checkpoint %dL%n", c[0], c[1], c[2]);
    }
}
