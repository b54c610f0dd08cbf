package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * The label index through the keyspace changes the random sequences of IndexKeyspaceIT
 * cannot make: eviction under maxmemory, a replica's full resynchronisation, and loading an
 * AOF written without the RDB preamble (series come back through TS._RESTORE).
 */
class IndexSourcesIT {

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
            // 3,000 series of 100 full-precision samples take about 3.3 MB (chunks grow with their data)
            s.call("CONFIG", "SET", "maxmemory", String.valueOf(base + 1_000_000));
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
    void aofWithoutPreambleRestoresTheIndex() {
        try (ValkeyServer s = ValkeyServer.builder().config("appendonly", "yes")
                .config("aof-use-rdb-preamble", "no").start()) {
            for (int i = 0; i < 20; i++) s.call("TS.ADD", "a:" + i, "1", "1", "LABELS", "grp", "g", "n", String.valueOf(i % 3));
            s.call("BGREWRITEAOF");
            s.await("AOF rewrite", Duration.ofSeconds(30),
                    () -> "0".equals(s.info("persistence", "aof_rewrite_in_progress"))
                            && "0".equals(s.info("persistence", "aof_rewrite_scheduled")));
            s.call("TS.CREATE", "after-rewrite", "LABELS", "grp", "g");
            TreeSet<String> before = indexed(s);
            assertEquals(21, before.size());
            s.restart();
            assertEquals(before, indexed(s), "every series of the AOF is indexed again");
            assertEquals(seriesKeys(s), indexed(s));
            assertEquals(List.of("a:0", "a:12", "a:15", "a:18", "a:3", "a:6", "a:9"),
                    s.call("TS.QUERYINDEX", "n=0").plain());
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

    @Test
    void replicaWithSwapdbDisklessLoadReadsTheNewSeries() {
        // the module does not declare async-load support, so the server loads full syncs the
        // ordinary way (flush first); reads through the index's series addresses stay valid
        try (ValkeyServer primary = ValkeyServer.builder().config("repl-diskless-sync", "yes")
                .config("repl-diskless-sync-delay", "0").start()) {
            for (int i = 0; i < 30; i++) primary.call("TS.ADD", "d:" + i, "1000", String.valueOf(i), "LABELS", "grp", "g");
            try (ValkeyServer replica = ValkeyServer.builder().replicaOf(primary)
                    .config("repl-diskless-load", "swapdb").start()) {
                replica.await("link up", Duration.ofSeconds(30),
                        () -> "up".equals(replica.info("replication", "master_link_status")));
                assertEquals(primary.call("TS.MGET", "FILTER", "grp=g"), replica.call("TS.MGET", "FILTER", "grp=g"));
                // a second full sync over a keyspace the replica changed meanwhile
                replica.call("REPLICAOF", "NO", "ONE");
                replica.call("TS.ADD", "d:0", "2000", "99");
                replica.call("TS.CREATE", "only-on-replica", "LABELS", "grp", "g");
                primary.call("TS.ADD", "d:1", "3000", "7");
                replica.call("REPLICAOF", primary.host(), String.valueOf(primary.port()));
                replica.await("resynced", Duration.ofSeconds(30),
                        () -> "up".equals(replica.info("replication", "master_link_status"))
                                && replica.call("EXISTS", "only-on-replica").plain().equals(0L));
                assertEquals(primary.call("TS.MGET", "FILTER", "grp=g"), replica.call("TS.MGET", "FILTER", "grp=g"));
                assertEquals(primary.call("TS.MRANGE", "-", "+", "FILTER", "grp=g"),
                        replica.call("TS.MRANGE", "-", "+", "FILTER", "grp=g"));
                assertTrue(replica.ping());
                assertTrue(replica.log().contains("not aware of async replication"), "the swapdb load was declined");
            }
        }
    }
}
