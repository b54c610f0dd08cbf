package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * COMMAND DOCS carries summary, since, complexity and the argument tree of every TS command;
 * COMMAND INFO's key specs say what each command does to its keys (COMMAND GETKEYS, ACL key
 * permissions); every TS command is in the ACL category timeseries and the server's read/write
 * and fast/slow categories, and a user given +@timeseries can run them and nothing else.
 */
class CommandDocsIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension().flushAllBeforeEach();

    static final List<String> INTERNAL = List.of("ts._debug", "ts._restore");

    static List<String> tsCommands(ValkeyServer s) {
        List<String> names = new ArrayList<>();
        for (Object o : (List<?>) s.call("COMMAND", "LIST", "FILTERBY", "MODULE", "timeseries").plain())
            names.add(((String) o).toLowerCase());
        names.sort(null);
        return names;
    }

    /** A flat RESP2 [name, value, name, value...] array as a map. */
    static Map<String, Resp.Reply> pairs(Resp.Reply r) {
        Map<String, Resp.Reply> m = new LinkedHashMap<>();
        List<Resp.Reply> items = ((Resp.Arr) r).items();
        for (int i = 0; i + 1 < items.size(); i += 2) m.put(text(items.get(i)), items.get(i + 1));
        return m;
    }

    @Test
    void everyPublicCommandHasDocs() {
        ValkeyServer s = valkey.server();
        List<String> names = tsCommands(s);
        assertTrue(names.containsAll(List.of("ts.add", "ts.range", "ts.read", "ts.mrange", "ts.card", "ts.mdel")), names.toString());
        for (String name : names) {
            Resp.Arr docs = (Resp.Arr) s.call("COMMAND", "DOCS", name);
            Map<String, Resp.Reply> d = pairs(docs.get(1));
            if (INTERNAL.contains(name)) {
                assertFalse(d.containsKey("summary"), name + " is internal: no docs");
                continue;
            }
            for (String field : List.of("summary", "since", "complexity", "arguments"))
                assertTrue(d.containsKey(field), name + " has " + field + ": " + d.keySet());
            assertEquals("timeseries", text(d.get("module")));
            assertFalse(text(d.get("summary")).isBlank());
        }
        Map<String, Resp.Reply> range = pairs(((Resp.Arr) s.call("COMMAND", "DOCS", "TS.RANGE")).get(1));
        assertEquals("1.0.0", text(range.get("since")));
        List<String> argNames = new ArrayList<>();
        for (Resp.Reply a : ((Resp.Arr) range.get("arguments")).items()) argNames.add(text(pairs(a).get("name")));
        assertEquals(List.of("key", "fromTimestamp", "toTimestamp", "LATEST", "Timestamp", "fbv", "count", "aggregation"), argNames);
        Map<String, Resp.Reply> read = pairs(((Resp.Arr) s.call("COMMAND", "DOCS", "TS.READ")).get(1));
        assertEquals("8.10.0", text(read.get("since")));
        Map<String, Resp.Reply> block = pairs(((Resp.Arr) read.get("arguments")).get(2));
        assertEquals("BLOCK", text(block.get("name")));
        assertEquals("block", text(block.get("type")));
    }

    @Test
    void keySpecsFindTheKeys() {
        ValkeyServer s = valkey.server();
        Map<String, List<String>> calls = new LinkedHashMap<>();
        calls.put("TS.CREATE k", List.of("k"));
        calls.put("TS.ALTER k RETENTION 1", List.of("k"));
        calls.put("TS.ADD k 1 2", List.of("k"));
        calls.put("TS.MADD a 1 2 b 3 4 c 5 6", List.of("a", "b", "c"));
        calls.put("TS.INCRBY k 1", List.of("k"));
        calls.put("TS.DECRBY k 1", List.of("k"));
        calls.put("TS.DEL k 1 2", List.of("k"));
        calls.put("TS.GET k", List.of("k"));
        calls.put("TS.INFO k", List.of("k"));
        calls.put("TS.RANGE k - +", List.of("k"));
        calls.put("TS.REVRANGE k - +", List.of("k"));
        calls.put("TS.CREATERULE src dst AGGREGATION avg 10", List.of("src", "dst"));
        calls.put("TS.DELETERULE src dst", List.of("src", "dst"));
        calls.put("TS.READ k 0 BLOCK 0 1", List.of("k"));
        for (var e : calls.entrySet()) {
            List<Object> argv = new ArrayList<>(List.of("COMMAND", "GETKEYS"));
            argv.addAll(List.of((Object[]) e.getKey().split(" ")));
            assertEquals(e.getValue(), s.call(argv.toArray()).plain(), e.getKey());
        }
        assertErrorStartsWith("ERR", s.call("COMMAND", "GETKEYS", "TS.MRANGE", "-", "+", "FILTER", "a=b"));
        if (tsCommands(s).contains("ts.nrange"))
            assertEquals(List.of("a", "b"), s.call("COMMAND", "GETKEYS", "TS.NRANGE", "2", "a", "b", "-", "+").plain());

        // the flags: reads are RO, writes RW (seen through ACL read/write key permissions below too)
        Resp.Arr info = (Resp.Arr) ((Resp.Arr) s.call("COMMAND", "INFO", "TS.RANGE")).get(0);
        Map<String, Resp.Reply> spec = pairs(((Resp.Arr) info.get(8)).get(0));
        assertEquals(List.of("RO", "access"), spec.get("flags").plain());
        info = (Resp.Arr) ((Resp.Arr) s.call("COMMAND", "INFO", "TS.MADD")).get(0);
        spec = pairs(((Resp.Arr) info.get(8)).get(0));
        assertEquals(List.of("RW", "insert"), spec.get("flags").plain());
        assertEquals(Map.of("lastkey", -1L, "keystep", 3L, "limit", 0L),
                Map.copyOf((Map<?, ?>) toMap(pairs(spec.get("find_keys")).get("spec"))));
    }

    static Map<String, Object> toMap(Resp.Reply r) {
        Map<String, Object> m = new LinkedHashMap<>();
        pairs(r).forEach((k, v) -> m.put(k, v.plain()));
        return m;
    }

    @Test
    void aclCategories() {
        ValkeyServer s = valkey.server();
        assertTrue(((List<?>) s.call("ACL", "CAT").plain()).contains("timeseries"));
        List<String> names = tsCommands(s);
        for (String name : names) {
            Resp.Arr info = (Resp.Arr) ((Resp.Arr) s.call("COMMAND", "INFO", name)).get(0);
            List<?> cats = (List<?>) info.get(6).plain();
            boolean write = ((List<?>) info.get(2).plain()).contains("write");
            assertTrue(cats.contains(write ? "@write" : "@read"), name + " " + cats);
            assertEquals(!INTERNAL.contains(name), cats.contains("@timeseries"), name + " " + cats);
        }
        Map<String, List<?>> cats = new LinkedHashMap<>();
        for (String name : List.of("ts.add", "ts.get", "ts.range", "ts.read", "ts.createrule"))
            cats.put(name, (List<?>) ((Resp.Arr) ((Resp.Arr) s.call("COMMAND", "INFO", name)).get(0)).get(6).plain());
        assertEquals(List.of("@write", "@slow", "@timeseries"), cats.get("ts.add"));
        assertEquals(List.of("@read", "@fast", "@timeseries"), cats.get("ts.get"));
        assertEquals(List.of("@read", "@slow", "@timeseries"), cats.get("ts.range"));
        assertEquals(List.of("@read", "@timeseries"), cats.get("ts.read"));
        assertEquals(List.of("@write", "@fast", "@timeseries"), cats.get("ts.createrule"));
        // Valkey 8.0's ACL CAT <category> leaves module commands out; later servers list ours
        List<?> listed = (List<?>) s.call("ACL", "CAT", "timeseries").plain();
        if (!listed.isEmpty()) {
            List<String> expected = new ArrayList<>(names);
            expected.removeAll(INTERNAL);
            assertEquals(expected, listed.stream().map(o -> ((String) o).toLowerCase()).sorted().toList());
        }
    }

    @Test
    void aUserWithTimeseriesRunsTsCommandsOnly() {
        ValkeyServer s = valkey.server();
        assertOk(s.call("ACL", "SETUSER", "tsuser", "on", ">pw", "+@timeseries", "~*"));
        assertOk(s.call("ACL", "SETUSER", "tsread", "on", ">pw", "+@timeseries", "-@write", "~*"));
        assertOk(s.call("ACL", "SETUSER", "rokeys", "on", ">pw", "+@timeseries", "%R~*"));
        try (Resp c = s.resp()) {
            assertOk(c.call("AUTH", "tsuser", "pw"));
            assertEquals(new Resp.Int(1), c.call("TS.ADD", "k", 1, 1));
            assertEquals(1, array(c.call("TS.RANGE", "k", "-", "+")).size());
            assertEquals(1, array(c.call("TS.READ", "k", 0)).size());
            assertNotNull(c.call("TS.QUERYINDEX", "a=b"));
            assertErrorStartsWith("NOPERM", c.call("GET", "k"));
            assertErrorStartsWith("NOPERM", c.call("SET", "x", "1"));
            assertErrorStartsWith("NOPERM", c.call("TS._DEBUG", "NULLCHECK"));
        }
        try (Resp c = s.resp()) {
            assertOk(c.call("AUTH", "tsread", "pw"));
            assertEquals(1, array(c.call("TS.RANGE", "k", "-", "+")).size());
            assertErrorStartsWith("NOPERM", c.call("TS.ADD", "k", 2, 1));
        }
        try (Resp c = s.resp()) { // read-only key permission: the key specs tell reads from writes
            assertOk(c.call("AUTH", "rokeys", "pw"));
            assertEquals(2, array(c.call("TS.GET", "k")).size());
            assertEquals(1, array(c.call("TS.READ", "k", 0)).size());
            assertErrorStartsWith("NOPERM", c.call("TS.ADD", "k", 2, 1));
            assertErrorStartsWith("NOPERM", c.call("TS.MADD", "k", 2, 1));
        }
    }
}
