package vts.compaction;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import vts.bridge.Api;
import vts.bridge.Bridge;
import vts.bridge.Config;
import vts.series.Series;

/**
 * Keeps both ends of every rule pointing at each other while keys come and go outside
 * the rule commands. A rule lives in two places: the source's rules blob names the
 * destination, the destination's source key names the source; both are plain key names
 * (in the same database), so they survive persistence as they are.
 *
 * <ul>
 * <li>A series leaves (DEL, UNLINK, expiry, eviction, overwrite, the source side of
 *     RENAME/MOVE): the other ends forget it at once (destinations lose their source
 *     key, the source loses the rule), and what was removed is remembered until the
 *     server next sleeps.</li>
 * <li>The same series arrives under a new name by RENAME: the other ends are pointed
 *     at the new name (the source's rule goes back where it was).</li>
 * <li>MOVE to another database and COPY: the moved or copied series keeps no rules and
 *     no source (rules link keys of one database; a copy must not write its original's
 *     destinations).</li>
 * <li>RESTORE: the restored series keeps the links whose other end still agrees (a
 *     destination without a source, or with this one; a source that still has the rule).</li>
 * <li>FLUSHDB/FLUSHALL and SWAPDB need nothing: both ends go, or move, together.</li>
 * </ul>
 * A reference that still goes stale (e.g. a destination gone while its source was busy)
 * is dropped when it is next used.
 */
final class Links implements Bridge.KeyspaceListener {
    static final Links INSTANCE = new Links();

    private static final int RW = Api.READ | Api.WRITE;

    /** What a removal unlinked, to undo if the same series comes back renamed. */
    private record Removed(int db, byte[] key, long series, byte[] source, Rule sourceRule, int sourceIndex) {}

    private final List<Removed> removed = new ArrayList<>();

    @Override
    public void removed(long ctx, int db, byte[] key, long s, int cause) {
        if (Series.ruleCount(s) == 0 && Series.srcKey(s) == null) return;
        List<Rule> rules = Compaction.readSafely(s);
        byte[] source = Series.srcKey(s);
        for (Rule r : rules) {
            KeyRef d = new KeyRef().open(ctx, r.dest(), RW);
            try {
                if (d.series != 0 && d.series != s && Arrays.equals(Series.srcKey(d.series), key))
                    Series.setSrcKey(d.series, null);
            } finally {
                d.close();
            }
        }
        Rule sourceRule = null;
        int sourceIndex = -1;
        if (source != null) {
            KeyRef sr = new KeyRef().open(ctx, source, RW);
            try {
                if (sr.series != 0 && sr.series != s) {
                    List<Rule> srcRules = Compaction.readSafely(sr.series);
                    sourceIndex = RuleBlob.indexOf(srcRules, key);
                    if (sourceIndex >= 0) {
                        sourceRule = srcRules.get(sourceIndex);
                        Compaction.dropRules(sr.series, List.of(key));
                    }
                }
            } finally {
                sr.close();
            }
        }
        removed.add(new Removed(db, key, s, source, sourceRule, sourceIndex));
        Config.requestTick();
    }

    @Override
    public void added(long ctx, int db, byte[] key, long s, int cause) {
        switch (cause) {
            case RENAMED -> {
                Removed r = takeRemoved(s, db);
                if (r != null) relink(ctx, key, s, r);
                else validate(ctx, key, s);
            }
            case MOVED, COPIED -> {
                if (cause == MOVED) takeRemoved(s, -1);
                if (Series.ruleCount(s) != 0) Series.setRules(s, null, 0);
                if (Series.srcKey(s) != null) Series.setSrcKey(s, null);
            }
            case RESTORED -> validate(ctx, key, s);
            default -> { } // LOADED: both ends load as they were saved
        }
    }

    private Removed takeRemoved(long s, int db) {
        for (int i = removed.size() - 1; i >= 0; i--) {
            Removed r = removed.get(i);
            if (r.series == s && (db < 0 || r.db == db)) return removed.remove(i);
        }
        return null;
    }

    /** s was renamed to key: its destinations and its source follow the new name. */
    private static void relink(long ctx, byte[] key, long s, Removed r) {
        linkDestinations(ctx, key, s);
        byte[] source = Series.srcKey(s);
        if (source == null) return;
        KeyRef sr = new KeyRef().open(ctx, source, RW);
        try {
            long src = sr.series;
            if (src == 0 || src == s || r.sourceRule == null) {
                Series.setSrcKey(s, null);
                return;
            }
            List<Rule> rules = new ArrayList<>(Compaction.readSafely(src));
            if (RuleBlob.indexOf(rules, key) < 0) {
                rules.add(Math.min(r.sourceIndex, rules.size()), r.sourceRule.withDest(key));
                RuleBlob.write(src, rules);
            }
        } finally {
            sr.close();
        }
    }

    /** s arrived at key from outside (RESTORE): keep the links the other ends agree with. */
    private static void validate(long ctx, byte[] key, long s) {
        linkDestinations(ctx, key, s);
        byte[] source = Series.srcKey(s);
        if (source == null) return;
        KeyRef sr = new KeyRef().open(ctx, source, Api.READ);
        try {
            if (sr.series == 0 || sr.series == s || RuleBlob.indexOf(Compaction.readSafely(sr.series), key) < 0)
                Series.setSrcKey(s, null);
        } finally {
            sr.close();
        }
    }

    /** Points each destination of s at key; drops the rules whose destination belongs elsewhere. */
    private static void linkDestinations(long ctx, byte[] key, long s) {
        List<Rule> rules = Compaction.readSafely(s);
        List<byte[]> drop = new ArrayList<>();
        for (Rule r : rules) {
            KeyRef d = new KeyRef().open(ctx, r.dest(), RW);
            try {
                long ds = d.series;
                byte[] dsrc = ds == 0 ? null : Series.srcKey(ds);
                if (ds == 0 || ds == s || Series.ruleCount(ds) != 0 || (dsrc != null && !Arrays.equals(dsrc, key))) {
                    drop.add(r.dest());
                } else if (dsrc == null) {
                    Series.setSrcKey(ds, key);
                }
            } finally {
                d.close();
            }
        }
        if (!drop.isEmpty()) Compaction.dropRules(s, drop);
    }

    @Override
    public void flushed(long ctx, int db) {
        removed.removeIf(r -> db < 0 || r.db == db);
    }

    @Override
    public void swapped(long ctx, int db1, int db2) {
        removed.clear();
    }

    @Override
    public void tick(long ctx) {
        removed.clear(); // no rename followed: those removals were deletions, already unlinked
    }
}
