package vts.index;

import java.util.regex.Pattern;

import vts.command.TsException;

/**
 * Bounds the work of the regex matchers of one query. java.util.regex backtracks, so a
 * pattern like {@code (a+)+b} takes exponential time on a long value of 'a's; the matcher
 * reads its input only through {@link CharSequence#charAt}, so counting those reads bounds
 * the steps. The index runs each regex once per distinct value of the label, never per
 * series, which keeps the total small for sane patterns.
 */
public final class RegexBudget {
    /** About 50-100 ms of matching on one core. */
    public static final long DEFAULT_STEPS = 20_000_000L;

    private long left;

    public RegexBudget(long steps) { this.left = steps; }

    public boolean matches(Pattern p, String value) {
        return p.matcher(new Counted(value)).matches();
    }

    private final class Counted implements CharSequence {
        private final String s;

        Counted(String s) { this.s = s; }

        @Override public int length() { return s.length(); }

        @Override public char charAt(int i) {
            if (--left < 0) {
                throw TsException.tsdb("regex matching exceeded its step budget (catastrophic pattern?)");
            }
            return s.charAt(i);
        }

        @Override public CharSequence subSequence(int start, int end) {
            return new Counted(s.substring(start, end));
        }

        @Override public String toString() { return s; }
    }
}
