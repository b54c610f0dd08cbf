package vts.e2e;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The module through redis-py's typed time-series API ({@code r.ts()}), as Debian packages it
 * (python3-redis, redis-py 4.3.4: RESP2), installed by {@code ./build.sh test}: every command
 * its API has, typed results checked against values the script computes, error replies, and
 * the RedisTimeSeries 8.10 features. System property {@code vts.python} names the interpreter (default
 * {@code /usr/bin/python3}, Debian's, which sees python3-redis; a pyenv python3 may not).
 */
class RedisPyIT {
    @RegisterExtension
    static final ServerExtension valkey = new ServerExtension();

    @Test
    void redisPyTypedApi() {
        Path dir = ClientScript.dir("python");
        ClientScript.run(dir, Duration.ofSeconds(120), System.getProperty("vts.python", "/usr/bin/python3"),
                "test_ts_redis_py.py", Integer.toString(valkey.server().port()));
    }
}
