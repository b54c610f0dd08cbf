package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static vts.e2e.Ts.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rules and their open buckets survive BGSAVE + restart and BGREWRITEAOF + restart (with
 * and without the RDB preamble); a replica computes the same destinations from the
 * replicated source writes (live and after a full sync).
 */
class CompactionPersistenceIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension(b -> b.config("save", "3600", "1")).flushAllBeforeEach();

    static final String[][] RULES = {{"d:avg", "avg", "100", "0"}, {"d:p50", "p50", "250", "30"},
            {"d:twa", "twa", "70", "0"}, {"d:max", "max", "1000", "999"}};

    static void setUp(ValkeyServer s) {
        assertOk(s.call("TS.CREATE", "src", "DUPLICATE_POLICY", "LAST"));
        for (String[] r : RULES) {
            assertOk(s.call("TS.CREATE", r[0]));
            assertOk(s.call("TS.CREATERULE", "src", r[0], "AGGREGATION", r[1], r[2], r[3]));
        }
    }

    /** Random in-order and out-of-order writes and a few deletes, pipelined. */
    static void write(ValkeyServer s, long seed, long fromTs, int n) {
        Random rnd = new Random(seed);
        long t = fromTs;
        try (Resp r = s.resp()) {
            for (int i = 0; i < n; i++) {
                t += rnd.nextInt(20);
                if (rnd.nextInt(20) == 0) r.send("TS.DEL", "src", t - rnd.nextInt(500), t - rnd.nextInt(50));
                else if (rnd.nextInt(5) == 0) r.send("TS.ADD", "src", Math.max(0, t - rnd.nextInt(800)), rnd.nextInt(100));
                else r.send("TS.ADD", "src", t, rnd.nextInt(1000) / 4.0);
            }
            r.flush();
            while (r.pending() > 0) r.read();
        }
    }

    /** Every destination, raw and with LATEST, and the source's TS.INFO rules. */
    static List<Object> snapshot(ValkeyServer s) {
        List<Object> out = new ArrayList<>();
        for (String[] r : RULES) {
            out.add(samples2(s.call("TS.RANGE", r[0], "-", "+")));
            out.add(samples2(s.call("TS.RANGE", r[0], "-", "+", "LATEST")));
            out.add(info(s, r[0]).get("sourceKey").plain());
        }
        out.add(info(s, "src").get("rules").plain());
        out.add(samples2(s.call("TS.RANGE", "src", "-", "+")));
        return out;
    }

    /** After a reload: more writes still compact the same as on a server that never restarted. */
    static void continuesLikeReference(ValkeyServer s, ValkeyServer reference) {
        write(s, 99, 20_000, 500);
        write(reference, 99, 20_000, 500);
        assertEquals(snapshot(reference), snapshot(s));
    }

    @Test
    void bgsaveAndRestart() {
        ValkeyServer s = valkey.server();
        ValkeyServer ref = valkey.track(ValkeyServer.builder().start());
        for (ValkeyServer x : List.of(s, ref)) {
            setUp(x);
            write(x, 1, 1000, 1500);
        }
        List<Object> before = snapshot(s);
        assertEquals(before, snapshot(ref));
        s.call("BGSAVE");
        PersistenceIT.awaitBgsave(s);
        s.stopNoSave();
        s.startAgain();
        assertEquals(before, snapshot(s), "after BGSAVE and restart");
        continuesLikeReference(s, ref);
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "no"})
    void aofRewriteAndRestart(String preamble) {
        ValkeyServer s = valkey.track(ValkeyServer.builder().config("appendonly", "yes")
                .config("aof-use-rdb-preamble", preamble).config("appendfsync", "always").start());
        ValkeyServer ref = valkey.track(ValkeyServer.builder().start());
        for (ValkeyServer x : List.of(s, ref)) {
            setUp(x);
            write(x, 2, 1000, 1000);
        }
        s.call("BGREWRITEAOF");
        PersistenceIT.awaitAofRewrite(s);
        for (ValkeyServer x : List.of(s, ref)) write(x, 3, 15_000, 300); // lands in the incremental AOF
        List<Object> before = snapshot(s);
        assertEquals(before, snapshot(ref));
        s.stopNoSave();
        s.startAgain();
        assertEquals(before, snapshot(s), "after BGREWRITEAOF (preamble " + preamble + ") and restart");
        continuesLikeReference(s, ref);
    }

    @Test
    void replicaComputesTheSame() {
        ValkeyServer primary = valkey.server();
        setUp(primary);
        write(primary, 4, 1000, 800); // before the replica exists: reaches it by full sync
        ValkeyServer replica = valkey.track(ValkeyServer.builder().replicaOf(primary).start());
        replica.await("replica in sync", Duration.ofSeconds(30),
                () -> "up".equals(replica.info("replication", "master_link_status")));
        write(primary, 5, 20_000, 1500); // live: the replica applies the source writes itself
        primary.call("TS.ADD", "src", "*", 1);
        assertEquals(new Resp.Int(1), primary.call("WAIT", 1, 10_000));
        assertEquals(snapshot(primary), snapshot(replica));
    }
}
