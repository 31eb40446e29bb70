package crema.spec;

/** Writes a {@link Spec} as pretty config.json, omitting null fields; {@link SpecParser} reads it back. */
public final class SpecJson {

    private SpecJson() {
    }

    public static byte[] write(Spec spec) {
        return JsonOut.document(spec, SpecJson::spec);
    }

    private static void spec(JsonOut out, Spec s) {
        out.string("ociVersion", s.ociVersion())
                .object("process", s.process(), SpecJson::process)
                .object("root", s.root(), (o, r) -> o.string("path", r.path()).bool("readonly", r.readonly()))
                .string("hostname", s.hostname())
                .string("domainname", s.domainname())
                .objects("mounts", s.mounts(), SpecJson::mount)
                .object("hooks", s.hooks(), SpecJson::hooks)
                .stringMap("annotations", s.annotations())
                .object("linux", s.linux(), SpecJson::linux);
    }

    private static void process(JsonOut out, Process p) {
        out.bool("terminal", p.terminal())
                .object("consoleSize", p.consoleSize(),
                        (o, c) -> o.unsigned("height", c.height()).unsigned("width", c.width()))
                .object("user", p.user(), SpecJson::user)
                .strings("args", p.args())
                .string("commandLine", p.commandLine())
                .strings("env", p.env())
                .string("cwd", p.cwd())
                .object("capabilities", p.capabilities(), SpecJson::capabilities)
                .objects("rlimits", p.rlimits(), (o, r) -> o.string("type", r.type())
                        .unsigned("hard", r.hard())
                        .unsigned("soft", r.soft()))
                .bool("noNewPrivileges", p.noNewPrivileges())
                .string("apparmorProfile", p.apparmorProfile())
                .number("oomScoreAdj", p.oomScoreAdj())
                .object("scheduler", p.scheduler(), SpecJson::scheduler)
                .string("selinuxLabel", p.selinuxLabel())
                .object("ioPriority", p.ioPriority(),
                        (o, i) -> o.string("class", i.klass()).number("priority", i.priority()))
                .object("execCPUAffinity", p.execCPUAffinity(),
                        (o, a) -> o.string("initial", a.initial()).string("final", a.finalAffinity()));
    }

    private static void user(JsonOut out, User u) {
        out.number("uid", u.uid())
                .number("gid", u.gid())
                .number("umask", u.umask())
                .numbers("additionalGids", u.additionalGids())
                .string("username", u.username());
    }

    private static void capabilities(JsonOut out, Capabilities c) {
        out.strings("bounding", c.bounding())
                .strings("effective", c.effective())
                .strings("inheritable", c.inheritable())
                .strings("permitted", c.permitted())
                .strings("ambient", c.ambient());
    }

    private static void scheduler(JsonOut out, Scheduler s) {
        out.string("policy", s.policy())
                .number("nice", s.nice())
                .number("priority", s.priority())
                .strings("flags", s.flags())
                .unsigned("runtime", s.runtime())
                .unsigned("deadline", s.deadline())
                .unsigned("period", s.period());
    }

    private static void mount(JsonOut out, Mount m) {
        out.string("destination", m.destination())
                .string("type", m.type())
                .string("source", m.source())
                .strings("options", m.options())
                .objects("uidMappings", m.uidMappings(), SpecJson::idMapping)
                .objects("gidMappings", m.gidMappings(), SpecJson::idMapping);
    }

    private static void idMapping(JsonOut out, IdMapping m) {
        out.number("containerID", m.containerID()).number("hostID", m.hostID()).number("size", m.size());
    }

    private static void hooks(JsonOut out, Hooks h) {
        out.objects("prestart", h.prestart(), SpecJson::hook)
                .objects("createRuntime", h.createRuntime(), SpecJson::hook)
                .objects("createContainer", h.createContainer(), SpecJson::hook)
                .objects("startContainer", h.startContainer(), SpecJson::hook)
                .objects("poststart", h.poststart(), SpecJson::hook)
                .objects("poststop", h.poststop(), SpecJson::hook);
    }

    private static void hook(JsonOut out, Hook h) {
        out.string("path", h.path()).strings("args", h.args()).strings("env", h.env()).number("timeout", h.timeout());
    }

