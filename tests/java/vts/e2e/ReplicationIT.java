package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A replica ends with exactly the primary's data: after a full sync of random series, then live
 * TS.CREATE/TS.ALTER/TS.ADD with '*', TS.MADD with rejected items, TS.INCRBY/TS.DECRBY without a
 * timestamp (the replica is kept busy so its clock differs when it applies them), TS.DEL.
 */
class ReplicationIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension();

    static void awaitLinkUp(ValkeyServer replica) {
        replica.await("replication link up", Duration.ofSeconds(60),
                () -> "up".equals(replica.info("replication", "master_link_status")));
    }

    static List<String> keys(ValkeyServer s) {
        List<String> keys = new ArrayList<>();
        for (Object k : (List<?>) s.call("KEYS", "*").plain()) keys.add((String) k);
        keys.sort(null);
        return keys;
    }

    /** key → [TS.RANGE - +, TS.INFO without memoryUsage] */
    static Map<String, List<Object>> contents(ValkeyServer s, List<String> keys) {
        Map<String, List<Object>> m = new TreeMap<>();
        for (String k : keys) {
            Map<String, Resp.Reply> info = info(s, k);
            info.remove("memoryUsage");
            m.put(k, List.of(s.call("TS.RANGE", k, "-", "+"), info));
        }
        return m;
    }

    static void assertReplicaEqual(ValkeyServer primary, ValkeyServer replica, String when) {
        assertEquals(new Resp.Int(1), primary.call("WAIT", "1", "10000"), "the replica acknowledged");
        List<String> keys = keys(primary);
        assertEquals(keys, keys(replica), when + ": same keys");
        Map<String, List<Object>> p = contents(primary, keys);
        Map<String, List<Object>> r = contents(replica, keys);
        for (String k : keys) {
            assertEquals(p.get(k).get(0), r.get(k).get(0), when + ": TS.RANGE - + of " + k);
            assertEquals(p.get(k).get(1), r.get(k).get(1), when + ": TS.INFO of " + k);
        }
    }

    @Test
    void replicaEndsIdentical() {
        ValkeyServer primary = valkey.server();
        Dataset.write(primary, 11, "full:", 30, 2000);
        ValkeyServer replica = valkey.track(ValkeyServer.builder().replicaOf(primary).start());
        awaitLinkUp(replica);
        assertReplicaEqual(primary, replica, "after the full sync");

        assertErrorStartsWith("READONLY", replica.call("TS.ADD", "full:3", "*", "1"));

        // live writes
        assertOk(primary.call("TS.CREATE", "live", "DUPLICATE_POLICY", "LAST", "LABELS", "kind", "live"));
        assertOk(primary.call("TS.CREATE", "blocky", "CHUNK_SIZE", "48"));
        primary.call("TS.ADD", "blocky", "100", "1");
        assertOk(primary.call("TS.CREATE", "counter", "ENCODING", "UNCOMPRESSED"));
        for (int round = 0; round < 20; round++) {
            // keep the replica busy, so that commands it must apply arrive while its clock moves on
            try (Resp slow = replica.resp()) {
                slow.send("DEBUG", "SLEEP", "0.02");
                slow.flush();
                primary.call("TS.ADD", "live", "*", round);
                primary.call("TS.ADD", "auto" + (round % 3), "*", round * 1.5, "ON_DUPLICATE", "SUM");
                primary.call("TS.INCRBY", "counter", "1.5");
                primary.call("TS.DECRBY", "counter", "0.25");
                primary.call("TS.INCRBY", "newcounter" + (round % 2), "2");
                Resp.Arr madd = array(primary.call("TS.MADD",
                        "live", "*", "7",
                        "missing", "100", "1",
                        "blocky", "100", "2",
                        "blocky", Integer.toString(200 + round), "3",
                        "blocky", "300", "notanumber",
                        "counter", Integer.toString(5 + round), "5"));
                assertInstanceOf(Resp.Int.class, madd.get(0));
                assertError(NOT_TSDB, madd.get(1));
                assertError(UPSERT_BLOCKED, madd.get(2));
                assertEquals(new Resp.Int(200 + round), madd.get(3));
                assertError(INVALID_VALUE, madd.get(4));
                assertEquals(new Resp.Int(5 + round), madd.get(5), "an old timestamp is fine");
                assertOk(slow.read());
            }
            ValkeyServer.sleep(3);
        }
        primary.call("TS.DEL", "full:5", "0", "1600000600000");
        assertOk(primary.call("TS.ALTER", "live", "RETENTION", "100000", "LABELS", "kind", "altered"));
        primary.call("TS.INCRBY", "counter", "1", "TIMESTAMP", "*");
        assertEquals(0, integer(primary.call("EXISTS", "missing")));
        assertReplicaEqual(primary, replica, "after live writes");
        assertFalse(replica.log().contains("CRITICAL"), "the replica refused nothing the primary sent\n"
                + replica.logTail(30));

        // a second full sync of what was written live
        assertOk(replica.call("REPLICAOF", "NO", "ONE"));
        assertOk(replica.call("FLUSHALL"));
        assertOk(replica.call("REPLICAOF", primary.host(), Integer.toString(primary.port())));
        replica.await("resync", Duration.ofSeconds(60), () -> "up".equals(replica.info("replication", "master_link_status"))
                && integer(replica.call("DBSIZE")) == integer(primary.call("DBSIZE")));
        assertReplicaEqual(primary, replica, "after a second full sync");
        assertTrue(replica.ping());
    }
}
