package vts.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import vts.codec.Chunks;
import vts.series.Layout;
import vts.series.Series;

/**
 * Issue 12, the open chunk's tail: would a sub-allocator with fine size steps, carved from
 * slabs of the module allocator, make a series' memory follow its data more closely than
 * jemalloc's size classes do? used_memory counts every zmalloc'd block by its usable size,
 * so a slab counts whole, its free slots included.
 *
 * <p>The samples are real: many series are filled in lockstep (one sample each per round,
 * as a monitoring load and {@code vts_bench.py series-memory} write them) with a 2-decimal
 * random walk through {@link Series#add}, with jemalloc as the allocator (re-runs itself
 * with it preloaded, as {@link BytesPerSample} does), so that the open chunk's block is the
 * one the server would hold. After every round each series' open chunk needs
 * {@code 128 + used} bytes; that trajectory drives models of the sub-allocator (slot size
 * classes {@code step} bytes apart for blocks above 512 B, up to header + chunk_size or up
 * to the full chunk's plain block less a step; an 8-byte slot prefix pointing at the slab;
 * slabs of one jemalloc class up to 64 KiB, with at least 8 slots unless said otherwise,
 * chosen for the least unused bytes; a slab freed when its last slot is; a free slot taken
 * from the oldest, newest or fullest slab of its class; a full chunk goes to a plain block
 * as today). Closed chunks cost the same either way and are left out.
 *
 * <p>Printed per series at each sample count: the open chunk's tail today (usable size of
 * its real block less header and used data bytes), the tail with fine steps and perfect
 * packing (no free slots: the most a 64-byte-step sub-allocator could save), and the model's tail
 * including its slabs' free slots, for three slot-choice policies (oldest slab with a free
 * slot, newest, fullest), with the fallback to plain blocks for classes holding fewer than
 * 100 chunks, and with smaller slabs; then the average over a chunk's life.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes
 * vts.bench.OpenChunkTail [series ...]} (default 20000 and 10).
 */
public final class OpenChunkTail {
    private OpenChunkTail() {}

    static final int HEADER = Layout.CHUNK_HEADER;
    static final int CHUNK_SIZE = 4096;
    static final int[] CHECKPOINTS = {1, 10, 100, 1000, 2000, 3000, 3500};

    public static void main(String[] args) throws Throwable {
        System.out.println("allocator: " + BytesPerSample.useJemalloc(OpenChunkTail.class, args));
        List<Integer> counts = new ArrayList<>();
        for (String a : args) if (!a.startsWith("--")) counts.add(Integer.parseInt(a));
        if (counts.isEmpty()) counts = List.of(20_000, 10);
        for (int n : counts) run(n);
    }

    /** jemalloc's size class for n bytes (8-byte quantum, then 4 classes per doubling). */
    static long sizeClass(long n) {
        if (n <= 8) return 8;
        if (n <= 128) return (n + 15) & ~15L;
        int p = 63 - Long.numberOfLeadingZeros(n - 1); // 2^p < n <= 2^(p+1)
        long step = (1L << p) / 4;
        return (n + step - 1) / step * step;
    }

