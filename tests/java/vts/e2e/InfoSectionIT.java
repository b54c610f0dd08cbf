package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * INFO timeseries (also in INFO modules and INFO everything): series, samples and chunk bytes in
 * total and per database (keyspace-style dict lines), the index's heap estimate, the JVM heap,
 * collections and blocked TS.READ clients, every figure checked against what the commands say.
 */
class InfoSectionIT {
    @RegisterExtension
    static final ServerExtension valkey =
            new ServerExtension(b -> b.moduleArgs("JVM_OPTIONS", "-Xmx32m")).flushAllBeforeEach();

    /** field → value of the timeseries section (without the timeseries_ prefix). */
    static Map<String, String> section(ValkeyServer s, String which) {
        Map<String, String> m = new LinkedHashMap<>();
        boolean in = false;
        for (String line : text(s.call("INFO", which)).split("\r\n")) {
            if (line.startsWith("#")) in = line.equals("# timeseries");
            else if (in && line.startsWith("timeseries_")) {
                int c = line.indexOf(':');
                m.put(line.substring("timeseries_".length(), c), line.substring(c + 1));
            }
        }
        return m;
    }

    /**
     * The section after a count that started after every earlier command: an INFO reports the
     * last finished count and starts the next, which runs before the server next sleeps.
     */
    static Map<String, String> fresh(ValkeyServer s) {
        section(s, "timeseries");
        return section(s, "timeseries");
    }

    static long num(Map<String, String> m, String field) {
        assertTrue(m.containsKey(field), field + " in " + m.keySet());
        return Long.parseLong(m.get(field));
    }

    /** Sum of TS.INFO DEBUG chunk sizes of key in db. */
    static long chunkBytes(ValkeyServer s, int db, String key) {
        try (Resp c = s.resp()) {
            c.call("SELECT", db);
            Resp.Arr info = (Resp.Arr) c.call("TS.INFO", key, "DEBUG");
            long n = 0;
            for (int i = 0; i < info.size(); i += 2) {
                if (!text(info.get(i)).equals("Chunks")) continue;
                for (Resp.Reply chunk : ((Resp.Arr) info.get(i + 1)).items()) {
                    Resp.Arr f = (Resp.Arr) chunk;
                    for (int j = 0; j < f.size(); j += 2) if (text(f.get(j)).equals("size")) n += integer(f.get(j + 1));
                }
            }
            return n;
        }
    }

    @Test
    void seriesSamplesAndChunksPerDatabase() {
        ValkeyServer s = valkey.server();
        Map<String, String> empty = fresh(s);
        assertEquals(0, num(empty, "series"));
        assertEquals(0, num(empty, "samples"));
        assertFalse(empty.containsKey("db0"));

        long chunks0 = 0, chunks2 = 0;
        for (int i = 0; i < 5; i++) {
            assertOk(s.call("TS.CREATE", "s" + i, "CHUNK_SIZE", 64, "LABELS", "i", i, "kind", "a"));
            for (int t = 0; t < 20 * (i + 1); t++) s.call("TS.ADD", "s" + i, t, t);
        }
        for (int i = 0; i < 5; i++) chunks0 += chunkBytes(s, 0, "s" + i);
        try (Resp c = s.resp()) {
            c.call("SELECT", 2);
            for (int t = 0; t < 7; t++) c.call("TS.ADD", "x", t, 1);
            c.call("TS.CREATE", "empty");
        }
        chunks2 += chunkBytes(s, 2, "x") + chunkBytes(s, 2, "empty");

        Map<String, String> m = fresh(s);
        assertEquals(7, num(m, "series"));
        assertEquals(20 + 40 + 60 + 80 + 100 + 7, num(m, "samples"));
        assertEquals(chunks0 + chunks2, num(m, "chunk_bytes"));
        assertEquals("series=5,samples=300,chunk_bytes=" + chunks0, m.get("db0"));
        assertEquals("series=2,samples=7,chunk_bytes=" + chunks2, m.get("db2"));
        assertFalse(m.containsKey("db1"));
        long index = num(m, "index_heap_bytes");
        assertTrue(index > 0);
        for (int i = 0; i < 50; i++) assertOk(s.call("TS.CREATE", "more" + i, "LABELS", "host", "h" + i));
        assertTrue(num(fresh(s), "index_heap_bytes") > index, "the index grew");

        assertEquals(m.keySet(), section(s, "everything").keySet(), "INFO everything has the section");
        assertEquals(m.keySet(), section(s, "modules").keySet(), "INFO modules has the section");
        assertTrue(section(s, "default").isEmpty(), "plain INFO does not");

        s.call("FLUSHALL");
        Map<String, String> flushed = fresh(s);
        assertEquals(0, num(flushed, "series"));
        assertFalse(flushed.containsKey("db0") || flushed.containsKey("db2"));
    }

