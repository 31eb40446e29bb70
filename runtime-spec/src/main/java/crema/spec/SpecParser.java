package crema.spec;

import static crema.spec.JsonIn.Kind.INT32;
import static crema.spec.JsonIn.Kind.INT64;
import static crema.spec.JsonIn.Kind.UINT16;
import static crema.spec.JsonIn.Kind.UINT32;
import static crema.spec.JsonIn.Kind.UINT64;

import crema.spec.JsonIn.Obj;

/**
 * Parses config.json into a {@link Spec}, checking JSON types, integer ranges and required fields.
 * Unknown fields are ignored; a JSON null is taken as an absent field.
 */
public final class SpecParser {

    private SpecParser() {
    }

    /** The {@link Spec} in {@code json}, or a {@link SpecException} naming the offending path. */
    public static Spec parseConfig(byte[] json) {
        return spec(JsonIn.parseObject(json, "config.json"));
    }

    /** A {@code linux.resources} object alone, as `update --resources` reads it; error paths start inside it. */
    public static Resources parseResources(byte[] json, String document) {
        return resources(JsonIn.parseObject(json, document));
    }

    /**
     * A process object on its own, as `exec --process` reads it (runtime-spec's
     * process, the paths in errors relative to it: {@code args}, {@code user.uid}).
     */
    public static Process parseProcess(byte[] json, String document) {
        return process(JsonIn.parseObject(json, document));
    }

    private static Spec spec(Obj o) {
        return new Spec(
                o.requiredString("ociVersion"),
                o.object("process", SpecParser::process),
                o.object("root", SpecParser::root),
                o.string("hostname"),
                o.string("domainname"),
                o.objects("mounts", SpecParser::mount),
                o.object("hooks", SpecParser::hooks),
                o.stringMap("annotations"),
                o.object("linux", SpecParser::linux));
    }

    private static Process process(Obj o) {
        return new Process(
                o.bool("terminal"),
                o.object("consoleSize", c -> new ConsoleSize(c.integer("height", UINT64), c.integer("width", UINT64))),
                o.object("user", SpecParser::user),
                o.nonEmptyStrings("args"),
                o.string("commandLine"),
                o.strings("env"),
                o.requiredString("cwd"),
                o.object("capabilities", SpecParser::capabilities),
                o.objects("rlimits", r -> new Rlimit(
                        r.requiredString("type"), r.integer("hard", UINT64), r.integer("soft", UINT64))),
                o.bool("noNewPrivileges"),
                o.string("apparmorProfile"),
                o.optInt("oomScoreAdj", INT32),
                o.object("scheduler", SpecParser::scheduler),
                o.string("selinuxLabel"),
                o.object("ioPriority", p -> new IoPriority(p.string("class"), (int) p.integer("priority", INT32))),
                o.object("execCPUAffinity", a -> new ExecCpuAffinity(a.string("initial"), a.string("final"))));
    }

    private static User user(Obj o) {
        return new User(
                o.integer("uid", UINT32),
                o.integer("gid", UINT32),
                o.optInteger("umask", UINT32),
                o.integers("additionalGids", UINT32),
                o.string("username"));
    }

    private static Capabilities capabilities(Obj o) {
        return new Capabilities(
                o.strings("bounding"),
                o.strings("effective"),
                o.strings("inheritable"),
                o.strings("permitted"),
                o.strings("ambient"));
    }

    private static Scheduler scheduler(Obj o) {
        return new Scheduler(
                o.string("policy"),
                o.optInt("nice", INT32),
                o.optInt("priority", INT32),
                o.strings("flags"),
                o.optInteger("runtime", UINT64),
                o.optInteger("deadline", UINT64),
                o.optInteger("period", UINT64));
    }

    private static Root root(Obj o) {
        return new Root(o.requiredString("path"), o.bool("readonly"));
    }

    private static Mount mount(Obj o) {
        return new Mount(
                o.requiredString("destination"),
                o.string("type"),
                o.string("source"),
                o.strings("options"),
                o.objects("uidMappings", SpecParser::idMapping),
                o.objects("gidMappings", SpecParser::idMapping));
    }

    private static IdMapping idMapping(Obj o) {
        return new IdMapping(o.integer("containerID", UINT32), o.integer("hostID", UINT32), o.integer("size", UINT32));
    }

    private static Hooks hooks(Obj o) {
        return new Hooks(
                o.objects("prestart", SpecParser::hook),
                o.objects("createRuntime", SpecParser::hook),
                o.objects("createContainer", SpecParser::hook),
                o.objects("startContainer", SpecParser::hook),
                o.objects("poststart", SpecParser::hook),
                o.objects("poststop", SpecParser::hook));
    }

    private static Hook hook(Obj o) {
        Integer timeout = o.optInt("timeout", INT32);
        if (timeout != null && timeout <= 0) {
            throw new SpecException(o.at("timeout"), "must be greater than zero");
        }
        return new Hook(o.requiredString("path"), o.strings("args"), o.strings("env"), timeout);
    }

