package crema.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** state.json, read and written with {@link SmallJson}: every command reads it, so it costs no jackson. */
final class RecordJson {
    private RecordJson() {}

    static byte[] write(ContainerRecord r) {
        return new SmallJson.ObjectWriter(0)
                .field("ociVersion", r.ociVersion())
                .field("id", r.id())
                .field("pid", r.pid())
                .field("initStartTime", r.initStartTime())
                .field("bundle", r.bundle())
                .field("rootfs", r.rootfs())
                .field("created", r.created())
                .field("owner", r.owner())
                .field("annotations", r.annotations())
                .field("cgroupDirs", r.cgroupDirs())
                .field("createdCgroupDirs", r.createdCgroupDirs())
                .field("systemdCgroup", r.systemdCgroup())
                .toString().getBytes(StandardCharsets.UTF_8);
    }

    static ContainerRecord parse(byte[] json) throws IOException {
        if (!(SmallJson.parse(json) instanceof Map<?, ?> m)) throw new IOException("state file is not a JSON object");
        return new ContainerRecord(text(m, "ociVersion"), text(m, "id"), (int) number(m, "pid"),
                number(m, "initStartTime"), text(m, "bundle"), text(m, "rootfs"), text(m, "created"), text(m, "owner"),
                annotations(m), texts(m, "cgroupDirs"), texts(m, "createdCgroupDirs"),
                Boolean.TRUE.equals(m.get("systemdCgroup")));
    }

    private static String text(Map<?, ?> m, String field) throws IOException {
        Object v = m.get(field);
        if (v == null) return "";
        if (v instanceof String s) return s;
        throw new IOException("state file: " + field + " is not a string");
    }

    private static long number(Map<?, ?> m, String field) throws IOException {
        Object v = m.get(field);
        if (v == null) return 0;
        if (v instanceof Long l) return l;
        throw new IOException("state file: " + field + " is not an integer");
    }

    private static List<String> texts(Map<?, ?> m, String field) throws IOException {
        Object v = m.get(field);
        if (v == null) return List.of();
        if (!(v instanceof List<?> l)) throw new IOException("state file: " + field + " is not an array");
        List<String> out = new ArrayList<>(l.size());
        for (Object o : l) {
            if (!(o instanceof String s)) throw new IOException("state file: " + field + " holds a non-string");
            out.add(s);
        }
        return List.copyOf(out);
    }

    private static Map<String, String> annotations(Map<?, ?> m) throws IOException {
        Object v = m.get("annotations");
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null) return out;
        if (!(v instanceof Map<?, ?> a)) throw new IOException("state file: annotations is not an object");
        for (Map.Entry<?, ?> e : a.entrySet()) {
            if (!(e.getValue() instanceof String s)) throw new IOException("state file: annotation " + e.getKey() + " is not a string");
            out.put((String) e.getKey(), s);
        }
        return out;
    }
}
