package vts.query;

/**
 * ALIGN: where buckets are anchored. START/END mean the query's explicit from/to
 * timestamp (the parser guarantees it is explicit); TIMESTAMP carries its own.
 */
public record Align(Kind kind, long timestamp) {
    public enum Kind { START, END, TIMESTAMP }

    public static final Align START = new Align(Kind.START, 0);
    public static final Align END = new Align(Kind.END, 0);

    /** The anchor timestamp for a query from..to. */
    public long resolve(long from, long to) {
        return switch (kind) {
            case START -> from;
            case END -> to;
            case TIMESTAMP -> timestamp;
        };
    }
}
