package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TS._RESTORE (what AOF rewrite emits) takes raw blobs from whoever sends it: a malformed
 * one must be refused whole, since Java later walks the series' blobs in native memory.
 */
class RestoreBlobIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension().flushAllBeforeEach();

    /** A series header blob (native/series.c ts_header_to_blob) with the given rules blob. */
    static byte[] header(byte[] rules, int nrules) {
        ByteBuffer b = ByteBuffer.allocate(64 + rules.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(2); // layout version
        b.putInt(0); // encoding compressed, duplicate policy unset
        b.putLong(0).putInt(4096).putInt(0).putLong(0).putDouble(0);
        b.putInt(0).putInt(0); // no labels
        b.putInt(nrules).putInt(rules.length).put(rules);
        b.putInt(0); // no source key
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    static byte[] rule(String dest, String agg, int destLenField) {
        byte[] d = dest.getBytes(StandardCharsets.US_ASCII), a = agg.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(8 + 120 + d.length + a.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 1).put(new byte[3]).putInt(1);
        b.putLong(Long.MIN_VALUE).putLong(1000).putLong(0).putInt(destLenField).putShort((short) a.length).putShort((short) 0);
        b.putLong(Long.MAX_VALUE).putLong(Long.MAX_VALUE);
        for (int i = 0; i < 9; i++) b.putLong(0);
        b.put(d).put(a);
        return b.array();
    }

    private static Resp.Reply restore(String key, byte[] blob) {
        return valkey.server().call("TS._RESTORE", key, "HEADER", blob);
    }

    @Test
    void wellFormedRulesAreTaken() {
        assertOk(restore("src", header(rule("dst", "avg", 3), 1)));
        assertEquals(0, integer(call("EXISTS", "dst")));
        assertTrue(valkey.server().ping());
    }

    @Test
    void malformedRulesAreRefused() {
        String err = "ERR TSDB: malformed compaction rules";
        assertError(err, restore("a", header(rule("dst", "avg", 1_000_000), 1)));   // dest length past the blob
        assertError(err, restore("b", header(rule("dst", "avg", 3), 2)));           // count disagrees
        byte[] r = rule("dst", "avg", 3);
        r[0] = 9;                                                                  // unknown version
        assertError(err, restore("c", header(r, 1)));
        byte[] cut = java.util.Arrays.copyOf(rule("dst", "avg", 3), 60);           // truncated record
        assertError(err, restore("d", header(cut, 1)));
        assertEquals(0, integer(call("EXISTS", "a", "b", "c", "d")));
        assertEquals(5, integer(call("TS.ADD", "e", "5", "1")));
    }

    private static Resp.Reply call(Object... args) {
        return valkey.server().call(args);
    }
}
