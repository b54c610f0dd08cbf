package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Series under Valkey's own keyspace commands: TYPE, DEL, UNLINK, EXPIRE/PERSIST, RENAME, COPY,
 * MOVE, DUMP/RESTORE, MEMORY USAGE, SWAPDB, FLUSHDB/FLUSHALL, SCAN TYPE; the module under MODULE
 * LIST/UNLOAD and COMMAND INFO; TS.* inside MULTI/EXEC and Lua.
 */
class KeyspaceIT extends ServerTests {
    /** A series with n samples (ts 1..n) in several chunks, added pipelined. */
    static void series(String key, int n, String... createArgs) {
        List<Object> create = new ArrayList<>(List.of("TS.CREATE", key, "CHUNK_SIZE", "128"));
        create.addAll(List.of((Object[]) createArgs));
        create.addAll(List.of("LABELS", "name", key)); // LABELS comes last: it takes the rest
        assertOk(call(create.toArray()));
        addSamples(server, key, 1, n);
    }

    static void addSamples(ValkeyServer s, String key, long from, int n) {
        try (Resp r = s.resp()) {
            for (int i = 0; i < n; i++) r.send("TS.ADD", key, from + i, (from + i) * 0.5);
            for (int i = 0; i < n; i++) assertInstanceOf(Resp.Int.class, r.read());
        }
    }

    static Resp.Reply range(String key) {
        return call("TS.RANGE", key, "-", "+");
    }

    @Test
    void typeIsTsdbType() {
        series("k", 1);
        assertEquals(new Resp.Simple("TSDB-TYPE"), call("TYPE", "k"));
        assertEquals(List.of("0", List.of("k")), call("SCAN", "0", "TYPE", "TSDB-TYPE", "COUNT", "100").plain());
        call("SET", "s", "x");
        assertEquals(List.of("0", List.of()), call("SCAN", "0", "TYPE", "TSDB-TYPE", "MATCH", "s*").plain());
    }

    @Test
    void delAndUnlink() {
        series("a", 10);
        series("big", 20000);
        assertEquals(new Resp.Int(1), call("DEL", "a"));
        assertEquals(0, integer(call("EXISTS", "a")));
        assertError(NO_KEY, call("TS.GET", "a"));
        assertEquals(new Resp.Int(1), call("UNLINK", "big"), "UNLINK frees a big series on the lazy-free thread");
        assertEquals(0, integer(call("EXISTS", "big")));
        assertOk(call("TS.CREATE", "a"));
        assertEquals(List.of(), samples2(range("a")), "a new series under an old name is empty");
        series("big", 100);
        assertEquals(100, samples2(range("big")).size());
        assertTrue(server.ping());
    }

    @Test
    void expireAndPersist() {
        series("k", 10);
        assertEquals(new Resp.Int(1), call("EXPIRE", "k", "100"));
        long ttl = integer(call("TTL", "k"));
        assertTrue(ttl > 90 && ttl <= 100, "TTL " + ttl);
        assertEquals(10, samples2(range("k")).size());
        assertEquals(new Resp.Int(1), call("PERSIST", "k"));
        assertEquals(new Resp.Int(-1), call("TTL", "k"));
        assertEquals(new Resp.Int(1), call("PEXPIRE", "k", "50"));
        server.await("series to expire", java.time.Duration.ofSeconds(5),
                () -> integer(call("EXISTS", "k")) == 0);
        assertError(NO_KEY, call("TS.GET", "k"));
        assertEquals(5, integer(call("TS.ADD", "k", "5", "1")), "a new series under the expired name");
    }

    @Test
    void rename() {
        series("a", 500);
        Resp.Reply before = range("a");
        assertOk(call("RENAME", "a", "b"));
        assertEquals(0, integer(call("EXISTS", "a")));
        assertEquals(before, range("b"));
        assertEquals("b", text(info(server, "b", "DEBUG").get("keySelfName")), "the series knows its new name");
        series("c", 3);
        assertOk(call("RENAME", "b", "c"));
        assertEquals(before, range("c"), "RENAME over an existing series replaces it");
        assertEquals(Map.of("name", "a"), labels(info(server, "c").get("labels")));
        assertEquals(501, integer(call("TS.ADD", "c", "501", "1")), "the renamed series takes samples");
    }

