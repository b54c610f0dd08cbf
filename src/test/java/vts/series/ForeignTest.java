package vts.series;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.series.Layout.*;

import java.util.SplittableRandom;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import vts.codec.Chunks;
import vts.mem.Mem;

/**
 * The Java half of the RedisTimeSeries conversion: a compressed series whose chunks arrived
 * uncompressed (as native/rts_load.c hands them over) is re-encoded one chunk for one, with
 * every sample bit for bit, the summaries as the writers keep them, and the flag cleared.
 */
class ForeignTest {

    /** An uncompressed-chunk series with n samples, then marked compressed + foreign as the C loader leaves it. */
    static long foreignSeries(long[] ts, double[] vals, int chunkSize) {
        long s = Series.create(ENC_UNCOMPRESSED, 0, chunkSize, DUP_LAST, false, 0, 0);
        for (int i = 0; i < ts.length; i++) assertEquals(Series.ADDED, Series.add(s, ts[i], vals[i], DUP_LAST));
        Mem.putByte(s + S_ENCODING, (byte) ENC_COMPRESSED);
        Mem.putInt(s + S_FLAGS, Mem.getInt(s + S_FLAGS) | FLAG_FOREIGN_CHUNKS);
        return s;
    }

    @Test
    void reencodesEveryChunkOneForOneKeepingEverySample() {
        SplittableRandom r = new SplittableRandom(10);
        int n = 20_000;
        long[] ts = new long[n];
        double[] vals = new double[n];
        long t = 1_700_000_000_000L;
        for (int i = 0; i < n; i++) {
            t += 1 + r.nextInt(3000);
            ts[i] = t;
            vals[i] = switch (i % 5) {
                case 0 -> Math.round(r.nextGaussian() * 1000) / 100.0;
                case 1 -> Double.NaN;
                case 2 -> i % 7 == 0 ? -0.0 : Double.MIN_VALUE * i;
                case 3 -> (r.nextDouble() - 0.5) * 1e308;
                default -> r.nextDouble();
            };
        }
        long s = foreignSeries(ts, vals, 4096);
        int chunks = Series.nchunks(s);
        assertTrue(chunks > 10);
        long[] sums = new long[chunks];
        for (int i = 0; i < chunks; i++) sums[i] = Double.doubleToLongBits(Chunks.sum(Series.chunk(s, i)));
        assertEquals(chunks, Series.reencodeForeign(s));
        assertEquals(chunks, Series.nchunks(s), "one chunk of ours per foreign chunk");
        assertEquals(0, Mem.getInt(s + S_FLAGS) & FLAG_FOREIGN_CHUNKS);
        assertEquals(n, Series.totalSamples(s));
        long[] gt = new long[Chunks.count(Series.chunk(s, 0)) + n];
        double[] gv = new double[gt.length];
        int k = 0;
        for (int i = 0; i < chunks; i++) {
            long c = Series.chunk(s, i);
            assertEquals(ENC_COMPRESSED, Chunks.encoding(c));
            assertEquals(sums[i], Double.doubleToLongBits(Chunks.sum(c)), "chunk summaries as the writers keep them");
            k += Chunks.decode(c, gt, gv, k);
        }
        assertEquals(n, k);
        for (int i = 0; i < n; i++) {
            assertEquals(ts[i], gt[i]);
            assertEquals(Double.doubleToRawLongBits(vals[i]), Double.doubleToRawLongBits(gv[i]), "sample " + i);
        }
        // the series goes on as any other: the last chunk takes the next appends
        assertEquals(Series.ADDED, Series.add(s, t + 1, 1.5, DUP_LAST));
        assertEquals(n + 1, Series.totalSamples(s));
        assertEquals(0, Series.reencodeForeign(s), "nothing left to re-encode");
        Series.free(s);
    }

    /**
     * The uncompressed chunks C writes while converting (native/series.c
     * ts_chunk_new + ts_chunk_append_uncompressed) hold the same bytes and summaries as
     * vts.codec.Chunks.append writes, bit for bit: the aggregations read those summaries.
     */
    @Test
    void chunksWrittenInCAreTheJavaWritersChunks(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Gcc.available(), "gcc is not installed: the C chunk writer was NOT checked");
        SplittableRandom r = new SplittableRandom(7);
        int n = 5000;
        List<String> lines = new ArrayList<>();
        long[] ts = new long[n];
        double[] vals = new double[n];
        for (int i = 0; i < n; i++) {
            ts[i] = 1_000_000L + 7L * i + r.nextInt(3);
            vals[i] = switch (i % 6) {
                case 0 -> Math.round(r.nextGaussian() * 1e4) / 100.0;
                case 1 -> Double.NaN;
                case 2 -> (r.nextDouble() - 0.5) * 1e308;
                case 3 -> i % 12 == 3 ? Double.POSITIVE_INFINITY : -0.0;
                case 4 -> Double.longBitsToDouble(r.nextLong());
                default -> r.nextDouble() * 1e-300;
            };
            lines.add(Long.toHexString(ts[i]) + " " + Long.toHexString(Double.doubleToRawLongBits(vals[i])));
        }
        Path in = dir.resolve("samples.txt");
        Files.write(in, lines);
        String prog = """
                #include <stdio.h>
                #include <stdlib.h>
                #include <string.h>
                #include "series.h"
                #include "vm_api.h"
                static void *a(size_t n) { return malloc(n); }
                static void *ca(size_t n, size_t k) { return calloc(n, k); }
                static void *re(void *p, size_t n) { return realloc(p, n); }
                static void fr(void *p) { free(p); }
                void *(*VM_Alloc)(size_t) = a;
                void *(*VM_Calloc)(size_t, size_t) = ca;
                void *(*VM_Realloc)(void *, size_t) = re;
                void (*VM_Free)(void *) = fr;
                int main(int argc, char **argv) {
                    FILE *f = fopen(argv[1], "r");
                    ts_chunk *c = ts_chunk_new(TS_ENC_UNCOMPRESSED, %d * 16);
                    unsigned long long t, v;
                    while (fscanf(f, "%%llx %%llx", &t, &v) == 2) {
                        double d;
                        memcpy(&d, &v, 8);
                        if (ts_chunk_append_uncompressed(c, (int64_t)t, d)) return 2;
                    }
                    if (ts_chunk_append_uncompressed(c, 1, 1.0) == 0) return 3; /* full */
                    const unsigned char *p = (const unsigned char *)c;
                    for (size_t i = 0; i < TS_CHUNK_HEADER + ts_chunk_used(c); i++) printf("%%02x", p[i]);
                    printf("\\n");
                    return 0;
                }
                """.formatted(n);
        Path exe = Gcc.compile(dir, "cchunk", prog, Path.of("native/series.c").toAbsolutePath().toString(), "-O2");
        Gcc.Result res = Gcc.run(List.of(exe.toString(), in.toString()));
        assertEquals(0, res.exit(), res.out());
        byte[] cBytes = java.util.HexFormat.of().parseHex(res.out().strip());
        long c = Chunks.newChunk(ENC_UNCOMPRESSED, n * 16);
        for (int i = 0; i < n; i++) assertTrue(Chunks.append(c, ts[i], vals[i]));
        assertEquals(CHUNK_HEADER + Chunks.used(c), cBytes.length);
        for (int off = 0; off < cBytes.length; off++) {
            if (off >= C_CAPACITY && off < C_CAPACITY + 4) continue; // the allocator's usable size may differ
            assertEquals(Mem.getByte(c + off), cBytes[off], "byte " + off + " of the chunk");
        }
        Chunks.free(c);
    }
}
