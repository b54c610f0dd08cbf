package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Valkey Cluster answers every multi-series command exactly as one server holding all the
 * data: the same random data set is written to a 3-primary, 3-replica cluster and to a single
 * node, then random TS.MGET, TS.MRANGE, TS.MREVRANGE, TS.QUERYINDEX, TS.QUERYLABELS and TS.CARD
 * queries (every filter form, every aggregator and reducer, every option), valid and invalid,
 * go to every node of the cluster, primaries and replicas, in RESP2 and RESP3; each reply must
 * be byte for byte the single node's. Then the same for a user whose ACL allows only keys
 * {@code a*}, and TS.MDEL through the cluster's primaries (a replica refuses TS.MDEL with
 * READONLY, as every write).
 *
 * <p>{@code -Dvts.clusterSeed=N} repeats a run; {@code -Dvts.clusterQueries=N} changes its
 * length; {@code -Dvts.clusterPrimaries=1} checks the test itself (one shard holds all the data,
 * so every reply must match even without any fan-out). The seed is printed at the start and in every failure.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    @RegisterExtension
    static final ServerExtension single = new ServerExtension();

    static final long SEED = Long.getLong("vts.clusterSeed", System.nanoTime());
    static final int QUERIES = Integer.getInteger("vts.clusterQueries", 100);
    /** 1 primary checks the test itself: one shard holds everything, so it must pass without any fan-out. */
    static final int PRIMARIES = Integer.getInteger("vts.clusterPrimaries", 3);

    static LocalCluster cluster;
    static final List<Conn> conns = new ArrayList<>();
    static Data data;

    /** One connection to one server in one protocol, optionally as a user. */
    record Conn(String name, ValkeyServer server, int protocol, boolean replica, RawResp raw) {
        static Conn open(String name, ValkeyServer s, boolean replica, int protocol, String user) {
            RawResp r = new RawResp(s, protocol);
            if (user != null) {
                byte[] ok = r.call("AUTH", user, "pw");
                if (!new String(ok, StandardCharsets.UTF_8).equals("+OK\r\n")) {
                    throw new IllegalStateException("AUTH " + user + " on " + s + ": " + RawResp.show(ok, 200));
                }
            }
            return new Conn(name + " RESP" + protocol, s, protocol, replica, r);
        }
    }

    @BeforeAll
    static void startAndWrite() {
        System.out.println("ClusterIT seed " + SEED + " (repeat with -Dvts.clusterSeed=" + SEED + ")");
        // a node timeout well above a busy machine's pauses: no failover in this test
        cluster = LocalCluster.builder().primaries(PRIMARIES).replicasEach(1).nodeTimeout(5000).track(single).start();
        cluster.printLogsIfFails(ClusterIT::write);
    }

    static void write() {
        data = Data.generate(new Random(SEED));
        try (Resp r = single.server().resp()) {
            for (Object[] c : data.writes) r.send(c);
            for (Object[] c : data.writes) {
                Resp.Reply reply = r.read();
                if (reply instanceof Resp.Err e) throw new IllegalStateException(Arrays.toString(c) + ": " + e.message());
            }
        }
        cluster.writeAll(data.writes);
        awaitReplicas();
        conns.addAll(connections(null));
    }

    /** The single node first, then every node of the cluster, each in RESP2 and RESP3. */
    static List<Conn> connections(String user) {
        List<Conn> out = new ArrayList<>();
        for (int protocol : new int[] {2, 3}) {
            out.add(Conn.open("single node", single.server(), false, protocol, user));
            List<ValkeyServer> primaries = cluster.primaries();
            for (ValkeyServer s : cluster.nodes()) {
                boolean replica = !primaries.contains(s);
                out.add(Conn.open("cluster " + (replica ? "replica" : "primary") + " :" + s.port(), s, replica, protocol, user));
            }
        }
        return out;
    }

    static void awaitReplicas() {
        for (ValkeyServer p : cluster.primaries()) {
            Resp.Reply r = p.call("WAIT", 1, 20_000);
            assertEquals(new Resp.Int(1), r, "replica of " + p + " acknowledged the writes");
        }
    }

    @AfterAll
    static void stop() {
        for (Conn c : conns) c.raw().close();
        conns.clear();
        if (cluster != null) cluster.close();
    }

    // ------------------------------------------------------------------ the tests

    @Test
    @Order(1)
    void randomQueriesGiveTheSingleNodesReplyOnEveryNode() {
        Random rnd = new Random(SEED ^ 0x5eed);
        Tally t = new Tally();
        for (int i = 0; i < QUERIES; i++) {
            Object[] q = Queries.valid(rnd, data);
            long t0 = System.nanoTime();
            t.add(assertSameEverywhere(conns, q));
            t.time(q, System.nanoTime() - t0);
        }
        System.out.println("ClusterIT: " + t);
        // the run must have asked real questions: mostly answers with series in them
        assertTrue(t.withData > QUERIES / 2, "most random queries should select series: " + t);
    }

    @Test
    @Order(2)
    void badQueriesGiveTheSameErrors() {
        Random rnd = new Random(SEED ^ 0xbad);
        int errors = 0;
        for (Object[] q : Queries.fixedBad()) if (RawResp.isError(assertSameEverywhere(conns, q))) errors++;
        for (int i = 0; i < QUERIES / 3; i++) {
            if (RawResp.isError(assertSameEverywhere(conns, Queries.broken(rnd, data)))) errors++;
        }
        assertTrue(errors > QUERIES / 6, "most broken queries must be refused, were " + errors);
    }

    @Test
    @Order(3)
    void aclUserLimitedToAKeysGetsNopermExactlyWhenTheSingleNodeDoes() {
        List<ValkeyServer> all = new ArrayList<>(cluster.nodes());
        all.add(single.server());
        for (ValkeyServer s : all) {
            assertEquals(new Resp.Simple("OK"), s.call("ACL", "SETUSER", "apart", "on", ">pw", "+@all", "~a*"));
        }
        List<Conn> limited = connections("apart");
        try {
            Random rnd = new Random(SEED ^ 0xac1);
            int denied = 0;
            int allowed = 0;
            for (int i = 0; i < QUERIES / 3; i++) {
                Object[] q = Queries.valid(rnd, data);
                if (rnd.nextBoolean()) q = Queries.withMatcher(q, "grp=a"); // only a* keys: allowed
                byte[] r = assertSameEverywhere(limited, q);
                if (new String(r, StandardCharsets.UTF_8).startsWith("-NOPERM")) denied++;
                else if (!RawResp.isError(r)) allowed++;
            }
            // TS.MDEL needs delete permission on every matching key
            assertSameEverywhereNoWrite(limited, new Object[] {"TS.MDEL", "FILTER", "grp=b"});
            assertTrue(denied > 0 && allowed > 0, "both outcomes seen: denied " + denied + ", allowed " + allowed);
        } finally {
            for (Conn c : limited) c.raw().close();
            for (ValkeyServer s : all) s.call("ACL", "DELUSER", "apart");
        }
    }

    @Test
    @Order(4)
    void keysOfOneCommandMustShareASlot() {
        String a = "a:{x}1";
        String b = "a:{y}1";
        assertTrue(LocalCluster.slot(a) != LocalCluster.slot(b));
        ValkeyServer p = cluster.primaryFor(a);
        Resp.Reply madd = p.call("TS.MADD", a, 1, 1, b, 1, 1);
        assertTrue(madd instanceof Resp.Err e && e.message().startsWith("CROSSSLOT"), "TS.MADD across slots: " + madd);
        Resp.Reply rule = p.call("TS.CREATERULE", a, b, "AGGREGATION", "avg", 1000);
        assertTrue(rule instanceof Resp.Err e && e.message().startsWith("CROSSSLOT"), "TS.CREATERULE across slots: " + rule);
        assertEquals(new Resp.Int(0), cluster.routed("EXISTS", a), "nothing was written");
    }

    @Test
    @Order(9)
    void mdelThroughTheClusterThenEveryNodeStillAgrees() {
        Random rnd = new Random(SEED ^ 0xde1);
        List<ValkeyServer> replicas = cluster.replicas();
        // a range of samples, then whole series, each through a random primary
        Object[] ranged = {"TS.MDEL", 1_200_000, 1_600_000, "FILTER", Queries.selecting(rnd, data)};
        Object[] whole = {"TS.MDEL", "FILTER", Queries.selecting(rnd, data), "region!=us"};
        Object[] none = {"TS.MDEL", "FILTER", "host=nope"};
        for (Object[] q : List.of(ranged, whole, none)) {
            byte[] expected = conns.get(0).raw().call(q);
            ValkeyServer via = cluster.primaries().get(rnd.nextInt(cluster.primaries().size()));
            byte[] actual;
            try (RawResp r = new RawResp(via, 2)) {
                actual = r.call(q);
            }
            String d = RawResp.diff(expected, actual);
            if (d != null) fail(failure(q, "cluster node :" + via.port() + " RESP2", d));
            assertTrue(!RawResp.isError(expected), "the single node deleted: " + RawResp.show(expected, 300));
        }
        // a replica refuses it as any write, and nothing changes
        long cardBefore = ((Resp.Int) single.server().call("TS.CARD")).value();
        try (RawResp r = new RawResp(replicas.get(0), 2)) {
            Object[] q = {"TS.MDEL", "FILTER", "grp=(a,b)"};
            String d = RawResp.diff(READONLY, r.call(q));
            if (d != null) fail(failure(q, "cluster replica :" + replicas.get(0).port(), d));
        }
        awaitReplicas();
        assertEquals(new Resp.Int(cardBefore), replicas.get(0).call("TS.CARD"), "the refused TS.MDEL deleted nothing");
        // every key the single node holds, and no other, is on exactly one primary
        TreeSet<String> singleKeys = keys(single.server());
        TreeSet<String> clusterKeys = new TreeSet<>();
        long total = 0;
        for (ValkeyServer p : cluster.primaries()) {
            TreeSet<String> k = keys(p);
            total += k.size();
            clusterKeys.addAll(k);
        }
        assertEquals(singleKeys, clusterKeys);
        assertEquals(singleKeys.size(), total, "no key on two primaries");
        for (ValkeyServer r : replicas) {
            assertEquals(keys(cluster.ownerOf(LocalCluster.slot(keys(r).first()))), keys(r), "replica " + r + " follows");
        }
        Object[] card = {"TS.CARD"};
        assertEquals(singleKeys.size() + "", new String(assertSameEverywhere(conns, card), StandardCharsets.UTF_8)
                .substring(1).trim(), "TS.CARD counts every series");
        for (int i = 0; i < QUERIES / 4; i++) assertSameEverywhere(conns, Queries.valid(rnd, data));
    }

    // ------------------------------------------------------------------ comparison

    /** Sends q on every connection; every reply must equal the single node's in its protocol. Returns the RESP2 reply. */
    static byte[] assertSameEverywhere(List<Conn> on, Object[] q) {
        for (Conn c : on) c.raw().send(q); // all servers work on it at once
        byte[][] replies = new byte[on.size()][];
        for (int i = 0; i < on.size(); i++) { // all read: connections stay in step
            try {
                replies[i] = on.get(i).raw().read();
            } catch (RuntimeException e) {
                throw new AssertionError("no reply from " + on.get(i).server().port() + " to " + Queries.show(q), e);
            }
        }
        byte[][] expected = new byte[4][];
        byte[] first = null;
        for (int i = 0; i < on.size(); i++) {
            Conn c = on.get(i);
            if (c.server() == single.server()) {
                expected[c.protocol()] = replies[i];
                if (first == null) first = replies[i];
                continue;
            }
            String d = RawResp.diff(expectedOn(c, q, expected[c.protocol()]), replies[i]);
            if (d != null) fail(failure(q, c.name(), d));
        }
        return first;
    }

    static final byte[] READONLY = "-READONLY You can't write against a read only replica.\r\n"
            .getBytes(StandardCharsets.UTF_8);

    /**
     * What a cluster node must answer where the single node answered {@code single}: the same,
     * except that a replica refuses TS.MDEL as it refuses every write (Valkey answers before the
     * module runs; cluster clients send writes to primaries).
     */
    static byte[] expectedOn(Conn c, Object[] q, byte[] single) {
        return c.replica() && "TS.MDEL".equalsIgnoreCase(String.valueOf(q[0])) ? READONLY : single;
    }

    /** For commands that may write: only compares the answers, asking the single node last. */
    static void assertSameEverywhereNoWrite(List<Conn> on, Object[] q) {
        Conn singleConn = on.get(0);
        byte[] expected = singleConn.raw().call(q);
        assertTrue(RawResp.isError(expected), "the single node refuses " + Arrays.toString(q));
        for (Conn c : on) {
            if (c.server() == single.server() || c.protocol() != 2) continue;
            String d = RawResp.diff(expectedOn(c, q, expected), c.raw().call(q));
            if (d != null) fail(failure(q, c.name(), d));
        }
    }

    static String failure(Object[] q, String where, String diff) {
        return "seed " + SEED + ": the reply of " + where + " differs from the single node's for\n  "
                + Queries.show(q) + "\n" + diff;
    }

    static TreeSet<String> keys(ValkeyServer s) {
        TreeSet<String> out = new TreeSet<>();
        for (Object k : (List<?>) s.call("KEYS", "*").plain()) out.add((String) k);
        return out;
    }

    /** What kind of replies a run got. */
    static final class Tally {
        int errors;
        int empty;
        int withData;
        final java.util.TreeMap<Long, String> slowest = new java.util.TreeMap<>();
        long totalNanos;

        /** Keeps the five slowest queries (all servers answering one query, in parallel). */
        void time(Object[] q, long nanos) {
            totalNanos += nanos;
            slowest.put(nanos, Queries.show(q));
            if (slowest.size() > 5) slowest.pollFirstEntry();
        }

        void add(byte[] reply) {
            if (RawResp.isError(reply)) errors++;
            else if (List.of("*0\r\n", ":0\r\n").contains(new String(reply, StandardCharsets.UTF_8))) empty++;
            else withData++;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(withData + " answers with data, " + empty + " empty, " + errors
                    + " errors; " + totalNanos / 1_000_000 + " ms in all; slowest:");
            slowest.descendingMap().forEach((n, q) -> b.append("\n  ").append(n / 1_000_000).append(" ms  ").append(q));
            return b.toString();
        }
    }

    // ------------------------------------------------------------------ the data set

    /** Label vocabularies; every series takes a random subset. */
    static final Map<String, String[]> VOCAB = new LinkedHashMap<>();

    static {
        VOCAB.put("host", new String[] {"h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7"});
        VOCAB.put("region", new String[] {"eu", "us", "ap", "eu-west"});
        VOCAB.put("kind", new String[] {"x", "y", "z"});
        VOCAB.put("team", new String[] {"é", "a b", "t1"});
        VOCAB.put("__name__", new String[] {"cpu", "mem", "disk", "net"});
        VOCAB.put("dc", new String[] {"1", "2", "10"});
    }

    static final String[] PREFIXES = {"a:", "ab:", "b:", "c:", "é:", "Z:", "a"};
    static final String[] RULE_AGGS = {"avg", "max", "min", "sum", "count", "first", "last", "twa", "p50", "std.s",
        "range", "var.p"};

    /** The random series and the writes that make them. */
    static final class Data {
        final List<Object[]> writes = new ArrayList<>();
        final List<Long> timestamps = new ArrayList<>();
        int series;

        static Data generate(Random rnd) {
            Data d = new Data();
            int n = 80 + rnd.nextInt(120);
            for (int i = 0; i < n; i++) {
                String prefix = PREFIXES[rnd.nextInt(PREFIXES.length)];
                boolean compacted = rnd.nextInt(8) == 0;
                String key = compacted ? prefix + "{" + i + "}" : prefix + i;
                Map<String, String> labels = d.labels(rnd, prefix);
                d.create(key, labels, rnd);
                if (compacted) {
                    String agg = RULE_AGGS[rnd.nextInt(RULE_AGGS.length)];
                    long bucket = new long[] {1000, 10_000, 60_000}[rnd.nextInt(3)];
                    String dest = key + "_" + agg + "_" + bucket;
                    Map<String, String> destLabels = new LinkedHashMap<>(labels);
                    destLabels.put("rule", agg);
                    d.create(dest, destLabels, rnd);
                    d.writes.add(new Object[] {"TS.CREATERULE", key, dest, "AGGREGATION", agg, bucket});
                }
                d.samples(key, rnd);
            }
            return d;
        }

        Map<String, String> labels(Random rnd, String prefix) {
            Map<String, String> labels = new LinkedHashMap<>();
            if (rnd.nextInt(15) == 0) return labels; // a series no filter finds
            for (var e : VOCAB.entrySet()) {
                if (rnd.nextInt(10) < 7) labels.put(e.getKey(), e.getValue()[rnd.nextInt(e.getValue().length)]);
            }
            labels.put("grp", prefix.startsWith("a") ? "a" : "b");
            return labels;
        }

        void create(String key, Map<String, String> labels, Random rnd) {
            series++;
            List<Object> c = new ArrayList<>(List.of("TS.CREATE", key));
            if (rnd.nextInt(4) == 0) c.addAll(List.of("ENCODING", "UNCOMPRESSED"));
            if (rnd.nextInt(4) == 0) c.addAll(List.of("CHUNK_SIZE", 128));
            if (!labels.isEmpty()) {
                c.add("LABELS");
                labels.forEach((k, v) -> {
                    c.add(k);
                    c.add(v);
                });
            }
            writes.add(c.toArray());
        }

        void samples(String key, Random rnd) {
            if (rnd.nextInt(20) == 0) return; // an empty series
            int count = 1 + rnd.nextInt(rnd.nextBoolean() ? 40 : 250);
            long t = 1_000_000 + rnd.nextInt(50_000);
            int style = rnd.nextInt(3);
            for (int i = 0; i < count; i++) {
                t += rnd.nextInt(30) == 0 ? 100_000 + rnd.nextInt(200_000) : 1 + rnd.nextInt(15_000);
                String v = switch (rnd.nextInt(100) == 0 ? 3 : style) {
                    case 0 -> Integer.toString(rnd.nextInt(201) - 100);
                    case 1 -> String.format(java.util.Locale.ROOT, "%.2f", rnd.nextGaussian() * 50);
                    case 2 -> Double.toString(rnd.nextDouble() * Math.pow(10, rnd.nextInt(12) - 3));
                    default -> "nan";
                };
                writes.add(new Object[] {"TS.ADD", key, t, v});
                if (rnd.nextInt(10) == 0) timestamps.add(t);
            }
            if (rnd.nextInt(15) == 0) writes.add(new Object[] {"TS.DEL", key, t - 300_000, t - 200_000});
        }
    }

    // ------------------------------------------------------------------ random queries

    static final String[] AGGS = {"avg", "sum", "min", "max", "range", "count", "first", "last", "std.p", "std.s",
        "var.p", "var.s", "twa", "countnan", "countall", "p0", "p50", "p99.9", "p100", "avg,max", "min,count,last"};
    static final String[] REDUCERS = {"avg", "sum", "min", "max", "range", "count", "std.p", "std.s", "var.p",
        "var.s", "countnan", "countall", "p50", "p90", "p0", "p100"};
    static final String[] REGEXES = {"h[0-3]", "h.*", "e.*", "(eu|us)", "[xy]", "c.*|m.*", ".+", "é|t1", "1.?"};

    /** Random queries over the vocabularies; {@link #valid} are well-formed, {@link #broken} mostly not. */
    static final class Queries {
        private Queries() {}

        static Object[] valid(Random rnd, Data d) {
            List<Object> q = new ArrayList<>();
            switch (rnd.nextInt(10)) {
                case 0, 1 -> { // TS.MGET
                    q.add("TS.MGET");
                    if (rnd.nextInt(3) == 0) q.add("LATEST");
                    labelsOption(rnd, q);
                    q.add("FILTER");
                    q.addAll(filter(rnd, d));
                }
                case 2, 3, 4, 5 -> mrange(rnd, d, q);
                case 6, 7 -> {
                    q.add("TS.QUERYINDEX");
                    q.addAll(filter(rnd, d));
                }
                case 8 -> {
                    q.add("TS.QUERYLABELS");
                    if (rnd.nextBoolean()) {
                        q.add("LABELS");
                    } else {
                        q.add("VALUES");
                        q.add(label(rnd));
                    }
                    if (rnd.nextInt(3) > 0) {
                        q.add("FILTER");
                        q.addAll(filter(rnd, d));
                    }
                }
                default -> {
                    q.add("TS.CARD");
                    if (rnd.nextInt(4) > 0) {
                        q.add("FILTER");
                        q.addAll(filter(rnd, d));
                    }
                }
            }
            return q.toArray();
        }

        static void mrange(Random rnd, Data d, List<Object> q) {
            q.add(rnd.nextBoolean() ? "TS.MRANGE" : "TS.MREVRANGE");
            boolean wide = rnd.nextInt(3) > 0;
            long from = 1_000_000 + rnd.nextInt(2_000_000);
            q.add(wide ? "-" : from);
            q.add(wide ? "+" : from + rnd.nextInt(3_000_000));
            if (rnd.nextInt(4) == 0) q.add("LATEST");
            if (rnd.nextInt(8) == 0 && !d.timestamps.isEmpty()) {
                q.add("FILTER_BY_TS");
                int n = 1 + rnd.nextInt(6);
                for (int i = 0; i < n; i++) {
                    q.add(rnd.nextInt(4) == 0 ? 1_000_000 + rnd.nextInt(3_000_000)
                            : d.timestamps.get(rnd.nextInt(d.timestamps.size())));
                }
            }
            if (rnd.nextInt(6) == 0) {
                q.add("FILTER_BY_VALUE");
                int lo = rnd.nextInt(200) - 100;
                q.add(lo);
                q.add(lo + rnd.nextInt(150));
            }
            if (rnd.nextInt(3) == 0) {
                q.add("COUNT");
                q.add(1 + rnd.nextInt(rnd.nextBoolean() ? 5 : 100));
            }
            boolean aggregate = rnd.nextInt(4) > 0;
            boolean group = rnd.nextInt(3) == 0;
            // labels and aggregation in either order, as the parser takes options in any order
            List<List<Object>> parts = new ArrayList<>();
            List<Object> labels = new ArrayList<>();
            labelsOption(rnd, labels);
            parts.add(labels);
            if (aggregate) {
                List<Object> agg = new ArrayList<>();
                if (rnd.nextInt(4) == 0) {
                    agg.add("ALIGN");
                    agg.add(switch (rnd.nextInt(4)) {
                        case 0 -> wide ? "-" : "start";
                        case 1 -> wide ? "+" : "end";
                        default -> Integer.toString(rnd.nextInt(100_000));
                    });
                }
                agg.add("AGGREGATION");
                String a = AGGS[rnd.nextInt(AGGS.length)];
                if (group && a.contains(",")) a = "max";
                agg.add(a);
                boolean empty = rnd.nextInt(3) == 0;
                // EMPTY fills every bucket of the range: long buckets keep those replies small
                agg.add(empty ? new long[] {60_000, 300_000, 1_000_000}[rnd.nextInt(3)]
                        : new long[] {1000, 7777, 60_000, 300_000, 1_000_000}[rnd.nextInt(5)]);
                if (rnd.nextInt(3) == 0) {
                    agg.add("BUCKETTIMESTAMP");
                    agg.add(new String[] {"-", "+", "~", "start", "end", "mid"}[rnd.nextInt(6)]);
                }
                if (empty) agg.add("EMPTY");
                parts.add(agg);
            }
            if (rnd.nextBoolean()) Collections.reverse(parts);
            for (List<Object> p : parts) q.addAll(p);
            q.add("FILTER");
            q.addAll(filter(rnd, d));
            if (group) {
                q.add("GROUPBY");
                q.add(label(rnd));
                if (rnd.nextInt(3) == 0) q.add(label(rnd)); // several labels: our extension
                q.add("REDUCE");
                q.add(REDUCERS[rnd.nextInt(REDUCERS.length)]);
            } else if (rnd.nextInt(4) == 0) {
                q.add("EXCLUDEEMPTY"); // applied by the node that merges, after every shard's rows are in
            }
        }

        static void labelsOption(Random rnd, List<Object> q) {
            switch (rnd.nextInt(3)) {
                case 0 -> q.add("WITHLABELS");
                case 1 -> {
                    q.add("SELECTED_LABELS");
                    int n = 1 + rnd.nextInt(3);
                    for (int i = 0; i < n; i++) q.add(rnd.nextInt(6) == 0 ? "nolabel" : label(rnd));
                }
                default -> { }
            }
        }

        static String label(Random rnd) {
            List<String> names = new ArrayList<>(VOCAB.keySet());
            names.add("grp");
            names.add("rule");
            return names.get(rnd.nextInt(names.size()));
        }

        static String value(Random rnd, String label) {
            String[] v = VOCAB.get(label);
            if (v == null || rnd.nextInt(12) == 0) return "nope";
            return v[rnd.nextInt(v.length)];
        }

        static String vocabLabel(Random rnd) {
            List<String> names = new ArrayList<>(VOCAB.keySet());
            return names.get(rnd.nextInt(names.size()));
        }

        /** One selecting matcher and up to two others, shuffled. */
        static List<Object> filter(Random rnd, Data d) {
            List<Object> f = new ArrayList<>();
            f.add(selecting(rnd, d));
            int more = rnd.nextInt(3);
            for (int i = 0; i < more; i++) f.add(rnd.nextInt(3) == 0 ? selecting(rnd, d) : other(rnd));
            Collections.shuffle(f, rnd);
            return f;
        }

        /** A matcher that selects on its own. */
        static String selecting(Random rnd, Data d) {
            String l = vocabLabel(rnd);
            return switch (rnd.nextInt(8)) {
                case 0, 1 -> l + "=" + value(rnd, l);
                case 2 -> l + "=(" + value(rnd, l) + "," + value(rnd, l) + (rnd.nextBoolean() ? "," + value(rnd, l) : "") + ")";
                case 3 -> l + "=~" + REGEXES[rnd.nextInt(REGEXES.length)];
                case 4 -> prometheus(rnd);
                case 5 -> rnd.nextBoolean() ? "grp=a" : "grp=(a,b)";
                case 6 -> "rule=~.+";
                default -> "region=(eu,us,ap,eu-west)";
            };
        }

        /** A matcher that narrows or widens but does not select on its own. */
        static String other(Random rnd) {
            String l = vocabLabel(rnd);
            return switch (rnd.nextInt(6)) {
                case 0 -> l + "!=" + value(rnd, l);
                case 1 -> l + "=";
                case 2 -> l + "!=";
                case 3 -> l + "!=(" + value(rnd, l) + "," + value(rnd, l) + ")";
                case 4 -> l + "!~" + REGEXES[rnd.nextInt(REGEXES.length)];
                default -> l + "=~.*";
            };
        }

        static String prometheus(Random rnd) {
            StringBuilder s = new StringBuilder();
            if (rnd.nextInt(3) > 0) s.append(value(rnd, "__name__"));
            s.append('{');
            int n = s.length() == 1 ? 1 + rnd.nextInt(2) : rnd.nextInt(3);
            for (int i = 0; i < n; i++) {
                if (i > 0) s.append(rnd.nextBoolean() ? ", " : ",");
                String l = vocabLabel(rnd);
                String op = i == 0 && s.charAt(0) == '{' ? (rnd.nextBoolean() ? "=" : "=~")
                        : new String[] {"=", "!=", "=~", "!~"}[rnd.nextInt(4)];
                String v = op.contains("~") ? REGEXES[rnd.nextInt(REGEXES.length)] : value(rnd, l);
                s.append(l).append(op).append('"').append(v).append('"');
            }
            return s.append('}').toString();
        }

        /** q with one more matcher at its end (q must end with its filter). */
        static Object[] withMatcher(Object[] q, String matcher) {
            List<Object> out = new ArrayList<>(Arrays.asList(q));
            int g = out.indexOf("GROUPBY");
            boolean hasFilter = out.contains("FILTER") || "TS.QUERYINDEX".equals(q[0]);
            if (!hasFilter) out.add("FILTER");
            out.add(g >= 0 ? g : out.size(), matcher);
            return out.toArray();
        }

        /** Queries every implementation must refuse the same way. */
        static List<Object[]> fixedBad() {
            return List.of(
                    new Object[] {"TS.MGET"},
                    new Object[] {"TS.MGET", "FILTER"},
                    new Object[] {"TS.MGET", "host=h1"},
                    new Object[] {"TS.MGET", "FILTER", "host!=h1"},
                    new Object[] {"TS.MGET", "FILTER", "host=~["},
                    new Object[] {"TS.MGET", "WITHLABELS", "SELECTED_LABELS", "host", "FILTER", "host=h1"},
                    new Object[] {"TS.MRANGE", "-", "+"},
                    new Object[] {"TS.MRANGE", "-", "+", "FILTER"},
                    new Object[] {"TS.MRANGE", "x", "+", "FILTER", "host=h1"},
                    new Object[] {"TS.MRANGE", "-", "+", "AGGREGATION", "bogus", 10, "FILTER", "host=h1"},
                    new Object[] {"TS.MRANGE", "-", "+", "AGGREGATION", "avg", 0, "FILTER", "host=h1"},
                    new Object[] {"TS.MRANGE", "-", "+", "COUNT", -1, "FILTER", "host=h1"},
                    new Object[] {"TS.MRANGE", "-", "+", "ALIGN", "start", "AGGREGATION", "avg", 10, "FILTER", "host=h1"},
                    new Object[] {"TS.MRANGE", "-", "+", "FILTER", "host=h1", "GROUPBY", "region"},
                    new Object[] {"TS.MRANGE", "-", "+", "FILTER", "host=h1", "GROUPBY", "region", "REDUCE", "first"},
                    new Object[] {"TS.MRANGE", "-", "+", "FILTER", "host=h1", "GROUPBY", "region", "REDUCE", "bogus"},
                    new Object[] {"TS.MRANGE", "-", "+", "GROUPBY", "region", "REDUCE", "max", "FILTER", "host=h1"},
                    new Object[] {"TS.MREVRANGE", "-", "+", "AGGREGATION", "avg,max", 10, "FILTER", "host=h1",
                        "GROUPBY", "region", "REDUCE", "max"},
                    new Object[] {"TS.MREVRANGE", "-", "+", "EMPTY", "FILTER", "host=h1"},
                    new Object[] {"TS.QUERYINDEX"},
                    new Object[] {"TS.QUERYINDEX", "host!="},
                    new Object[] {"TS.QUERYINDEX", "{host=\"h1\""},
                    new Object[] {"TS.QUERYLABELS"},
                    new Object[] {"TS.QUERYLABELS", "NAMES"},
                    new Object[] {"TS.QUERYLABELS", "VALUES"},
                    new Object[] {"TS.QUERYLABELS", "LABELS", "FILTER"},
                    new Object[] {"TS.CARD", "FILTER"},
                    new Object[] {"TS.CARD", "host=h1"},
                    new Object[] {"TS.CARD", "FILTER", "kind="},
                    new Object[] {"TS.MDEL", "FILTER"},
                    new Object[] {"TS.MDEL", "1", "FILTER", "host=h1"},
                    new Object[] {"TS.MDEL", "x", "y", "FILTER", "host=h1"});
        }

        /** A valid query with one token dropped, replaced or doubled: usually refused. */
        static Object[] broken(Random rnd, Data d) {
            List<Object> q = new ArrayList<>(Arrays.asList(valid(rnd, d)));
            if (q.size() == 1) q.add("x"); // the command name stays: the server ignores an empty command without a reply
            int i = 1 + rnd.nextInt(Math.max(1, q.size() - 1));
            if (i >= q.size()) i = q.size() - 1;
            switch (rnd.nextInt(4)) {
                case 0 -> q.remove(i);
                case 1 -> q.set(i, new String[] {"", "-5", "x", "FILTER", "AGGREGATION", "nan", "{", "l!=", "p101",
                    "GROUPBY", "9223372036854775808"}[rnd.nextInt(11)]);
                case 2 -> q.add(i, q.get(i));
                default -> q.add(new String[] {"COUNT", "WITHLABELS", "EMPTY", "REDUCE", "x=~(", "LATEST"}[rnd.nextInt(6)]);
            }
            return q.toArray();
        }

        static String show(Object[] q) {
            StringBuilder s = new StringBuilder();
            for (Object o : q) {
                String t = String.valueOf(o);
                if (s.length() > 0) s.append(' ');
                s.append(t.isEmpty() || t.matches(".*[\\s\"'{}].*") ? '"' + t.replace("\"", "\\\"") + '"' : t);
            }
            return s.toString();
        }
    }
}
