package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * One JVM message is one server log line, at the level its unified-logging decoration names
 * (error/warning: warning '#', info: notice '*', debug/trace: verbose '-'), with the time and
 * level decorations dropped and the tags kept: HotSpot writes a line in pieces.
 */
class JvmLogIT {
    /** pid:role date time marker <module> jvm: text */
    static final Pattern JVM_LINE = Pattern.compile("^\\d+:\\w \\d+ \\w+ \\d+ [\\d:.]+ (.) <module> jvm: (.*)$");

    @Test
    void eachJvmMessageIsOneLineAtItsLevel() {
        try (ValkeyServer s = ValkeyServer.builder()
                .moduleArgs("JVM_OPTIONS", "-Xlog:gc*=debug:stdout -Xlog:pagesize=warning:stdout -XX:+UseLargePages")
                .config("loglevel", "verbose").start()) {
            assertEquals(1, Ts.integer(s.call("TS.ADD", "k", 1, 1)));
            List<String[]> lines = s.log().lines().map(JVM_LINE::matcher).filter(Matcher::matches)
                    .map(m -> new String[] {m.group(1), m.group(2)}).toList();
            assertTrue(lines.size() > 5, "GC logging reached the server log: " + lines.size() + " lines");
            for (String[] l : lines) {
                String text = l[1];
                assertFalse(text.isBlank(), "an empty jvm line");
                assertFalse(text.matches("\\[[^]]*]\\s*"), "a lone decoration: " + text);
                assertFalse(text.matches(".*\\[\\d+\\.\\d+s].*|.*\\[(info|debug|warning|error|trace)].*"),
                        "time and level decorations are dropped: " + text);
                assertTrue(text.matches("\\[[a-z0-9,]+] \\S.*"), "tags, then the message: " + text);
            }
            assertTrue(lines.stream().anyMatch(l -> l[0].equals("*") && l[1].equals("[gc] Using Serial")),
                    "info at notice: " + lines.size());
            assertTrue(lines.stream().anyMatch(l -> l[0].equals("-") && l[1].startsWith("[gc,heap]")), "debug at verbose");
            assertTrue(lines.stream().anyMatch(l -> l[0].equals("#") && l[1].startsWith("[pagesize] UseLargePages")),
                    "warning at warning");
        }
    }
}
