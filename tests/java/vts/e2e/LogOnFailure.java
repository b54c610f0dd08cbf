package vts.e2e;

import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints the tail of each server's log when a test fails, so a failure report shows what the
 * server (and the module) said. Register with
 * {@code @RegisterExtension static LogOnFailure logs = new LogOnFailure(() -> List.of(server));}.
 */
public final class LogOnFailure implements TestWatcher {
    private final Supplier<List<ValkeyServer>> servers;

    public LogOnFailure(Supplier<List<ValkeyServer>> servers) {
        this.servers = servers;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        List<ValkeyServer> list;
        try {
            list = servers.get();
        } catch (RuntimeException e) {
            return;
        }
        if (list == null) return;
        for (ValkeyServer s : list) {
            if (s == null) continue;
            System.err.println("==== " + context.getDisplayName() + " failed; " + s
                    + (s.isRunning() ? "" : " (NOT RUNNING, exit " + s.exitCode() + ")")
                    + "; log tail:\n" + s.logTail(60) + "\n==== end of log tail");
        }
    }
}
