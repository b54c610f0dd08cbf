package vts.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a client-library test script (tests/clients/...) against a server as a subprocess and
 * fails with the script's whole output when it exits non-zero. The scripts check the typed
 * results of a real client library and print "N passed, N failed, N skipped".
 */
final class ClientScript {
    private ClientScript() {
    }

    /** Project-relative directory of the client scripts. */
    static Path dir(String name) {
        return Paths.get("tests", "clients", name).toAbsolutePath();
    }

    /** Fails the test, naming what is missing and how to get it, unless {@code path} exists. */
    static void require(Path path, String howToGetIt) {
        assertTrue(Files.exists(path), path + " is missing: " + howToGetIt);
    }

    /**
     * Runs {@code command} in {@code workDir}, waits at most {@code timeout}, prints its output
     * (so the cases show in the build log) and fails with it unless the exit code is 0.
     */
    static void run(Path workDir, Duration timeout, String... command) {
        Path out;
        try {
            out = Files.createTempFile("vts-client-script", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            ProcessBuilder pb = new ProcessBuilder(List.of(command)).directory(workDir.toFile())
                    .redirectErrorStream(true).redirectOutput(out.toFile());
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                fail("cannot start " + String.join(" ", command) + ": " + e.getMessage()
                        + " (./build.sh test installs the client test dependencies)");
                return;
            }
            boolean done;
            try {
                done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done = false;
            }
            if (!done) {
                p.destroyForcibly(); // only the process this method started
            }
            String output = read(out);
            System.out.println(output);
            if (!done) fail(String.join(" ", command) + " did not finish within " + timeout + ":\n" + output);
            if (p.exitValue() != 0) {
                fail(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + failuresFirst(output));
            }
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }

    /** The failing cases' lines first, then the whole output. */
    private static String failuresFirst(String output) {
        List<String> lines = new ArrayList<>();
        boolean inFailure = false;
        for (String line : output.split("\n")) {
            if (line.startsWith("FAIL")) inFailure = true;
            else if (!line.startsWith(" ")) inFailure = false;
            if (inFailure) lines.add(line);
        }
        return String.join("\n", lines) + "\n--- whole output ---\n" + output;
    }
}