    @Test
    void theCountRunsInSlicesAndFinishes() {
        ValkeyServer s = valkey.server();
        int n = 12_345; // more than two slices
        try (Resp c = s.resp()) {
            for (int i = 0; i < n; i++) c.send("TS.ADD", "m" + i, 1, 1, "LABELS", "i", i);
            for (int i = 0; i < n; i++) assertEquals(new Resp.Int(1), c.read());
        }
        s.await("the count of " + n + " series", Duration.ofSeconds(30),
                () -> num(section(s, "timeseries"), "series") == n);
        Map<String, String> m = section(s, "timeseries");
        assertEquals(n, num(m, "samples"));
        assertEquals("series=" + n + ",samples=" + n + ",chunk_bytes=" + num(m, "chunk_bytes"), m.get("db0"));
    }

    @Test
    void jvmHeapAndCollections() {
        ValkeyServer s = valkey.server();
        Map<String, String> m = section(s, "timeseries");
        long used = num(m, "jvm_heap_used_bytes"), committed = num(m, "jvm_heap_committed_bytes"), max = num(m, "jvm_heap_max_bytes");
        assertTrue(used > 0 && used <= committed && committed <= max, m.toString());
        assertTrue(max <= 40L << 20, "JVM_OPTIONS -Xmx32m: " + max);
        for (int i = 0; i < 300; i++) assertOk(s.call("TS.CREATE", "g" + i, "LABELS", "a", "b", "n", i));
        // label-heavy queries allocate on the Java heap until the young generation is collected
        long start = num(m, "gc_collections");
        for (int round = 0; round < 3000 && num(section(s, "timeseries"), "gc_collections") == start; round++)
            for (int q = 0; q < 10; q++) s.call("TS.MGET", "WITHLABELS", "FILTER", "a=b");
        Map<String, String> after = section(s, "timeseries");
        long n = num(after, "gc_collections"), total = num(after, "gc_pause_total_ms"), longest = num(after, "gc_pause_max_ms");
        assertTrue(n > start, "collections counted: " + after);
        assertTrue(longest >= 0 && longest <= total + n, "the longest pause is one of them: " + after);
    }

    @Test
    void blockedReadClients() {
        ValkeyServer s = valkey.server();
        assertEquals(0, num(section(s, "timeseries"), "blocked_read_clients"));
        try (ReadIT.Reader a = new ReadIT.Reader(s, "k", "$", "BLOCK", 0, 1);
             ReadIT.Reader b = new ReadIT.Reader(s, "k", "$", "BLOCK", 0, 1)) {
            s.await("two blocked readers", Duration.ofSeconds(20),
                    () -> num(section(s, "timeseries"), "blocked_read_clients") == 2);
            s.call("TS.ADD", "k", 1, 1);
            assertEquals(List.of(1L), ReadIT.timestamps(a.reply()));
            assertEquals(List.of(1L), ReadIT.timestamps(b.reply()));
        }
        assertEquals(0, num(section(s, "timeseries"), "blocked_read_clients"));
    }
}