    private static void linux(JsonOut out, Linux l) {
        out.objects("uidMappings", l.uidMappings(), SpecJson::idMapping)
                .objects("gidMappings", l.gidMappings(), SpecJson::idMapping)
                .objectMap("timeOffsets", l.timeOffsets(),
                        (o, t) -> o.number("secs", t.secs()).number("nanosecs", t.nanosecs()))
                .stringMap("sysctl", l.sysctl())
                .object("resources", l.resources(), SpecJson::resources)
                .string("cgroupsPath", l.cgroupsPath())
                .objects("namespaces", l.namespaces(), (o, n) -> o.string("type", n.type()).string("path", n.path()))
                .objects("devices", l.devices(), SpecJson::device)
                .object("seccomp", l.seccomp(), SpecJson::seccomp)
                .string("rootfsPropagation", l.rootfsPropagation())
                .strings("maskedPaths", l.maskedPaths())
                .strings("readonlyPaths", l.readonlyPaths())
                .string("mountLabel", l.mountLabel())
                .object("intelRdt", l.intelRdt(), (o, r) -> o.string("closID", r.closID())
                        .string("l3CacheSchema", r.l3CacheSchema())
                        .string("memBwSchema", r.memBwSchema())
                        .strings("schemata", r.schemata())
                        .bool("enableMonitoring", r.enableMonitoring()))
                .object("personality", l.personality(),
                        (o, p) -> o.string("domain", p.domain()).strings("flags", p.flags()))
                .object("memoryPolicy", l.memoryPolicy(), (o, m) -> o.string("mode", m.mode())
                        .string("nodes", m.nodes())
                        .strings("flags", m.flags()))
                .objectMap("netDevices", l.netDevices(), (o, d) -> o.string("name", d.name()));
    }

    private static void device(JsonOut out, Device d) {
        out.string("type", d.type())
                .string("path", d.path())
                .number("major", d.major())
                .number("minor", d.minor())
                .number("fileMode", d.fileMode())
                .number("uid", d.uid())
                .number("gid", d.gid());
    }

    private static void resources(JsonOut out, Resources r) {
        out.objects("devices", r.devices(), (o, d) -> o.bool("allow", d.allow())
                        .string("type", d.type())
                        .number("major", d.major())
                        .number("minor", d.minor())
                        .string("access", d.access()))
                .object("memory", r.memory(), SpecJson::memory)
                .object("cpu", r.cpu(), SpecJson::cpu)
                .object("pids", r.pids(), (o, p) -> o.number("limit", p.limit()))
                .object("blockIO", r.blockIO(), SpecJson::blockIo)
                .objects("hugepageLimits", r.hugepageLimits(),
                        (o, h) -> o.string("pageSize", h.pageSize()).unsigned("limit", h.limit()))
                .object("network", r.network(), (o, n) -> o.number("classID", n.classID())
                        .objects("priorities", n.priorities(),
                                (p, i) -> p.string("name", i.name()).number("priority", i.priority())))
                .objectMap("rdma", r.rdma(),
                        (o, d) -> o.number("hcaHandles", d.hcaHandles()).number("hcaObjects", d.hcaObjects()))
                .stringMap("unified", r.unified());
    }

    private static void memory(JsonOut out, Memory m) {
        out.number("limit", m.limit())
                .number("reservation", m.reservation())
                .number("swap", m.swap())
                .number("kernel", m.kernel())
                .number("kernelTCP", m.kernelTCP())
                .unsigned("swappiness", m.swappiness())
                .bool("disableOOMKiller", m.disableOOMKiller())
                .bool("useHierarchy", m.useHierarchy())
                .bool("checkBeforeUpdate", m.checkBeforeUpdate());
    }

    private static void cpu(JsonOut out, Cpu c) {
        out.unsigned("shares", c.shares())
                .number("quota", c.quota())
                .unsigned("burst", c.burst())
                .unsigned("period", c.period())
                .number("realtimeRuntime", c.realtimeRuntime())
                .unsigned("realtimePeriod", c.realtimePeriod())
                .string("cpus", c.cpus())
                .string("mems", c.mems())
                .number("idle", c.idle());
    }

    private static void blockIo(JsonOut out, BlockIo b) {
        out.number("weight", b.weight())
                .number("leafWeight", b.leafWeight())
                .objects("weightDevice", b.weightDevice(), (o, w) -> o.number("major", w.major())
                        .number("minor", w.minor())
                        .number("weight", w.weight())
                        .number("leafWeight", w.leafWeight()))
                .objects("throttleReadBpsDevice", b.throttleReadBpsDevice(), SpecJson::throttle)
                .objects("throttleWriteBpsDevice", b.throttleWriteBpsDevice(), SpecJson::throttle)
                .objects("throttleReadIOPSDevice", b.throttleReadIOPSDevice(), SpecJson::throttle)
                .objects("throttleWriteIOPSDevice", b.throttleWriteIOPSDevice(), SpecJson::throttle);
    }

    private static void throttle(JsonOut out, ThrottleDevice t) {
        out.number("major", t.major()).number("minor", t.minor()).unsigned("rate", t.rate());
    }

    private static void seccomp(JsonOut out, Seccomp s) {
        out.string("defaultAction", s.defaultAction())
                .number("defaultErrnoRet", s.defaultErrnoRet())
                .strings("architectures", s.architectures())
                .strings("flags", s.flags())
                .string("listenerPath", s.listenerPath())
                .string("listenerMetadata", s.listenerMetadata())
                .objects("syscalls", s.syscalls(), (o, c) -> o.strings("names", c.names())
                        .string("action", c.action())
                        .number("errnoRet", c.errnoRet())
                        .objects("args", c.args(), (a, arg) -> a.number("index", arg.index())
                                .unsigned("value", arg.value())
                                .unsigned("valueTwo", arg.valueTwo())
                                .string("op", arg.op())));
    }
}
