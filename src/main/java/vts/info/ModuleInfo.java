package vts.info;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

import vts.bridge.Api;
import vts.bridge.Bridge;
import vts.bridge.Config;
import vts.bridge.Reply;
import vts.cluster.ClusterStats;
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
 * Written on the main thread at INFO only (never for a crash report: native/info.c). The series
 * figures come from a count over the series and chunk headers (through the label index) that
 * runs in slices of {@link #SLICE} series before the server sleeps, so that INFO itself stays
 * cheap with many series: INFO reports the last finished count and starts the next one (the
 * very first INFO counts at once). The JVM figures are live.
 */
public final class ModuleInfo implements Bridge.KeyspaceListener {
    private ModuleInfo() {}

    /** Series counted per event-loop iteration. */
    static final int SLICE = 5_000;
    /** The index's own estimate walks every label value: refreshed at most this often. */
    static final long INDEX_ESTIMATE_MS = 30_000;

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
    private static final long CL_COMMANDS = Reply.cstring("cluster_commands");
    private static final long CL_FAILED = Reply.cstring("cluster_failed");
    private static final long CL_TIMEOUTS = Reply.cstring("cluster_timeouts");
    private static final long CL_RETRIES = Reply.cstring("cluster_retries");
    private static final long CL_SENT = Reply.cstring("cluster_requests_sent");
    private static final long CL_PARTIALS = Reply.cstring("cluster_partials_received");
    private static final long CL_SERVED = Reply.cstring("cluster_requests_served");
    private static final long CL_BYTES_SENT = Reply.cstring("cluster_bytes_sent");
    private static final long CL_BYTES_RECEIVED = Reply.cstring("cluster_bytes_received");
    private static final long CL_WAIT_TOTAL = Reply.cstring("cluster_wait_ms_total");
    private static final long CL_WAIT_MAX = Reply.cstring("cluster_wait_ms_max");
    private static final long CL_TOPOLOGY_READS = Reply.cstring("cluster_topology_reads");
    private static final long CL_NODELAY = Reply.cstring("cluster_bus_nodelay_set");
    private static long[] dbNames = new long[16];

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

    /** One count over every database, advanced a slice at a time. */
    static final class Count {
        DbStats[] perDb = new DbStats[Indexes.slots()];
        long indexHeap;
        int db, nextId;

        /** Counts up to budget series; true when every database is done. */
        boolean advance(int budget) {
            while (db < perDb.length) {
                LabelIndex x = db < Indexes.slots() ? Indexes.peek(db) : null;
                if (x == null) {
                    db++;
                    nextId = 0;
                    continue;
                }
                if (perDb[db] == null) perDb[db] = new DbStats();
                if (nextId == 0) indexHeap += indexHeap(db, x);
                int next = x.forEachSeries(nextId, budget, perDb[db]::add);
                if (next >= 0) {
                    nextId = next;
                    return false;
                }
                db++;
                nextId = 0;
            }
            return true;
        }
    }

    private static Count published, running;
    private static long[] heapOf = new long[16], heapAt = new long[16], heapShape = new long[16];
    private static LabelIndex[] heapFor = new LabelIndex[16];

    /**
     * LabelIndex.heapBytes of db, estimated again when the index is another one, has another
     * number of series or label pairs, or the estimate is older than INDEX_ESTIMATE_MS.
     */
    static long indexHeap(int db, LabelIndex x) {
        if (db >= heapOf.length) {
            heapOf = java.util.Arrays.copyOf(heapOf, db + 1);
            heapAt = java.util.Arrays.copyOf(heapAt, db + 1);
            heapShape = java.util.Arrays.copyOf(heapShape, db + 1);
            heapFor = java.util.Arrays.copyOf(heapFor, db + 1);
        }
        long now = System.nanoTime() / 1_000_000;
        long shape = ((long) x.size() << 32) ^ x.pairCount();
        if (heapFor[db] != x || heapShape[db] != shape || now - heapAt[db] > INDEX_ESTIMATE_MS) {
            heapOf[db] = x.heapBytes();
            heapAt[db] = now;
            heapShape[db] = shape;
            heapFor[db] = x;
        }
        return heapOf[db];
    }

    /** Registers with the bridge and starts watching collections (once, at load). */
    public static void install() {
        GcStats.install();
        Bridge.setInfoWriter(ModuleInfo::write);
        Bridge.addKeyspaceListener(new ModuleInfo());
    }

    static void write(long ictx) {
        if (published == null) { // the first INFO: count now
            Count c = new Count();
            c.advance(Integer.MAX_VALUE);
            published = c;
        } else if (running == null) {
            running = new Count();
            Config.requestTick();
        }
        Api.infoAddSection(ictx, EMPTY);
        DbStats total = new DbStats();
        for (DbStats d : published.perDb) {
            if (d == null) continue;
            total.series += d.series;
            total.samples += d.samples;
            total.chunkBytes += d.chunkBytes;
        }
        Api.infoAddLong(ictx, SERIES, total.series);
        Api.infoAddLong(ictx, SAMPLES, total.samples);
        Api.infoAddLong(ictx, CHUNK_BYTES, total.chunkBytes);
        Api.infoAddLong(ictx, INDEX_HEAP, published.indexHeap);
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        Api.infoAddLong(ictx, HEAP_USED, heap.getUsed());
        Api.infoAddLong(ictx, HEAP_COMMITTED, heap.getCommitted());
        Api.infoAddLong(ictx, HEAP_MAX, heap.getMax());
        Api.infoAddLong(ictx, GC_COUNT, GcStats.collections());
        Api.infoAddLong(ictx, GC_TOTAL, GcStats.pauseTotalMs());
        Api.infoAddLong(ictx, GC_MAX, GcStats.pauseMaxMs());
        Api.infoAddLong(ictx, BLOCKED, Config.blockedReaders());
        // the cluster fan-out (vts.cluster): commands this node fanned out and how they ended,
        // the requests it sent and served as a shard, bus bytes, time clients waited
        Api.infoAddLong(ictx, CL_COMMANDS, ClusterStats.commands);
        Api.infoAddLong(ictx, CL_FAILED, ClusterStats.failed);
        Api.infoAddLong(ictx, CL_TIMEOUTS, ClusterStats.timeouts);
        Api.infoAddLong(ictx, CL_RETRIES, ClusterStats.retries);
        Api.infoAddLong(ictx, CL_SENT, ClusterStats.requestsSent);
        Api.infoAddLong(ictx, CL_PARTIALS, ClusterStats.partialsReceived);
        Api.infoAddLong(ictx, CL_SERVED, ClusterStats.requestsServed);
        Api.infoAddLong(ictx, CL_BYTES_SENT, ClusterStats.bytesSent);
        Api.infoAddLong(ictx, CL_BYTES_RECEIVED, ClusterStats.bytesReceived);
        Api.infoAddLong(ictx, CL_WAIT_TOTAL, ClusterStats.waitMsTotal);
        Api.infoAddLong(ictx, CL_WAIT_MAX, ClusterStats.waitMsMax);
        Api.infoAddLong(ictx, CL_TOPOLOGY_READS, ClusterStats.topologyReads());
        Api.infoAddLong(ictx, CL_NODELAY, ClusterStats.nodelaySet());
        for (int db = 0; db < published.perDb.length; db++) {
            DbStats d = published.perDb[db];
            if (d == null || d.series == 0) continue;
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

    // ------------------------------------------------------------------ the count in slices

    @Override public void tick(long ctx) {
        Count c = running;
        if (c == null) return;
        if (c.advance(SLICE)) {
            published = c;
            running = null;
        } else {
            Config.requestTick();
        }
    }

    /** A flush or swap moves whole databases: count again from the start. */
    private static void restart() {
        if (running != null) running = new Count();
    }

    @Override public void flushed(long ctx, int db) { restart(); }

    @Override public void swapped(long ctx, int db1, int db2) { restart(); }

    @Override public void added(long ctx, int db, byte[] key, long series, int cause) {}

    @Override public void removed(long ctx, int db, byte[] key, long series, int cause) {}
}