    @Test
    void copyIsDeep() {
        series("a", 500, "RETENTION", "0", "DUPLICATE_POLICY", "LAST");
        assertEquals(new Resp.Int(1), call("COPY", "a", "b"));
        assertEquals(range("a"), range("b"));
        Map<String, Resp.Reply> ia = info(server, "a");
        Map<String, Resp.Reply> ib = info(server, "b");
        assertTrue(integer(ib.remove("memoryUsage")) > 0);
        ia.remove("memoryUsage"); // a copy may allocate its chunks more tightly
        assertEquals(ia, ib, "TS.INFO of the copy equals the original's");
        call("TS.ADD", "b", "1000", "7");
        call("TS.ADD", "b", "1", "99");
        call("TS.ALTER", "b", "LABELS", "x", "y");
        assertEquals(500, samples2(range("a")).size(), "changing the copy leaves the original alone");
        assertEquals("1:0.5", samples2(range("a")).get(0));
        assertEquals(Map.of("name", "a"), labels(info(server, "a").get("labels")));
        assertEquals(new Resp.Int(0), call("COPY", "a", "b"), "no REPLACE: target exists");
        assertEquals(new Resp.Int(1), call("COPY", "a", "b", "REPLACE"));
        assertEquals(range("a"), range("b"));
        assertEquals(new Resp.Int(1), call("COPY", "a", "a1", "DB", "1"));
        try (Resp r = server.resp()) {
            assertOk(r.call("SELECT", "1"));
            assertEquals(range("a"), r.call("TS.RANGE", "a1", "-", "+"));
        }
    }

    @Test
    void moveAndSwapdb() {
        series("a", 300);
        Resp.Reply before = range("a");
        assertEquals(new Resp.Int(1), call("MOVE", "a", "1"));
        assertEquals(0, integer(call("EXISTS", "a")));
        try (Resp r = server.resp()) {
            assertOk(r.call("SELECT", "1"));
            assertEquals(before, r.call("TS.RANGE", "a", "-", "+"));
            assertEquals(301, integer(r.call("TS.ADD", "a", "301", "1")));
            assertOk(r.call("TS.CREATE", "only1"));
        }
        assertOk(call("SWAPDB", "0", "1"));
        assertEquals(301, samples2(range("a")).size(), "after SWAPDB db 0 holds what db 1 held");
        assertEquals(1, integer(call("EXISTS", "only1")));
        try (Resp r = server.resp()) {
            assertOk(r.call("SELECT", "1"));
            assertEquals(new Resp.Int(0), r.call("DBSIZE"));
        }
    }

    @Test
    void dumpAndRestore() {
        series("a", 1000, "DUPLICATE_POLICY", "MAX", "RETENTION", "100000", "IGNORE", "3", "0.25");
        call("TS.ADD", "a", "2000", "nan");
        Resp.Reply dump = call("DUMP", "a");
        assertInstanceOf(Resp.Bulk.class, dump);
        byte[] payload = ((Resp.Bulk) dump).bytes();
        assertOk(call("RESTORE", "b", "0", payload));
        assertEquals(range("a"), range("b"));
        Map<String, Resp.Reply> ia = info(server, "a", "DEBUG");
        Map<String, Resp.Reply> ib = info(server, "b", "DEBUG");
        ia.remove("keySelfName");
        assertEquals("b", text(ib.remove("keySelfName")));
        assertEquals(ia, ib, "a restored series has the same settings, labels and chunks");
        assertErrorStartsWith("BUSYKEY", call("RESTORE", "b", "0", payload));
        assertOk(call("RESTORE", "b", "0", payload, "REPLACE"));
        assertOk(call("RESTORE", "t", "100000", payload));
        assertTrue(integer(call("PTTL", "t")) > 0);
        byte[] broken = payload.clone();
        broken[broken.length / 2] ^= 0x55;
        assertErrorStartsWith("ERR", call("RESTORE", "x", "0", broken));
        byte[] truncated = java.util.Arrays.copyOf(payload, payload.length / 2);
        assertErrorStartsWith("ERR", call("RESTORE", "x", "0", truncated));
        assertEquals(0, integer(call("EXISTS", "x")));
        assertTrue(server.ping());
    }

