package vts.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The cluster as this node sees it now, from CLUSTER NODES (read for every fanned-out
 * command, so failovers and resharding are followed without a restart).
 */
final class Topology {
    /** One node: its 40-character id, ip:port, whether it is a primary, myself, and the slots it serves. */
    record Node(String id, String address, boolean primary, boolean myself, BitSet slots) {
        String describe() { return id + " " + address; }
    }

    final List<Node> nodes;
    /** Of this node: slots being imported ([slot-<-id]) and whether any slot is migrating or importing. */
    final BitSet importing;
    final boolean moving;

    private Topology(List<Node> nodes, BitSet importing, boolean moving) {
        this.nodes = nodes;
        this.importing = importing;
        this.moving = moving;
    }

    Node myself() {
        for (Node n : nodes) {
            if (n.myself) return n;
        }
        return null;
    }

    /** The primaries that serve at least one slot: the shards a query must ask. */
    List<Node> shards() {
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            if (n.primary && !n.slots.isEmpty()) out.add(n);
        }
        return out;
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
        BitSet importing = new BitSet(Slots.COUNT);
        boolean moving = false;
        for (String line : new String(text, StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 8) continue;
            String addr = f[1];
            int at = addr.indexOf('@');
            if (at >= 0) addr = addr.substring(0, at);
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
        }
        return new Topology(nodes, importing, moving);
    }
}
