package vts.command;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One label matcher of a FILTER (TS.MRANGE, TS.MREVRANGE, TS.MGET, TS.QUERYINDEX).
 * {@link #matches} takes the series' value of {@link #label()}, or null when the
 * series lacks that label. A regex is fully anchored and sees a missing label as
 * "" (Prometheus semantics).
 */
public sealed interface Matcher {
    /** The label name; "__name__" for the metric name of a Prometheus selector. */
    String label();

    /**
     * True if this matcher can select series on its own. A query needs one: the
     * reference counts l=v and l=(a,b); a regex l=~re counts when re does not
     * match "".
     */
    boolean positive();

    boolean matches(String value);

    /** l=v */
    record Equal(String label, String value) implements Matcher {
        public boolean positive() { return true; }
        public boolean matches(String v) { return value.equals(v); }
    }

    /** l!=v: the label is missing or holds another value. */
    record NotEqual(String label, String value) implements Matcher {
        public boolean positive() { return false; }
        public boolean matches(String v) { return !value.equals(v); }
    }

    /** l= : the series has no such label. */
    record Absent(String label) implements Matcher {
        public boolean positive() { return false; }
        public boolean matches(String v) { return v == null; }
    }

    /** l!= : the series has the label. */
    record Present(String label) implements Matcher {
        public boolean positive() { return false; }
        public boolean matches(String v) { return v != null; }
    }

    /** l=(a,b,...): the label holds one of the values (an empty list matches nothing). */
    record In(String label, List<String> values) implements Matcher {
        public boolean positive() { return true; }
        public boolean matches(String v) { return v != null && values.contains(v); }
    }

    /** l!=(a,b,...): the label is missing or holds none of the values. */
    record NotIn(String label, List<String> values) implements Matcher {
        public boolean positive() { return false; }
        public boolean matches(String v) { return v == null || !values.contains(v); }
    }

    /** l=~re (or l!~re when negated): whole-value regex match, missing label = "". */
    record Regex(String label, Pattern pattern, boolean negated) implements Matcher {
        public boolean positive() { return !negated && !pattern.matcher("").matches(); }
        public boolean matches(String v) { return pattern.matcher(v == null ? "" : v).matches() != negated; }
    }
}