    @Test
    void memoryUsageGrowsWithSamples() {
        assertOk(call("TS.CREATE", "k"));
        long empty = integer(call("MEMORY", "USAGE", "k"));
        assertTrue(empty > 0, "MEMORY USAGE of an empty series " + empty);
        addSamples(server, "k", 1, 20000);
        long full = integer(call("MEMORY", "USAGE", "k", "SAMPLES", "0"));
        assertTrue(full > empty + 20000, "20000 samples take more than a byte each: " + empty + " -> " + full);
        assertOk(call("TS.CREATE", "u", "ENCODING", "UNCOMPRESSED"));
        addSamples(server, "u", 1, 20000);
        long uncompressed = integer(call("MEMORY", "USAGE", "u", "SAMPLES", "0"));
        assertTrue(uncompressed >= 20000 * 16, "uncompressed: 16 bytes a sample at least, got " + uncompressed);
        assertTrue(uncompressed > full, "compression saves memory: " + full + " vs " + uncompressed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"FLUSHDB", "FLUSHDB SYNC", "FLUSHDB ASYNC", "FLUSHALL", "FLUSHALL SYNC", "FLUSHALL ASYNC"})
    void flush(String command) {
        series("a", 20000);
        series("b", 10);
        try (Resp r = server.resp()) {
            r.call("SELECT", "1");
            assertOk(r.call("TS.CREATE", "other"));
        }
        assertOk(call((Object[]) command.split(" ")));
        assertEquals(new Resp.Int(0), call("DBSIZE"));
        try (Resp r = server.resp()) {
            r.call("SELECT", "1");
            assertEquals(command.startsWith("FLUSHALL") ? 0 : 1, integer(r.call("DBSIZE")));
        }
        series("a", 5);
        assertEquals(5, samples2(range("a")).size());
        assertTrue(server.ping());
    }

    @Test
    void overwrittenBySet() {
        series("k", 10);
        assertOk(call("SET", "k", "v"));
        assertEquals(new Resp.Simple("string"), call("TYPE", "k"));
        assertError(WRONGTYPE, call("TS.GET", "k"));
        assertOk(call("TS.CREATE", "k2"));
        assertEquals(new Resp.Int(1), call("DEL", "k"));
    }

    @Test
    void moduleList() {
        Resp.Arr modules = array(call("MODULE", "LIST"));
        boolean found = false;
        for (Resp.Reply m : modules.items()) {
            List<?> fields = (List<?>) m.plain();
            int i = fields.indexOf("name");
            if (i >= 0 && "timeseries".equals(fields.get(i + 1))) found = true;
        }
        assertTrue(found, "MODULE LIST shows timeseries: " + modules.plain());
    }

    @Test
    void moduleUnloadIsRefused() {
        series("k", 10);
        assertInstanceOf(Resp.Err.class, call("MODULE", "UNLOAD", "timeseries"));
        assertTrue(server.ping());
        assertEquals(10, samples2(range("k")).size(), "still loaded and serving");
        assertEquals(11, integer(call("TS.ADD", "k", "11", "1")));
    }

    /** COMMAND INFO name → [name, arity, flags, first, last, step, ...]. */
    static List<?> commandInfo(String name) {
        Resp.Arr all = array(call("COMMAND", "INFO", name));
        assertEquals(1, all.size());
        assertInstanceOf(Resp.Arr.class, all.get(0), name + " is a known command");
        return (List<?>) all.get(0).plain();
    }

    @Test
    void commandInfo() {
        for (String c : List.of("ts.create", "ts.alter", "ts.add", "ts.incrby", "ts.decrby", "ts.del")) {
            List<?> info = commandInfo(c);
            assertEquals(c, String.valueOf(info.get(0)).toLowerCase());
            List<?> flags = (List<?>) info.get(2);
            assertTrue(flags.contains("write"), c + " is a write command: " + flags);
            assertEquals(List.of(1L, 1L, 1L), info.subList(3, 6), c + " key position");
        }
        for (String c : List.of("ts.create", "ts.alter", "ts.add", "ts.incrby", "ts.decrby", "ts.madd")) {
            assertTrue(((List<?>) commandInfo(c).get(2)).contains("denyoom"), c + " is denyoom");
        }
        for (String c : List.of("ts.range", "ts.revrange", "ts.get", "ts.info")) {
            List<?> info = commandInfo(c);
            List<?> flags = (List<?>) info.get(2);
            assertTrue(flags.contains("readonly"), c + " is readonly: " + flags);
            assertTrue(!flags.contains("write"), c + " does not write: " + flags);
            assertEquals(List.of(1L, 1L, 1L), info.subList(3, 6), c + " key position");
        }
        List<?> madd = commandInfo("ts.madd");
        assertTrue(((List<?>) madd.get(2)).contains("write"));
        assertEquals(List.of(1L, -1L, 3L), madd.subList(3, 6), "TS.MADD keys: every third argument");
        assertEquals(List.of("a", "b"), call("COMMAND", "GETKEYS", "TS.MADD", "a", "1", "1", "b", "2", "2").plain());
        assertEquals(List.of("k"), call("COMMAND", "GETKEYS", "TS.ADD", "k", "1", "1").plain());
    }

