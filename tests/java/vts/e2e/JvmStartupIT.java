package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vts.e2e.Ts.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The rules of DESIGN.md that concern starting the JVM inside the server, each checked
 * on a real server: locale, signal handlers, stack size, where JVM output goes.
 */
class JvmStartupIT {

    /** Rule 6: JVM creation must not leave the process in the environment's locale. */
    @Test
    void serverFloatParsingSurvivesAGermanLocale() throws Exception {
        String german = germanLocale();
        Assumptions.assumeTrue(german != null, "no German locale installed (build.sh test installs one)");
        try (ValkeyServer s = ValkeyServer.builder().env("LANG", german).env("LC_ALL", german).start()) {
            assertEquals("1.5", text(s.call("INCRBYFLOAT", "f", "1.5")));
            assertEquals("2.75", text(s.call("INCRBYFLOAT", "f", "1.25")));
            assertEquals(1, integer(s.call("ZADD", "z", "1.5", "m")));
            assertEquals("1.5", text(s.call("ZSCORE", "z", "m")));
            assertEquals(1, integer(s.call("TS.ADD", "t", "1", "1.5")));
            assertEquals("1:1.5", sample2(s.call("TS.GET", "t")));
        }
    }

    /** Rules 7 and 10: after CONFIG SET crash-log-enabled the JVM's SIGSEGV handler is back in place. */
    @Test
    void implicitNullChecksAfterCrashLogToggling() {
        try (ValkeyServer s = ValkeyServer.start()) {
            for (int i = 0; i < 3; i++) {
                assertEquals(1, integer(s.call("TS._DEBUG", "NULLCHECK")), "a NullPointerException, caught");
                assertOk(s.call("CONFIG", "SET", "crash-log-enabled", "no"));
                assertOk(s.call("CONFIG", "SET", "crash-log-enabled", "yes"));
            }
            assertEquals(1, integer(s.call("TS._DEBUG", "NULLCHECK")));
            assertTrue(s.ping());
        }
    }

    /** Rules 5, 8 and 11: stack size, the suspend/resume signal, and JVM output in the server log only. */
    @Test
    void stackSignalAndOutput() throws Exception {
        try (ValkeyServer s = ValkeyServer.builder().moduleArgs("JVM_OPTIONS", "-XX:+PrintCommandLineFlags").start()) {
            String log = s.log();
            Matcher m = Pattern.compile("-XX:ThreadStackSize=(\\d+)").matcher(log);
            assertTrue(m.find(), "the JVM's flags are printed into the server log");
            assertTrue(Long.parseLong(m.group(1)) >= 8192, "thread stack of at least 8 MB: " + m.group(0));
            assertTrue(log.contains("-XX:+ReduceSignalUsage"), "-Xrs is in effect");
            String stdout = Files.readString(s.dir().resolve("stdout.log"));
            assertFalse(stdout.contains("ThreadStackSize"), "nothing of the JVM on stdout: " + stdout);
            assertTrue(Files.exists(s.dir().resolve("timeseries-jvm.log")), "JVM log file in the server's dir");

            long caught = caughtSignals(s.pid());
            assertTrue((caught & (1L << (40 - 1))) != 0, "the JVM's suspend/resume signal moved to 40");
        }
    }

    /** A collector chosen in JVM_OPTIONS replaces ours (HotSpot refuses two). */
    @Test
    void collectorCanBeChosen() {
        try (ValkeyServer s = ValkeyServer.builder()
                .moduleArgs("JVM_OPTIONS", "-XX:+UseG1GC -XX:+PrintCommandLineFlags").start()) {
            assertTrue(s.log().contains("-XX:+UseG1GC"), "G1 in use");
            assertFalse(s.log().contains("-XX:+UseSerialGC"), "our default collector left out");
            assertEquals(1, integer(s.call("TS.ADD", "k", "1", "1")));
        }
    }

    private static long caughtSignals(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("SigCgt:")) return Long.parseUnsignedLong(line.substring(7).trim(), 16);
        }
        throw new IllegalStateException("no SigCgt line for " + pid);
    }

    private static String germanLocale() throws Exception {
        Process p = new ProcessBuilder("locale", "-a").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        for (String l : out.split("\n")) {
            if (l.toLowerCase().startsWith("de_de") && l.toLowerCase().contains("utf")) return l.trim();
        }
        return null;
    }
}
