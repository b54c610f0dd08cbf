package vts.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import vts.mem.Mem;
import vts.series.Layout;
import vts.series.Series;

/**
 * In-order appends without a server: ns per Series.add over `series` series round-robin
 * (2-decimal values, 1 s apart), best and median of 11 rounds of `samples` samples per
 * series each on fresh series, timed by the thread's CPU time. Run it with the old build's
 * jar and this one in turn to compare the write path alone (the server's dispatch is the
 * same for both):
 * {@code LD_PRELOAD=/lib/x86_64-linux-gnu/libjemalloc.so.2 java --enable-native-access=ALL-UNNAMED
 * -cp OLD/valkeyts.jar:target/test-classes vts.bench.AppendBench [series [samples [libc]]]}.
 *
 * <p>Chunks come from jemalloc (the server's allocator, so that growth steps cost what they
 * cost there), bound here by name. Preloading alone is not enough: Mem's libc fallback
 * resolves malloc through the JDK's default lookup, which finds libc's own malloc, not the
 * preloaded one. jemalloc must still be preloaded (its static TLS keeps a late dlopen from
 * working). Pass {@code libc} as the third argument to measure libc's allocator.
 */
public final class AppendBench {
    private AppendBench() {}

    public static void main(String[] args) {
        int series = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        String allocator = args.length > 2 ? args[2] : "jemalloc";
        if (!allocator.equals("libc")) bind("libjemalloc.so.2"); // before Mem is first used
        SplittableRandom r = new SplittableRandom(7);
        double[] vals = new double[4096];
        for (int i = 0; i < vals.length; i++) vals[i] = Math.round(r.nextDouble(0, 100) * 100) / 100.0;
        var bean = ManagementFactory.getThreadMXBean();
        long[] ns = new long[11];
        for (int round = -2; round < ns.length; round++) { // two warm-up rounds
            long[] s = new long[series];
            for (int k = 0; k < series; k++) s[k] = Series.create(Layout.ENC_COMPRESSED, 0, 4096, Layout.DUP_BLOCK, false, 0, 0);
            long t0 = bean.getCurrentThreadCpuTime();
            for (int i = 0; i < samples; i++) {
                long ts = 1_700_000_000_000L + i * 1000L;
                for (int k = 0; k < series; k++) Series.add(s[k], ts, vals[(i + k) & 4095], Layout.DUP_BLOCK);
            }
            long t = bean.getCurrentThreadCpuTime() - t0;
            for (long x : s) Series.free(x);
            if (round >= 0) ns[round] = t;
        }
        java.util.Arrays.sort(ns);
        double n = (double) series * samples;
        System.out.printf("AppendBench (%s): %d series x %d samples: best %.1f ns/add, median %.1f ns/add, worst %.1f%n",
                allocator, series, samples, ns[0] / n, ns[ns.length / 2] / n, ns[ns.length - 1] / n);
    }

    /** Points Mem's allocator at the library's malloc family. */
    static void bind(String lib) {
        SymbolLookup l;
        try {
            l = SymbolLookup.libraryLookup(lib, Arena.global());
        } catch (IllegalArgumentException e) { // jemalloc's static TLS: it cannot be dlopen()ed late
            throw new IllegalStateException(lib + " cannot be opened: preload it (LD_PRELOAD=/lib/x86_64-linux-gnu/"
                    + lib + "), or pass libc", e);
        }
        Mem.Source.allocFn = l.find("malloc").orElseThrow().address();
        Mem.Source.callocFn = l.find("calloc").orElseThrow().address();
        Mem.Source.reallocFn = l.find("realloc").orElseThrow().address();
        Mem.Source.freeFn = l.find("free").orElseThrow().address();
        Mem.Source.usableFn = l.find("malloc_usable_size").orElseThrow().address();
    }
}
