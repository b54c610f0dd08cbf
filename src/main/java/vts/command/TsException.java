package vts.command;

/**
 * A user error with the exact reply text (including its prefix, e.g.
 * "ERR TSDB: invalid timestamp" or "WRONGTYPE ..."). Thrown before anything is
 * changed; the bridge turns it into an error reply.
 */
public final class TsException extends RuntimeException {
    public TsException(String replyText) {
        super(replyText, null, false, false);
    }

    public static TsException tsdb(String msg) {
        return new TsException("ERR TSDB: " + msg);
    }
}
