package vts.command;

import vts.bridge.Api;
import vts.bridge.Keys;
import vts.bridge.NativeArgs;
import vts.bridge.Reply;
import vts.mem.Mem;
import vts.series.Layout;
import vts.series.Series;

/**
 * TS.INFO key [DEBUG]. The fields come in the reference's order (node-redis reads
 * them by position): a flat name/value array in RESP2, a map in RESP3.
 */
final class InfoCommand {
    private InfoCommand() {}

    private static final String[] POLICY_NAMES = {null, "block", "first", "last", "min", "max", "sum"};

    static void info(long ctx, NativeArgs a) {
        InfoRequest r = Parsers.info(a);
        boolean resp3 = Reply.resp3(ctx);
        long key = Keys.open(ctx, a, 1, Api.READ);
        try {
            long s = Keys.existing(key);
            writeInfo(ctx, a, s, r.debug(), resp3);
        } finally {
            Api.closeKey(key);
        }
    }

    private static void writeInfo(long ctx, NativeArgs a, long s, boolean debug, boolean resp3) {
        boolean empty = Series.totalSamples(s) == 0;
        Reply.map(ctx, debug ? 16 : 14);
        // samples past the retention still stored (trimming drops whole chunks) are not
        // counted, as the reference reports it: totalSamples and firstTimestamp agree with TS.RANGE
        field(ctx, "totalSamples");
        Reply.integer(ctx, Series.visibleSamples(s));
        field(ctx, "memoryUsage");
        Reply.integer(ctx, Series.memoryUsage(s));
        field(ctx, "firstTimestamp");
        Reply.integer(ctx, empty ? 0 : Series.firstVisibleTs(s));
        field(ctx, "lastTimestamp");
        Reply.integer(ctx, empty ? 0 : Series.lastTs(s));
        field(ctx, "retentionTime");
        Reply.integer(ctx, Series.retention(s));
        field(ctx, "chunkCount");
        Reply.integer(ctx, Series.nchunks(s));
        field(ctx, "chunkSize");
        Reply.integer(ctx, Series.chunkSize(s));
        field(ctx, "chunkType");
        Reply.simple(ctx, Series.encoding(s) == Layout.ENC_UNCOMPRESSED ? "uncompressed" : "compressed");
        field(ctx, "duplicatePolicy");
        // the effective policy: the module's default for a series without one (as 8.x reports)
        int p = SeriesCommands.effectivePolicy(DuplicatePolicy.NONE, s);
        if (p <= 0 || p >= POLICY_NAMES.length) Reply.nul(ctx);
        else Reply.simple(ctx, POLICY_NAMES[p]);
        field(ctx, "labels");
        int nl = Series.labelCount(s);
        if (resp3) Reply.map(ctx, nl);
        else Reply.array(ctx, nl);
        for (int i = 0; i < nl; i++) {
            if (!resp3) Reply.array(ctx, 2);
            Reply.bulk(ctx, Series.labelName(s, i));
            Reply.bulk(ctx, Series.labelValue(s, i));
        }
        vts.compaction.Compaction.replyInfo(ctx, s, resp3); // rules: the sourceKey and rules fields
        field(ctx, "ignoreMaxTimeDiff");
        Reply.integer(ctx, Series.ignoreMaxTimeDiff(s));
        field(ctx, "ignoreMaxValDiff");
        Reply.value(ctx, Series.ignoreMaxValDiff(s), resp3);
        if (debug) {
            field(ctx, "keySelfName");
            Reply.bulk(ctx, a.bytes(1));
            field(ctx, "Chunks");
            int nc = Series.nchunks(s);
            Reply.array(ctx, nc);
            for (int i = 0; i < nc; i++) {
                long c = Series.chunk(s, i);
                int count = Mem.getInt(c + Layout.C_COUNT);
                int size = Mem.getInt(c + Layout.C_CAPACITY);
                Reply.map(ctx, 5);
                field(ctx, "startTimestamp");
                Reply.integer(ctx, Mem.getLong(c + Layout.C_FIRST_TS));
                field(ctx, "endTimestamp");
                Reply.integer(ctx, Mem.getLong(c + Layout.C_LAST_TS));
                field(ctx, "samples");
                Reply.integer(ctx, count);
                field(ctx, "size");
                Reply.integer(ctx, size);
                field(ctx, "bytesPerSample");
                Reply.value(ctx, count == 0 ? 0 : (double) size / count, resp3); // a double in RESP3
            }
        }
    }

    private static void field(long ctx, String name) {
        Reply.simple(ctx, name);
    }
}
