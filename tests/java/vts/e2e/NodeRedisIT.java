package vts.e2e;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The module through node-redis' typed time-series API (@redis/time-series, pinned in
 * tests/clients/node/package-lock.json, installed by {@code ./build.sh test}), in RESP2 and
 * RESP3: every command and option, typed results checked against values the script computes,
 * error replies for bad input, and the RedisTimeSeries 8.10 features. System property {@code vts.node} names the
 * node binary (default {@code node} on PATH).
 */
class NodeRedisIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension();

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void nodeRedisTypedApi(int protocol) {
        Path dir = ClientScript.dir("node");
        ClientScript.require(dir.resolve("node_modules/@redis/time-series"),
                "run ./build.sh test, or npm ci in tests/clients/node");
        ClientScript.run(dir, Duration.ofSeconds(120), System.getProperty("vts.node", "node"),
                "ts_node_redis_test.mjs", Integer.toString(valkey.server().port()), Integer.toString(protocol));
    }
}
