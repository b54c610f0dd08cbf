package vts.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * A local Valkey Cluster for end-to-end tests: N primaries with M replicas each, every node a
 * {@link ValkeyServer} (free 127.0.0.1 port, its own temp dir, the module loaded) with
 * {@code cluster-enabled yes}. Slots are split evenly over the primaries; the cluster is
 * returned once every node reports {@code cluster_state:ok}, agrees on the slot map, and every
 * replica is in sync.
 *
 * <pre>{@code
 * try (LocalCluster c = LocalCluster.builder().primaries(3).replicasEach(1).start()) {
 *     c.routed("TS.ADD", "k", 1, 2);                 // to the primary owning k's slot
 *     Resp.Reply r = c.call(c.node(4), "TS.MGET", "FILTER", "a=b");
 *     c.moveSlots(c.primaries().get(0), c.primaries().get(1), 0, 99);
 *     c.kill(p); c.awaitFailover(p);
 * }
 * }</pre>
 *
 * Nodes are stopped by PID only ({@link ValkeyServer}). With {@link Builder#track} each node is
 * handed to a {@link ServerExtension}, which prints its log tail when a test fails; a failed
 * start throws with every node's log tail.
 */
public final class LocalCluster implements AutoCloseable {
    public static final int SLOTS = 16384;

    public static Builder builder() {
        return new Builder();
    }

    /** How to start a cluster. */
    public static final class Builder {
        private int primaries = 3;
        private int replicasEach = 0;
        // a shared, busy machine pauses processes for seconds: shorter timeouts made clusters flap
        private int nodeTimeoutMillis = 5000;
        private UnaryOperator<ValkeyServer.Builder> setup = b -> b;
        private ServerExtension tracker;
        private Duration readyTimeout = Duration.ofSeconds(90);

        public Builder primaries(int n) {
            if (n < 1) throw new IllegalArgumentException("at least one primary");
            primaries = n;
            return this;
        }

        public Builder replicasEach(int n) {
            if (n < 0) throw new IllegalArgumentException("replicas >= 0");
            replicasEach = n;
            return this;
        }

        /** {@code cluster-node-timeout} (default 5000 ms); small values make failover fast but may flap under load. */
        public Builder nodeTimeout(int millis) {
            nodeTimeoutMillis = millis;
            return this;
        }

        /** Extra settings for every node (module args, configs). */
        public Builder configure(UnaryOperator<ValkeyServer.Builder> extra) {
            UnaryOperator<ValkeyServer.Builder> before = setup;
            setup = b -> extra.apply(before.apply(b));
            return this;
        }

        /** Every node is tracked by this extension (log tails printed when a test fails). */
        public Builder track(ServerExtension extension) {
            tracker = extension;
            return this;
        }

        public Builder readyTimeout(Duration timeout) {
            readyTimeout = timeout;
            return this;
        }

        public LocalCluster start() {
            LocalCluster c = new LocalCluster(this);
            try {
                c.boot();
            } catch (RuntimeException | Error e) {
                String logs = c.logTails(40);
                c.close();
                throw new IllegalStateException("cluster did not start: " + e.getMessage() + "\n" + logs, e);
            }
            return c;
        }
    }

    private final Builder spec;
    private final List<ValkeyServer> nodes = new ArrayList<>();
    private final Map<ValkeyServer, String> ids = new LinkedHashMap<>();
    private final Map<ValkeyServer, Integer> busPorts = new LinkedHashMap<>();
    /** Owner of each slot, as last read from the cluster ({@link #refreshSlots}). */
    private final ValkeyServer[] owners = new ValkeyServer[SLOTS];
    private JedisCluster jedis;

    private LocalCluster(Builder spec) {
        this.spec = spec;
    }

    // ---------------------------------------------------------------- start

    private void boot() {
        int total = spec.primaries * (1 + spec.replicasEach);
        for (int i = 0; i < total; i++) {
            int busPort = ValkeyServer.freePort();
            ValkeyServer.Builder b = ValkeyServer.builder()
                    .config("cluster-enabled", "yes")
                    .config("cluster-config-file", "nodes.conf")
                    .config("cluster-node-timeout", Integer.toString(spec.nodeTimeoutMillis))
                    .config("cluster-port", Integer.toString(busPort))
                    // replicas may always take over, however long they were cut off
                    .config("cluster-replica-validity-factor", "0")
                    // keep the shape the test built: no replica moves to an orphaned primary
                    .config("cluster-allow-replica-migration", "no");
            ValkeyServer s = spec.setup.apply(b).start();
            nodes.add(s);
            busPorts.put(s, busPort);
            if (spec.tracker != null) spec.tracker.track(s);
        }
        for (int i = 0; i < total; i++) {
            ValkeyServer s = nodes.get(i);
            ids.put(s, text(s.call("CLUSTER", "MYID")));
            expectOk(s.call("CLUSTER", "SET-CONFIG-EPOCH", i + 1), "SET-CONFIG-EPOCH on " + s);
        }
        ValkeyServer first = nodes.get(0);
        for (ValkeyServer s : nodes.subList(1, total)) {
            expectOk(first.call("CLUSTER", "MEET", s.host(), s.port(), busPorts.get(s)), "MEET " + s);
        }
        await("every node to know every other node", () -> nodes.stream().allMatch(s -> knownNodes(s) == total));
        for (int p = 0; p < spec.primaries; p++) {
            int from = p * SLOTS / spec.primaries;
            int to = (p + 1) * SLOTS / spec.primaries - 1;
            expectOk(nodes.get(p).call("CLUSTER", "ADDSLOTSRANGE", from, to), "ADDSLOTSRANGE on " + nodes.get(p));
        }
        for (int r = 0; r < spec.primaries * spec.replicasEach; r++) {
            ValkeyServer replica = nodes.get(spec.primaries + r);
            ValkeyServer primary = nodes.get(r % spec.primaries);
            await(replica + " to know " + primary + " as a primary",
                    () -> nodeLine(replica, ids.get(primary)).contains("master"));
            expectOk(replica.call("CLUSTER", "REPLICATE", ids.get(primary)), "REPLICATE on " + replica);
        }
        awaitStable();
    }

    // ---------------------------------------------------------------- topology

    /** Every node started, in start order: primaries first, then replicas (replica i follows primary i % N). */
    public List<ValkeyServer> nodes() {
        return List.copyOf(nodes);
    }

    public ValkeyServer node(int i) {
        return nodes.get(i);
    }

    /** The running nodes. */
    public List<ValkeyServer> liveNodes() {
        return nodes.stream().filter(ValkeyServer::isRunning).toList();
    }

    /** The running nodes that are primaries now (roles change on failover). */
    public List<ValkeyServer> primaries() {
        return liveNodes().stream().filter(s -> "master".equals(s.info("replication", "role"))).toList();
    }

    /** The running nodes that are replicas now. */
    public List<ValkeyServer> replicas() {
        return liveNodes().stream().filter(s -> "slave".equals(s.info("replication", "role"))).toList();
    }

    /** The node's cluster id (40 hex digits). */
    public String id(ValkeyServer s) {
        return ids.get(s);
    }

    /** The node with this cluster id, or null. */
    public ValkeyServer byId(String id) {
        for (var e : ids.entrySet()) if (e.getValue().equals(id)) return e.getKey();
        return null;
    }

    public static int slot(String key) {
        return JedisClusterCRC16.getSlot(key);
    }

    /** The primary owning the slot, from the last {@link #refreshSlots}. */
    public ValkeyServer ownerOf(int slot) {
        return owners[slot];
    }

    public ValkeyServer primaryFor(String key) {
        return owners[slot(key)];
    }

    /** The slots a node owns, from the last {@link #refreshSlots}. */
    public List<Integer> slotsOf(ValkeyServer s) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) if (owners[i] == s) out.add(i);
        return out;
    }

    /** Reads the slot map (CLUSTER SLOTS) from a live node. */
    public synchronized void refreshSlots() {
        Arrays.fill(owners, null);
        ValkeyServer from = liveNodes().get(0);
        Resp.Reply r = from.call("CLUSTER", "SLOTS");
        if (!(r instanceof Resp.Arr ranges)) throw new IllegalStateException("CLUSTER SLOTS: " + r);
        for (Resp.Reply range : ranges.items()) {
            Resp.Arr a = (Resp.Arr) range;
            int lo = (int) ((Resp.Int) a.get(0)).value();
            int hi = (int) ((Resp.Int) a.get(1)).value();
            int port = (int) ((Resp.Int) ((Resp.Arr) a.get(2)).get(1)).value();
            ValkeyServer owner = byPort(port);
            for (int s = lo; s <= hi; s++) owners[s] = owner;
        }
    }

    private ValkeyServer byPort(int port) {
        for (ValkeyServer s : nodes) if (s.port() == port) return s;
        throw new IllegalStateException("no node on port " + port);
    }

    // ---------------------------------------------------------------- talking to nodes

    /** A command to one node, RESP2, exact reply. */
    public Resp.Reply call(ValkeyServer node, Object... args) {
        return node.call(args);
    }

    /** A command to one node, RESP3, exact reply. */
    public Resp.Reply call3(ValkeyServer node, Object... args) {
        return node.call3(args);
    }

    /**
     * A command whose key is {@code args[1]}, sent to the primary owning its slot; follows
     * MOVED (re-reading the slot map) and ASK (ASKING on the target), as a cluster client does.
     */
    public Resp.Reply routed(Object... args) {
        String key = String.valueOf(args[1]);
        ValkeyServer target = primaryFor(key);
        for (int hop = 0; hop < 10; hop++) {
            if (target == null || !target.isRunning()) {
                refreshSlots();
                target = primaryFor(key);
                if (target == null) throw new IllegalStateException("no owner for slot " + slot(key));
            }
            Resp.Reply r = target.call(args);
            if (r instanceof Resp.Err e && e.message().startsWith("MOVED ")) {
                refreshSlots();
                target = byPort(Integer.parseInt(e.message().substring(e.message().lastIndexOf(':') + 1)));
                continue;
            }
            if (r instanceof Resp.Err e && e.message().startsWith("ASK ")) {
                ValkeyServer to = byPort(Integer.parseInt(e.message().substring(e.message().lastIndexOf(':') + 1)));
                try (Resp c = to.resp()) {
                    expectOk(c.call("ASKING"), "ASKING");
                    return c.call(args);
                }
            }
            return r;
        }
        throw new IllegalStateException("too many redirections for " + key);
    }

    /**
     * Sends many keyed commands (key at index 1), pipelined per owning primary; every reply
     * must be a value, not an error.
     */
    public void writeAll(List<Object[]> commands) {
        refreshSlots();
        Map<ValkeyServer, List<Object[]>> byOwner = new LinkedHashMap<>();
        for (Object[] c : commands) byOwner.computeIfAbsent(primaryFor(String.valueOf(c[1])), k -> new ArrayList<>()).add(c);
        for (var e : byOwner.entrySet()) {
            try (Resp r = e.getKey().resp()) {
                for (Object[] c : e.getValue()) r.send(c);
                for (Object[] c : e.getValue()) {
                    Resp.Reply reply = r.read();
                    if (reply instanceof Resp.Err err) {
                        throw new IllegalStateException(Arrays.toString(c) + " on " + e.getKey() + ": " + err.message());
                    }
                }
            }
        }
    }

    /** A slot-routed Jedis client (RESP2) over the cluster; closed with the cluster. */
    public synchronized JedisCluster jedis() {
        if (jedis == null) {
            Set<HostAndPort> seeds = new HashSet<>();
            for (ValkeyServer s : liveNodes()) seeds.add(new HostAndPort(s.host(), s.port()));
            jedis = new JedisCluster(seeds, DefaultJedisClientConfig.builder()
                    .connectionTimeoutMillis(5_000).socketTimeoutMillis(60_000).build());
        }
        return jedis;
    }

    // ---------------------------------------------------------------- faults and resharding

    /** SIGKILL to the node's PID. */
    public void kill(ValkeyServer node) {
        node.sigkill();
    }

    /** Stops the node with SHUTDOWN NOSAVE. */
    public void stop(ValkeyServer node) {
        node.stopNoSave();
    }

    /**
     * Waits until a former replica of the dead primary is a primary, every live node reports
     * {@code cluster_state:ok} and agrees on the slot map, and no slot names the dead node; then
     * re-reads the slot map. Returns the promoted node.
     */
    public ValkeyServer awaitFailover(ValkeyServer dead) {
        String deadId = id(dead);
        ValkeyServer[] promoted = new ValkeyServer[1];
        await("a replica of " + dead + " to be promoted", () -> {
            for (ValkeyServer s : liveNodes()) {
                String line = nodeLine(s, ids.get(s));
                if (line.contains("master") && wasReplicaOf(s, deadId)) {
                    promoted[0] = s;
                    return true;
                }
            }
            return false;
        });
        awaitStable();
        for (int i = 0; i < SLOTS; i++) {
            if (owners[i] == dead) throw new IllegalStateException("slot " + i + " still owned by dead " + dead);
        }
        return promoted[0];
    }

    private final Map<ValkeyServer, String> replicaOf = new LinkedHashMap<>();

    private boolean wasReplicaOf(ValkeyServer s, String primaryId) {
        return primaryId.equals(replicaOf.get(s));
    }

    /**
     * Moves slots {@code first..last} with their keys from one primary to another: SETSLOT
     * IMPORTING on the target, MIGRATING on the source, MIGRATE … KEYS in batches, then SETSLOT
     * NODE on the target, the source and every other primary.
     */
    public void moveSlots(ValkeyServer from, ValkeyServer to, int first, int last) {
        for (int slot = first; slot <= last; slot++) moveSlot(from, to, slot, 100);
        refreshSlots();
    }

    /** Moves one slot; {@code batch} keys per MIGRATE. Returns how many keys moved. */
    public int moveSlot(ValkeyServer from, ValkeyServer to, int slot, int batch) {
        return moveSlot(from, to, slot, batch, 0);
    }

    /**
     * Moves one slot, {@code batch} keys per MIGRATE and {@code pauseMillis} between them (to keep
     * the slot half moved for a while). Returns how many keys moved.
     */
    public int moveSlot(ValkeyServer from, ValkeyServer to, int slot, int batch, long pauseMillis) {
        String fromId = id(from);
        String toId = id(to);
        expectOk(to.call("CLUSTER", "SETSLOT", slot, "IMPORTING", fromId), "SETSLOT IMPORTING on " + to);
        expectOk(from.call("CLUSTER", "SETSLOT", slot, "MIGRATING", toId), "SETSLOT MIGRATING on " + from);
        int moved = 0;
        while (true) {
            Resp.Reply keys = from.call("CLUSTER", "GETKEYSINSLOT", slot, batch);
            List<Resp.Reply> items = ((Resp.Arr) keys).items();
            if (items.isEmpty()) break;
            List<Object> migrate = new ArrayList<>(List.of("MIGRATE", to.host(), to.port(), "", 0, 10_000, "KEYS"));
            for (Resp.Reply k : items) migrate.add(((Resp.Bulk) k).bytes());
            expectOk(from.call(migrate.toArray()), "MIGRATE of slot " + slot + " from " + from);
            moved += items.size();
            if (pauseMillis > 0) ValkeyServer.sleep(pauseMillis);
        }
        expectOk(to.call("CLUSTER", "SETSLOT", slot, "NODE", toId), "SETSLOT NODE on target " + to);
        expectOk(from.call("CLUSTER", "SETSLOT", slot, "NODE", toId), "SETSLOT NODE on source " + from);
        for (ValkeyServer p : primaries()) {
            if (p == from || p == to) continue;
            Resp.Reply r = p.call("CLUSTER", "SETSLOT", slot, "NODE", toId);
            // another primary may already have learnt it from the bus; both are fine
            if (r instanceof Resp.Err e && !e.message().contains("I still hold keys")) {
                expectOk(r, "SETSLOT NODE on " + p);
            }
        }
        return moved;
    }

    /**
     * Waits until every live node reports {@code cluster_state:ok}, all agree on who owns each
     * slot and every live replica's link to its primary is up and synced; re-reads the slot map.
     */
    public void awaitStable() {
        List<ValkeyServer> live = liveNodes();
        await("cluster_state:ok on every node", () -> live.stream().allMatch(s -> "ok".equals(clusterInfo(s, "cluster_state"))));
        await("every node to agree on the slot map", () -> {
            String first = slotMap(live.get(0));
            return live.stream().allMatch(s -> slotMap(s).equals(first));
        });
        await("every replica to be in sync", () -> live.stream().allMatch(s -> {
            if (!"slave".equals(s.info("replication", "role"))) return true;
            return "up".equals(s.info("replication", "master_link_status"))
                    && "0".equals(s.info("replication", "master_sync_in_progress"));
        }));
        for (ValkeyServer s : live) {
            String myLine = nodeLine(s, ids.get(s));
            String[] f = myLine.split(" ");
            if (f.length > 3 && !f[3].equals("-")) replicaOf.put(s, f[3]);
        }
        refreshSlots();
    }

    /** Polls (every 50 ms) until the condition holds; fails with every node's log tail. */
    public void await(String what, BooleanSupplier condition) {
        await(what, spec.readyTimeout, condition);
    }

    public void await(String what, Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < end) {
            try {
                if (condition.getAsBoolean()) return;
                last = null;
            } catch (RuntimeException e) {
                last = e; // a node may refuse while it changes state; try again
            }
            ValkeyServer.sleep(50);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what
                + (last == null ? "" : " (last error: " + last + ")") + "\n" + logTails(30));
    }

    /**
     * Runs a step of a class's setup; if it fails, rethrows with every node's log tail (JUnit
     * reports no test as failed for a failing {@code @BeforeAll}, so the extension prints none).
     */
    public void printLogsIfFails(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException | Error e) {
            throw new IllegalStateException(e.getMessage() + "\n" + logTails(40), e);
        }
    }

    /** A field of CLUSTER INFO on one node, or null. */
    public static String clusterInfo(ValkeyServer s, String field) {
        for (String line : String.valueOf(s.call("CLUSTER", "INFO").plain()).split("\r\n")) {
            if (line.startsWith(field + ":")) return line.substring(field.length() + 1);
        }
        return null;
    }

    /** Each node's log tail, for failure messages. */
    public String logTails(int lines) {
        StringBuilder b = new StringBuilder();
        for (ValkeyServer s : nodes) {
            b.append("==== ").append(s).append(s.isRunning() ? "" : " (NOT RUNNING, exit " + s.exitCode() + ")")
                    .append(" id ").append(ids.get(s)).append('\n').append(s.logTail(lines)).append('\n');
        }
        return b.toString();
    }

    /** Stops every node (replicas first, so no primary waits for its replicas on shutdown). */
    @Override
    public synchronized void close() {
        if (jedis != null) jedis.close();
        jedis = null;
        List<ValkeyServer> order = new ArrayList<>(nodes);
        order.sort((a, b) -> Boolean.compare(isPrimaryQuietly(a), isPrimaryQuietly(b)));
        for (ValkeyServer s : order) s.close();
    }

    private static boolean isPrimaryQuietly(ValkeyServer s) {
        try {
            return s.isRunning() && "master".equals(s.info("replication", "role"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- helpers

    private static int knownNodes(ValkeyServer s) {
        int n = 0;
        for (String line : String.valueOf(s.call("CLUSTER", "NODES").plain()).split("\n")) {
            if (line.isBlank()) continue;
            if (line.contains("handshake") || line.contains("noaddr")) return -1;
            n++;
        }
        return n;
    }

    /** This node's CLUSTER NODES line about the node with this id ("" if unknown). */
    private static String nodeLine(ValkeyServer s, String id) {
        for (String line : String.valueOf(s.call("CLUSTER", "NODES").plain()).split("\n")) {
            if (line.startsWith(id + " ")) return line;
        }
        return "";
    }

    /** The slot ranges and their owners' ports as this node sees them, canonical. */
    private static String slotMap(ValkeyServer s) {
        Resp.Reply r = s.call("CLUSTER", "SLOTS");
        List<String> ranges = new ArrayList<>();
        for (Resp.Reply range : ((Resp.Arr) r).items()) {
            Resp.Arr a = (Resp.Arr) range;
            ranges.add(a.get(0).plain() + "-" + a.get(1).plain() + "@" + ((Resp.Arr) a.get(2)).get(1).plain()
                    + "/" + (a.size() - 3));
        }
        ranges.sort(null);
        return String.join(",", ranges);
    }

    private static String text(Resp.Reply r) {
        if (r instanceof Resp.Bulk b) return b.text();
        if (r instanceof Resp.Simple s) return s.text();
        throw new IllegalStateException("expected a string, got " + r);
    }

    private static void expectOk(Resp.Reply r, String what) {
        if (!(r instanceof Resp.Simple s) || !s.text().equals("OK")) {
            throw new IllegalStateException(what + ": " + r);
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("LocalCluster[");
        for (ValkeyServer s : nodes) b.append(s.port()).append(s.isRunning() ? "" : "(down)").append(' ');
        return b.append(']').toString();
    }
}
