package vts.mem;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;

/**
 * Refuses new series before the Java heap runs out: each series costs about 100 bytes
 * of heap in the label index (README), and a full heap would fail commands at random
 * places. A new series is refused, with an error that names the setting to raise, when
 * what the heap held after its last collection is above {@link #LIMIT} of its maximum.
 * The check costs two field reads unless the heap is near full right now (garbage
 * included); only then does it ask the collector's pools (a few small objects), and
 * before it refuses it collects, at most every 5 s, in case deleted series freed space.
 * Main thread only.
 */
public final class HeapGuard {
    private HeapGuard() {}

    /** Share of the maximum heap that live data may fill before new series are refused. */
    public static final double LIMIT = 0.9;

    private static final long COLLECT_EVERY_NS = 5_000_000_000L;
    private static long lastCollection = System.nanoTime() - COLLECT_EVERY_NS;

    private static final Runtime RT = Runtime.getRuntime();
    private static final List<MemoryPoolMXBean> POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).toList();

    /** An error text when new series must be refused, else null. */
    public static String refusal() {
        long max = RT.maxMemory();
        if (max == Long.MAX_VALUE) return null;
        long limit = (long) (max * LIMIT);
        if (RT.totalMemory() - RT.freeMemory() < limit) return null;
        long live = liveAfterLastCollection();
        if (live >= limit) {
            // maybe deleted series freed space the collector has not seen yet: look again, at
            // most every few seconds (a full collection of a heap this small takes tens of ms)
            long now = System.nanoTime();
            if (now - lastCollection > COLLECT_EVERY_NS) {
                lastCollection = now;
                System.gc();
                live = liveAfterLastCollection();
            }
        }
        if (live < limit) return null;
        return "ERR TSDB: the Java heap is nearly full (" + (live >> 20) + " of " + (max >> 20)
                + " MB after the last collection): no new series. Raise -Xmx in the module argument"
                + " JVM_OPTIONS (e.g. JVM_OPTIONS \"-Xmx1g\"; about 100 bytes of heap per series)";
    }

    /** Heap bytes in use right after each pool's last collection (its live data then). */
    static long liveAfterLastCollection() {
        long used = 0;
        for (MemoryPoolMXBean p : POOLS) {
            MemoryUsage u = p.getCollectionUsage();
            if (u != null) used += u.getUsed();
        }
        return used;
    }
}
