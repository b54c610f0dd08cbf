package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A 3-primary cluster (no replicas) on loopback ports and one plain server hold the same
 * series; every multi-series command sent to each cluster node answers exactly what the
 * single server answers, RESP2 and RESP3.
 */
class ClusterFanoutIT {
    static final List<ValkeyServer> NODES = new ArrayList<>();
    static ValkeyServer single;

    /** Starts n cluster-enabled servers, splits the slots evenly, joins them and waits for cluster_state:ok. */
    static List<ValkeyServer> startCluster(int n) {
        List<ValkeyServer> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nodes.add(ValkeyServer.builder().config("cluster-enabled", "yes")
                    .config("cluster-port", Integer.toString(freePort()))
                    .config("cluster-node-timeout", "3000").config("appendonly", "yes").start());
        }
        for (int i = 0; i < n; i++) {
            int from = 16384 * i / n, to = 16384 * (i + 1) / n - 1;
            assertOk(nodes.get(i).call("CLUSTER", "ADDSLOTSRANGE", Integer.toString(from), Integer.toString(to)));
        }
        for (int i = 1; i < n; i++) {
            ValkeyServer s = nodes.get(i);
            String cport = ((Resp.Bulk) array(s.call("CONFIG", "GET", "cluster-port")).get(1)).text();
            assertOk(nodes.get(0).call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(s.port()), cport));
        }
        for (ValkeyServer s : nodes) {
            s.await("cluster_state:ok", Duration.ofSeconds(30), () -> {
                String info = text(s.call("CLUSTER", "INFO"));
                return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + n);
            });
        }
        return nodes;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The cluster node that serves key (by CLUSTER KEYSLOT and the even split). */
    static ValkeyServer owner(String key) {
        long slot = integer(NODES.get(0).call("CLUSTER", "KEYSLOT", key));
        return NODES.get((int) (slot * NODES.size() / 16384));
    }

    /** Runs a write on the single server and on the key's cluster node; both must answer the same. */
    static void write(String key, Object... args) {
        Resp.Reply a = single.call(args);
        Resp.Reply b = owner(key).call(args);
        assertEquals(a, b, () -> "write " + List.of(args));
    }

    @BeforeAll
    static void start() {
        NODES.addAll(startCluster(3));
        single = ValkeyServer.start();
        Random rnd = new Random(42);
        String[] colors = {"red", "green", "blue"};
        for (int i = 0; i < 60; i++) {
            String key = (i % 7 == 0 ? "{grp}:" : "s:") + i;
            write(key, "TS.CREATE", key, "LABELS", "kind", i % 2 == 0 ? "even" : "odd", "color", colors[i % 3],
                    "idx", Integer.toString(i));
            int samples = i % 10 == 9 ? 0 : 5 + rnd.nextInt(20);
            for (int t = 0; t < samples; t++) {
                String ts = Long.toString(1000L + t * 1000L + rnd.nextInt(500));
                String v = Double.toString(Math.round(rnd.nextGaussian() * 1000) / 7.0);
                write(key, "TS.ADD", key, ts, v, "ON_DUPLICATE", "LAST");
            }
        }
    }

    @AfterAll
    static void stop() {
        for (ValkeyServer s : NODES) s.close();
        if (single != null) single.close();
    }

    static final List<String[]> QUERIES = List.of(
            new String[] {"TS.QUERYINDEX", "kind=even"},
            new String[] {"TS.QUERYINDEX", "kind=(even,odd)", "color!=red"},
            new String[] {"TS.QUERYINDEX", "idx=999"},
            new String[] {"TS.CARD"},
            new String[] {"TS.CARD", "FILTER", "color=blue"},
            new String[] {"TS.QUERYLABELS", "LABELS"},
            new String[] {"TS.QUERYLABELS", "VALUES", "color", "FILTER", "kind=odd"},
            new String[] {"TS.MGET", "FILTER", "kind=even"},
            new String[] {"TS.MGET", "WITHLABELS", "FILTER", "color=(red,blue)"},
            new String[] {"TS.MGET", "SELECTED_LABELS", "color", "nope", "FILTER", "kind=odd"},
            new String[] {"TS.MRANGE", "-", "+", "FILTER", "kind=even"},
            new String[] {"TS.MRANGE", "-", "+", "WITHLABELS", "COUNT", "3", "FILTER", "color=green"},
            new String[] {"TS.MREVRANGE", "2000", "9000", "SELECTED_LABELS", "kind", "FILTER", "idx!=3", "color!=green", "kind=(even,odd)"},
            new String[] {"TS.MRANGE", "-", "+", "AGGREGATION", "avg", "3000", "FILTER", "kind=(even,odd)"},
            new String[] {"TS.MRANGE", "-", "+", "AGGREGATION", "max", "5000", "FILTER", "kind=(even,odd)", "GROUPBY",
                "color", "REDUCE", "sum"},
            new String[] {"TS.MREVRANGE", "-", "+", "WITHLABELS", "FILTER", "color=(red,green)", "GROUPBY", "kind",
                "REDUCE", "avg"},
            new String[] {"TS.MRANGE", "-", "+", "FILTER_BY_VALUE", "-50", "50", "FILTER", "kind=odd", "GROUPBY", "color",
                "REDUCE", "std.s"});

    @Test
    void everyReadFromEveryNodeIsTheSingleNodesReply() {
        for (String[] q : QUERIES) {
            Resp.Reply want2 = single.call((Object[]) q);
            Resp.Reply want3 = single.call3((Object[]) q);
            assertTrue(!(want2 instanceof Resp.Err), () -> "reference failed: " + List.of(q) + " " + want2);
            for (ValkeyServer node : NODES) {
                assertEquals(want2, node.call((Object[]) q), () -> "RESP2 " + List.of(q) + " on " + node.port());
                assertEquals(want3, node.call3((Object[]) q), () -> "RESP3 " + List.of(q) + " on " + node.port());
            }
        }
    }

    @Test
    void aStableClusterNeverAsksTwice() {
        for (ValkeyServer node : NODES) {
            for (String[] q : QUERIES) node.call((Object[]) q);
            String stats = ((Resp.Bulk) node.call("TS._DEBUG", "CLUSTERSTATS")).text();
            assertTrue(stats.contains("cluster_retries:0\r\n"), stats);
            assertTrue(!stats.contains("cluster_commands:0\r\n"), stats);
            // the same counters in INFO timeseries, where exporters read them
            assertEquals("0", node.info("timeseries", "timeseries_cluster_retries"));
            assertTrue(Long.parseLong(node.info("timeseries", "timeseries_cluster_commands")) >= QUERIES.size());
            assertTrue(Long.parseLong(node.info("timeseries", "timeseries_cluster_bytes_received")) > 0);
            // the topology cache's reads (its behaviour: theTopologyIsReadOnlyWhenItMayHaveChanged)
            assertTrue(Long.parseLong(node.info("timeseries", "timeseries_cluster_topology_reads")) > 0);
        }
    }

    @Test
    void theTopologyIsReadOnlyWhenItMayHaveChanged() {
        ValkeyServer node = NODES.get(0);
        node.call("TS.CARD"); // the view is fresh now
        long before = clusterStat(node, "cluster_topology_reads");
        long started = System.nanoTime();
        int calls = 200;
        for (int i = 0; i < calls; i++) assertTrue(node.call("TS.CARD") instanceof Resp.Int);
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        long reads = clusterStat(node, "cluster_topology_reads") - before;
        // at most one read per 250 ms (the cache's age limit), not one per command
        assertTrue(reads <= 1 + elapsedMs / 250, reads + " reads for " + calls + " commands in " + elapsedMs + " ms");
        // a CLUSTER command that may change slots makes the next command read it again
        ValkeyServer owner = owner("{fresh}");
        assertOk(owner.call("CLUSTER", "SETSLOT", Integer.toString(LocalCluster.slot("{fresh}")), "STABLE"));
        long ownerBefore = clusterStat(owner, "cluster_topology_reads");
        owner.call("TS.CARD");
        assertTrue(clusterStat(owner, "cluster_topology_reads") > ownerBefore);
        // the bus links the nodes opened got TCP_NODELAY
        long nodelay = 0;
        for (ValkeyServer n : NODES) nodelay += clusterStat(n, "cluster_bus_nodelay_set");
        assertTrue(nodelay > 0, "bus links given TCP_NODELAY: " + nodelay);
    }

    /** A counter of TS._DEBUG CLUSTERSTATS. */
    static long clusterStat(ValkeyServer node, String name) {
        for (String line : ((Resp.Bulk) node.call("TS._DEBUG", "CLUSTERSTATS")).text().split("\r\n")) {
            if (line.startsWith(name + ":")) return Long.parseLong(line.substring(name.length() + 1));
        }
        throw new AssertionError(name + " missing from TS._DEBUG CLUSTERSTATS");
    }

    @Test
    void badInputFailsBeforeAnyFanOut() {
        String[] q = {"TS.MRANGE", "-", "+", "AGGREGATION", "nosuch", "10", "FILTER", "kind=even"};
        Resp.Reply want = single.call((Object[]) q);
        assertInstanceOf(Resp.Err.class, want);
        assertEquals(want, NODES.get(1).call((Object[]) q));
    }

    @Test
    void insideMultiItIsRefused() {
        try (Resp r = NODES.get(0).resp()) {
            assertOk(r.call("MULTI"));
            r.call("TS.CARD");
            Resp.Reply exec = r.call("EXEC");
            Resp.Arr items = array(exec);
            assertInstanceOf(Resp.Err.class, items.get(0));
        }
    }

    /** A node's own id (40 characters). */
    static String myId(ValkeyServer s) {
        return ((Resp.Bulk) s.call("CLUSTER", "MYID")).text();
    }

    static void signal(ValkeyServer s, String sig) {
        try {
            assertEquals(0, new ProcessBuilder("kill", "-" + sig, Long.toString(s.pid())).start().waitFor());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aShardThatDoesNotAnswerFailsTheQueryByNameAndOthersAreServedMeanwhile() {
        ValkeyServer coordinator = NODES.get(0), silent = NODES.get(2);
        assertOk(coordinator.call("CONFIG", "SET", "timeseries.ts-cluster-timeout", "700"));
        String silentId = myId(silent);
        signal(silent, "STOP");
        try (Resp waiting = coordinator.resp(); Resp other = coordinator.resp()) {
            long t0 = System.nanoTime();
            waiting.send("TS.CARD");
            // the client waits, the server does not
            assertEquals("PONG", ((Resp.Simple) other.call("PING")).text());
            assertTrue(System.nanoTime() - t0 < 500_000_000L, "PING answered while TS.CARD waits");
            Resp.Reply r = waiting.read();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertError("ERR TSDB: cluster shard " + silentId + " 127.0.0.1:" + silent.port()
                    + " did not answer within 700 ms", r);
            assertTrue(ms >= 650 && ms < 5000, "answered after " + ms + " ms");
        } finally {
            signal(silent, "CONT");
            assertOk(coordinator.call("CONFIG", "SET", "timeseries.ts-cluster-timeout", "5000"));
        }
        assertEquals(single.call("TS.CARD"), coordinator.call("TS.CARD"), "complete again once it answers");
    }

    @Test
    void aclOfTheCallingUserAppliesOnEveryShard() {
        List<ValkeyServer> all = new ArrayList<>(NODES);
        all.add(single);
        for (ValkeyServer s : all) assertOk(s.call("ACL", "SETUSER", "lim", "on", ">pw", "+@all", "~s:*"));
        try {
            for (String[] q : List.of(new String[] {"TS.MGET", "FILTER", "kind=even"},
                    new String[] {"TS.QUERYINDEX", "color=red"}, new String[] {"TS.QUERYLABELS", "VALUES", "idx"},
                    new String[] {"TS.MRANGE", "-", "+", "FILTER", "idx=(1,2,3)"}, new String[] {"TS.CARD"})) {
                Resp.Reply want;
                try (Resp r = single.resp()) {
                    assertOk(r.call("AUTH", "lim", "pw"));
                    want = r.call((Object[]) q);
                }
                for (ValkeyServer node : NODES) {
                    try (Resp r = node.resp()) {
                        assertOk(r.call("AUTH", "lim", "pw"));
                        assertEquals(want, r.call((Object[]) q), () -> List.of(q) + " on " + node.port());
                    }
                }
            }
            // a user the coordinator knows but a shard does not: an error, never an unchecked read
            assertEquals(1L, integer(NODES.get(1).call("ACL", "DELUSER", "lim")));
            try (Resp r = NODES.get(0).resp()) {
                assertOk(r.call("AUTH", "lim", "pw"));
                assertErrorStartsWith("ERR TSDB: no ACL user 'lim'", r.call("TS.QUERYINDEX", "idx=1"));
            }
        } finally {
            for (ValkeyServer s : all) s.call("ACL", "DELUSER", "lim");
        }
    }

    @Test
    void mdelDeletesOnEveryShardAndThroughTheirAof() throws IOException {
        for (int i = 0; i < 12; i++) {
            String key = "del:" + i;
            write(key, "TS.CREATE", key, "LABELS", "grp", "del", "half", Integer.toString(i % 2));
            for (int t = 1; t <= 5; t++) write(key, "TS.ADD", key, Integer.toString(t * 10), Integer.toString(t));
        }
        String[] ranged = {"TS.MDEL", "20", "30", "FILTER", "grp=del", "half=1"};
        assertEquals(single.call((Object[]) ranged), NODES.get(1).call((Object[]) ranged));
        String[] whole = {"TS.MDEL", "FILTER", "grp=del", "half=0"};
        Resp.Reply want = single.call((Object[]) whole);
        assertEquals(6L, integer(want));
        assertEquals(want, NODES.get(2).call((Object[]) whole));
        for (String[] q : List.of(new String[] {"TS.QUERYINDEX", "grp=del"},
                new String[] {"TS.MRANGE", "-", "+", "FILTER", "grp=del"})) {
            for (ValkeyServer node : NODES) assertEquals(single.call((Object[]) q), node.call((Object[]) q));
        }
        // each shard wrote its own deletions to its AOF (so its replicas and a restart see them)
        ValkeyServer holder = owner("del:0");
        String aof = aofText(holder);
        assertTrue(aof.contains("del:0"), "the AOF of the shard holding del:0 records its deletion");
        for (int i = 0; i < 12; i += 2) {
            String key = "del:" + i;
            assertEquals(0L, integer(owner(key).call("EXISTS", key)), key);
        }
    }

    static String aofText(ValkeyServer s) throws IOException {
        StringBuilder out = new StringBuilder();
        try (var files = Files.walk(s.dir())) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".incr.aof")).toList()) {
                out.append(new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        return out.toString();
    }

    @Test
    void anAnswerOfManyPiecesIsReassembled() {
        // 100000 samples in one series on another node than the coordinator: 1.6 MB, ~150 pieces of 11 KB,
        // at most 1 MB in flight, acknowledged every 256 KB
        String key = "big:1";
        ValkeyServer holder = owner(key);
        ValkeyServer coordinator = NODES.stream().filter(n -> n != holder).findFirst().orElseThrow();
        write(key, "TS.CREATE", key, "LABELS", "size", "big");
        for (int b = 0; b < 100; b++) {
            List<Object> args = new ArrayList<>();
            args.add("TS.MADD");
            for (int i = 0; i < 1000; i++) {
                args.add(key);
                args.add(Long.toString(1_000_000L + b * 1000L + i));
                args.add(Double.toString((b * 1000 + i) * 0.37));
            }
            write(key, args.toArray());
        }
        String[] q = {"TS.MRANGE", "-", "+", "WITHLABELS", "FILTER", "size=big"};
        Resp.Reply want = single.call((Object[]) q);
        assertEquals(want, coordinator.call((Object[]) q));
        assertEquals(single.call3((Object[]) q), coordinator.call3((Object[]) q));
    }

    @Test
    void keysOfOneCommandMustShareASlot() {
        ValkeyServer n = NODES.get(0);
        assertErrorStartsWith("CROSSSLOT", n.call("TS.MADD", "a", "1", "1", "b", "1", "1"));
        assertErrorStartsWith("CROSSSLOT", n.call("TS.CREATERULE", "a", "b", "AGGREGATION", "avg", "10"));
    }

    @Test
    void policyDestinationsLandInTheSourcesSlot() {
        for (ValkeyServer s : NODES) assertOk(s.call("CONFIG", "SET", "timeseries.ts-compaction-policy", "avg:1M:0"));
        try {
            for (String[] c : List.of(new String[] {"plain:7", "{plain:7}_AVG_60000"},
                    new String[] {"{dev}cpu", "{dev}cpu_AVG_60000"})) {
                ValkeyServer holder = owner(c[0]);
                assertEquals(1000L, integer(holder.call("TS.ADD", c[0], "1000", "1")));
                assertEquals(integer(holder.call("CLUSTER", "KEYSLOT", c[0])),
                        integer(holder.call("CLUSTER", "KEYSLOT", c[1])), c[1]);
                assertEquals(1L, integer(holder.call("EXISTS", c[1])), c[1] + " created beside " + c[0]);
                assertTrue(array(NODES.get(0).call("TS.QUERYINDEX", "aggregation=AVG")).items()
                        .contains(new Resp.Bulk(c[1].getBytes(java.nio.charset.StandardCharsets.UTF_8))), c[1]);
            }
        } finally {
            for (ValkeyServer s : NODES) s.call("CONFIG", "SET", "timeseries.ts-compaction-policy", "");
            for (String k : List.of("plain:7", "{plain:7}_AVG_60000", "{dev}cpu", "{dev}cpu_AVG_60000")) {
                owner(k).call("DEL", k);
            }
        }
    }
}
