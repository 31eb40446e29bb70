package crema.state;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** jackson-core streaming for the small state file: no reflection, no databind. */
final class RecordJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private RecordJson() {}

    static byte[] write(ContainerRecord r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("ociVersion", r.ociVersion());
            g.writeStringField("id", r.id());
            g.writeNumberField("pid", r.pid());
            g.writeNumberField("initStartTime", r.initStartTime());
            g.writeStringField("bundle", r.bundle());
            g.writeStringField("rootfs", r.rootfs());
            g.writeStringField("created", r.created());
            g.writeStringField("owner", r.owner());
            g.writeObjectFieldStart("annotations");
            for (var e : r.annotations().entrySet()) g.writeStringField(e.getKey(), e.getValue());
            g.writeEndObject();
            writeList(g, "cgroupDirs", r.cgroupDirs());
            writeList(g, "createdCgroupDirs", r.createdCgroupDirs());
            g.writeBooleanField("systemdCgroup", r.systemdCgroup());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeList(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) g.writeString(v);
        g.writeEndArray();
    }

    static ContainerRecord parse(byte[] json) throws IOException {
        String ociVersion = "", id = "", bundle = "", rootfs = "", created = "", owner = "";
        int pid = 0;
        long start = 0;
        boolean systemd = false;
        Map<String, String> annotations = new LinkedHashMap<>();
        List<String> dirs = new ArrayList<>(), createdDirs = new ArrayList<>();
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("state file is not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "ociVersion" -> ociVersion = p.getText();
                    case "id" -> id = p.getText();
                    case "pid" -> pid = p.getIntValue();
                    case "initStartTime" -> start = p.getLongValue();
                    case "bundle" -> bundle = p.getText();
                    case "rootfs" -> rootfs = p.getText();
                    case "created" -> created = p.getText();
                    case "owner" -> owner = p.getText();
                    case "systemdCgroup" -> systemd = p.getBooleanValue();
                    case "annotations" -> {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String k = p.currentName();
                            p.nextToken();
                            annotations.put(k, p.getText());
                        }
                    }
                    case "cgroupDirs" -> readList(p, dirs);
                    case "createdCgroupDirs" -> readList(p, createdDirs);
                    default -> p.skipChildren();
                }
            }
        }
        return new ContainerRecord(ociVersion, id, pid, start, bundle, rootfs, created, owner, annotations,
                List.copyOf(dirs), List.copyOf(createdDirs), systemd);
    }

    private static void readList(JsonParser p, List<String> into) throws IOException {
        while (p.nextToken() == JsonToken.VALUE_STRING) into.add(p.getText());
    }
}
