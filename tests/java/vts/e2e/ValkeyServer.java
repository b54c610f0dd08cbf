package vts.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.util.SafeEncoder;

/**
 * A real {@code valkey-server} process for end-to-end tests: free 127.0.0.1 port, fresh temp
 * directory, the module loaded with configurable arguments, log in a file of that directory.
 *
 * <pre>{@code
 * try (ValkeyServer s = ValkeyServer.builder().config("appendonly", "yes").start()) {
 *     s.client().tsAdd("k", 1, 2.0);          // Jedis, RESP2
 *     Resp.Reply r = s.call("TS.GET", "k");   // exact reply types, RESP2
 *     s.restart();                            // same dir and port: persistence
 * }
 * }</pre>
 *
 * System properties: {@code vts.module} (module path, default
 * {@code target/libvalkeyts.so}), {@code vts.server} (server binary, default
 * {@code valkey-server} on PATH), {@code vts.keepDirs=true} keeps temp dirs after close.
 *
 * <p>Only the process this fixture started is ever signalled (by its PID). A JVM shutdown hook
 * kills servers a crashed test run left behind.
 */
public final class ValkeyServer implements AutoCloseable {

    /** Default module path, as the pom passes it. */
    public static Path modulePath() {
        return Paths.get(System.getProperty("vts.module", "target/libvalkeyts.so")).toAbsolutePath();
    }

