package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static vts.e2e.Ts.*;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Multi-series commands skip the per-key ACL check when the user's rules grant every key;
 * these users must get exactly what their rules allow.
 */
class AclIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension().flushAllBeforeEach();

    private static Resp.Reply call(Object... args) {
        return valkey.server().call(args);
    }

    private static void twoSeries() {
        assertOk(call("TS.CREATE", "a:1", "LABELS", "x", "1"));
        assertOk(call("TS.CREATE", "b:1", "LABELS", "x", "1"));
        assertEquals(5, integer(call("TS.ADD", "a:1", "5", "1")));
    }

    @Test
    void readAllUserReadsEverythingButCannotDelete() {
        twoSeries();
        assertOk(call("ACL", "SETUSER", "reader", "on", ">pw", "+@all", "%R~*"));
        try (Resp r = valkey.server().resp()) {
            assertOk(r.call("AUTH", "reader", "pw"));
            assertEquals(List.of("a:1", "b:1"), r.call("TS.QUERYINDEX", "x=1").plain());
            assertEquals(2L, r.call("TS.CARD", "FILTER", "x=1").plain());
            assertEquals(2, array(r.call("TS.MGET", "FILTER", "x=1")).size());
            assertInstanceOf(Resp.Err.class, r.call("TS.MDEL", "FILTER", "x=1"));
        } finally {
            call("ACL", "DELUSER", "reader");
        }
        assertEquals(2L, call("TS.CARD").plain(), "nothing was deleted");
    }

    @Test
    void allKeysUserDeletes() {
        twoSeries();
        assertOk(call("ACL", "SETUSER", "owner", "on", ">pw", "+@all", "allkeys"));
        try (Resp r = valkey.server().resp()) {
            assertOk(r.call("AUTH", "owner", "pw"));
            assertEquals(2L, r.call("TS.MDEL", "FILTER", "x=1").plain());
        } finally {
            call("ACL", "DELUSER", "owner");
        }
        assertEquals(0L, call("TS.CARD").plain());
    }

    @Test
    void prefixUserIsCheckedPerKey() {
        twoSeries();
        assertOk(call("ACL", "SETUSER", "apart", "on", ">pw", "+@all", "~a:*"));
        try (Resp r = valkey.server().resp()) {
            assertOk(r.call("AUTH", "apart", "pw"));
            assertEquals(List.of("1"), r.call("TS.QUERYLABELS", "VALUES", "x").plain());
            assertInstanceOf(Resp.Err.class, r.call("TS.QUERYINDEX", "x=1"));
            assertInstanceOf(Resp.Err.class, r.call("TS.MGET", "FILTER", "x=1"));
        } finally {
            call("ACL", "DELUSER", "apart");
        }
    }
}