    @Test
    void multiExec() {
        assertOk(call("TS.CREATE", "b"));
        call("TS.ADD", "b", "1", "1");
        try (Resp r = server.resp()) {
            assertOk(r.call("MULTI"));
            assertEquals(new Resp.Simple("QUEUED"), r.call("TS.CREATE", "m", "LABELS", "a", "b"));
            r.call("TS.ADD", "m", "1", "1.5");
            r.call("TS.ADD", "m", "1", "2");
            r.call("TS.INCRBY", "m", "2", "TIMESTAMP", "2");
            r.call("TS.MADD", "m", "3", "3", "b", "1", "5");
            r.call("TS.RANGE", "m", "-", "+");
            r.call("TS.GET", "m");
            Resp.Arr exec = array(r.call("EXEC"));
            assertEquals(7, exec.size());
            assertOk(exec.get(0));
            assertEquals(new Resp.Int(1), exec.get(1));
            assertError(UPSERT_BLOCKED, exec.get(2));
            assertEquals(new Resp.Int(2), exec.get(3));
            assertEquals(new Resp.Int(3), array(exec.get(4)).get(0));
            assertError(UPSERT_BLOCKED, array(exec.get(4)).get(1));
            assertEquals(List.of("1:1.5", "2:3.5", "3:3"), samples2(exec.get(5)));
            assertEquals("3:3", sample2(exec.get(6)));
            assertOk(r.call("MULTI"));
            r.call("TS.ADD", "m", "9", "9");
            assertOk(r.call("DISCARD"));
        }
        assertEquals(3, samples2(range("m")).size(), "DISCARD dropped the queued add");
    }

    @Test
    void luaScripts() {
        assertEquals(new Resp.Int(5), call("EVAL", "return redis.call('TS.ADD', KEYS[1], ARGV[1], ARGV[2])",
                "1", "lk", "5", "1.5"));
        assertEquals(List.of(List.of(5L, "1.5")), call("EVAL", "return redis.call('TS.RANGE', KEYS[1], '-', '+')",
                "1", "lk").plain());
        assertEquals(List.of(5L, "1.5"), call("EVAL", "return redis.call('TS.GET', KEYS[1])", "1", "lk").plain());
        assertError(UPSERT_BLOCKED, call("EVAL", "return redis.pcall('TS.ADD', KEYS[1], 5, 2)", "1", "lk"));
        Resp.Reply e = call("EVAL", "return redis.call('TS.ADD', KEYS[1], 5, 2)", "1", "lk");
        assertInstanceOf(Resp.Err.class, e);
        assertTrue(((Resp.Err) e).message().contains("Error at upsert"), e.toString());
        assertEquals(new Resp.Int(3), call("EVAL", """
                redis.call('TS.CREATE', KEYS[2], 'DUPLICATE_POLICY', 'SUM')
                redis.call('TS.ADD', KEYS[2], 1, 1)
                redis.call('TS.ADD', KEYS[2], 1, 2)
                local v = redis.call('TS.GET', KEYS[2])[2]
                if type(v) == 'table' then v = v.ok end
                return tonumber(v)""", "2", "lk", "lk2"));
        long t = integer(call("EVAL", "return redis.call('TS.ADD', KEYS[1], '*', 1)", "1", "star"));
        assertTrue(t > 1_600_000_000_000L);
        assertEquals(new Resp.Int(10), call("EVAL", "return redis.call('TS.INCRBY', KEYS[1], 1, 'TIMESTAMP', 10)", "1", "inc"));
        assertNotEquals(0, array(call("EVAL", "return redis.call('TS.INFO', KEYS[1])", "1", "lk")).size());
        assertEquals(new Resp.Int(1), call("EVAL", "return redis.call('TS.DEL', KEYS[1], 0, 100)", "1", "inc"));
    }
}
