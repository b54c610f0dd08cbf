package vts.bench;

import java.nio.charset.StandardCharsets;

import vts.index.LabelIndex;

/**
 * Heap bytes per series of the label index, for the benchmark's label sets (host: 10,000
 * values, region: 10, metric: 10; keys "s:0000000"): measured as the heap growth after a
 * full GC, next to the index's own estimate, and the build time. Run:
 * {@code java -cp target/classes:target/test-classes vts.bench.IndexMemory 100000 1000000}.
 */
public final class IndexMemory {
    public static void main(String[] args) {
        for (String a : args.length == 0 ? new String[] {"100000", "1000000"} : args) {
            int n = Integer.parseInt(a);
            long before = used();
            long t = System.nanoTime();
            LabelIndex x = new LabelIndex();
            for (int i = 0; i < n; i++) {
                String[] labels = {"host", "h" + (i % 10000), "region", "r" + (i % 10), "metric", "m" + ((i / 10) % 10)};
                x.put(String.format("s:%07d", i).getBytes(StandardCharsets.UTF_8), labels, 0);
            }
            long ms = (System.nanoTime() - t) / 1_000_000;
            long after = used();
            System.out.printf("%,d series: built in %d ms; heap %.1f bytes/series measured, %.1f estimated; %d names, %d pairs%n",
                    n, ms, (after - before) / (double) n, x.heapBytes() / (double) n, x.labelCount(), x.pairCount());
            if (x.size() != n) throw new AssertionError();
        }
    }

    private static long used() {
        for (int i = 0; i < 3; i++) System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
