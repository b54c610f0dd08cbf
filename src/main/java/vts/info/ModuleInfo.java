package vts.info;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

import vts.bridge.Api;
import vts.bridge.Bridge;
import vts.bridge.Config;
import vts.bridge.Reply;
import vts.codec.Chunks;
import vts.index.Indexes;
import vts.index.LabelIndex;
import vts.series.Series;

/**
 * The {@code timeseries} section of INFO (field names get the prefix {@code timeseries_} from
 * the server):
 * <pre>
 * series, samples, chunk_bytes          totals over all databases (chunk data bytes, as TS.INFO DEBUG's sizes)
 * index_heap_bytes                      the label indexes' estimate of their Java heap
 * db&lt;n&gt;:series=..,samples=..,chunk_bytes=..   per database that holds series (keyspace style)
 * jvm_heap_used_bytes, jvm_heap_committed_bytes, jvm_heap_max_bytes
 * gc_collections, gc_pause_total_ms, gc_pause_max_ms
 * blocked_read_clients                  TS.READ clients blocked now
 * </pre>
 * Called on the main thread at INFO only (never for a crash report: native/info.c). The
 * per-series figures are summed from the series headers and chunk headers through the index,
 * O(series + chunks) per INFO; the JVM figures are the management beans' own counters.
 */
public final class ModuleInfo {
    private ModuleInfo() {}

    private static final long EMPTY = Reply.cstring("");
    private static final long SERIES = Reply.cstring("series");
    private static final long SAMPLES = Reply.cstring("samples");
    private static final long CHUNK_BYTES = Reply.cstring("chunk_bytes");
    private static final long INDEX_HEAP = Reply.cstring("index_heap_bytes");
    private static final long HEAP_USED = Reply.cstring("jvm_heap_used_bytes");
    private static final long HEAP_COMMITTED = Reply.cstring("jvm_heap_committed_bytes");
    private static final long HEAP_MAX = Reply.cstring("jvm_heap_max_bytes");
    private static final long GC_COUNT = Reply.cstring("gc_collections");
    private static final long GC_TOTAL = Reply.cstring("gc_pause_total_ms");
    private static final long GC_MAX = Reply.cstring("gc_pause_max_ms");
    private static final long BLOCKED = Reply.cstring("blocked_read_clients");
    private static long[] dbNames = new long[16];

    /** Registers with the bridge and starts watching collections (once, at load). */
    public static void install() {
        GcStats.install();
        Bridge.setInfoWriter(ModuleInfo::write);
    }

    /** Sums over the series of one database. */
    static final class DbStats {
        long series, samples, chunkBytes;

        void add(long s) {
            series++;
            samples += Series.totalSamples(s);
            int n = Series.nchunks(s);
            for (int i = 0; i < n; i++) chunkBytes += Chunks.capacity(Series.chunk(s, i)) & 0xffffffffL;
        }
    }

    static void write(long ictx) {
        Api.infoAddSection(ictx, EMPTY);
        DbStats total = new DbStats();
        long indexHeap = 0;
        int ndb = 0;
        DbStats[] perDb = new DbStats[16];
        for (int db = 0; db < Indexes.slots(); db++) {
            LabelIndex x = Indexes.peek(db);
            if (x == null) continue;
            DbStats d = new DbStats();
            x.forEachSeries(d::add);
            indexHeap += x.heapBytes();
            if (d.series == 0) continue;
            if (db >= perDb.length) perDb = java.util.Arrays.copyOf(perDb, db + 1);
            perDb[db] = d;
            ndb = Math.max(ndb, db + 1);
            total.series += d.series;
            total.samples += d.samples;
            total.chunkBytes += d.chunkBytes;
        }
        Api.infoAddLong(ictx, SERIES, total.series);
        Api.infoAddLong(ictx, SAMPLES, total.samples);
        Api.infoAddLong(ictx, CHUNK_BYTES, total.chunkBytes);
        Api.infoAddLong(ictx, INDEX_HEAP, indexHeap);
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        Api.infoAddLong(ictx, HEAP_USED, heap.getUsed());
        Api.infoAddLong(ictx, HEAP_COMMITTED, heap.getCommitted());
        Api.infoAddLong(ictx, HEAP_MAX, heap.getMax());
        Api.infoAddLong(ictx, GC_COUNT, GcStats.collections());
        Api.infoAddLong(ictx, GC_TOTAL, GcStats.pauseTotalMs());
        Api.infoAddLong(ictx, GC_MAX, GcStats.pauseMaxMs());
        Api.infoAddLong(ictx, BLOCKED, Config.blockedReaders());
        // cluster (vts.cluster): its fan-out counters and timeouts are added here
        for (int db = 0; db < ndb; db++) {
            DbStats d = perDb[db];
            if (d == null) continue;
            Api.infoBeginDict(ictx, dbName(db));
            Api.infoAddLong(ictx, SERIES, d.series);
            Api.infoAddLong(ictx, SAMPLES, d.samples);
            Api.infoAddLong(ictx, CHUNK_BYTES, d.chunkBytes);
            Api.infoEndDict(ictx);
        }
    }

    private static long dbName(int db) {
        if (db >= dbNames.length) dbNames = java.util.Arrays.copyOf(dbNames, Math.max(db + 1, dbNames.length * 2));
        if (dbNames[db] == 0) dbNames[db] = Reply.cstring("db" + db);
        return dbNames[db];
    }
}
