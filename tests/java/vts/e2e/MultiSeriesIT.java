package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TS.MGET, TS.MRANGE/MREVRANGE (raw, aggregated, GROUPBY/REDUCE), TS.QUERYINDEX,
 * TS.QUERYLABELS, TS.CARD, TS.MDEL: reply shapes in RESP2 and RESP3, random filters against
 * a brute-force scan, errors, ACL, and TS.MDEL replication.
 */
class MultiSeriesIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension().flushAllBeforeEach();

    static Resp.Reply call(Object... a) { return valkey.server().call(a); }

    static Resp.Reply call3(Object... a) { return valkey.server().call3(a); }

    static void ok(Resp.Reply r) {
        if (r instanceof Resp.Err e) throw new AssertionError(e.message());
    }

    private static void sample3() {
        ok(call("TS.CREATE", "ts1", "LABELS", "metric", "cpu", "name", "system", "team", "NY"));
        ok(call("TS.CREATE", "ts2", "LABELS", "metric", "cpu", "name", "user", "team", "SF"));
        ok(call("TS.CREATE", "ts3", "LABELS", "metric", "mem", "name", "user"));
        ok(call("TS.MADD", "ts1", "1000", "90", "ts1", "2000", "45", "ts2", "1000", "99", "ts3", "1500", "7"));
    }

    @Test
    void mgetShapes() {
        sample3();
        assertEquals(List.of(List.of("ts1", List.of(), List.of(2000L, "45")), List.of("ts2", List.of(), List.of(1000L, "99"))),
                call("TS.MGET", "FILTER", "metric=cpu").plain());
        assertEquals(List.of(List.of("ts1", List.of(List.of("team", "NY"), java.util.Arrays.asList("nope", null)), List.of(2000L, "45"))),
                call("TS.MGET", "SELECTED_LABELS", "team", "nope", "FILTER", "name=system").plain());
        Resp.MapReply m = (Resp.MapReply) call3("TS.MGET", "WITHLABELS", "FILTER", "metric=cpu");
        assertEquals(List.of("ts1", "ts2"), m.keys());
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("metric", "cpu");
        labels.put("name", "system");
        labels.put("team", "NY");
        assertEquals(List.of(labels, List.of(2000L, 45.0)), m.get("ts1").plain());
        ok(call("TS.CREATE", "empty", "LABELS", "metric", "cpu"));
        assertEquals(List.of("empty", List.of(), List.of()), ((Resp.Arr) call("TS.MGET", "FILTER", "metric=cpu")).get(0).plain());
    }

    @Test
    void mrangeShapes() {
        sample3();
        assertEquals(List.of(
                        List.of("ts1", List.of(List.of("team", "NY")), List.of(List.of(1000L, "90"), List.of(2000L, "45"))),
                        List.of("ts2", List.of(List.of("team", "SF")), List.of(List.of(1000L, "99")))),
                call("TS.MRANGE", "-", "+", "SELECTED_LABELS", "team", "FILTER", "metric=cpu").plain());
        assertEquals(List.of(List.of("ts1", List.of(), List.of(List.of(2000L, "45"))),
                        List.of("ts2", List.of(), List.of(List.of(1000L, "99")))),
                call("TS.MREVRANGE", "-", "+", "COUNT", "1", "FILTER", "metric=cpu").plain());
        // aggregation, several aggregators
        assertEquals(List.of(List.of("ts1", List.of(), List.of(List.of(0L, "67.5", "90"))),
                        List.of("ts2", List.of(), List.of(List.of(0L, "99", "99")))),
                call("TS.MRANGE", "-", "+", "AGGREGATION", "avg,max", "10000", "FILTER", "metric=cpu").plain());
        Resp.MapReply m = (Resp.MapReply) call3("TS.MRANGE", "-", "+", "AGGREGATION", "avg,max", "10000", "FILTER", "metric=cpu");
        assertEquals(List.of(Map.of(), Map.of("aggregators", List.of("avg", "max")), List.of(List.of(0L, 67.5, 90.0))),
                m.get("ts1").plain());
        m = (Resp.MapReply) call3("TS.MRANGE", "-", "+", "FILTER", "metric=cpu");
        assertEquals(List.of(Map.of(), Map.of("aggregators", List.of()), List.of(List.of(1000L, 99.0))), m.get("ts2").plain());
    }

    @Test
    void groupByShapes() {
        sample3();
        // the reference's example: GROUPBY name REDUCE max
        assertEquals(List.of(
                        List.of("name=system", List.of(List.of("name", "system"), List.of("__reducer__", "max"),
                                List.of("__source__", "ts1")), List.of(List.of(1000L, "90"), List.of(2000L, "45"))),
                        List.of("name=user", List.of(List.of("name", "user"), List.of("__reducer__", "max"),
                                List.of("__source__", "ts2,ts3")), List.of(List.of(1000L, "99"), List.of(1500L, "7")))),
                call("TS.MRANGE", "-", "+", "WITHLABELS", "FILTER", "name=(system,user)", "GROUPBY", "name", "REDUCE", "max").plain());
        Resp.MapReply m = (Resp.MapReply) call3("TS.MRANGE", "-", "+", "WITHLABELS", "FILTER", "metric=cpu", "GROUPBY",
                "metric", "REDUCE", "sum");
        assertEquals(List.of("metric=cpu"), m.keys());
        assertEquals(List.of(Map.of("metric", "cpu"), Map.of("reducers", List.of("sum")), Map.of("sources", List.of("ts1", "ts2")),
                List.of(List.of(1000L, 189.0), List.of(2000L, 45.0))), m.get("metric=cpu").plain());
        // SELECTED_LABELS gives the value all sources share, null otherwise
        assertEquals(List.of(List.of("metric=cpu", List.of(List.of("metric", "cpu"), java.util.Arrays.asList("team", null)),
                        List.of(List.of(0L, "2"), List.of(1500L, "1")))),
                call("TS.MRANGE", "-", "+", "AGGREGATION", "count", "1500", "SELECTED_LABELS", "metric", "team", "FILTER",
                        "metric=cpu", "GROUPBY", "metric", "REDUCE", "sum").plain());
        // several GROUPBY labels (our extension)
        List<?> groups = (List<?>) call("TS.MRANGE", "-", "+", "FILTER", "metric=(cpu,mem)", "GROUPBY", "metric", "name",
                "REDUCE", "count").plain();
        List<Object> names = new ArrayList<>();
        for (Object g : groups) names.add(((List<?>) g).get(0));
        assertEquals(List.of("metric=cpu,name=system", "metric=cpu,name=user", "metric=mem,name=user"), names);
        // every reducer runs
        for (String red : List.of("avg", "sum", "min", "max", "range", "count", "std.p", "std.s", "var.p", "var.s",
                "countnan", "countall", "p50")) {
            Resp.Reply r = call("TS.MRANGE", "-", "+", "FILTER", "metric=cpu", "GROUPBY", "metric", "REDUCE", red);
            assertInstanceOf(Resp.Arr.class, r, red + ": " + r);
        }
        assertEquals("ERR TSDB: Invalid reducer type",
                ((Resp.Err) call("TS.MRANGE", "-", "+", "FILTER", "metric=cpu", "GROUPBY", "metric", "REDUCE", "first")).message());
    }

    @Test
    void queryIndexLabelsCard() {
        sample3();
        assertEquals(List.of("ts1", "ts2"), call("TS.QUERYINDEX", "metric=cpu").plain());
        Resp.Reply set = call3("TS.QUERYINDEX", "metric=cpu");
        assertEquals('~', ((Resp.Arr) set).kind());
        assertEquals(List.of("metric", "name", "team"), call("TS.QUERYLABELS", "LABELS").plain());
        assertEquals(List.of("NY", "SF"), call("TS.QUERYLABELS", "VALUES", "team").plain());
        assertEquals(List.of("user"), call("TS.QUERYLABELS", "VALUES", "name", "FILTER", "metric=mem").plain());
        assertEquals(List.of(), call("TS.QUERYLABELS", "VALUES", "nosuch").plain());
        assertEquals(3L, call("TS.CARD").plain());
        assertEquals(2L, call("TS.CARD", "FILTER", "name=user").plain());
        assertEquals(List.of(), call("TS.QUERYINDEX", "cpu{}").plain(), "no series has a __name__ label");
        assertEquals(List.of("ts2", "ts3"), call("TS.QUERYINDEX", "{name=\"user\", team!=\"NY\"}").plain());
        assertEquals(List.of("ts1", "ts2"), call("TS.QUERYINDEX", "team=~N.|S.").plain());
        assertEquals(List.of("ts2", "ts3"), call("TS.QUERYINDEX", "name=user", "team!~NY").plain());
    }

    @Test
    void badInput() {
        sample3();
        ok(call("TS.CREATE", "evil", "LABELS", "metric", "cpu", "name", "s".repeat(28) + "!"));
        String[][] cases = {
            {"ERR TSDB: please provide at least one matcher", "TS.QUERYINDEX", "a!=b"},
            {"ERR TSDB: failed parsing labels", "TS.QUERYINDEX", "nolabel"},
            {"ERR TSDB: failed parsing labels", "TS.QUERYINDEX", "a=(b,c"},
            {"ERR TSDB: failed parsing labels", "TS.QUERYINDEX", "{a=\"b}"},
            {"ERR TSDB: failed parsing labels", "TS.QUERYINDEX", "m{a=\"b\""},
            {"ERR TSDB: invalid regex", "TS.QUERYINDEX", "a=~(b"},
            {"ERR TSDB: missing FILTER argument", "TS.MRANGE", "-", "+", "WITHLABELS"},
            {"ERR TSDB: unknown argument", "TS.MGET", "BOGUS", "FILTER", "a=b"},
            {"ERR TSDB: invalid subtype", "TS.QUERYLABELS", "NAMES"},
            {"ERR TSDB: missing label after VALUES", "TS.QUERYLABELS", "VALUES"},
            {"ERR TSDB: unknown argument", "TS.QUERYLABELS", "LABELS", "x"},
            {"ERR TSDB: unknown argument", "TS.CARD", "x"},
            {"ERR TSDB: missing labels for filter argument", "TS.CARD", "FILTER"},
            {"ERR TSDB: missing FILTER argument", "TS.MDEL", "1", "2", "x"},
            {"ERR TSDB: wrong fromTimestamp", "TS.MDEL", "x", "2", "FILTER", "a=b"},
            {"ERR wrong number of arguments", "TS.MDEL", "FILTER"},
            {"ERR TSDB: GROUPBY should always come after filter", "TS.MRANGE", "-", "+", "GROUPBY", "a", "REDUCE", "max", "FILTER", "a=b"},
            {"ERR TSDB: regex matching exceeded", "TS.QUERYINDEX", "metric=cpu", "name=~(.*s){14}"},
        };
        for (String[] c : cases) {
            Object[] cmd = new Object[c.length - 1];
            System.arraycopy(c, 1, cmd, 0, cmd.length);
            Resp.Reply r = call(cmd);
            assertInstanceOf(Resp.Err.class, r, java.util.Arrays.toString(cmd) + " -> " + r);
            assertTrue(((Resp.Err) r).message().startsWith(c[0]), java.util.Arrays.toString(cmd) + " -> " + r);
        }
        assertTrue(valkey.server().ping());
    }

    // -------------------------------------------------------------- random filters vs brute force

    private static final String[] NAMES = {"host", "region", "metric", "dc"};
    private static final String[] VALUES = {"a", "b", "c", "ab", "a1", "zz"};

    @Test
    void randomFiltersEqualBruteForce() {
        Random rnd = new Random(99);
        Map<String, Map<String, String>> model = new HashMap<>();
        try (Resp r = valkey.server().resp()) {
            for (int i = 0; i < 300; i++) {
                Map<String, String> labels = new LinkedHashMap<>();
                List<Object> cmd = new ArrayList<>(List.of("TS.ADD", "s" + i, String.valueOf(1000 + i), String.valueOf(i), "LABELS"));
                for (String n : NAMES) {
                    if (rnd.nextInt(3) == 0) continue;
                    String v = VALUES[rnd.nextInt(VALUES.length)];
                    labels.put(n, v);
                    cmd.add(n);
                    cmd.add(v);
                }
                if (labels.isEmpty()) {
                    labels.put("host", "a");
                    cmd.addAll(List.of("host", "a"));
                }
                r.send(cmd.toArray());
                model.put("s" + i, labels);
            }
            for (int i = 0; i < 300; i++) ok(r.read());
        }
        for (int q = 0; q < 300; q++) {
            List<String> filter = new ArrayList<>();
            int n = 1 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) filter.add(randomMatcher(rnd));
            Object[] cmd = new Object[filter.size() + 1];
            cmd[0] = "TS.QUERYINDEX";
            for (int i = 0; i < filter.size(); i++) cmd[i + 1] = filter.get(i);
            Resp.Reply got = call(cmd);
            if (got instanceof Resp.Err e) {
                assertTrue(e.message().contains("at least one matcher"), filter + " -> " + e);
                continue;
            }
            TreeSet<String> expected = new TreeSet<>();
            for (var e : model.entrySet()) {
                if (brute(e.getValue(), filter)) expected.add(e.getKey());
            }
            assertEquals(new ArrayList<>(expected), got.plain(), filter.toString());
            // MGET agrees with QUERYINDEX
            Object[] mget = new Object[filter.size() + 2];
            mget[0] = "TS.MGET";
            mget[1] = "FILTER";
            for (int i = 0; i < filter.size(); i++) mget[i + 2] = filter.get(i);
            List<Object> mgetKeys = new ArrayList<>();
            for (Object row : (List<?>) call(mget).plain()) mgetKeys.add(((List<?>) row).get(0));
            assertEquals(new ArrayList<>(expected), mgetKeys, "MGET " + filter);
        }
    }

    private static String randomMatcher(Random rnd) {
        String l = NAMES[rnd.nextInt(NAMES.length)];
        String v = VALUES[rnd.nextInt(VALUES.length)];
        String v2 = VALUES[rnd.nextInt(VALUES.length)];
        return switch (rnd.nextInt(9)) {
            case 0, 1 -> l + "=" + v;
            case 2 -> l + "!=" + v;
            case 3 -> l + "=";
            case 4 -> l + "!=";
            case 5 -> l + "=(" + v + "," + v2 + ")";
            case 6 -> l + "!=(" + v + "," + v2 + ")";
            case 7 -> l + "=~" + List.of("a.*", ".*b", "a|zz", "[a-c]", ".*").get(rnd.nextInt(5));
            default -> l + "!~" + List.of("a.*", "b", "", "z+").get(rnd.nextInt(4));
        };
    }

    private static boolean brute(Map<String, String> labels, List<String> filter) {
        for (String f : filter) {
            boolean ok;
            int rx = f.indexOf("=~"), nrx = f.indexOf("!~");
            if (nrx > 0) {
                ok = !labels.getOrDefault(f.substring(0, nrx), "").matches(f.substring(nrx + 2));
            } else if (rx > 0) {
                ok = labels.getOrDefault(f.substring(0, rx), "").matches(f.substring(rx + 2));
            } else {
                boolean not = f.contains("!=");
                int at = f.indexOf(not ? "!=" : "=");
                String v = labels.get(f.substring(0, at));
                String want = f.substring(at + (not ? 2 : 1));
                boolean in;
                if (want.isEmpty()) in = v == null;
                else if (want.startsWith("(")) in = v != null && List.of(want.substring(1, want.length() - 1).split(",")).contains(v);
                else in = want.equals(v);
                ok = not ? !in : in;
            }
            if (!ok) return false;
        }
        return true;
    }

    // -------------------------------------------------------------- ACL

    @Test
    void aclHidesUnreadableSeries() {
        sample3();
        ok(call("ACL", "SETUSER", "limited", "on", "nopass", "+@all", "~ts1", "~ts3"));
        try (Resp r = valkey.server().resp()) {
            ok(r.call("AUTH", "limited", "x"));
            String noperm = "NOPERM TSDB: current user doesn't have read permission to one or more keys that match the specified filter";
            assertEquals(new Resp.Err(noperm), r.call("TS.MGET", "FILTER", "metric=cpu"));
            assertEquals(new Resp.Err(noperm), r.call("TS.MRANGE", "-", "+", "FILTER", "metric=cpu"));
            assertEquals(new Resp.Err(noperm), r.call("TS.QUERYINDEX", "metric=cpu"));
            assertEquals(List.of("ts1", "ts3"), r.call("TS.QUERYINDEX", "metric=(cpu,mem)", "team!=SF").plain());
            assertEquals(List.of("NY"), r.call("TS.QUERYLABELS", "VALUES", "team").plain());
            assertEquals(List.of("system", "user"), r.call("TS.QUERYLABELS", "VALUES", "name").plain());
            assertInstanceOf(Resp.Err.class, r.call("TS.MDEL", "FILTER", "metric=cpu"));
            assertEquals(3L, call("TS.CARD").plain(), "nothing was deleted");
        } finally {
            call("ACL", "DELUSER", "limited");
        }
    }

    // -------------------------------------------------------------- TS.MDEL

    @Test
    void mdelReplicatesAsDelAndTsDel() {
        ValkeyServer primary = valkey.server();
        ValkeyServer replica = valkey.track(ValkeyServer.builder().replicaOf(primary).start());
        replica.await("link up", Duration.ofSeconds(30), () -> "up".equals(replica.info("replication", "master_link_status")));
        sample3();
        assertEquals(2L, call("TS.MDEL", "1000", "1000", "FILTER", "metric=cpu").plain());
        assertEquals(List.of(List.of(2000L, "45")), call("TS.RANGE", "ts1", "-", "+").plain());
        assertEquals(1L, call("TS.MDEL", "FILTER", "name=system").plain());
        assertEquals(0L, call("TS.MDEL", "FILTER", "name=system").plain());
        assertEquals(1L, call("WAIT", "1", "5000").plain());
        assertEquals(List.of("ts2", "ts3"), replica.call("TS.QUERYINDEX", "name=(user,system)").plain());
        assertEquals(List.of(), replica.call("TS.RANGE", "ts2", "-", "+").plain());
        assertEquals(List.of(List.of(1500L, "7")), replica.call("TS.RANGE", "ts3", "-", "+").plain());
        assertEquals(2L, replica.call("TS.CARD").plain());
    }
}
