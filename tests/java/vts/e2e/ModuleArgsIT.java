package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Module arguments (README: RETENTION_POLICY, CHUNK_SIZE_BYTES, DUPLICATE_POLICY, ENCODING, …) set
 * the defaults of new series, the ts-* module configs read and change them at run time, and a bad
 * argument stops the server at start with a message in its log.
 */
class ModuleArgsIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension(b -> b.moduleArgs(
            "RETENTION_POLICY", "100000", "CHUNK_SIZE_BYTES", "128", "DUPLICATE_POLICY", "LAST",
            "ENCODING", "UNCOMPRESSED")).flushAllBeforeEach();

    @Test
    void argumentsAreTheDefaultsOfNewSeries() {
        ValkeyServer s = valkey.server();
        assertOk(s.call("TS.CREATE", "k"));
        Map<String, Resp.Reply> info = info(s, "k");
        assertEquals(100000, integer(info.get("retentionTime")));
        assertEquals(128, integer(info.get("chunkSize")));
        assertEquals("uncompressed", text(info.get("chunkType")));
        s.call("TS.ADD", "k", "10", "1");
        assertEquals(10, integer(s.call("TS.ADD", "k", "10", "2")), "global duplicate policy LAST");
        assertEquals(List.of("10:2"), samples2(s.call("TS.RANGE", "k", "-", "+")));
        s.call("TS.ADD", "a", "1", "1");
        assertEquals(128, infoLong(s, "a", "chunkSize"), "TS.ADD creates with the defaults too");
        assertOk(s.call("TS.CREATE", "own", "RETENTION", "5", "CHUNK_SIZE", "48", "DUPLICATE_POLICY", "BLOCK",
                "ENCODING", "COMPRESSED"));
        info = info(s, "own");
        assertEquals(5, integer(info.get("retentionTime")), "explicit options win");
        assertEquals(48, integer(info.get("chunkSize")));
        assertEquals("compressed", text(info.get("chunkType")));
    }

    @Test
    void configsAtRunTime() {
        ValkeyServer s = valkey.server();
        assertEquals(List.of("timeseries.ts-retention-policy", "100000"),
                s.call("CONFIG", "GET", "timeseries.ts-retention-policy").plain());
        assertOk(s.call("CONFIG", "SET", "timeseries.ts-retention-policy", "777",
                "timeseries.ts-chunk-size-bytes", "256"));
        assertOk(s.call("TS.CREATE", "k"));
        assertEquals(777, infoLong(s, "k", "retentionTime"));
        assertEquals(256, infoLong(s, "k", "chunkSize"));
        assertErrorStartsWith("ERR", s.call("CONFIG", "SET", "timeseries.ts-chunk-size-bytes", "47"));
        assertErrorStartsWith("ERR", s.call("CONFIG", "SET", "timeseries.ts-duplicate-policy", "NEWEST"));
        assertOk(s.call("CONFIG", "SET", "timeseries.ts-retention-policy", "100000",
                "timeseries.ts-chunk-size-bytes", "128"));
    }

    @Test
    void badArgumentStopsTheStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ValkeyServer.builder().moduleArgs("CHUNK_SIZE_BYTES", "47").start().close());
        assertTrue(e.getMessage().contains("Module") || e.getMessage().contains("module"),
                "the log says the module failed to load: " + e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> ValkeyServer.builder().moduleArgs("NO_SUCH_ARGUMENT", "1").start().close());
    }
}
