package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import vts.compaction.CompactionPolicy;

/**
 * ts-compaction-policy is validated in C (README "Compaction rules"): CONFIG SET refuses an
 * invalid policy and keeps the previous one; an invalid COMPACTION_POLICY module argument
 * stops the module load with the reason in the log. The C grammar accepts exactly what
 * {@link CompactionPolicy#validate} accepts.
 */
class CompactionPolicyIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension().flushAllBeforeEach();

    static final String NAME = "timeseries.ts-compaction-policy";

    static final List<String> GOOD = List.of("", "   ", "max:1M:1h", "max:1M:1h;", "max:1M:1h;avg:10s:0:5s;p50:1m:0",
            " min:1s:0 ; MAX:2s:1d ", "p99.9:1m:0", "P100:1s:0", "p100.0:1s:0", "p0:1s:0", "std.p:1s:0s", "countall:1d:0:0",
            "twa:010s:00", "sum:999999999999999999m:0", "var.s:1s:0:1m", "first:1s:0m");
    static final List<String> BAD = List.of(";", "max:1M:1h;;", ";max:1M:1h", "max:1M", "max:1M:1h:0:0", "foo:1s:0",
            "max:0:0", "max:0s:0", "max:1x:1h", "max:1:1h", "max:1s:1", "max:s:0", "max:1s:-1", "p101:1s:0",
            "p100.5:1s:0", "p05:1s:0", "p:1s:0", "p1.:1s:0", "max:1s:0:x", "max :1s:0", "max:1s :0",
            "max:1000000000000000000m:0", "max:999999999999999999d:0", "max:1s:0;bad");

    @AfterEach
    void reset() {
        valkey.server().call("CONFIG", "SET", NAME, "");
    }

    static boolean accepted(ValkeyServer s, String policy) {
        Resp.Reply r = s.call("CONFIG", "SET", NAME, policy);
        if (r instanceof Resp.Err e) {
            assertTrue(e.message().contains("invalid ts-compaction-policy"), policy + ": " + e.message());
            return false;
        }
        assertOk(r);
        return true;
    }

    @Test
    void configSetRefusesAnInvalidPolicyAndKeepsTheOldOne() {
        ValkeyServer s = valkey.server();
        for (String p : GOOD) assertTrue(accepted(s, p), "accepted: '" + p + "'");
        assertOk(s.call("CONFIG", "SET", NAME, "max:1M:1h"));
        for (String p : BAD) {
            assertEquals(false, accepted(s, p), "refused: '" + p + "'");
            assertEquals(List.of(NAME, "max:1M:1h"), s.call("CONFIG", "GET", NAME).plain(), "kept after '" + p + "'");
        }
        Resp.Err e = assertInstanceOf(Resp.Err.class, s.call("CONFIG", "SET", NAME, "max:1x:1h"));
        assertTrue(e.message().contains("bad unit in '1x' (m, s, M, h or d) in rule 'max:1x:1h'"), e.message());
        e = assertInstanceOf(Resp.Err.class, s.call("CONFIG", "SET", NAME, "avg:1s:0;foo:1s:0"));
        assertTrue(e.message().contains("unknown aggregator 'foo' in rule 'foo:1s:0'"), e.message());
        // the policy still in force creates its destination
        s.call("TS.ADD", "k", 1, 1);
        assertEquals(1, ((Resp.Arr) info(s, "k").get("rules")).size());
    }

    /** The C grammar and the Java one agree, on the lists and on random texts from their alphabet. */
    @Test
    void cAndJavaGrammarsAgree() {
        ValkeyServer s = valkey.server();
        List<String> texts = new ArrayList<>(GOOD);
        texts.addAll(BAD);
        Random rnd = new Random(5);
        String[] parts = {"max", "avg", "p5", "p99.9", "p100", "p100.1", "P50", "x", ":", ":", ";", "0", "1", "10", "s",
                "m", "M", "h", "d", "y", " ", ".", "00"};
        for (int i = 0; i < 3000; i++) {
            StringBuilder b = new StringBuilder();
            if (rnd.nextBoolean()) {
                // near-valid: agg:dur:ret[:align] with random pieces
                b.append(parts[rnd.nextInt(7)]).append(':').append(rnd.nextInt(3)).append(parts[13 + rnd.nextInt(7)])
                        .append(':').append(rnd.nextInt(2) == 0 ? "0" : rnd.nextInt(100) + parts[13 + rnd.nextInt(7)]);
                if (rnd.nextBoolean()) b.append(':').append(parts[rnd.nextInt(parts.length)]);
                if (rnd.nextInt(4) == 0) b.append(';').append(parts[rnd.nextInt(parts.length)]);
            } else {
                for (int k = rnd.nextInt(8); k >= 0; k--) b.append(parts[rnd.nextInt(parts.length)]);
            }
            texts.add(b.toString());
        }
        for (String t : texts) {
            boolean java = CompactionPolicy.validate(t) == null;
            assertEquals(java, accepted(s, t), "'" + t + "': Java says " + CompactionPolicy.validate(t));
        }
    }

    @Test
    void moduleArgument() {
        try (ValkeyServer s = ValkeyServer.builder().moduleArgs("COMPACTION_POLICY", "max:1M:1h;avg:10s:0").start()) {
            assertEquals(List.of(NAME, "max:1M:1h;avg:10s:0"), s.call("CONFIG", "GET", NAME).plain());
            s.call("TS.ADD", "k", 1, 1);
            assertEquals(2, ((Resp.Arr) info(s, "k").get("rules")).size());
        }
        try (ValkeyServer s = ValkeyServer.builder().moduleArgs("ts-compaction-policy", "min:1s:0").start()) {
            assertEquals(List.of(NAME, "min:1s:0"), s.call("CONFIG", "GET", NAME).plain());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ValkeyServer.builder().moduleArgs("COMPACTION_POLICY", "max:1x:1h").start().close());
        assertTrue(e.getMessage().contains("timeseries: invalid ts-compaction-policy: bad unit in '1x'"),
                "the log says why: " + e.getMessage());
        e = assertThrows(IllegalStateException.class,
                () -> ValkeyServer.builder().moduleArgs("ts-compaction-policy", "avg:1s").start().close());
        assertTrue(e.getMessage().contains("must be aggregator:bucketDuration:retention[:alignTimestamp]"),
                "the log says why: " + e.getMessage());
    }
}
