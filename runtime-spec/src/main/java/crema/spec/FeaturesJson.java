package crema.spec;

/** Writes a {@link Features} document as pretty JSON, omitting null ("unknown") fields. */
public final class FeaturesJson {

    private FeaturesJson() {
    }

    public static byte[] write(Features features) {
        return JsonOut.document(features, (out, f) -> out.string("ociVersionMin", f.ociVersionMin())
                .string("ociVersionMax", f.ociVersionMax())
                .strings("hooks", f.hooks())
                .strings("mountOptions", f.mountOptions())
                .object("linux", f.linux(), FeaturesJson::linux)
                .stringMap("annotations", f.annotations())
                .strings("potentiallyUnsafeConfigAnnotations", f.potentiallyUnsafeConfigAnnotations()));
    }

    private static void linux(JsonOut out, Features.Linux l) {
        out.strings("namespaces", l.namespaces())
                .strings("capabilities", l.capabilities())
                .object("cgroup", l.cgroup(), (o, c) -> o.bool("v1", c.v1())
                        .bool("v2", c.v2())
                        .bool("systemd", c.systemd())
                        .bool("systemdUser", c.systemdUser())
                        .bool("rdma", c.rdma()))
                .object("seccomp", l.seccomp(), (o, s) -> o.bool("enabled", s.enabled())
                        .strings("actions", s.actions())
                        .strings("operators", s.operators())
                        .strings("archs", s.archs())
                        .strings("knownFlags", s.knownFlags())
                        .strings("supportedFlags", s.supportedFlags()))
                .object("apparmor", l.apparmor(), (o, a) -> o.bool("enabled", a.enabled()))
                .object("selinux", l.selinux(), (o, s) -> o.bool("enabled", s.enabled()))
                .object("intelRdt", l.intelRdt(), (o, r) -> o.bool("enabled", r.enabled())
                        .bool("schemata", r.schemata())
                        .bool("monitoring", r.monitoring()))
                .object("memoryPolicy", l.memoryPolicy(),
                        (o, m) -> o.strings("modes", m.modes()).strings("flags", m.flags()))
                .object("mountExtensions", l.mountExtensions(), (o, m) -> o.object("idmap", m.idmap(),
                        (i, idmap) -> i.bool("enabled", idmap.enabled())))
                .object("netDevices", l.netDevices(), (o, n) -> o.bool("enabled", n.enabled()));
    }
}