    static void run(int nseries) throws Throwable {
        long[] s = new long[nseries];
        double[] walk = new double[nseries];
        int[] nchunks = new int[nseries];
        for (int i = 0; i < nseries; i++) {
            s[i] = Series.create(Layout.ENC_COMPRESSED, 0, CHUNK_SIZE, Layout.DUP_BLOCK, false, 0, 0);
            walk[i] = 100;
        }
        long full = sizeClass(HEADER + CHUNK_SIZE); // a full chunk's plain block (5120 for 4096)
        String[] names = {"oldest slab first, step 64, slabs up to header + chunk_size",
            "oldest slab first, step 64, slabs up to the full chunk's block less a step",
            "fullest slab first, step 64, as 2", "oldest slab first, step 32, as 2",
            "as 2, plain blocks for a class of fewer than 100 chunks",
            "as 2, slabs of 2-8 slots", "as 2, slabs of 4-16 slots",
            "as 2, a slab with half of its slots or fewer live is evacuated (its chunks move at their next write)",
            "as 8, evacuated at a quarter", "as 8, plain blocks for a class of fewer than 100 chunks"};
        Model[] models = {new Model(64, Policy.OLDEST, 0, HEADER + CHUNK_SIZE),
            new Model(64, Policy.OLDEST, 0, full - 64), new Model(64, Policy.FULLEST, 0, full - 64),
            new Model(32, Policy.OLDEST, 0, full - 32), new Model(64, Policy.OLDEST, 100, full - 64),
            new Model(64, Policy.OLDEST, 0, full - 64, 2), new Model(64, Policy.OLDEST, 0, full - 64, 4),
            new Model(64, Policy.OLDEST, 0, full - 64), new Model(64, Policy.OLDEST, 0, full - 64),
            new Model(64, Policy.OLDEST, 100, full - 64)};
        models[7].evacuate = 0.5;
        models[8].evacuate = 0.25;
        models[9].evacuate = 0.5;
        SplittableRandom r = new SplittableRandom(5);
        long t0 = 1_700_000_000_000L;
        System.out.printf("%n%d series in lockstep, 2-decimal random walk, chunk_size %d; open chunk's tail per series"
                + " (bytes beyond header + used data):%n", nseries, CHUNK_SIZE);
        System.out.printf("%8s %10s %10s %10s", "samples", "data+hdr", "jemalloc", "ideal 64");
        for (int m = 0; m < models.length; m++) System.out.printf(" %10s", "model " + (m + 1));
        System.out.println();
        int cols = 3 + models.length;
        double[] avg = new double[cols];
        int navg = 0;
        int last = CHECKPOINTS[CHECKPOINTS.length - 1];
        int next = 0;
        for (int round = 0; round < last; ) {
            for (int i = 0; i < nseries; i++) {
                walk[i] += r.nextDouble(-1, 1);
                Series.add(s[i], t0 + round * 1000L, Math.round(walk[i] * 100) / 100.0, Layout.DUP_BLOCK);
                int n = Series.nchunks(s[i]);
                long need = HEADER + Chunks.used(Series.chunk(s[i], n - 1));
                boolean sealed = n != nchunks[i];
                nchunks[i] = n;
                for (Model m : models) m.need(i, need, sealed);
            }
            round++;
            boolean print = round == CHECKPOINTS[next];
            if (!print && round % 10 != 0) continue;
            double[] row = new double[cols];
            for (int i = 0; i < nseries; i++) {
                long c = Series.chunk(s[i], nchunks[i] - 1);
                long need = HEADER + Chunks.used(c);
                row[0] += need;
                row[1] += BytesPerSample.usable(c) - need;
                row[2] += fine(need, 64, full - 64) - need;
            }
            for (int m = 0; m < models.length; m++) row[3 + m] = models[m].bytes() - row[0];
            for (int k = 0; k < cols; k++) row[k] /= nseries;
            if (round % 10 == 0) {
                for (int k = 0; k < cols; k++) avg[k] += row[k];
                navg++;
            }
            if (print) {
                print(String.valueOf(round), row);
                next++;
            }
        }
        for (int k = 0; k < cols; k++) avg[k] /= navg;
        print("average", avg);
        System.out.printf("  (average: over every 10th round from 10 to %d, about one chunk's life)%n", last);
        for (int m = 0; m < models.length; m++) {
            System.out.printf("  model %d: %s%s%n", m + 1, names[m], models[m].evacuate == 0 ? ""
                    : String.format(" (moves copy %.2f B per sample)", models[m].moved / ((double) last * nseries)));
        }
        System.out.println("  ideal 64: each open chunk in a 64-byte step (8-byte slot prefix) up to the full chunk's"
                + " block, no free slots anywhere");
        for (long x : s) Series.free(x);
    }

    /** Bytes a fine-step sub-allocator holds for a block of `need` bytes: its slot (8-byte prefix included), or a plain block outside the fine range. */
    static long fine(long need, int step, long fineMax) {
        long slot = (need + 8 + step - 1) / step * step;
        if (need <= 512 || slot > fineMax + 8) return sizeClass(need);
        return slot;
    }

    static void print(String what, double[] row) {
        System.out.printf("%8s %10.0f", what, row[0]);
        for (int k = 1; k < row.length; k++) System.out.printf(" %10.1f", row[k]);
        System.out.println();
    }

    enum Policy { OLDEST, NEWEST, FULLEST }

    /** The sub-allocator's bookkeeping without memory: slots per class, slabs, plain blocks. */
    static final class Model {
        final int step;
        final Policy policy;
        final int minPopulation;
        /** largest block served from slabs; beyond it a plain block */
        final long fineMax;
        /** per series: the open chunk's slot class (slot bytes), slab id, or -1 slab for a plain block */
        final Map<Integer, long[]> open = new HashMap<>();
        final Map<Long, Cls> classes = new HashMap<>();
        long plainBytes, slabBytes;
        long nextSlab;

