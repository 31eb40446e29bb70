package crema.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a Docker-format seccomp profile into linux.seccomp for amd64 and a set of capabilities, as engines do. */
final class OciProfile {
    private OciProfile() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> fromDocker(Map<String, Object> docker, List<Object> caps) {
        Map<String, Object> oci = new LinkedHashMap<>();
        oci.put("defaultAction", docker.get("defaultAction"));
        if (docker.get("defaultErrnoRet") != null) oci.put("defaultErrnoRet", docker.get("defaultErrnoRet"));
        List<Object> arches = new ArrayList<>();
        for (Object a : (List<Object>) docker.getOrDefault("archMap", List.of())) {
            Map<String, Object> arch = (Map<String, Object>) a;
            if (arch.get("architecture").equals("SCMP_ARCH_X86_64")) {
                arches.add("SCMP_ARCH_X86_64");
                arches.addAll((List<Object>) arch.getOrDefault("subArchitectures", List.of()));
            }
        }
        oci.put("architectures", arches);
        List<Object> syscalls = new ArrayList<>();
        for (Object r : (List<Object>) docker.get("syscalls")) {
            Map<String, Object> rule = (Map<String, Object>) r;
            Map<String, Object> inc = (Map<String, Object>) rule.getOrDefault("includes", Map.of());
            Map<String, Object> exc = (Map<String, Object>) rule.getOrDefault("excludes", Map.of());
            List<Object> incArches = (List<Object>) inc.getOrDefault("arches", List.of());
            if (!incArches.isEmpty() && !incArches.contains("amd64")) continue;
            if (!caps.containsAll((List<Object>) inc.getOrDefault("caps", List.of()))) continue;
            List<Object> excCaps = (List<Object>) exc.getOrDefault("caps", List.of());
            if (excCaps.stream().anyMatch(caps::contains)) continue;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("names", rule.get("names"));
            out.put("action", rule.get("action"));
            if (rule.get("errnoRet") != null) out.put("errnoRet", rule.get("errnoRet"));
            List<Object> args = (List<Object>) rule.get("args");
            if (args != null && !args.isEmpty()) out.put("args", args);
            syscalls.add(out);
        }
        oci.put("syscalls", syscalls);
        return oci;
    }
}
