package vts.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import vts.bridge.Bridge;
import vts.command.Args;
import vts.command.MultiCommands;
import vts.command.TsException;
import vts.index.Results.Partial;

/**
 * The node that got a multi-series command: asks every primary that serves slots, collects
 * the answers, checks that they cover every hash slot exactly once and that no series moved
 * between shards while they answered, and then unblocks the client, whose reply callback
 * merges the partial results with the single node's writers. Main thread only.
 *
 * <p>Exactly once: each shard answers for the keys of the slots it owns or imports and says
 * which slots it owns. The coordinator requires every slot owned by exactly one answer, else
 * asks again (ownership changed while they answered). A key moved by MIGRATE can still be
 * seen twice or not at all when two shards answer at different times; both ends of such a
 * move are in a migrating/importing state, which their answers report, and then a second,
 * cheap round asks every shard for its moves counter: if one changed since its answer, the
 * query is asked again. Everything is bounded by ts-cluster-timeout.
 */
final class Coordinator {
    private Coordinator() {}

    private static final long RETRY_DELAY_MS = 10;
    private static final byte[] NOTHING = new byte[0];

    /**
     * Call ids start from the clock (shifted), not from 1: a node that restarts keeps its node
     * id, and a late answer meant for a call of its previous life must not match a new call.
     */
    private static long nextId = (System.currentTimeMillis() & ((1L << 41) - 1)) << 16;
    private static final Map<Long, Call> CALLS = new HashMap<>();

    /** One fanned-out command, from blocking its client to its reply. */
    private static final class Call {
        final long id, bc, timeoutMs, started = vts.bridge.Api.milliseconds();
        final byte[][] argv;
        final byte[] user;
        final boolean deletes;
        long deadlineTimer;
        int attempt;
        List<Topology.Node> shards = List.of();
        final Map<String, Wire.Answer> answers = new HashMap<>();
        final Map<String, byte[]> pieces = new HashMap<>();
        final Map<String, Integer> filled = new HashMap<>();
        boolean probing;
        final Map<String, Long> counters = new HashMap<>();
        /** TS.MDEL: series or samples deleted by earlier attempts (deletions are not undone by asking again). */
        long carried;
        /** Why the last attempt was not accepted, for the timeout error. */
        String problem;
        /** Shards of this attempt the request could not be sent to yet. */
        final List<Topology.Node> unsent = new ArrayList<>();
        boolean done;
        String error;
        List<Partial> result;

        Call(long id, long bc, byte[][] argv, byte[] user, long timeoutMs) {
            this.id = id;
            this.bc = bc;
            this.argv = argv;
            this.user = user;
            this.timeoutMs = timeoutMs;
            this.deletes = new String(argv[0], java.nio.charset.StandardCharsets.US_ASCII).equalsIgnoreCase("TS.MDEL");
        }
    }

    static void start(long ctx, byte[][] argv, byte[] user) {
        long bc = Bus.block(ctx);
        if (bc == 0) throw new TsException("ERR TSDB: cannot block the client for a cluster query");
        Call c = new Call(nextId++, bc, argv, user, Bus.timeoutMs());
        CALLS.put(c.id, c);
        ClusterStats.commands++;
        guard(ctx, c, () -> {
            c.deadlineTimer = Bus.timer(ctx, c.timeoutMs, (c.id << 2) | DEADLINE);
            attempt(ctx, c);
        });
    }

