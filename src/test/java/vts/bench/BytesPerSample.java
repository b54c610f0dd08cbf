package vts.bench;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import vts.series.Layout;
import vts.series.Series;

/**
 * Prints native bytes per sample (Series.memoryUsage: header, chunk array, chunk
 * headers and capacities, the open chunk at its full 4096 bytes) for 10,000 samples
 * per series at 1 s intervals, compressed 4096-byte chunks. The reference C module
 * took 6.96 / 1.88 / 0.61 / 8.22 bytes per sample for the first four rows (measured as
 * used_memory growth, which also includes the key's own overhead).
 * Run: java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes
 * vts.bench.BytesPerSample
 */
public final class BytesPerSample {
    private BytesPerSample() {}

    static final int N = 10_000;

    public static void main(String[] args) {
        SplittableRandom r = new SplittableRandom(42);
        row("random walk, 2 decimals", r, (prev) -> Math.round((prev + r.nextGaussian()) * 100) / 100.0, 100);
        row("integer counter (+1)", r, (prev) -> prev + 1, 0);
        row("constant", r, (prev) -> 42, 42);
        row("uniform random doubles [0,1)", r, (prev) -> r.nextDouble(), 0.5);
        row("random walk, 2 decimals, step 0.01", r, (prev) -> Math.round((prev + r.nextInt(-1, 2) / 100.0) * 100) / 100.0, 50);
        row("counter (+0..100 random)", r, (prev) -> prev + r.nextInt(101), 0);
        row("uniform random doubles [0,1e6)", r, (prev) -> r.nextDouble() * 1e6, 0.5);
    }

    static void row(String name, SplittableRandom r, DoubleUnaryOperator next, double start) {
        long s = Series.create(Layout.ENC_COMPRESSED, 0, 4096, Layout.DUP_BLOCK, false, 0, 0);
        long ts = 1_700_000_000_000L;
        double v = start;
        for (int i = 0; i < N; i++) {
            Series.add(s, ts + i * 1000L, v, Layout.DUP_BLOCK);
            v = next.applyAsDouble(v);
        }
        System.out.printf("%-36s %6.3f bytes/sample  (%d chunks)%n", name, Series.memoryUsage(s) / (double) N, Series.nchunks(s));
        Series.free(s);
    }
}
