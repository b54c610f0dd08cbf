package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * The label index through the two keyspace changes the random sequences of IndexKeyspaceIT
 * cannot make: eviction under maxmemory, and a replica's full resynchronisation.
 */
class IndexEvictionReplicaIT {

    /** Keys of db 0 that hold series, found by scanning the keyspace. */
    private static TreeSet<String> seriesKeys(ValkeyServer s) {
        TreeSet<String> keys = new TreeSet<>();
        String cursor = "0";
        do {
            List<?> r = (List<?>) s.call("SCAN", cursor, "TYPE", "TSDB-TYPE", "COUNT", "1000").plain();
            cursor = String.valueOf(r.get(0));
            for (Object k : (List<?>) r.get(1)) keys.add(String.valueOf(k));
        } while (!cursor.equals("0"));
        return keys;
    }

    private static TreeSet<String> indexed(ValkeyServer s) {
        TreeSet<String> keys = new TreeSet<>();
        for (Object k : (List<?>) s.call("TS.QUERYINDEX", "grp=g").plain()) keys.add(String.valueOf(k));
        return keys;
    }

    @Test
    void evictedSeriesLeaveTheIndex() {
        try (ValkeyServer s = ValkeyServer.builder().config("maxmemory-policy", "allkeys-random").start()) {
            long base = Long.parseLong(s.info("memory", "used_memory"));
            s.call("CONFIG", "SET", "maxmemory", String.valueOf(base + 4_000_000));
            try (Resp r = s.resp()) {
                for (int i = 0; i < 3000; i++) {
                    r.send("TS.CREATE", "ev:" + i, "LABELS", "grp", "g", "n", String.valueOf(i));
                    List<Object> madd = new ArrayList<>(List.of("TS.MADD"));
                    for (int k = 0; k < 100; k++) madd.addAll(List.of("ev:" + i, 1000L * k, Math.sqrt(i + k)));
                    r.send(madd.toArray());
                }
                for (int i = 0; i < 6000; i++) r.read();
            }
            s.call("CONFIG", "SET", "maxmemory", "0"); // every later command could evict again
            long evicted = Long.parseLong(s.info("stats", "evicted_keys"));
            assertTrue(evicted > 0, "maxmemory evicted some series");
            TreeSet<String> keys = seriesKeys(s);
            assertEquals(keys, indexed(s), "the index equals the keyspace after " + evicted + " evictions");
            assertEquals((long) keys.size(), s.call("TS.CARD", "FILTER", "grp=g").plain());
        }
    }

    @Test
    void replicaIndexAfterFullSyncAndLiveWrites() {
        try (ValkeyServer primary = ValkeyServer.start()) {
            for (int i = 0; i < 50; i++) primary.call("TS.CREATE", "r:" + i, "LABELS", "grp", "g", "n", String.valueOf(i % 5));
            try (ValkeyServer replica = ValkeyServer.builder().replicaOf(primary).start()) {
                replica.await("link up", Duration.ofSeconds(30),
                        () -> "up".equals(replica.info("replication", "master_link_status")));
                // live changes after the full sync
                primary.call("DEL", "r:0", "r:1");
                primary.call("RENAME", "r:2", "renamed");
                primary.call("TS.ALTER", "r:3", "LABELS", "grp", "other");
                primary.call("TS.CREATE", "late", "LABELS", "grp", "g");
                primary.call("WAIT", "1", "5000");
                replica.await("replica caught up", Duration.ofSeconds(30),
                        () -> replica.call("EXISTS", "late").plain().equals(1L));
                assertEquals(indexed(primary), indexed(replica));
                assertEquals(seriesKeys(replica).size() - 1, indexed(replica).size(), "all but r:3 match grp=g");
                // a second full sync (the replica is flushed and reloaded)
                replica.call("REPLICAOF", "NO", "ONE");
                replica.call("TS.CREATE", "only-on-replica", "LABELS", "grp", "g");
                replica.call("REPLICAOF", primary.host(), String.valueOf(primary.port()));
                replica.await("link up again", Duration.ofSeconds(30),
                        () -> "up".equals(replica.info("replication", "master_link_status"))
                                && replica.call("EXISTS", "only-on-replica").plain().equals(0L));
                assertEquals(indexed(primary), indexed(replica));
            }
        }
    }
}
