package vts.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The cluster as this node sees it, from CLUSTER NODES. Generating and parsing that text
 * for every command cost more than a small query, so {@link #current} keeps the last one
 * while nothing could have changed what this node serves (see there).
 */
final class Topology {
    /** One node: its 40-character id, ip:port, whether it is a primary, myself, and the slots it serves. */
    record Node(String id, String address, boolean primary, boolean myself, BitSet slots) {
        String describe() { return id + " " + address; }
    }

    final List<Node> nodes;
    /** The cluster bus ports of the other nodes. */
    final int[] busPorts;
    /** Of this node: slots being imported ([slot-<-id]) and whether any slot is migrating or importing. */
    final BitSet importing;
    final boolean moving;

    private final Node myself;
    private final List<Node> shards;

    private Topology(List<Node> nodes, BitSet importing, boolean moving, int[] busPorts) {
        this.nodes = nodes;
        this.busPorts = busPorts;
        this.importing = importing;
        this.moving = moving;
        Node me = null;
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            if (n.myself) me = n;
            if (n.primary && !n.slots.isEmpty()) out.add(n);
        }
        this.myself = me;
        this.shards = List.copyOf(out);
    }

    Node myself() { return myself; }

    /** The primaries that serve at least one slot: the shards a query must ask. */
    List<Node> shards() { return shards; }

    // ------------------------------------------------------------ the cached view

    /** How long a cached view is used at most, even when no change was seen. */
    static final long MAX_AGE_MS = 250;
    /**
     * No cache for this long after a CLUSTER command that may change slots: such a command
     * (SETSLOT in Valkey 8 waits for its replicas) can take effect after the filter saw it.
     */
    static final long SETTLE_MS = 5000;
    private static final int CTX_FLAGS_ROLE = (1 << 2) | (1 << 3); // VALKEYMODULE_CTX_FLAGS_MASTER | _SLAVE
    private static final int NODE_MASTER = 1 << 1, NODE_FAIL = 1 << 4; // VALKEYMODULE_NODE_*

    private static Topology cached;
    private static long cachedGen, cachedAt;
    private static int cachedRole;
    /** CLUSTER NODES reads since load, bus links given TCP_NODELAY (for TS._DEBUG CLUSTERSTATS). */
    static long reads, nodelaySet;

    /**
     * This node's view: fresh from CLUSTER NODES if asked, else the cached one unless it may be
     * stale. Why the cache is safe: a node only GAINS slots (owned or importing) by a CLUSTER
     * command run on it (ADDSLOTS, SETSLOT, FAILOVER, ...: native/cluster.c counts them) or by
     * becoming a primary (its role flag); either makes the calls read afresh (for
     * {@link #SETTLE_MS} after such a command, as it may take effect later than it arrived). A node that
     * LOST slots through gossip may still claim them from the cache, but then the node that
     * gained them claims them too and the coordinator sees a slot claimed twice and asks again
     * with fresh views everywhere ({@code fresh} for any attempt after the first). For the
     * coordinator's list of shards, a shard that stopped being a primary or failed, and an age
     * of {@link #MAX_AGE_MS}, also end the cache.
     */
    static Topology current(long ctx, boolean fresh) {
        long gen = Bus.topologyGen(), now = vts.bridge.Api.milliseconds(), quiet = Bus.topologyQuietMs();
        int role = vts.bridge.Api.contextFlags(ctx) & CTX_FLAGS_ROLE;
        Topology t = cached;
        if (fresh || t == null || (quiet >= 0 && quiet < SETTLE_MS) || gen != cachedGen || role != cachedRole || now - cachedAt > MAX_AGE_MS || !t.shardsUp(ctx)) {
            t = parse(Bus.clusterNodes(ctx));
            reads++;
            nodelaySet += Math.max(0, Bus.nodelay(t.busPorts));
            cached = t;
            cachedGen = gen;
            cachedRole = role;
            cachedAt = now;
        }
        return t;
    }

    /** Forgets the cached view (a shard could not be reached). */
    static void invalidate() { cached = null; }

    /** True if every shard of this view is still a primary this node has not marked failed. */
    private boolean shardsUp(long ctx) {
        for (Node n : shards) {
            if (n.myself) continue;
            int f = Bus.nodeFlags(ctx, n.id);
            if (f < 0 || (f & NODE_MASTER) == 0 || (f & NODE_FAIL) != 0) return false;
        }
        return true;
    }

    /** True if the shards together serve every slot. */
    boolean covered() {
        BitSet all = new BitSet(Slots.COUNT);
        for (Node n : nodes) {
            if (n.primary) all.or(n.slots);
        }
        return all.cardinality() == Slots.COUNT;
    }

    static Topology parse(byte[] text) {
        List<Node> nodes = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        BitSet importing = new BitSet(Slots.COUNT);
        boolean moving = false;
        for (String line : new String(text, StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 8) continue;
            String addr = f[1];
            int at = addr.indexOf('@');
            int busPort = -1;
            if (at >= 0) {
                int comma = addr.indexOf(',', at); // ip:port@cport[,hostname]
                try {
                    busPort = Integer.parseInt(addr.substring(at + 1, comma < 0 ? addr.length() : comma));
                } catch (NumberFormatException e) {
                    busPort = -1;
                }
                addr = addr.substring(0, at);
            }
            boolean primary = false, myself = false, usable = true;
            for (String flag : f[2].split(",")) {
                switch (flag) {
                    case "master" -> primary = true;
                    case "myself" -> myself = true;
                    case "handshake", "noaddr" -> usable = false;
                    default -> { }
                }
            }
            if (!usable) continue;
            BitSet slots = new BitSet(Slots.COUNT);
            for (int i = 8; i < f.length; i++) {
                String s = f[i];
                if (s.startsWith("[")) { // [slot->-id] migrating, [slot-<-id] importing (shown for myself only)
                    moving = true;
                    int dash = s.indexOf('-');
                    if (s.contains("-<-")) importing.set(Integer.parseInt(s.substring(1, dash)));
                    continue;
                }
                int dash = s.indexOf('-');
                if (dash < 0) {
                    slots.set(Integer.parseInt(s));
                } else {
                    slots.set(Integer.parseInt(s.substring(0, dash)), Integer.parseInt(s.substring(dash + 1)) + 1);
                }
            }
            nodes.add(new Node(f[0], addr, primary, myself, slots));
            if (!myself && busPort > 0) ports.add(busPort);
        }
        return new Topology(nodes, importing, moving, ports.stream().mapToInt(Integer::intValue).distinct().toArray());
    }
}
