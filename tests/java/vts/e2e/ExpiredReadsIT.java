package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * TS.MGET and TS.MRANGE read series without a time to live through the index's own series
 * pointers and open only keys that have one, so that the server expires them if due. With
 * active expiry off, a key whose time to live has passed stays in the keyspace until it is
 * looked up: these tests give keys a time to live in every way one can arrive (EXPIRE,
 * RENAME, COPY, MOVE, RESTORE, DEBUG RELOAD, an AOF without RDB preamble, a replica's full
 * sync), let it pass, and check that no read returns such a key, while PERSIST keeps one.
 */
class ExpiredReadsIT {

    /** Keys of the TS.MGET reply. */
    private static List<String> mget(ValkeyServer s, String filter) {
        List<String> keys = new ArrayList<>();
        for (Object row : (List<?>) s.call("TS.MGET", "FILTER", filter).plain()) keys.add(String.valueOf(((List<?>) row).get(0)));
        return keys;
    }

    /** Keys of the TS.MRANGE reply, each checked to carry its one sample. */
    private static List<String> mrange(ValkeyServer s, String filter) {
        List<String> keys = new ArrayList<>();
        for (Object row : (List<?>) s.call("TS.MRANGE", "-", "+", "FILTER", filter).plain()) {
            List<?> r = (List<?>) row;
            assertEquals(1, ((List<?>) r.get(2)).size(), "samples of " + r.get(0));
            keys.add(String.valueOf(r.get(0)));
        }
        return keys;
    }

    private static void add(ValkeyServer s, String key) {
        s.call("TS.ADD", key, "1000", "1", "LABELS", "grp", "g");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void keysWithAPassedTimeToLiveAreNeverRead() {
        try (ValkeyServer s = ValkeyServer.start()) {
            s.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
            for (String k : List.of("expire", "renamed-from", "copied-from", "moved", "dumped", "persisted", "plain")) add(s, k);
            s.call("PEXPIRE", "expire", "200");
            s.call("PEXPIRE", "renamed-from", "200");
            s.call("RENAME", "renamed-from", "renamed");
            s.call("PEXPIRE", "copied-from", "200");
            s.call("COPY", "copied-from", "copied");
            s.call("PERSIST", "copied-from");
            s.call("PEXPIRE", "moved", "200");
            s.call("MOVE", "moved", "1");
            Resp.Reply dump = s.call("DUMP", "dumped");
            s.call("DEL", "dumped");
            s.call("RESTORE", "dumped", "200", ((Resp.Bulk) dump).bytes());
            s.call("PEXPIRE", "persisted", "200");
            s.call("PERSIST", "persisted");
            List<String> all = List.of("copied", "copied-from", "dumped", "expire", "persisted", "plain", "renamed");
            assertEquals(all, mget(s, "grp=g"), "before the time to live passes");
            sleep(400);
            List<String> left = List.of("copied-from", "persisted", "plain");
            assertEquals(left, mrange(s, "grp=g"));
            assertEquals(left, mget(s, "grp=g"));
            s.call("SELECT", "1");
            assertEquals(List.of(), s.call("TS.MGET", "FILTER", "grp=g").plain(), "moved to db 1 with its time to live");
        }
    }

    @Test
    void aTimeToLiveSurvivesReloadsAndResyncs() {
        for (String preamble : List.of("yes", "no")) {
            try (ValkeyServer s = ValkeyServer.builder().config("appendonly", "yes")
                    .config("aof-use-rdb-preamble", preamble).start()) {
                add(s, "volatile");
                add(s, "plain");
                // long enough to outlast a reload, a rewrite and a restart on a loaded machine
                s.call("PEXPIRE", "volatile", "10000");
                long ttlEnd = System.currentTimeMillis() + 10000;
                s.call("DEBUG", "RELOAD");
                s.call("BGREWRITEAOF");
                s.await("AOF rewrite", Duration.ofSeconds(30),
                        () -> "0".equals(s.info("persistence", "aof_rewrite_in_progress"))
                                && "0".equals(s.info("persistence", "aof_rewrite_scheduled")));
                s.restart();
                s.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
                assertEquals(List.of("plain", "volatile"), mget(s, "grp=g"), "AOF, preamble " + preamble);
                try (ValkeyServer replica = ValkeyServer.builder().replicaOf(s).start()) {
                    replica.await("link up", Duration.ofSeconds(30),
                            () -> "up".equals(replica.info("replication", "master_link_status")));
                    replica.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
                    sleep(Math.max(0, ttlEnd - System.currentTimeMillis()) + 100);
                    // the replica keeps the key until its primary deletes it, but never serves it
                    assertEquals(List.of("plain"), mget(replica, "grp=g"), "replica");
                    assertEquals(List.of("plain"), mrange(replica, "grp=g"), "replica");
                    assertEquals(List.of("plain"), mget(s, "grp=g"), "primary");
                }
            }
        }
    }
}
