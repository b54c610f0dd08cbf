package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cluster's multi-series answers stay exactly-once while the cluster changes: (a) slots
 * move with their keys between primaries while a client keeps querying every node; (b) a
 * replica answers for the whole cluster; (c) a primary is killed: queries fail with an error
 * naming that shard until its replica is promoted, then answer in full. Every answer must hold
 * each series exactly once (TS.QUERYINDEX, TS.MGET), count each once (TS.CARD) and each sample
 * once (TS.MRANGE … GROUPBY … REDUCE sum of counts), or be an error: never partial.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterResilienceIT {
    @RegisterExtension
    static final ServerExtension tracker = new ServerExtension(ValkeyServer.Builder::noModule);

    static final long SEED = Long.getLong("vts.clusterSeed", System.nanoTime());
    static final int GROUPS = 24;
    static final int PER_GROUP = 10;
    static final int LOOSE = 100;
    static final int SAMPLES = 3;

    static LocalCluster cluster;
    static final Set<String> KEYS = new TreeSet<>();

    @BeforeAll
    static void start() {
        System.out.println("ClusterResilienceIT seed " + SEED);
        // 4 s: short enough for a quick failover, long enough that a busy machine does not flap
        cluster = LocalCluster.builder().primaries(3).replicasEach(1).nodeTimeout(4000).track(tracker).start();
        cluster.printLogsIfFails(ClusterResilienceIT::write);
    }

    static void write() {
        List<Object[]> writes = new ArrayList<>();
        // keys grouped in a few slots by hash tags (so moving a slot moves many keys), and loose ones
        for (int g = 0; g < GROUPS; g++) {
            for (int i = 0; i < PER_GROUP; i++) add(writes, "r:{g" + g + "}:" + i);
        }
        for (int i = 0; i < LOOSE; i++) add(writes, "r:" + i);
        cluster.writeAll(writes);
        for (ValkeyServer p : cluster.primaries()) assertEquals(new Resp.Int(1), p.call("WAIT", 1, 20_000));
    }

    static void add(List<Object[]> writes, String key) {
        KEYS.add(key);
        writes.add(new Object[] {"TS.CREATE", key, "LABELS", "kind", "r", "g", key.contains("{") ? "tagged" : "loose"});
        for (int s = 0; s < SAMPLES; s++) writes.add(new Object[] {"TS.ADD", key, 1000 + s * 1000, s});
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    // ------------------------------------------------------------------ checking answers

    static final Object[][] QUERIES = {
        {"TS.QUERYINDEX", "kind=r"},
        {"TS.CARD", "FILTER", "kind=r"},
        {"TS.MGET", "FILTER", "kind=r"},
        {"TS.MRANGE", "-", "+", "AGGREGATION", "count", 1_000_000_000L, "FILTER", "kind=r", "GROUPBY", "kind", "REDUCE", "sum"},
    };

    /** Null if the reply is the complete answer; the error text if it is an error; else throws (partial). */
    static String check(Object[] q, Resp.Reply r, String where) {
        if (r instanceof Resp.Err e) return e.message();
        String what = q[0] + " on " + where;
        switch ((String) q[0]) {
            case "TS.QUERYINDEX" -> assertExactlyOnce(what, ((Resp.Arr) r).items().stream().map(x -> ((Resp.Bulk) x).text()).toList());
            case "TS.MGET" -> assertExactlyOnce(what, ((Resp.Arr) r).items().stream()
                    .map(x -> ((Resp.Bulk) ((Resp.Arr) x).get(0)).text()).toList());
            case "TS.CARD" -> assertEquals(new Resp.Int(KEYS.size()), r, what + ": every series counted once");
            default -> {
                // one group; its only bucket counts every sample of every series once
                Resp.Arr groups = (Resp.Arr) r;
                assertEquals(1, groups.size(), what);
                Resp.Arr samples = (Resp.Arr) ((Resp.Arr) groups.get(0)).get(2);
                Resp.Arr bucket = (Resp.Arr) samples.get(0);
                assertEquals(String.valueOf(KEYS.size() * SAMPLES), String.valueOf(bucket.get(1).plain()),
                        what + ": every sample counted once");
            }
        }
        return null;
    }

    static void assertExactlyOnce(String what, List<String> got) {
        Set<String> seen = new HashSet<>();
        List<String> twice = new ArrayList<>();
        for (String k : got) if (!seen.add(k)) twice.add(k);
        Set<String> missing = new TreeSet<>(KEYS);
        missing.removeAll(seen);
        Set<String> extra = new TreeSet<>(seen);
        extra.removeAll(KEYS);
        if (!twice.isEmpty() || !missing.isEmpty() || !extra.isEmpty()) {
            throw new AssertionError(what + ": not exactly once: twice " + twice + ", missing " + missing + ", unknown " + extra);
        }
    }

    /** A client thread querying random nodes until stopped; records errors and violations. */
    static final class Querier extends Thread {
        final List<ValkeyServer> targets;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger complete = new AtomicInteger();
        final List<String> errors = new CopyOnWriteArrayList<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final Map<Integer, Integer> completeByQuery = new ConcurrentHashMap<>();
        final long deadline;

        Querier(List<ValkeyServer> targets, Duration max) {
            super("cluster-querier");
            setDaemon(true);
            this.targets = targets;
            this.deadline = System.nanoTime() + max.toNanos();
        }

        @Override
        public void run() {
            Random rnd = new Random(SEED);
            List<Resp> conns = new ArrayList<>();
            for (ValkeyServer s : targets) conns.add(new Resp(s.host(), s.port(), 60_000));
            try {
                while (!stop.get() && System.nanoTime() < deadline) {
                    int n = rnd.nextInt(targets.size());
                    int qi = rnd.nextInt(QUERIES.length);
                    Object[] q = QUERIES[qi];
                    String where = "node :" + targets.get(n).port();
                    try {
                        String err = check(q, conns.get(n).call(q), where);
                        if (err == null) {
                            complete.incrementAndGet();
                            completeByQuery.merge(qi, 1, Integer::sum);
                        } else {
                            errors.add(where + " " + q[0] + ": " + err);
                        }
                    } catch (AssertionError | RuntimeException e) {
                        violations.add(e.toString());
                    }
                }
            } finally {
                for (Resp r : conns) r.close();
            }
        }

        void finish() {
            stop.set(true);
            try {
                join(120_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertTrue(!isAlive(), "the querier ended");
        }
    }

    // ------------------------------------------------------------------ the tests

    @Test
    @Order(1)
    void reshardingUnderLoadNeverShowsAKeyTwiceOrMissesOne() {
        Querier q = new Querier(cluster.liveNodes(), Duration.ofSeconds(120));
        q.start();
        List<ValkeyServer> primaries = cluster.primaries();
        Random rnd = new Random(SEED);
        int movedKeys = 0;
        try {
            // every tag's slot moves to another primary, two keys per MIGRATE; then half move back
            List<Integer> slots = new ArrayList<>();
            for (int g = 0; g < GROUPS; g++) slots.add(LocalCluster.slot("{g" + g + "}"));
            for (int round = 0; round < 2; round++) {
                cluster.refreshSlots();
                for (int i = 0; i < slots.size(); i++) {
                    if (round == 1 && i % 2 == 0) continue;
                    int slot = slots.get(i);
                    ValkeyServer from = cluster.ownerOf(slot);
                    ValkeyServer to = primaries.get((primaries.indexOf(from) + 1 + rnd.nextInt(2)) % primaries.size());
                    movedKeys += cluster.moveSlot(from, to, slot, 2, rnd.nextInt(3) * 5L);
                }
            }
            cluster.awaitStable();
        } finally {
            q.finish();
        }
        System.out.println("resharding: " + movedKeys + " keys moved; " + q.complete.get() + " complete answers, "
                + q.errors.size() + " errors" + (q.errors.isEmpty() ? "" : ", e.g. " + q.errors.get(0)));
        assertEquals(List.of(), q.violations, "answers with a key twice or missing");
        assertTrue(movedKeys >= GROUPS * PER_GROUP, "every tagged key moved at least once: " + movedKeys);
        assertTrue(q.complete.get() >= 20, "queries were answered during the moves: " + q.complete.get());
        for (String e : q.errors) assertTrue(e.contains("ERR TSDB: "), "a clear error: " + e);
        // afterwards: every node answers in full, and the keys live where the slot map says
        for (ValkeyServer s : cluster.liveNodes()) {
            for (Object[] query : QUERIES) assertEquals(null, check(query, s.call(query), "node :" + s.port()));
        }
        long keys = 0;
        for (ValkeyServer p : cluster.primaries()) keys += ((Resp.Int) p.call("DBSIZE")).value();
        assertEquals(KEYS.size(), keys);
        for (int g = 0; g < GROUPS; g++) {
            ValkeyServer owner = cluster.primaryFor("{g" + g + "}");
            assertEquals(new Resp.Int(1), owner.call("EXISTS", "r:{g" + g + "}:0"), "moved with its slot");
        }
    }

    @Test
    @Order(2)
    void aReplicaAnswersForTheWholeCluster() {
        List<ValkeyServer> replicas = cluster.replicas();
        assertEquals(3, replicas.size());
        for (ValkeyServer r : replicas) {
            for (Object[] query : QUERIES) assertEquals(null, check(query, r.call(query), "replica :" + r.port()));
            assertTrue(((Resp.Int) r.call("DBSIZE")).value() < KEYS.size(), "a replica holds only its shard's keys");
        }
    }

    @Test
    @Order(3)
    void killedPrimaryGivesAClearErrorUntilItsReplicaTakesOverThenFullAnswers() {
        for (ValkeyServer s : cluster.liveNodes()) {
            assertEquals(new Resp.Simple("OK"), s.call("CONFIG", "SET", "timeseries.ts-cluster-timeout", "1000"));
        }
        ValkeyServer victim = cluster.primaries().get(1);
        String victimId = cluster.id(victim);
        assertEquals(new Resp.Int(1), victim.call("WAIT", 1, 20_000));
        List<ValkeyServer> survivors = new ArrayList<>(cluster.liveNodes());
        survivors.remove(victim);
        cluster.kill(victim);
        long killedAt = System.nanoTime();
        Querier q = new Querier(survivors, Duration.ofSeconds(90));
        q.start();
        ValkeyServer promoted;
        try {
            promoted = cluster.awaitFailover(victim);
            System.out.println("failover after " + (System.nanoTime() - killedAt) / 1_000_000 + " ms");
            // answers in full once the replica took over (a few seconds for the new map to reach all)
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int before = q.complete.get();
            while (q.complete.get() < before + 20 && System.nanoTime() < end) ValkeyServer.sleep(50);
        } finally {
            q.finish();
        }
        System.out.println("failover: " + q.complete.get() + " complete answers, " + q.errors.size() + " errors"
                + (q.errors.isEmpty() ? "" : ", e.g. " + q.errors.get(0)));
        assertNotEquals(victim, promoted);
        assertEquals(List.of(), q.violations, "answers with a key twice or missing");
        assertTrue(q.errors.size() > 0, "queries failed while the shard was down");
        for (String e : q.errors) assertTrue(e.contains("ERR TSDB: "), "a clear error: " + e);
        assertTrue(q.errors.stream().anyMatch(e -> e.contains(victimId) || e.contains(":" + victim.port())),
                "an error names the dead shard " + victimId + " :" + victim.port() + ": " + q.errors.subList(0, Math.min(5, q.errors.size())));
        for (ValkeyServer s : cluster.liveNodes()) {
            for (Object[] query : QUERIES) assertEquals(null, check(query, s.call(query), "node :" + s.port()));
        }
    }
}
