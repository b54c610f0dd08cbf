package vts.command;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import vts.bridge.Api;
import vts.bridge.Bridge;
import vts.bridge.Keys;
import vts.bridge.NativeArgs;
import vts.bridge.Reply;
import vts.compaction.CompactionPolicy;
import vts.compaction.Rule;
import vts.compaction.RuleBlob;
import vts.compaction.Rules;
import vts.mem.Mem;
import vts.series.Series;

/**
 * TS.CREATERULE and TS.DELETERULE, and the ts-compaction-policy rules of new series.
 * The rule itself lives in the source's rules blob ({@link RuleBlob}); the destination
 * names its source ({@link Series#setSrcKey}); vts.compaction applies and maintains them.
 */
public final class RuleCommands {
    private RuleCommands() {}

    private static final int RW = Api.READ | Api.WRITE;
    private static final long EV_CREATE_SRC = Reply.cstring("ts.createrule:src");
    private static final long EV_CREATE_DEST = Reply.cstring("ts.createrule:dest");
    private static final long EV_DELETE_SRC = Reply.cstring("ts.deleterule:src");
    private static final long EV_DELETE_DEST = Reply.cstring("ts.deleterule:dest");

    static void register() {
        Bridge.register("TS.CREATERULE", RuleCommands::createRule);
        Bridge.register("TS.DELETERULE", RuleCommands::deleteRule);
        Rules.install();
    }

    /** TS.CREATERULE sourceKey destKey AGGREGATION aggregator bucketDuration [alignTimestamp] */
    static void createRule(long ctx, NativeArgs a) {
        CreateRuleRequest r = Parsers.createRule(a);
        long srcKey = Keys.open(ctx, a, 1, RW);
        try {
            long s = Keys.existing(srcKey);
            if (Series.srcKey(s) != null) throw TsException.tsdb("the source key already has a source rule");
            long destKey = Keys.open(ctx, a, 2, RW);
            try {
                long d = Keys.existing(destKey);
                if (Series.ruleCount(d) != 0) throw TsException.tsdb("the destination key already has a dst rule");
                if (Series.srcKey(d) != null) throw TsException.tsdb("the destination key already has a src rule");
                List<Rule> rules = new ArrayList<>(RuleBlob.read(s));
                rules.add(new Rule(r.dest(), r.aggregator(), r.bucketDuration(), r.alignTimestamp(), RuleBlob.NO_BUCKET));
                RuleBlob.write(s, rules);
                Series.setSrcKey(d, r.source());
            } finally {
                Api.closeKey(destKey);
            }
        } finally {
            Api.closeKey(srcKey);
        }
        done(ctx, a, EV_CREATE_SRC, EV_CREATE_DEST);
    }

    /** TS.DELETERULE sourceKey destKey */
    static void deleteRule(long ctx, NativeArgs a) {
        DeleteRuleRequest r = Parsers.deleteRule(a);
        long srcKey = Keys.open(ctx, a, 1, RW);
        try {
            long s = Keys.existing(srcKey);
            List<Rule> rules = new ArrayList<>(RuleBlob.read(s));
            int i = RuleBlob.indexOf(rules, r.dest());
            if (i < 0) throw TsException.tsdb("compaction rule does not exist");
            long destKey = Keys.open(ctx, a, 2, RW);
            try {
                long d = Keys.isSeries(destKey) ? Api.getValue(destKey) : 0;
                rules.remove(i);
                RuleBlob.write(s, rules);
                if (d != 0 && Arrays.equals(Series.srcKey(d), r.source())) Series.setSrcKey(d, null);
            } finally {
                Api.closeKey(destKey);
            }
        } finally {
            Api.closeKey(srcKey);
        }
        done(ctx, a, EV_DELETE_SRC, EV_DELETE_DEST);
    }

    /** Notifies both keys, replicates the command as it came, replies OK. */
    private static void done(long ctx, NativeArgs a, long srcEvent, long destEvent) {
        Api.notifyKeyspace(ctx, Api.NOTIFY_MODULE, srcEvent, a.vmString(1));
        Api.notifyKeyspace(ctx, Api.NOTIFY_MODULE, destEvent, a.vmString(2));
        Api.replicateVerbatim(ctx);
        Reply.ok(ctx);
    }

    /**
     * ts-compaction-policy: after TS.ADD or TS.INCRBY created series s at key, creates a
     * destination per policy rule ({@code key_AGG_bucket[_align]}; in a cluster {@code {key}_AGG_bucket[_align]}
     * when key has no hash tag, so that it shares key's slot; the source's labels plus
     * aggregation and time_bucket, the rule's retention) and the rule to it. A destination
     * name that is taken is skipped with a log line, as the reference does.
     */
    static void seriesCreated(long ctx, byte[] key, long s) {
        List<CompactionPolicy.Entry> policy = CompactionPolicy.current();
        if (policy.isEmpty()) return;
        List<Label> labels = new ArrayList<>();
        for (int i = 0; i < Series.labelCount(s); i++) {
            labels.add(new Label(utf8(Series.labelName(s, i)), utf8(Series.labelValue(s, i))));
        }
        List<Rule> rules = new ArrayList<>(RuleBlob.read(s));
        for (CompactionPolicy.Entry e : policy) {
            byte[] name = vts.cluster.Cluster.compactionKey(ctx, key, e.destKey(key)); // in the source's slot
            if (name == null) {
                Bridge.log("warning", "timeseries: no compacted key for '" + utf8(key)
                        + "': no name in its hash slot (the key has braces but no usable hash tag)");
                continue;
            }
            if (RuleBlob.indexOf(rules, name) >= 0) continue;
            String aggName = e.agg().name().toUpperCase(java.util.Locale.ROOT);
            List<Label> destLabels = new ArrayList<>(labels);
            destLabels.add(new Label("aggregation", aggName));
            destLabels.add(new Label("time_bucket", Long.toString(e.bucketDuration())));
            long str = vmString(ctx, name);
            try {
                long k = Api.openKey(ctx, str, RW);
                try {
                    if (Api.keyType(k) != Api.KEYTYPE_EMPTY) {
                        Bridge.log("warning", "timeseries: cannot create compacted key '" + utf8(name)
                                + "': the key already exists");
                        continue;
                    }
                    long d = SeriesCommands.newSeries(new SeriesOptions(e.retention(), null, 0,
                            DuplicatePolicy.NONE, null, destLabels));
                    Series.setSrcKey(d, key);
                    Keys.store(k, d);
                    SeriesEvents.created(ctx, name, d);
                } finally {
                    Api.closeKey(k);
                }
            } finally {
                Api.freeString(ctx, str);
            }
            rules.add(new Rule(name, e.agg(), e.bucketDuration(), e.alignTimestamp(), RuleBlob.NO_BUCKET));
        }
        RuleBlob.write(s, rules);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static long vmString(long ctx, byte[] b) {
        long tmp = Mem.alloc(Math.max(1, b.length));
        try {
            Mem.copyFromArray(b, 0, tmp, b.length);
            return Api.createString(ctx, tmp, b.length);
        } finally {
            Mem.free(tmp);
        }
    }
}
