package vts.series;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test helper: compiles a small C source with gcc, and runs programs. */
final class Gcc {
    private Gcc() {}

    static boolean available() {
        try {
            return run(List.of("gcc", "--version")).exit == 0;
        } catch (IOException e) {
            return false;
        }
    }

    record Result(int exit, String out) {}

    static Result run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + cmd);
            }
            return new Result(p.exitValue(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Compiles source into dir/name (extra flags, e.g. -shared -fPIC); returns the output path. */
    static Path compile(Path dir, String name, String source, String... flags) throws IOException {
        Path src = dir.resolve(name + ".c");
        Files.writeString(src, source);
        Path out = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("gcc", "-O1", "-Wall", "-I", Path.of("native").toAbsolutePath().toString()));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-o", out.toString(), src.toString()));
        Result r = run(cmd);
        if (r.exit != 0) throw new IOException("gcc failed:\n" + r.out);
        return out;
    }
}