    /** Runs step; an unexpected failure ends the call with an error instead of leaving its client blocked. */
    private static void guard(long ctx, Call c, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            Bridge.log("warning", "timeseries: cluster query failed: " + e);
            if (!c.done) finish(ctx, c, "ERR TSDB: internal error in the cluster fan-out: " + e);
        }
    }

    private static void attempt(long ctx, Call c) {
        c.attempt++;
        c.answers.clear();
        c.pieces.clear();
        c.filled.clear();
        c.counters.clear();
        c.unsent.clear();
        c.probing = false;
        Topology t = Topology.current(ctx, c.attempt > 1); // a retry reads afresh (and so do the shards)
        if (!t.covered()) {
            retry(ctx, c, "the cluster does not serve every hash slot");
            return;
        }
        c.shards = t.shards();
        byte[] request = Wire.request(c.id, c.attempt, c.user, c.argv);
        Topology.Node me = null;
        for (Topology.Node n : c.shards) {
            if (n.myself()) {
                me = n;
                continue;
            }
            ClusterStats.requestsSent++;
            // no link to it right now (reconnecting, or it failed): send again shortly, until the deadline
            if (!Bus.send(ctx, n.id(), Wire.REQUEST, request, NOTHING, 0, 0)) c.unsent.add(n);
        }
        if (!c.unsent.isEmpty()) Topology.invalidate(); // the next command looks again
        if (!c.unsent.isEmpty()) Bus.timer(ctx, RETRY_DELAY_MS, (c.id << 2) | RESEND);
        if (me != null) c.answers.put(me.id(), Shard.evaluate(ctx, t, c.argv, c.user));
        check(ctx, c);
    }

    private static Call current(long id, int attempt, String from) {
        Call c = CALLS.get(id);
        if (c == null || c.done || c.attempt != attempt) return null; // late: for an earlier attempt or a finished call
        for (Topology.Node n : c.shards) {
            if (n.id().equals(from)) return c;
        }
        return null;
    }

    static void answerPiece(long ctx, String from, byte[] payload) {
        Wire.In in = new Wire.In(payload);
        long id = in.u64();
        int attempt = in.u32();
        int total = in.u32();
        int offset = in.u32();
        Call c = current(id, attempt, from);
        if (c == null) return;
        guard(ctx, c, () -> {
            byte[] body = c.pieces.computeIfAbsent(from, k -> new byte[total]);
            int n = payload.length - in.p;
            if (body.length != total || offset < 0 || n < 0 || offset + n > total) {
                throw new IllegalArgumentException("bad answer piece from " + from);
            }
            System.arraycopy(payload, in.p, body, offset, n);
            int got = c.filled.merge(from, n, Integer::sum);
            if (got < total) {
                if (got / Shard.ACK_EVERY != (got - n) / Shard.ACK_EVERY) { // more pieces, please
                    Bus.send(ctx, from, Wire.ACK, Wire.ack(id, attempt, got), NOTHING, 0, 0);
                }
                return;
            }
            c.pieces.remove(from);
            ClusterStats.partialsReceived++;
            c.answers.put(from, Wire.readAnswer(body));
            check(ctx, c);
        });
    }

    static void counter(long ctx, String from, byte[] payload) {
        Wire.In in = new Wire.In(payload);
        long id = in.u64();
        int attempt = in.u32();
        long moves = in.u64();
        Call c = current(id, attempt, from);
        if (c == null || !c.probing) return;
        guard(ctx, c, () -> {
            c.counters.put(from, moves);
            check(ctx, c);
        });
    }

    /** Called after each answer: decides, once all are in, to reply, probe, or ask again. */
    private static void check(long ctx, Call c) {
        if (c.answers.size() < c.shards.size()) return;
        if (!c.probing) {
            for (Topology.Node n : c.shards) {
                String err = c.answers.get(n.id()).error();
                if (err != null) {
                    finish(ctx, c, err);
                    return;
                }
            }
            String claims = claimProblem(c);
            if (claims != null) {
                retry(ctx, c, claims);
                return;
            }
            boolean moving = false;
            for (Wire.Answer a : c.answers.values()) moving |= a.moving();
            if (!moving) {
                complete(ctx, c);
                return;
            }
            c.probing = true;
            byte[] probe = Wire.probe(c.id, c.attempt);
            for (Topology.Node n : c.shards) {
                if (n.myself()) {
                    c.counters.put(n.id(), Shard.moves);
                } else {
                    Bus.send(ctx, n.id(), Wire.PROBE, probe, NOTHING, 0, 0);
                }
            }
        }
        if (c.counters.size() < c.shards.size()) return;
        for (Topology.Node n : c.shards) {
            if (c.counters.get(n.id()) != c.answers.get(n.id()).moves()) {
                retry(ctx, c, "series moved between shards while they answered");
                return;
            }
        }
        complete(ctx, c);
    }

    /** Null if the answers own every slot exactly once, else what is wrong. */
    private static String claimProblem(Call c) {
        java.util.BitSet owned = new java.util.BitSet(Slots.COUNT);
        for (Wire.Answer a : c.answers.values()) {
            if (owned.intersects(a.served())) {
                java.util.BitSet twice = (java.util.BitSet) owned.clone();
                twice.and(a.served());
                return "hash slot " + twice.nextSetBit(0) + " was answered for by 2 shards";
            }
            owned.or(a.served());
        }
        int none = owned.nextClearBit(0);
        return none < Slots.COUNT ? "hash slot " + none + " was answered for by no shard" : null;
    }

    private static void retry(long ctx, Call c, String why) {
        ClusterStats.retries++;
        c.problem = why;
        if (c.deletes) {
            for (Wire.Answer a : c.answers.values()) {
                if (a.partial() != null) c.carried += a.partial().count();
            }
        }
        c.answers.clear();
        c.attempt++; // answers still on their way belong to the abandoned attempt
        Bus.timer(ctx, RETRY_DELAY_MS, (c.id << 2) | RETRY);
    }

    private static void complete(long ctx, Call c) {
        List<Partial> parts = new ArrayList<>(c.shards.size() + 1);
        for (Topology.Node n : c.shards) parts.add(c.answers.get(n.id()).partial());
        if (c.deletes) parts.add(Partial.ofCount(c.carried));
        c.result = parts;
        finish(ctx, c, null);
    }

    private static void finish(long ctx, Call c, String error) {
        c.done = true;
        c.error = error;
        c.answers.clear();
        c.pieces.clear();
        if (error != null) ClusterStats.failed++;
        long waited = vts.bridge.Api.milliseconds() - c.started;
        ClusterStats.waitMsTotal += waited;
        ClusterStats.waitMsMax = Math.max(ClusterStats.waitMsMax, waited);
        if (c.deadlineTimer != 0) Bus.stopTimer(ctx, c.deadlineTimer);
        c.deadlineTimer = 0;
        Bus.unblock(c.bc, c.id);
    }

    private static final int DEADLINE = 0, RETRY = 1, RESEND = 2;

    /** A timer: data is the call id and what is due (DEADLINE, RETRY, RESEND) in its low 2 bits. */
    static void timer(long ctx, long data) {
        Call c = CALLS.get(data >>> 2);
        if (c == null || c.done) return;
        if ((data & 3) == RETRY) {
            guard(ctx, c, () -> attempt(ctx, c));
            return;
        }
        if ((data & 3) == RESEND) {
            guard(ctx, c, () -> {
                byte[] request = Wire.request(c.id, c.attempt, c.user, c.argv);
                c.unsent.removeIf(n -> Bus.send(ctx, n.id(), Wire.REQUEST, request, NOTHING, 0, 0));
                if (!c.unsent.isEmpty()) Bus.timer(ctx, RETRY_DELAY_MS, (c.id << 2) | RESEND);
            });
            return;
        }
        c.deadlineTimer = 0;
        ClusterStats.timeouts++;
        Topology.Node missing = c.unsent.isEmpty() ? null : c.unsent.get(0);
        for (Topology.Node n : missing != null ? List.<Topology.Node>of() : c.shards) {
            boolean waiting = c.probing ? !c.counters.containsKey(n.id()) : !c.answers.containsKey(n.id());
            if (waiting) {
                missing = n;
                break;
            }
        }
        if (missing != null) {
            finish(ctx, c, "ERR TSDB: cluster shard " + missing.describe() + " did not answer within " + c.timeoutMs + " ms");
        } else {
            finish(ctx, c, "ERR TSDB: no complete cluster answer within " + c.timeoutMs + " ms: "
                    + (c.problem != null ? c.problem : "no shard serves the slots"));
        }
    }

    /** The unblocked client's reply callback: the merged reply, or the error. */
    static void reply(long ctx, long id) {
        Call c = CALLS.get(id);
        String name = c == null ? "cluster query" : new String(c.argv[0], java.nio.charset.StandardCharsets.UTF_8);
        Bridge.guarded(ctx, name, () -> {
            if (c == null) throw new TsException("ERR TSDB: internal error: cluster query " + id + " lost");
            if (c.error != null) throw new TsException(c.error);
            MultiCommands.reply(ctx, Args.ofBytes(c.argv), c.result);
        });
    }

    /** The blocked client is done with the call (replied to, or disconnected). */
    static void forget(long id) { CALLS.remove(id); }
}
