package vts.bench;

import java.util.SplittableRandom;
import vts.series.Layout;
import vts.series.Series;

/**
 * In-order appends without a server: ns per Series.add over `series` series round-robin
 * (2-decimal values, 1 s apart), best and median of 9 rounds of `samples` samples per
 * series each on fresh series. Run it with the old build's jar and this one in turn to
 * compare the write path alone (the server's dispatch is the same for both):
 * {@code LD_PRELOAD=/lib/x86_64-linux-gnu/libjemalloc.so.2 java --enable-native-access=ALL-UNNAMED
 * -cp OLD/valkeyts.jar:target/test-classes vts.bench.AppendBench} (jemalloc: the server's
 * allocator, so that growth steps cost what they cost there).
 */
public final class AppendBench {
    private AppendBench() {}

    public static void main(String[] args) {
        int series = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        SplittableRandom r = new SplittableRandom(7);
        double[] vals = new double[4096];
        for (int i = 0; i < vals.length; i++) vals[i] = Math.round(r.nextDouble(0, 100) * 100) / 100.0;
        long[] ns = new long[9];
        for (int round = -2; round < ns.length; round++) { // two warm-up rounds
            long[] s = new long[series];
            for (int k = 0; k < series; k++) s[k] = Series.create(Layout.ENC_COMPRESSED, 0, 4096, Layout.DUP_BLOCK, false, 0, 0);
            long t0 = System.nanoTime();
            for (int i = 0; i < samples; i++) {
                long ts = 1_700_000_000_000L + i * 1000L;
                for (int k = 0; k < series; k++) Series.add(s[k], ts, vals[(i + k) & 4095], Layout.DUP_BLOCK);
            }
            long t = System.nanoTime() - t0;
            for (long x : s) Series.free(x);
            if (round >= 0) ns[round] = t;
        }
        java.util.Arrays.sort(ns);
        double n = (double) series * samples;
        System.out.printf("AppendBench: %d series x %d samples: best %.1f ns/add, median %.1f ns/add%n", series, samples,
                ns[0] / n, ns[ns.length / 2] / n);
    }
}
