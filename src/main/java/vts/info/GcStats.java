package vts.info;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * Collections of the embedded JVM: count and total time from the collector beans, the longest
 * pause from their notifications (delivered on a JVM service thread; a volatile max here). With
 * a collector that reports its pauses apart from its concurrent cycles (ZGC's "Pauses" beans),
 * only the pause beans count.
 */
final class GcStats {
    private GcStats() {}

    private static final List<GarbageCollectorMXBean> PAUSES = new ArrayList<>();
    private static volatile long maxPauseMs;

    static synchronized void install() {
        if (!PAUSES.isEmpty()) return;
        List<GarbageCollectorMXBean> all = ManagementFactory.getGarbageCollectorMXBeans();
        for (GarbageCollectorMXBean b : all) if (b.getName().contains("Pauses")) PAUSES.add(b);
        if (PAUSES.isEmpty()) PAUSES.addAll(all);
        for (GarbageCollectorMXBean b : PAUSES) {
            if (!(b instanceof NotificationEmitter e)) continue;
            e.addNotificationListener((n, handback) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) return;
                long ms = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo().getDuration();
                if (ms > maxPauseMs) maxPauseMs = ms;
            }, null, null);
        }
    }

    static long collections() {
        long n = 0;
        for (GarbageCollectorMXBean b : PAUSES) n += Math.max(0, b.getCollectionCount());
        return n;
    }

    static long pauseTotalMs() {
        long n = 0;
        for (GarbageCollectorMXBean b : PAUSES) n += Math.max(0, b.getCollectionTime());
        return n;
    }

    static long pauseMaxMs() { return maxPauseMs; }
}
