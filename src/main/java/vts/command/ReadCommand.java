package vts.command;

import vts.bridge.Api;
import vts.bridge.Bridge;
import vts.bridge.Config;
import vts.bridge.Keys;
import vts.bridge.NativeArgs;
import vts.bridge.Reply;
import vts.mem.Mem;
import vts.query.RangeQuery;
import vts.series.Series;

/**
 * {@code TS.READ key timestamp [BLOCK milliseconds min_count] [MAX_COUNT max_count]}: the
 * samples TS.RANGE key cursor + COUNT max_count gives. With BLOCK and fewer than min_count
 * samples, the client blocks on the key (native/blocking.c); the server then calls this
 * handler again, as the reply callback when a write signalled the key (reply only once
 * min_count samples qualify) or as the timeout callback (reply with what there is). The
 * resolved cursor travels in the blocked client's private data ({@code ts_read_wait}).
 */
public final class ReadCommand {
    private ReadCommand() {}

    /** offsets in native/blocking.h ts_read_wait */
    private static final int W_CURSOR = 0, W_MIN = 8, W_MAX = 16, W_SERVED = 24;
    /** a cursor no sample can reach ('$' after a sample at the largest timestamp) */
    static final long NEVER = -1;

    static final String BLOCK_MS = "TSDB: BLOCK milliseconds must be a non-negative integer";
    static final String MIN_COUNT = "TSDB: BLOCK min_count must be a positive integer";
    static final String MAX_COUNT = "TSDB: MAX_COUNT must be a positive integer";
    static final String MIN_OVER_MAX = "TSDB: BLOCK min_count must be <= MAX_COUNT";
    static final String TIMESTAMP = "TSDB: invalid timestamp";
    static final String DENY_BLOCKING =
            "TSDB: blocking TS.READ (with BLOCK) is not allowed inside MULTI, EVAL, or a deny-blocking context";

    /** Parsed arguments; cursor kind is a literal (its value in literal) or one of '-', '+', '$'. */
    record ReadRequest(char cursorKind, long literal, long blockMs, long minCount, long maxCount) {
        boolean blocking() { return blockMs >= 0; }
    }

    static void register() {
        Bridge.register("TS.READ", ReadCommand::read);
    }

    /**
     * Parses TS.READ's arguments. Malformed options (a keyword without its values, one given
     * twice, a stray token) are the arity error, as the reference answers; values out of
     * range get their own messages. Checked before the key is looked at.
     */
    static ReadRequest parse(Args a) {
        int n = a.count();
        if (n < 3) throw Err.arity(a);
        long blockMs = -1, min = 1, max = -1;
        boolean block = false, maxSeen = false;
        for (int i = 3; i < n; ) {
            if (a.is(i, "BLOCK") && !block && i + 2 < n) {
                block = true;
                blockMs = Num.parseLong(a, i + 1);
                if (blockMs == Num.NOT_INT || blockMs < 0) throw new TsException(BLOCK_MS);
                min = Num.parseLong(a, i + 2);
                if (min == Num.NOT_INT || min <= 0) throw new TsException(MIN_COUNT);
                i += 3;
            } else if (a.is(i, "MAX_COUNT") && !maxSeen && i + 1 < n) {
                maxSeen = true;
                max = Num.parseLong(a, i + 1);
                if (max == Num.NOT_INT || max <= 0) throw new TsException(MAX_COUNT);
                i += 2;
            } else {
                throw Err.arity(a);
            }
        }
        if (block && max > 0 && min > max) throw new TsException(MIN_OVER_MAX);
        char kind;
        long literal = 0;
        if (Num.isChar(a, 2, '-') || Num.isChar(a, 2, '+') || Num.isChar(a, 2, '$')) {
            kind = (char) a.byteAt(2, 0);
        } else {
            kind = '0';
            literal = Num.parseLong(a, 2);
            if (literal == Num.NOT_INT || literal < 0) throw new TsException(TIMESTAMP);
        }
        return new ReadRequest(kind, literal, blockMs, min, max);
    }

