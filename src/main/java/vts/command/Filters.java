package vts.command;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * FILTER expressions: the reference's l=v, l!=v, l=, l!=, l=(a,b), l!=(a,b);
 * our l=~re, l!~re; and Prometheus selectors metric{l="v",m=~"x.*",n!="y"}.
 */
final class Filters {
    private Filters() {}

    static final String NAME_LABEL = "__name__";

    /** Parses arguments [from, to) and checks that one matcher is positive. */
    static List<Matcher> parse(Args a, int from, int to) {
        List<Matcher> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            String s = a.string(i);
            if (isSelector(s)) {
                new Selector(s).parseInto(out);
            } else {
                out.add(simple(s));
            }
        }
        for (Matcher m : out) {
            if (m.positive()) return List.copyOf(out);
        }
        throw Err.tsdb(Err.NO_MATCHER);
    }

    /** A '{' before any operator: metric{...} or {...}. */
    private static boolean isSelector(String s) {
        int brace = s.indexOf('{');
        if (brace < 0) return false;
        for (int k = 0; k < brace; k++) {
            if (s.charAt(k) == '=' || s.charAt(k) == '!') return false;
        }
        return true;
    }

    /** One reference-style matcher, or our l=~re / l!~re. */
    static Matcher simple(String s) {
        int eq = s.indexOf('=');
        int notRegex = s.indexOf("!~");
        if (notRegex >= 0 && (eq < 0 || notRegex < eq)) {
            return regex(label(s, notRegex), s.substring(notRegex + 2), true);
        }
        if (eq < 0) throw Err.tsdb(Err.FILTER_PARSE);
        boolean not = eq > 0 && s.charAt(eq - 1) == '!';
        String label = label(s, not ? eq - 1 : eq);
        String value = s.substring(eq + 1);
        if (!not && value.startsWith("~")) return regex(label, value.substring(1), false);
        if (value.startsWith("(")) {
            List<String> values = list(value);
            return not ? new Matcher.NotIn(label, values) : new Matcher.In(label, values);
        }
        if (value.isEmpty()) return not ? new Matcher.Present(label) : new Matcher.Absent(label);
        return not ? new Matcher.NotEqual(label, value) : new Matcher.Equal(label, value);
    }

    private static String label(String s, int end) {
        if (end == 0) throw Err.tsdb(Err.FILTER_PARSE);
        return s.substring(0, end);
    }

    /** "(a,b,c)" to its values; "()" is an empty list; an empty element or no ')' is an error. */
    private static List<String> list(String value) {
        if (value.length() < 2 || !value.endsWith(")")) throw Err.tsdb(Err.FILTER_PARSE);
        String inner = value.substring(1, value.length() - 1);
        return inner.isEmpty() ? List.of() : List.copyOf(Parsers.splitList(inner, Err.FILTER_PARSE));
    }

    static Matcher regex(String label, String re, boolean negated) {
        try {
            return new Matcher.Regex(label, Pattern.compile(re), negated);
        } catch (PatternSyntaxException | StackOverflowError e) {
            String why = e instanceof PatternSyntaxException p ? p.getDescription() : "too deeply nested";
            throw Err.tsdb("invalid regex '" + Err.oneLine(re) + "': " + Err.oneLine(why));
        }
    }

    /** A Prometheus selector: [metric] '{' [label op "value" {',' label op "value"} [',']] '}'. */
    private static final class Selector {
        private final String s;
        private int p;

        Selector(String s) {
            this.s = s;
        }

        void parseInto(List<Matcher> out) {
            skipSpace();
            int nameStart = p;
            while (p < s.length() && isNameChar(s.charAt(p))) p++;
            if (p > nameStart) out.add(new Matcher.Equal(NAME_LABEL, s.substring(nameStart, p)));
            skipSpace();
            expect('{');
            skipSpace();
            while (!peek('}')) {
                out.add(matcher());
                skipSpace();
                if (peek(',')) {
                    p++;
                    skipSpace();
                } else if (!peek('}')) {
                    throw fail("expected ',' or '}'");
                }
            }
            p++;
            skipSpace();
            if (p != s.length()) throw fail("unexpected text after '}'");
        }

        private Matcher matcher() {
            int start = p;
            while (p < s.length() && isNameChar(s.charAt(p))) p++;
            if (p == start) throw fail("expected a label name");
            String label = s.substring(start, p);
            skipSpace();
            String op;
            if (s.startsWith("=~", p) || s.startsWith("!~", p) || s.startsWith("!=", p)) {
                op = s.substring(p, p + 2);
            } else if (peek('=')) {
                op = "=";
            } else {
                throw fail("expected one of =, !=, =~, !~");
            }
            p += op.length();
            skipSpace();
            String value = quoted();
            return switch (op) {
                case "=~" -> regex(label, value, false);
                case "!~" -> regex(label, value, true);
                case "!=" -> value.isEmpty() ? new Matcher.Present(label) : new Matcher.NotEqual(label, value);
                default -> value.isEmpty() ? new Matcher.Absent(label) : new Matcher.Equal(label, value);
            };
        }

        private String quoted() {
            if (!peek('"') && !peek('\'')) throw fail("expected a quoted value");
            char quote = s.charAt(p++);
            StringBuilder sb = new StringBuilder();
            while (p < s.length()) {
                char c = s.charAt(p++);
                if (c == quote) return sb.toString();
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (p == s.length()) break;
                char e = s.charAt(p++);
                switch (e) {
                    case '\\', '"', '\'' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    default -> throw fail("unknown escape '\\" + e + "'");
                }
            }
            throw fail("unterminated quoted value");
        }

        private static boolean isNameChar(char c) {
            return c > ' ' && "{}=!~,\"'\\()".indexOf(c) < 0;
        }

        private boolean peek(char c) {
            return p < s.length() && s.charAt(p) == c;
        }

        private void expect(char c) {
            if (!peek(c)) throw fail("expected '" + c + "'");
            p++;
        }

        private void skipSpace() {
            while (p < s.length() && (s.charAt(p) == ' ' || s.charAt(p) == '\t')) p++;
        }

        private TsException fail(String why) {
            if (p >= s.length() && why.startsWith("expected")) why = "unbalanced braces or quotes, " + why;
            return Err.tsdb(Err.FILTER_PARSE + ": " + why + " in '" + Err.oneLine(s) + "'");
        }
    }
}