    private static Linux linux(Obj o) {
        return new Linux(
                o.objects("uidMappings", SpecParser::idMapping),
                o.objects("gidMappings", SpecParser::idMapping),
                o.objectMap("timeOffsets", t -> new TimeOffset(t.integer("secs", INT64), t.integer("nanosecs", UINT32))),
                o.stringMap("sysctl"),
                o.object("resources", SpecParser::resources),
                o.string("cgroupsPath"),
                o.objects("namespaces", SpecParser::namespace),
                o.objects("devices", SpecParser::device),
                o.object("seccomp", SpecParser::seccomp),
                o.string("rootfsPropagation"),
                o.strings("maskedPaths"),
                o.strings("readonlyPaths"),
                o.string("mountLabel"),
                o.object("intelRdt", r -> new IntelRdt(
                        r.string("closID"),
                        r.string("l3CacheSchema"),
                        r.string("memBwSchema"),
                        r.strings("schemata"),
                        r.optBool("enableMonitoring"))),
                o.object("personality", p -> new Personality(p.string("domain"), p.strings("flags"))),
                o.object("memoryPolicy", m -> new MemoryPolicy(m.string("mode"), m.string("nodes"), m.strings("flags"))),
                o.objectMap("netDevices", d -> new NetDevice(d.string("name"))));
    }

    private static Namespace namespace(Obj o) {
        String type = o.requiredString("type");
        if (!Namespace.TYPES.contains(type)) {
            throw new SpecException(o.at("type"), "unknown namespace type \"" + type + "\"");
        }
        return new Namespace(type, o.string("path"));
    }

    private static Device device(Obj o) {
        return new Device(
                o.requiredString("type"),
                o.requiredString("path"),
                o.integer("major", INT64),
                o.integer("minor", INT64),
                o.optInteger("fileMode", UINT32),
                o.optInteger("uid", UINT32),
                o.optInteger("gid", UINT32));
    }

    private static Resources resources(Obj o) {
        return new Resources(
                o.objects("devices", d -> new DeviceCgroup(
                        d.bool("allow"),
                        d.string("type"),
                        d.optInteger("major", INT64),
                        d.optInteger("minor", INT64),
                        d.string("access"))),
                o.object("memory", SpecParser::memory),
                o.object("cpu", SpecParser::cpu),
                o.object("pids", p -> new Pids(p.optInteger("limit", INT64))),
                o.object("blockIO", SpecParser::blockIo),
                o.objects("hugepageLimits", h -> new HugepageLimit(h.string("pageSize"), h.integer("limit", UINT64))),
                o.object("network", n -> new Network(
                        n.optInteger("classID", UINT32),
                        n.objects("priorities", p -> new InterfacePriority(p.string("name"), p.integer("priority", UINT32))))),
                o.objectMap("rdma", r -> new Rdma(r.optInteger("hcaHandles", UINT32), r.optInteger("hcaObjects", UINT32))),
                o.stringMap("unified"));
    }

    private static Memory memory(Obj o) {
        return new Memory(
                o.optInteger("limit", INT64),
                o.optInteger("reservation", INT64),
                o.optInteger("swap", INT64),
                o.optInteger("kernel", INT64),
                o.optInteger("kernelTCP", INT64),
                o.optInteger("swappiness", UINT64),
                o.optBool("disableOOMKiller"),
                o.optBool("useHierarchy"),
                o.optBool("checkBeforeUpdate"));
    }

    private static Cpu cpu(Obj o) {
        return new Cpu(
                o.optInteger("shares", UINT64),
                o.optInteger("quota", INT64),
                o.optInteger("burst", UINT64),
                o.optInteger("period", UINT64),
                o.optInteger("realtimeRuntime", INT64),
                o.optInteger("realtimePeriod", UINT64),
                o.string("cpus"),
                o.string("mems"),
                o.optInteger("idle", INT64));
    }

    private static BlockIo blockIo(Obj o) {
        return new BlockIo(
                o.optInt("weight", UINT16),
                o.optInt("leafWeight", UINT16),
                o.objects("weightDevice", w -> new WeightDevice(
                        w.integer("major", INT64),
                        w.integer("minor", INT64),
                        w.optInt("weight", UINT16),
                        w.optInt("leafWeight", UINT16))),
                o.objects("throttleReadBpsDevice", SpecParser::throttle),
                o.objects("throttleWriteBpsDevice", SpecParser::throttle),
                o.objects("throttleReadIOPSDevice", SpecParser::throttle),
                o.objects("throttleWriteIOPSDevice", SpecParser::throttle));
    }

    private static ThrottleDevice throttle(Obj o) {
        return new ThrottleDevice(o.integer("major", INT64), o.integer("minor", INT64), o.integer("rate", UINT64));
    }

    private static Seccomp seccomp(Obj o) {
        return new Seccomp(
                o.requiredString("defaultAction"),
                o.optInteger("defaultErrnoRet", UINT32),
                o.strings("architectures"),
                o.strings("flags"),
                o.string("listenerPath"),
                o.string("listenerMetadata"),
                o.objects("syscalls", s -> new SeccompSyscall(
                        s.strings("names"),
                        s.string("action"),
                        s.optInteger("errnoRet", UINT32),
                        s.objects("args", a -> new SeccompArg(
                                a.integer("index", UINT32),
                                a.integer("value", UINT64),
                                a.integer("valueTwo", UINT64),
                                a.string("op"))))));
    }
}