    /** The first qualifying timestamp for a series s (0 when there is none), resolved once. */
    static long resolveCursor(ReadRequest r, long s) {
        boolean empty = s == 0 || Series.totalSamples(s) == 0;
        return switch (r.cursorKind()) {
            case '-' -> 0;
            case '+' -> empty ? 0 : Series.lastTs(s);
            case '$' -> empty ? 0 : (Series.lastTs(s) == Long.MAX_VALUE ? NEVER : Series.lastTs(s) + 1);
            default -> r.literal();
        };
    }

    static void read(long ctx, NativeArgs a) {
        if (Api.isBlockedReplyRequest(ctx)) {
            woken(ctx, a, false);
        } else if (Api.isBlockedTimeoutRequest(ctx)) {
            woken(ctx, a, true);
        } else {
            arrived(ctx, a);
        }
    }

    /** The command as the client sent it: reply now, or block. */
    private static void arrived(long ctx, NativeArgs a) {
        ReadRequest r = parse(a);
        long key = Keys.open(ctx, a, 1, Api.READ);
        try {
            long s = Keys.series(key);
            long cursor = resolveCursor(r, s);
            long have = s == 0 ? 0 : count(s, cursor, r.minCount());
            if (!r.blocking() || have >= r.minCount()) {
                reply(ctx, s, cursor, r.maxCount());
                return;
            }
            int flags = Api.contextFlags(ctx);
            if ((flags & (Api.CTX_FLAGS_LUA | Api.CTX_FLAGS_MULTI | Api.CTX_FLAGS_DENY_BLOCKING)) != 0)
                throw new TsException(DENY_BLOCKING);
            if (!Api.blockRead(ctx, a.vmString(1), r.blockMs(), cursor, r.minCount(), r.maxCount()))
                throw TsException.tsdb("cannot block the client");
        } finally {
            Api.closeKey(key);
        }
    }

    /**
     * The reply callback (a write signalled the key, or it was deleted or overwritten) or the
     * timeout callback. A key that is gone replies []; another type, WRONGTYPE.
     */
    private static void woken(long ctx, NativeArgs a, boolean timedOut) {
        long w = Api.blockedPrivateData(ctx);
        long cursor = Mem.getLong(w + W_CURSOR);
        long min = Mem.getLong(w + W_MIN);
        long max = Mem.getLong(w + W_MAX);
        long key = Keys.open(ctx, a, 1, Api.READ);
        try {
            long s;
            try {
                s = Keys.series(key);
            } catch (TsException e) {
                served(w);
                throw e;
            }
            if (!timedOut && s != 0 && count(s, cursor, min) < min) return; // keep waiting
            served(w);
            reply(ctx, s, cursor, max);
        } finally {
            Api.closeKey(key);
        }
    }

    private static void served(long w) {
        Mem.putInt(w + W_SERVED, 1);
    }

    private static long count(long s, long cursor, long limit) {
        return cursor == NEVER ? 0 : Series.countAtOrAfter(s, cursor, limit);
    }

    /** Up to max (-1: all) samples of s at or after cursor, ascending; [] for no series. */
    private static void reply(long ctx, long s, long cursor, long max) {
        if (s == 0 || cursor == NEVER) {
            Reply.array(ctx, 0);
            return;
        }
        RangeQuery q = new RangeQuery(cursor, Long.MAX_VALUE, false, null, null, max, null, null);
        SeriesCommands.replySamples(ctx, s, q, false, Reply.resp3(ctx));
    }

    /**
     * Wakes the TS.READ clients blocked on key (a ValkeyModuleString) after samples were
     * added to it. Costs one load while nobody waits.
     */
    public static void signal(long ctx, long key) {
        if (Config.blockedReaders() > 0) Api.signalKeyAsReady(ctx, key);
    }
}
