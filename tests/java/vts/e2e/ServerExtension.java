package vts.e2e;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * One server per test class: started before the first test, closed after the last, its log tail
 * (and that of any other server {@link #track tracked}) printed when a test fails.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ServerExtension valkey = new ServerExtension(b -> b.config("appendonly", "yes"));
 * }</pre>
 */
public final class ServerExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback, TestWatcher {
    private final UnaryOperator<ValkeyServer.Builder> setup;
    private final List<ValkeyServer> tracked = new CopyOnWriteArrayList<>();
    private volatile ValkeyServer server;
    private boolean flushAll;

    public ServerExtension() {
        this(b -> b);
    }

    public ServerExtension(UnaryOperator<ValkeyServer.Builder> setup) {
        this.setup = setup;
    }

    /** Sends FLUSHALL before each test, so tests of the class start from an empty server. */
    public ServerExtension flushAllBeforeEach() {
        flushAll = true;
        return this;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (flushAll && server != null && server.isRunning()) {
            Resp.Reply r = server.call("FLUSHALL");
            if (!(r instanceof Resp.Simple)) throw new IllegalStateException("FLUSHALL: " + r);
        }
    }

    /** The class's server. */
    public ValkeyServer server() {
        if (server == null) throw new IllegalStateException("server not started");
        return server;
    }

    /** Another server whose log is printed on failure and which is closed after the class. */
    public ValkeyServer track(ValkeyServer other) {
        tracked.add(other);
        return other;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = setup.apply(ValkeyServer.builder()).start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        for (ValkeyServer s : tracked) s.close();
        tracked.clear();
        if (server != null) server.close();
        server = null;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        List<ValkeyServer> all = new java.util.ArrayList<>();
        if (server != null) all.add(server);
        all.addAll(tracked);
        for (ValkeyServer s : all) {
            System.err.println("==== " + context.getDisplayName() + " failed; " + s
                    + (s.isRunning() ? "" : " (NOT RUNNING, exit " + s.exitCode() + ")")
                    + "; log tail:\n" + s.logTail(60) + "\n==== end of log tail");
        }
    }
}