    private static final Set<ValkeyServer> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (ValkeyServer s : LIVE) {
                Process p = s.process;
                if (p != null && p.isAlive()) p.destroyForcibly();
            }
        }, "valkey-server-reaper"));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts a server with the module and default settings. */
    public static ValkeyServer start() {
        return builder().start();
    }

    /** How to start a server. */
    public static final class Builder {
        private Path module = modulePath();
        private final List<String> moduleArgs = new ArrayList<>();
        private final Map<String, List<String>> config = new LinkedHashMap<>();
        private String replicaOfHost;
        private int replicaOfPort;
        private Duration startTimeout = Duration.ofSeconds(60);
        private final Map<String, String> env = new LinkedHashMap<>();

        /** An environment variable for the server process (e.g. LANG). */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** Module to load; null loads none (a plain server, for fixture tests). */
        public Builder module(Path path) {
            this.module = path;
            return this;
        }

        public Builder noModule() {
            return module(null);
        }

        /** Arguments after the module path on the {@code loadmodule} line. */
        public Builder moduleArgs(String... args) {
            moduleArgs.addAll(Arrays.asList(args));
            return this;
        }

        /**
         * Keeps the module's default JIT warm-up at load (README "JIT warm-up"); without this the
         * tests' servers load with {@code jit-warmup 0}, to start fast.
         */
        public Builder defaultJitWarmup() {
            defaultJitWarmup = true;
            return this;
        }

        private boolean defaultJitWarmup;

        /** One config directive, e.g. {@code config("save", "3600", "1")}; repeated names add lines. */
        public Builder config(String name, String... values) {
            config.computeIfAbsent(name, k -> new ArrayList<>()).add(String.join(" ", quoteAll(values)));
            return this;
        }

        public Builder replicaOf(String host, int port) {
            this.replicaOfHost = host;
            this.replicaOfPort = port;
            return this;
        }

        public Builder replicaOf(ValkeyServer primary) {
            return replicaOf(primary.host(), primary.port());
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        public ValkeyServer start() {
            ValkeyServer s = new ValkeyServer(this);
            try {
                s.startProcess();
            } catch (RuntimeException | Error e) {
                s.close();
                throw e;
            }
            return s;
        }
    }

    private final Path module;
    private final List<String> moduleArgs;
    private final boolean defaultJitWarmup;
    private final Map<String, List<String>> config;
    private final String replicaOfHost;
    private final int replicaOfPort;
    private final Duration startTimeout;
    private final Map<String, String> env;
    private final Path dir;
    private final Path logFile;
    private final Path configFile;
    private int port;
    private Process process;
    private JedisPooled client;
    private JedisPooled client3;
    private Resp resp2;
    private Resp resp3;

    private ValkeyServer(Builder b) {
        this.module = b.module;
        this.moduleArgs = List.copyOf(b.moduleArgs);
        this.defaultJitWarmup = b.defaultJitWarmup
                || b.moduleArgs.stream().anyMatch(a -> a.equalsIgnoreCase("jit-warmup") || a.equalsIgnoreCase("JIT_WARMUP"));
        this.config = new LinkedHashMap<>(b.config);
        this.replicaOfHost = b.replicaOfHost;
        this.replicaOfPort = b.replicaOfPort;
        this.startTimeout = b.startTimeout;
        this.env = new LinkedHashMap<>(b.env);
        try {
            this.dir = Files.createTempDirectory("vts-e2e-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.logFile = dir.resolve("valkey.log");
        this.configFile = dir.resolve("valkey.conf");
        LIVE.add(this);
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    /** PID of the running server process, or -1. */
    public long pid() {
        return process != null && process.isAlive() ? process.pid() : -1;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** A pooled Jedis client (RESP2); it implements the time-series API. Re-created on restart. */
    public synchronized JedisPooled client() {
        if (client == null) client = newClient(RedisProtocol.RESP2);
        return client;
    }

    /** A pooled Jedis client speaking RESP3. */
    public synchronized JedisPooled client3() {
        if (client3 == null) client3 = newClient(RedisProtocol.RESP3);
        return client3;
    }

    /** A new single Jedis connection (for SELECT, MULTI, subscribe); the caller closes it. */
    public Jedis jedis() {
        return new Jedis(new HostAndPort(host(), port), clientConfig(RedisProtocol.RESP2));
    }

    /** A new typed RESP connection (RESP2; call {@link Resp#hello3()} for RESP3); caller closes. */
    public Resp resp() {
        return new Resp(host(), port);
    }

    /** Sends a command through Jedis (RESP2) and returns Jedis' raw reply object (byte[], Long, List…). */
    public Object raw(String... args) {
        return client().sendCommand(command(args[0]), Arrays.copyOfRange(args, 1, args.length));
    }

    /** Like {@link #raw} but over RESP3 (doubles come back as Double, maps as lists of KeyValue). */
    public Object raw3(String... args) {
        return client3().sendCommand(command(args[0]), Arrays.copyOfRange(args, 1, args.length));
    }

    /** A Jedis command for any name, e.g. {@code command("TS.ADD")}. */
    public static ProtocolCommand command(String name) {
        byte[] raw = SafeEncoder.encode(name);
        return () -> raw;
    }

    /** Sends a command over a shared typed RESP2 connection and returns the exact reply. */
    public synchronized Resp.Reply call(Object... args) {
        if (resp2 == null) resp2 = resp();
        return resp2.call(args);
    }

    /** Sends a command over a shared typed RESP3 connection and returns the exact reply. */
    public synchronized Resp.Reply call3(Object... args) {
        if (resp3 == null) {
            resp3 = resp();
            resp3.hello3();
        }
        return resp3.call(args);
    }

    /** True if the server answers PING with PONG within two seconds. */
    public boolean ping() {
        if (!isRunning()) return false;
        try (Resp r = new Resp(host(), port, 2_000)) {
            return r.call("PING") instanceof Resp.Simple s && s.text().equals("PONG");
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The server log so far. */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    /** The last {@code lines} lines of the server log. */
    public String logTail(int lines) {
        String[] all = log().split("\n", -1);
        return String.join("\n", Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    /** Value of one field of {@code INFO section}, or null. */
    public String info(String section, String field) {
        Object raw = call("INFO", section).plain();
        for (String line : String.valueOf(raw).split("\r\n")) {
            if (line.startsWith(field + ":")) return line.substring(field.length() + 1);
        }
        return null;
    }

    /** Stops the server with SHUTDOWN (saves if save/appendonly is configured) and waits for exit. */
    public void stop() {
        stop(false);
    }

    /** Stops with SHUTDOWN NOSAVE. */
    public void stopNoSave() {
        stop(true);
    }

    private synchronized void stop(boolean nosave) {
        closeClients();
        if (!isRunning()) return;
        Resp.Reply reply = null;
        try (Resp r = new Resp(host(), port, 120_000)) {
            reply = nosave ? r.call("SHUTDOWN", "NOSAVE") : r.call("SHUTDOWN");
        } catch (RuntimeException expected) {
            // the server closes the connection when it exits
        }
        if (reply instanceof Resp.Err e) {
            throw new IllegalStateException("SHUTDOWN refused: " + e.message() + "\n" + logTail(30));
        }
        awaitExit(Duration.ofSeconds(60));
    }

    /** Sends SIGTERM to the server's PID (Valkey's own shutdown must run) and waits for exit. */
    public synchronized void sigterm() {
        closeClients();
        if (!isRunning()) return;
        process.destroy(); // SIGTERM on Linux
        awaitExit(Duration.ofSeconds(60));
    }

    /** Sends SIGKILL to the server's PID and waits for exit. */
    public synchronized void sigkill() {
        closeClients();
        if (process == null) return;
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Exit code of the stopped server process (-1 while running or never started). */
    public int exitCode() {
        return process != null && !process.isAlive() ? process.exitValue() : -1;
    }

    private void awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
                throw new IllegalStateException("server did not exit within " + timeout
                        + "; killed it\n" + logTail(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops (SHUTDOWN) and starts again on the same dir and port. */
    public void restart() {
        stop();
        startProcess();
    }

    /** Starts the server again after a stop, sigterm or sigkill (same dir and port). */
    public synchronized void startAgain() {
        if (isRunning()) throw new IllegalStateException("already running");
        startProcess();
    }

    @Override
    public synchronized void close() {
        closeClients();
        if (isRunning()) {
            try {
                stop(true);
            } catch (RuntimeException e) {
                sigkill();
            }
        }
        LIVE.remove(this);
        if (!Boolean.getBoolean("vts.keepDirs")) deleteDir();
    }

    @Override
    public String toString() {
        return "valkey-server[127.0.0.1:" + port + ", pid " + pid() + ", dir " + dir + "]";
    }

    /** Polls until the condition holds; fails with the log tail after the timeout. */
    public void await(String what, Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) return;
            sleep(20);
        }
        if (condition.getAsBoolean()) return;
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + "\n" + logTail(30));
    }

    // ---------------------------------------------------------------------------------------

    private synchronized void startProcess() {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            if (port == 0 || attempt > 0) port = freePort();
            try {
                launch();
                return;
            } catch (IllegalStateException e) {
                last = e;
                if (!log().contains("Address already in use")) throw e;
            }
        }
        throw last;
    }

    private void launch() {
        if (module != null && !Files.isRegularFile(module)) {
            throw new IllegalStateException("module not found: " + module
                    + " (build it with ./build.sh, or pass -Dvts.module=...)");
        }
        writeConfig();
        List<String> cmd = List.of(serverBinary(), configFile.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()));
        pb.environment().putAll(env);
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        long end = System.nanoTime() + startTimeout.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException("valkey-server exited with " + process.exitValue()
                        + " during start\n" + logTail(40) + "\n" + stdoutTail());
            }
            if (ping()) return;
            sleep(25);
        }
        process.destroyForcibly();
        throw new IllegalStateException("valkey-server did not answer PING within " + startTimeout
                + "\n" + logTail(40));
    }

    private String stdoutTail() {
        try {
            Path p = dir.resolve("stdout.log");
            if (!Files.exists(p)) return "";
            String s = Files.readString(p);
            return s.isBlank() ? "" : "stdout/stderr:\n" + s.substring(Math.max(0, s.length() - 4000));
        } catch (IOException e) {
            return "";
        }
    }

    private void writeConfig() {
        StringBuilder c = new StringBuilder();
        c.append("port ").append(port).append('\n');
        c.append("bind 127.0.0.1\n");
        c.append("daemonize no\n");
        c.append("dir ").append(quote(dir.toString())).append('\n');
        c.append("logfile ").append(quote(logFile.toString())).append('\n');
        c.append("enable-debug-command yes\n");
        c.append("enable-module-command yes\n");
        if (!config.containsKey("save")) c.append("save \"\"\n");
        if (module != null) {
            c.append("loadmodule ").append(quote(module.toString()));
            for (String a : moduleArgs) c.append(' ').append(quote(a));
            if (!defaultJitWarmup) c.append(" jit-warmup 0"); // ~300 starts: no 1.5 s warm-up each
            c.append('\n');
        }
        if (replicaOfHost != null) c.append("replicaof ").append(replicaOfHost).append(' ').append(replicaOfPort).append('\n');
        for (var e : config.entrySet()) {
            for (String v : e.getValue()) c.append(e.getKey()).append(' ').append(v).append('\n');
        }
        try {
            Files.writeString(configFile, c.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String serverBinary() {
        String s = System.getProperty("vts.server");
        if (s != null && !s.isBlank()) return s;
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Paths.get(d, "valkey-server");
            if (Files.isExecutable(p)) return p.toString();
        }
        return "valkey-server";
    }

    private static List<String> quoteAll(String[] values) {
        List<String> out = new ArrayList<>();
        for (String v : values) out.add(quote(v));
        return out;
    }

    /** Quotes a config argument so that sdssplitargs reads it back verbatim. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(ch);
            }
        }
        return b.append('"').toString();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JedisPooled newClient(RedisProtocol protocol) {
        return new JedisPooled(new HostAndPort(host(), port), clientConfig(protocol));
    }

    private static DefaultJedisClientConfig clientConfig(RedisProtocol protocol) {
        return DefaultJedisClientConfig.builder().protocol(protocol)
                .connectionTimeoutMillis(5_000).socketTimeoutMillis(120_000).build();
    }

    private synchronized void closeClients() {
        if (client != null) client.close();
        if (client3 != null) client3.close();
        if (resp2 != null) resp2.close();
        if (resp3 != null) resp3.close();
        client = client3 = null;
        resp2 = resp3 = null;
    }

    private void deleteDir() {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
