package vts.bench;

import java.lang.management.ManagementFactory;
import vts.codec.Chunks;
import vts.series.Layout;

/**
 * What a chunk's growth costs by itself, without a server: `chunks` open chunks grown
 * round-robin (one size-class step each per pass, as interleaved series grow) from empty to
 * `capacity` data bytes, against the same chunks allocated at full capacity at once; ns per
 * grow step and per chunk, thread CPU time, best and median of 11 rounds. jemalloc as in
 * {@link AppendBench}:
 * {@code LD_PRELOAD=/lib/x86_64-linux-gnu/libjemalloc.so.2 java --enable-native-access=ALL-UNNAMED
 * -cp target/valkeyts.jar:target/test-classes vts.bench.GrowBench [chunks [capacity [libc]]]}.
 */
public final class GrowBench {
    private GrowBench() {}

    public static void main(String[] args) {
        int chunks = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int capacity = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
        String allocator = args.length > 2 ? args[2] : "jemalloc";
        if (!allocator.equals("libc")) AppendBench.bind("libjemalloc.so.2");
        var bean = ManagementFactory.getThreadMXBean();
        long[] grown = new long[11], full = new long[11];
        long steps = 0;
        long[] c = new long[chunks];
        for (int round = -3; round < grown.length; round++) { // three warm-up rounds
            long t0 = bean.getCurrentThreadCpuTime();
            for (int k = 0; k < chunks; k++) c[k] = Chunks.newOpenChunk(Layout.ENC_COMPRESSED);
            long n = 0;
            for (boolean more = true; more; ) {
                more = false;
                for (int k = 0; k < chunks; k++) {
                    long g = Chunks.grow(c[k], capacity);
                    if (g != 0) {
                        c[k] = g;
                        n++;
                        more = true;
                    }
                }
            }
            long t1 = bean.getCurrentThreadCpuTime();
            for (long x : c) Chunks.free(x);
            long t2 = bean.getCurrentThreadCpuTime();
            for (int k = 0; k < chunks; k++) c[k] = Chunks.newChunk(Layout.ENC_COMPRESSED, capacity);
            long t3 = bean.getCurrentThreadCpuTime();
            for (long x : c) Chunks.free(x);
            if (round >= 0) {
                grown[round] = t1 - t0;
                full[round] = t3 - t2;
                steps = n;
            }
        }
        java.util.Arrays.sort(grown);
        java.util.Arrays.sort(full);
        System.out.printf("GrowBench (%s): %d chunks to %d data bytes, %.1f grow steps each: grown %.0f ns per chunk "
                + "(best %.0f), %.1f ns per step; allocated at full size %.0f ns per chunk (best %.0f); medians of 11%n",
                allocator, chunks, capacity, (double) steps / chunks, (double) grown[5] / chunks, (double) grown[0] / chunks,
                (double) grown[5] / steps, (double) full[5] / chunks, (double) full[0] / chunks);
    }
}