        /** fewest slots a slab holds; its bytes are a jemalloc class chosen for the least waste */
        final int minSlots;
        /**
         * 0, or: a slab whose live slots fall to this fraction takes no new chunks, and each
         * of its chunks moves to another slab of its class at its own series' next write
         */
        double evacuate;
        /** bytes copied by those moves */
        long moved;

        Model(int step, Policy policy, int minPopulation, long fineMax) {
            this(step, policy, minPopulation, fineMax, 8);
        }

        Model(int step, Policy policy, int minPopulation, long fineMax, int minSlots) {
            this.minSlots = minSlots;
            this.step = step;
            this.policy = policy;
            this.minPopulation = minPopulation;
            this.fineMax = fineMax;
        }

        final class Cls {
            final long slot, slabBytes;
            final int perSlab;
            int population;
            final Map<Long, int[]> slabs = new HashMap<>(); // id -> {free, evacuating}
            final TreeSet<long[]> withFree = new TreeSet<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
                    : Long.compare(a[1], b[1]));

            Cls(long slot) {
                this.slot = slot;
                long best = 0;
                int bestN = 0;
                double bestWaste = 2;
                for (long b = sizeClass(minSlots * slot + 64); b <= 65536; b = sizeClass(b + 1)) {
                    int n = (int) ((b - 64) / slot);
                    if (n < minSlots || n > 4 * minSlots) continue;
                    double waste = (b - n * slot) / (double) b;
                    if (waste < bestWaste - 0.01) {
                        bestWaste = waste;
                        best = b;
                        bestN = n;
                    }
                }
                slabBytes = best;
                perSlab = bestN;
            }

            long key(long id, int free) {
                return switch (policy) {
                    case OLDEST -> id;
                    case NEWEST -> -id;
                    case FULLEST -> free;
                };
            }

            long take() {
                if (withFree.isEmpty()) {
                    long id = nextSlab++;
                    slabs.put(id, new int[] {perSlab, 0});
                    withFree.add(new long[] {key(id, perSlab), id});
                    slabBytes();
                }
                long[] first = withFree.pollFirst();
                long id = first[1];
                int[] f = slabs.get(id);
                f[0]--;
                if (f[0] > 0) withFree.add(new long[] {key(id, f[0]), id});
                return id;
            }

            private void slabBytes() { Model.this.slabBytes += slabBytes; }

            void give(long id) {
                int[] f = slabs.get(id);
                withFree.remove(new long[] {key(id, f[0]), id});
                f[0]++;
                if (f[0] == perSlab) {
                    slabs.remove(id);
                    Model.this.slabBytes -= slabBytes;
                } else if (f[1] == 0 && perSlab - f[0] <= perSlab * evacuate) {
                    f[1] = 1; // no new chunks; the live ones leave at their next write
                } else if (f[1] == 0) {
                    withFree.add(new long[] {key(id, f[0]), id});
                }
            }
        }

        /** Series i's open chunk needs `need` bytes (a new chunk when sealed). */
        void need(int i, long need, boolean sealed) {
            long[] cur = open.get(i);
            if (cur != null && !sealed && need <= cur[2]) {
                if (cur[1] < 0 || classes.get(cur[0]).slabs.get(cur[1])[1] == 0) return;
                moved += cur[0] - 8;
            }
            if (cur != null) release(cur);
            long[] n = place(need);
            open.put(i, n);
        }

        /** {class slot or 0, slab id or -1, usable bytes, plain block bytes} */
        long[] place(long need) {
            if (need > 512 && (need + 8 + step - 1) / step * step <= fineMax + 8) {
                long slot = (need + 8 + step - 1) / step * step;
                Cls c = classes.computeIfAbsent(slot, Cls::new);
                c.population++;
                if (c.population >= minPopulation) return new long[] {slot, c.take(), slot - 8, 0};
                long b = sizeClass(need);
                plainBytes += b;
                return new long[] {slot, -1, b, b};
            }
            // beyond the fine range: a full chunk's plain block, as today
            long b = sizeClass(need);
            plainBytes += b;
            return new long[] {0, -1, b, b};
        }

        void release(long[] cur) {
            if (cur[0] != 0) {
                Cls c = classes.get(cur[0]);
                c.population--;
                if (cur[1] >= 0) c.give(cur[1]);
            }
            plainBytes -= cur[3];
        }

        long bytes() { return plainBytes + slabBytes; }
    }
}
