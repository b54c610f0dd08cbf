package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import java.io.IOException;
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
                    .config("cluster-node-timeout", "3000").start());
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
}
