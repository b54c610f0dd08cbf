package vts.e2e;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The base of test classes that share one server, emptied before each test, and call it
 * through {@link #call} (RESP2) and {@link #call3} (RESP3). Test classes run one after the
 * other, so each gets its own server from the extension.
 */
abstract class ServerTests {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension().flushAllBeforeEach();
    static ValkeyServer server;

    @BeforeAll
    static void server() {
        server = valkey.server();
    }

    static Resp.Reply call(Object... args) {
        return server.call(args);
    }

    static Resp.Reply call3(Object... args) {
        return server.call3(args);
    }
}
