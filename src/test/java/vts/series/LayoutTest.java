package vts.series;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks Layout.java against native/tsdb_layout.h: the fields of both structs are read
 * from the header, a C program compiled with gcc prints offsetof/sizeof of each, and
 * every one must match its Java constant (and the Java accessor width).
 */
class LayoutTest {
    static final Path HEADER = Path.of("native", "tsdb_layout.h");
    /** Java constant names that differ from the upper-cased C field name. */
    static final Map<String, String> RENAMED = Map.of("S_DUPLICATE_POLICY", "S_DUP_POLICY", "LAYOUT_VERSION", "VERSION");

    record CField(String struct, String type, String name) {}

    static List<CField> fields(String header) {
        List<CField> out = new ArrayList<>();
        Matcher sm = Pattern.compile("typedef struct (\\w+) \\{(.*?)\\}", Pattern.DOTALL).matcher(header);
        while (sm.find()) {
            Matcher fm = Pattern.compile("^\\s*([\\w ]+?\\**)\\s*\\**(\\w+)(\\[\\])?;", Pattern.MULTILINE).matcher(sm.group(2));
            while (fm.find()) out.add(new CField(sm.group(1), fm.group(1).trim(), fm.group(2)));
        }
        return out;
    }

    @Test
    void javaOffsetsMatchTheCHeader(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Gcc.available(), "gcc is not installed: the native layout was NOT checked");
        String header = Files.readString(HEADER);
        List<CField> fields = fields(header);
        assertTrue(fields.size() > 40, "parsed " + fields.size() + " fields");
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include \"tsdb_layout.h\"\nint main(void) {\n");
        for (CField f : fields) {
            String size = f.name.equals("data") ? "0" : "sizeof(((" + f.struct + " *)0)->" + f.name + ")";
            c.append("  printf(\"%s %s %zu %zu\\n\", \"").append(f.struct).append("\", \"").append(f.name)
                    .append("\", offsetof(").append(f.struct).append(", ").append(f.name).append("), (size_t)")
                    .append(size).append(");\n");
        }
        c.append("  printf(\"sizeof ts_chunk %zu 0\\n\", sizeof(ts_chunk));\n");
        c.append("  printf(\"sizeof ts_series %zu 0\\n\", sizeof(ts_series));\n");
        for (String m : new String[] {"TS_LAYOUT_VERSION", "TS_MAGIC", "TS_ENC_COMPRESSED", "TS_ENC_UNCOMPRESSED",
                "TS_DUP_UNSET", "TS_DUP_BLOCK", "TS_DUP_FIRST", "TS_DUP_LAST", "TS_DUP_MIN", "TS_DUP_MAX",
                "TS_DUP_SUM", "TS_FLAG_IGNORE_SET", "TS_FLAG_FOREIGN_CHUNKS"}) {
            c.append("  printf(\"macro ").append(m).append(" %lld 0\\n\", (long long)").append(m).append(");\n");
        }
        c.append("  return 0;\n}\n");
        Path exe = Gcc.compile(dir, "layout", c.toString());
        Gcc.Result r = Gcc.run(List.of(exe.toString()));
        assertEquals(0, r.exit(), r.out());

        Map<String, Long> java = new LinkedHashMap<>();
        for (Field f : Layout.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) java.put(f.getName(), (long) f.getInt(null));
        }
        int checked = 0, skipped = 0;
        for (String line : r.out().strip().split("\n")) {
            String[] p = line.split(" ");
            long value = Long.parseLong(p[2]);
            long size = Long.parseLong(p[3]);
            String name;
            switch (p[0]) {
                case "sizeof" -> name = p[1].equals("ts_chunk") ? "CHUNK_HEADER" : "SERIES_SIZE";
                case "macro" -> name = RENAMED.getOrDefault(p[1].substring(3), p[1].substring(3));
                default -> {
                    String prefix = p[0].equals("ts_chunk") ? "C_" : "S_";
                    name = prefix + p[1].toUpperCase();
                    name = RENAMED.getOrDefault(name, name);
                    if (!java.containsKey(name) && p[1].startsWith("reserved")) { // unused padding
                        skipped++;
                        continue;
                    }
                    long expectedSize = switch (p[1]) {
                        case "magic", "count", "capacity", "bit_pos", "chunk_size", "flags", "nchunks", "chunks_cap",
                                "labels_len", "nlabels", "rules_len", "nrules", "src_key_len", "nan_count", "reserved", "ckpt_index", "ckpt_bit",
                                "index_id" ->
                                p[1].equals("flags") && p[0].equals("ts_chunk") ? 1 : 4;
                        case "ckpt_scale" -> 1;
                        case "layout_version" -> 2;
                        case "encoding", "duplicate_policy", "prev_leading", "prev_trailing" -> 1;
                        case "data" -> 0;
                        default -> 8;
                    };
                    assertEquals(expectedSize, size, "size of " + p[0] + "." + p[1]);
                }
            }
            if (name.equals("MAGIC")) value = (int) value;
            assertTrue(java.containsKey(name), "Layout.java lacks " + name + " (" + line + ")");
            assertEquals(value, java.get(name), name + " (" + line + ")");
            checked++;
        }
        assertEquals(fields.size() - skipped + 2 + 13, checked, "every field, size and macro checked");
    }
}
