package crema.spec;

import static crema.spec.JsonIn.Kind.INT32;

import crema.spec.JsonIn.Obj;
import java.util.Map;

/** The OCI state JSON: {@link #write} always writes pid and omits empty annotations. */
public final class StateJson {

    private StateJson() {
    }

    public static byte[] write(State state) {
        return JsonOut.document(state, (out, s) -> out.string("ociVersion", s.ociVersion())
                .string("id", s.id())
                .string("status", s.status())
                .number("pid", s.pid())
                .string("bundle", s.bundle())
                .stringMap("annotations", nullIfEmpty(s.annotations())));
    }

    /** Reads state JSON; ociVersion, id, status and bundle are required, pid is 0 when absent. */
    public static State parse(byte[] json) {
        Obj o = JsonIn.parseObject(json, "state.json");
        return new State(
                o.requiredString("ociVersion"),
                o.requiredString("id"),
                o.requiredString("status"),
                (int) o.integer("pid", INT32),
                o.requiredString("bundle"),
                o.stringMap("annotations"));
    }

    private static Map<String, String> nullIfEmpty(Map<String, String> map) {
        return map == null || map.isEmpty() ? null : map;
    }
}
