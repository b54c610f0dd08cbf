package vts.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import vts.command.Matcher;
import vts.index.Bitmap;
import vts.index.LabelIndex;

/**
 * The label index's key order without a server: N keys created in random order (the worst
 * case for the first rank build), then 600 queries of ~1% of them (region=r1 metric=m1)
 * sorted by key, then 600 more each after 1,000 creations. Prints the median, p99 and max
 * time of one sortedByKey per phase: the max is what one TS.MRANGE/MGET/QUERYINDEX waits.
 * {@code java -cp OLD/valkeyts.jar:target/test-classes vts.bench.RankBench 1000000}, then
 * with target/classes in place of the old jar.
 */
public final class RankBench {
    private RankBench() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        LabelIndex x = new LabelIndex();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        Random rnd = new Random(1);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1), v = perm[i];
            perm[i] = perm[j];
            perm[j] = v;
        }
        for (int i : perm) {
            x.put(String.format("s:%07d", i).getBytes(StandardCharsets.UTF_8),
                    new String[] {"region", "r" + (i % 10), "metric", "m" + ((i / 10) % 10)}, 1);
        }
        List<Matcher> f = List.of(new Matcher.Equal("region", "r1"), new Matcher.Equal("metric", "m1"));
        int created = 0;
        for (String phase : new String[] {"after load", "while creating"}) {
            long[] t = new long[600];
            for (int q = 0; q < t.length; q++) {
                if (phase.equals("while creating")) {
                    for (int j = 0; j < 1000; j++, created++) {
                        x.put(("new:" + rnd.nextInt()).getBytes(StandardCharsets.UTF_8),
                                new String[] {"region", "r" + (created % 10), "metric", "n1"}, 1);
                    }
                }
                Bitmap ids = x.query(f);
                long t0 = System.nanoTime();
                int[] s = x.sortedByKey(ids);
                t[q] = System.nanoTime() - t0;
                if (s.length != ids.cardinality()) throw new AssertionError("lost ids");
            }
            long[] sorted = t.clone();
            Arrays.sort(sorted);
            long sum = 0;
            for (long v : t) sum += v;
            System.out.printf("%-15s %d queries: median %.3f ms, p99 %.3f ms, max %.3f ms, total %.0f ms%n", phase,
                    t.length, sorted[t.length / 2] / 1e6, sorted[t.length * 99 / 100] / 1e6, sorted[t.length - 1] / 1e6,
                    sum / 1e6);
        }
    }
}
