package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static vts.e2e.Ts.*;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Keyspace notifications with the event names RedisTimeSeries sends: ts.create, ts.add (also once
 * per key of TS.MADD), ts.del, ts.alter, ts.incrby, ts.decrby; keyevent and keyspace channels.
 */
class NotificationsIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension(b -> b.config("notify-keyspace-events", "KEA"))
            .flushAllBeforeEach();

    /** Runs the commands, then collects (event, key) pairs from __keyevent@0__:* up to a marker. */
    static List<String> events(String channelPattern, Object[]... commands) {
        ValkeyServer s = valkey.server();
        try (Resp sub = s.resp()) {
            Resp.Reply ack = sub.call("PSUBSCRIBE", channelPattern);
            assertEquals("psubscribe", text(array(ack).get(0)));
            for (Object[] c : commands) s.call(c);
            s.call("SET", "zz-end-marker", "1");
            List<String> out = new ArrayList<>();
            while (true) {
                Resp.Reply m = sub.readWithin(5_000);
                assertNotNull(m, "no notification within 5 s; got so far " + out);
                List<?> msg = (List<?>) m.plain(); // pmessage, pattern, channel, payload
                String channel = (String) msg.get(2);
                String payload = (String) msg.get(3);
                if (channel.contains("zz-end-marker") || payload.equals("zz-end-marker")) return out;
                String event = channel.startsWith("__keyevent") ? channel.substring(channel.indexOf(':') + 1) : payload;
                String key = channel.startsWith("__keyevent") ? payload : channel.substring(channel.indexOf(':') + 1);
                out.add(event + " " + key);
            }
        }
    }

    static Object[] c(Object... args) {
        return args;
    }

    @Test
    void eventNamesOnKeyeventChannels() {
        assertEquals(List.of(
                        "ts.create a",
                        "ts.add a",
                        "ts.add b",
                        "ts.add a", "ts.add a",
                        "ts.alter a",
                        "ts.incrby c",
                        "ts.decrby c",
                        "ts.del a"),
                events("__keyevent@0__:*",
                        c("TS.CREATE", "a"),
                        c("TS.ADD", "a", "1", "1"),
                        c("TS.ADD", "b", "1", "1"), // creates b: the reference sends ts.add only
                        c("TS.MADD", "a", "2", "2", "a", "3", "3"),
                        c("TS.ALTER", "a", "RETENTION", "1000"),
                        c("TS.INCRBY", "c", "1", "TIMESTAMP", "10"),
                        c("TS.DECRBY", "c", "1", "TIMESTAMP", "11"),
                        c("TS.DEL", "a", "0", "2")));
    }

    @Test
    void keyspaceChannels() {
        assertEquals(List.of("ts.create k", "ts.add k", "ts.del k", "del k"),
                events("__keyspace@0__:*",
                        c("TS.CREATE", "k"),
                        c("TS.ADD", "k", "5", "5"),
                        c("TS.DEL", "k", "0", "10"),
                        c("DEL", "k")));
    }

    @Test
    void readsAndRefusedCreatesSendNothing() {
        valkey.server().call("TS.CREATE", "r");
        valkey.server().call("TS.ADD", "r", "1", "1");
        assertEquals(List.of(),
                events("__keyevent@0__:*",
                        c("TS.GET", "r"),
                        c("TS.RANGE", "r", "-", "+"),
                        c("TS.REVRANGE", "r", "-", "+"),
                        c("TS.INFO", "r"),
                        c("TS.CREATE", "r"),
                        c("TS.CREATE", "bad", "CHUNK_SIZE", "1"),
                        c("TS.ALTER", "missing", "RETENTION", "1")));
    }

    @Test
    void renameAndExpireStillNotify() {
        valkey.server().call("TS.CREATE", "x");
        assertEquals(List.of("rename_from x", "rename_to y", "expire y"),
                events("__keyevent@0__:*",
                        c("RENAME", "x", "y"),
                        c("EXPIRE", "y", "100")));
    }
}
