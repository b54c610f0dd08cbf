package vts.command;

import java.util.List;

/**
 * TS.MADD key timestamp value [key timestamp value ...]. A bad triple does not
 * fail the command: its entry carries the error reply and the others proceed.
 */
public record MAddRequest(List<Entry> entries) {

    /**
     * @param error the full error reply for this triple (e.g. "ERR TSDB: invalid value"), or null
     */
    public record Entry(byte[] key, long timestamp, boolean serverTime, double value, String error) {
        public long timestampOr(long now) {
            return serverTime ? now : timestamp;
        }
    }
}
