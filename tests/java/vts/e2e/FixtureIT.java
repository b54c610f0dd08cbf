package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The fixture itself, on a plain valkey-server without the module. */
class FixtureIT {

    @Test
    void startsRestartsAndKeepsItsDir() {
        try (ValkeyServer s = ValkeyServer.builder().noModule().config("save", "3600", "1").start()) {
            assertTrue(s.ping());
            assertTrue(s.port() > 0);
            assertTrue(s.pid() > 0);
            assertTrue(s.log().contains("Ready to accept connections"), s.logTail(20));
            assertEquals("OK", s.client().set("k", "v"));
            long pid = s.pid();
            int port = s.port();
            s.restart();
            assertTrue(s.pid() != pid);
            assertEquals(port, s.port());
            assertEquals("v", s.client().get("k"), "SHUTDOWN saved the RDB and the restart loaded it");
            s.client().set("k2", "v2");
            s.sigterm();
            assertFalse(s.isRunning());
            assertEquals(0, s.exitCode(), "SIGTERM runs Valkey's own shutdown, which exits 0");
            s.startAgain();
            assertEquals("v2", s.client().get("k2"), "shutdown on SIGTERM saved");
            assertTrue(Files.exists(s.dir().resolve("dump.rdb")));
        }
    }

    @Test
    void replyHelpersKeepTypes() {
        try (ValkeyServer s = ValkeyServer.builder().noModule().start()) {
            assertEquals(new Resp.Simple("PONG"), s.call("PING"));
            assertEquals(new Resp.Int(1), s.call("RPUSH", "l", "a"));
            assertInstanceOf(Resp.Bulk.class, s.call("LINDEX", "l", "0"));
            assertInstanceOf(Resp.Err.class, s.call("NOSUCHCOMMAND"));
            assertEquals(new Resp.Null(), s.call("GET", "missing"));
            assertEquals(new Resp.Null(), s.call3("GET", "missing"));
            assertEquals(new Resp.Dbl(1.5, "1.5"), s.call3("ZINCRBY", "z", "1.5", "m"));
            assertInstanceOf(Resp.MapReply.class, s.call3("HGETALL", "nohash"));
            assertArrayEquals("PONG".getBytes(StandardCharsets.UTF_8), (byte[]) s.raw("PING"));
            assertEquals(1.5, (Double) s.raw3("ZSCORE", "z", "m"));
        }
    }

    @Test
    void replicaFollowsPrimary() {
        try (ValkeyServer p = ValkeyServer.builder().noModule().start();
             ValkeyServer r = ValkeyServer.builder().noModule().replicaOf(p).start()) {
            r.await("replication link up", Duration.ofSeconds(30),
                    () -> "up".equals(r.info("replication", "master_link_status")));
            p.client().set("a", "1");
            assertEquals(new Resp.Int(1), p.call("WAIT", "1", "5000"));
            assertEquals("1", r.client().get("a"));
        }
    }

    @Test
    void configValuesAreQuoted() {
        try (ValkeyServer s = ValkeyServer.builder().noModule()
                .config("client-output-buffer-limit", "pubsub 32mb 8mb 60").start()) {
            assertEquals(List.of("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
                    s.call("CONFIG", "GET", "client-output-buffer-limit").plain());
        }
    }
}
