package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@link LocalCluster} fixture itself: start, routed writes, resharding with keys, failover. */
class LocalClusterIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension(ValkeyServer.Builder::noModule);

    @Test
    void startsMovesSlotsAndFailsOver() {
        try (LocalCluster c = LocalCluster.builder().primaries(3).replicasEach(1).nodeTimeout(4000).track(valkey).start()) {
            assertEquals(3, c.primaries().size());
            assertEquals(3, c.replicas().size());
            for (ValkeyServer s : c.nodes()) assertEquals("ok", LocalCluster.clusterInfo(s, "cluster_state"));

            List<Object[]> writes = new ArrayList<>();
            for (int i = 0; i < 300; i++) writes.add(new Object[] {"TS.ADD", "k" + i, 1000 + i, i});
            c.writeAll(writes);
            long total = 0;
            for (ValkeyServer p : c.primaries()) total += ((Resp.Int) p.call("DBSIZE")).value();
            assertEquals(300, total);

            ValkeyServer from = c.ownerOf(0);
            ValkeyServer to = c.ownerOf(LocalCluster.SLOTS - 1);
            int slot = LocalCluster.slot("k0");
            ValkeyServer owner = c.ownerOf(slot);
            ValkeyServer other = owner == from ? to : from;
            c.moveSlots(owner, other, slot, slot);
            assertEquals(other, c.ownerOf(slot));
            assertEquals("TSDB-TYPE", ((Resp.Simple) other.call("TYPE", "k0")).text());
            assertEquals(List.of(List.of(1000L, "0")), c.routed("TS.RANGE", "k0", "-", "+").plain());

            ValkeyServer victim = c.ownerOf(slot);
            c.kill(victim);
            ValkeyServer promoted = c.awaitFailover(victim);
            assertNotEquals(victim, promoted);
            assertEquals(promoted, c.ownerOf(slot));
            assertEquals(List.of(List.of(1000L, "0")), c.routed("TS.RANGE", "k0", "-", "+").plain());
            assertTrue(c.primaries().contains(promoted));
        }
    }
}
