package vts.compaction;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import vts.query.Agg;

/**
 * The ts-compaction-policy text: rules separated by ';', each
 * {@code aggregator:bucketDuration:retention[:alignTimestamp]}. Durations are a
 * non-negative integer and a unit: {@code m} milliseconds, {@code s} seconds,
 * {@code M} minutes, {@code h} hours, {@code d} days (the reference's units); a bare
 * {@code 0} is allowed for retention and alignment. Example: {@code max:1M:1h;avg:1d:30d:6h}.
 * Each rule creates, for a series created by TS.ADD or TS.INCRBY, the destination
 * {@code key_AGG_bucketMs[_alignMs]} (AGG upper case, durations in ms) with the source's
 * labels plus {@code aggregation=AGG} and {@code time_bucket=bucketMs}, and the rule's retention.
 */
public final class CompactionPolicy {
    private CompactionPolicy() {}

    public record Entry(Agg agg, long bucketDuration, long retention, long alignTimestamp) {
        /** The destination key for source key. */
        public byte[] destKey(byte[] source) {
            String suffix = "_" + agg.name().toUpperCase(java.util.Locale.ROOT) + "_" + bucketDuration
                    + (alignTimestamp != 0 ? "_" + alignTimestamp : "");
            byte[] s = suffix.getBytes(StandardCharsets.UTF_8);
            byte[] out = java.util.Arrays.copyOf(source, source.length + s.length);
            System.arraycopy(s, 0, out, source.length, s.length);
            return out;
        }
    }

    /** The rules of policy text (empty text: none); throws IllegalArgumentException with the reason. */
    public static List<Entry> parse(String text) {
        List<Entry> out = new ArrayList<>();
        if (text == null || text.isBlank()) return out;
        String[] rules = text.split(";", -1);
        for (int i = 0; i < rules.length; i++) {
            String r = rules[i].trim();
            if (r.isEmpty()) {
                if (i == rules.length - 1 && i > 0) continue; // a trailing ';'
                throw new IllegalArgumentException("empty rule in compaction policy");
            }
            String[] f = r.split(":", -1);
            if (f.length != 3 && f.length != 4)
                throw new IllegalArgumentException("rule '" + r + "' must be aggregator:bucketDuration:retention[:alignTimestamp]");
            Agg agg = Agg.parse(f[0]);
            if (agg == null) throw new IllegalArgumentException("unknown aggregator '" + f[0] + "' in rule '" + r + "'");
            long bucket = duration(f[1], false, r);
            long retention = duration(f[2], true, r);
            long align = f.length == 4 ? duration(f[3], true, r) : 0;
            out.add(new Entry(agg, bucket, retention, align));
        }
        return out;
    }

    /** null if text is a valid policy, else why not (for a config setter). */
    public static String validate(String text) {
        try {
            parse(text);
            return null;
        } catch (IllegalArgumentException e) {
            return "invalid ts-compaction-policy: " + e.getMessage();
        }
    }

    static long duration(String s, boolean zeroOk, String rule) {
        int n = s.length();
        int i = 0;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        if (i == 0 || i > 18) throw new IllegalArgumentException("bad duration '" + s + "' in rule '" + rule + "'");
        long v = Long.parseLong(s.substring(0, i));
        if (v == 0 && (i == n || i == n - 1)) {
            if (zeroOk) return 0;
            throw new IllegalArgumentException("bucket duration must be greater than zero in rule '" + rule + "'");
        }
        if (i != n - 1) throw new IllegalArgumentException("bad duration '" + s + "' in rule '" + rule + "'");
        long unit = switch (s.charAt(i)) {
            case 'm' -> 1L;
            case 's' -> 1000L;
            case 'M' -> 60_000L;
            case 'h' -> 3_600_000L;
            case 'd' -> 86_400_000L;
            default -> throw new IllegalArgumentException("bad unit in '" + s + "' (m, s, M, h or d) in rule '" + rule + "'");
        };
        try {
            return Math.multiplyExact(v, unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration '" + s + "' too large in rule '" + rule + "'");
        }
    }

    private static String cachedText;
    private static List<Entry> cached = List.of();
    private static String cachedError;

    /**
     * The rules of the current ts-compaction-policy (parsed once per text). The C config
     * setter and load-argument parser refuse an invalid text (their grammar,
     * policy_validate in native/module.c, is this class's: keep them in step); should one
     * get through anyway, it gives no rules and a warning in the log.
     */
    public static List<Entry> current() {
        String text = vts.bridge.Config.compactionPolicy();
        List<Entry> p = current(text);
        if (p == null) {
            if (!text.equals(warnedText)) {
                warnedText = text;
                vts.bridge.Bridge.log("warning", "timeseries: ts-compaction-policy ignored: " + cachedError);
            }
            return List.of();
        }
        return p;
    }

    private static String warnedText;

    /** The parsed policy text; null with {@link #lastError} set when the text is invalid. */
    static List<Entry> current(String text) {
        if (!text.equals(cachedText)) {
            cachedText = text;
            try {
                cached = parse(text);
                cachedError = null;
            } catch (IllegalArgumentException e) {
                cached = null;
                cachedError = e.getMessage();
            }
        }
        return cached;
    }

    static String lastError() { return cachedError; }
}
