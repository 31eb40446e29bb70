package crema.plan;

import crema.plan.LaunchPlan.DeviceNode;
import crema.plan.LaunchPlan.MountKind;
import crema.plan.LaunchPlan.MountStep;
import crema.plan.LaunchPlan.NamespaceJoin;
import crema.plan.LaunchPlan.RlimitStep;
import crema.plan.LaunchPlan.Symlink;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes a {@link LaunchPlan} in the binary format of native-helpers/PLAN.md. */
public final class PlanEncoder {
    public static final int MAGIC = 0x31505243;
    public static final int VERSION = 1;

    static final int CLONE_FLAGS = 1, NS_JOIN = 2, HOSTNAME = 3, DOMAINNAME = 4, TIME_OFFSETS = 5;
    static final int SYSCTL = 25, SECCOMP = 38, HOOK = 39, IO_PRIORITY = 42, SCHEDULER = 43, CPU_AFFINITY = 44,
            PERSONALITY = 45, MEMORY_POLICY = 46, SECCOMP_LISTENER = 47;
    static final int ROOTFS = 10, ROOTFS_FLAGS = 11, ROOT_PROPAGATION = 12, ROOTFS_PROPAGATION_AFTER = 13;
    static final int MOUNT = 20, DEVICE = 21, SYMLINK = 22, MASKED_PATH = 23, READONLY_PATH = 24;
    static final int ARG = 30, ENV = 31, CWD = 32, USER = 33, ADDITIONAL_GIDS = 34, RLIMIT = 35, CAPS = 36,
            PROCESS_FLAGS = 37;
    static final int FIFO_DIR = 40, PRESERVE_FDS = 41, EXEC_ROOT = 48, CONSOLE = 49;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(4096);

    private PlanEncoder() {}

    public static byte[] encode(LaunchPlan p) {
        PlanEncoder e = new PlanEncoder();
        e.write(p);
        return e.finish();
    }

    /** An exec plan: no rootfs records, EXEC_ROOT instead (PLAN.md, exec mode). */
    public static byte[] encodeExec(ExecPlan p) {
        PlanEncoder e = new PlanEncoder();
        e.header();
        e.record(CLONE_FLAGS, new Rec().u64(0));
        e.joins(p.joins());
        e.record(EXEC_ROOT, new Rec().str(p.root()));
        e.process(p.process());
        return e.finish();
    }

    private void header() {
        out.writeBytes(new Rec().u32(MAGIC).u16(VERSION).u16(0).u32(0).bytes());
    }

    private byte[] finish() {
        byte[] bytes = out.toByteArray();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(8, bytes.length);
        return bytes;
    }

    private void joins(java.util.List<NamespaceJoin> joins) {
        for (NamespaceJoin j : joins) record(NS_JOIN, new Rec().u32((int) j.nsType()).str(j.path()));
    }

    private void write(LaunchPlan p) {
        header();
        record(CLONE_FLAGS, new Rec().u64(p.cloneFlags()));
        joins(p.joins());
        if (!p.timeOffsets().isEmpty()) {
            StringBuilder offsets = new StringBuilder();
            for (var t : p.timeOffsets()) offsets.append(t.clock()).append(' ').append(t.secs()).append(' ').append(t.nanosecs()).append('\n');
            record(TIME_OFFSETS, new Rec().str(offsets.toString()));
        }
        if (p.hostname() != null) record(HOSTNAME, new Rec().str(p.hostname()));
        if (p.domainname() != null) record(DOMAINNAME, new Rec().str(p.domainname()));
        record(ROOTFS, new Rec().str(p.rootfs()));
        record(ROOTFS_FLAGS, new Rec().u32((p.rootfsReadonly() ? 1 : 0) | (p.noPivot() ? 2 : 0) | (p.unprivilegedParent() ? 4 : 0)));
        record(ROOT_PROPAGATION, new Rec().u64(p.rootPropagation()));
        record(ROOTFS_PROPAGATION_AFTER, new Rec().u64(p.rootfsPropagationAfter()));
        for (MountStep m : p.mounts()) {
            var x = m.extras();
            int flags2 = (m.destinationIsFile() ? 1 : 0) | (x.tmpcopyup() ? 2 : 0) | (x.idmap() ? 4 : 0) | (x.recursiveIdmap() ? 8 : 0)
                    | (m.keepsCoveredDirMode() ? 16 : 0) | (m.needsOrdinaryDirectory() ? 32 : 0);
            record(MOUNT, new Rec().u32(m.kind() == MountKind.BIND ? 1 : 0).u32(flags2)
                    .u64(m.flags()).u64(m.propagation()).u64(m.attrSet()).u64(m.attrClear())
                    .str(m.source()).str(m.destination()).str(m.fstype()).str(m.data()).str(x.uidMap()).str(x.gidMap()));
        }
        for (DeviceNode d : p.devices()) {
            record(DEVICE, new Rec().u32(d.type()).u32((int) d.major()).u32((int) d.minor()).u32(d.permissions())
                    .u32((int) d.uid()).u32((int) d.gid()).u32(d.bindFromHost() ? 1 : 0).str(d.path()));
        }
        for (Symlink s : p.symlinks()) record(SYMLINK, new Rec().str(s.target()).str(s.linkPath()));
        for (String m : p.maskedPaths()) record(MASKED_PATH, new Rec().str(m));
        for (String r : p.readonlyPaths()) record(READONLY_PATH, new Rec().str(r));
        for (int i = 0; i < p.sysctlKeys().size(); i++) {
            record(SYSCTL, new Rec().str(p.sysctlKeys().get(i)).str(p.sysctlValues().get(i)));
        }
        for (var h : p.hooks()) {
            Rec r = new Rec().u32(h.kind()).u32(h.timeoutSeconds()).str(h.path()).u32(h.args().size());
            for (String a : h.args()) r.str(a);
            r.u32(h.env().size());
            for (String e : h.env()) r.str(e);
            record(HOOK, r);
        }
        if (p.fifoDir() != null) record(FIFO_DIR, new Rec().str(p.fifoDir()));
        process(p.process());
    }

    /** The records of the process: argv, env, credentials, limits, seccomp, attributes. */
    private void process(ProcessPlan p) {
        for (String a : p.args()) record(ARG, new Rec().str(a));
        for (String e : p.env()) record(ENV, new Rec().str(e));
        record(CWD, new Rec().str(p.cwd()));
        record(USER, new Rec().u32((int) p.uid()).u32((int) p.gid()).u32(p.umask() == null ? 0 : 1)
                .u32(p.umask() == null ? 0 : p.umask().intValue()));
        if (p.additionalGids() != null) { // without the record crema-init makes no setgroups call
            Rec gids = new Rec().u32(p.additionalGids().size());
            for (long g : p.additionalGids()) gids.u32((int) g);
            record(ADDITIONAL_GIDS, gids);
        }
        for (RlimitStep r : p.rlimits()) record(RLIMIT, new Rec().u32(r.resource()).u64(r.soft()).u64(r.hard()));
        var c = p.capabilities();
        record(CAPS, new Rec().u64(c.bounding()).u64(c.effective()).u64(c.inheritable()).u64(c.permitted())
                .u64(c.ambient()));
        record(PROCESS_FLAGS, new Rec().u32((p.noNewPrivileges() ? 1 : 0) | (p.newKeyring() ? 2 : 0) | (p.homeFromPasswd() ? 4 : 0)));
        if (p.seccomp() != null) {
            Rec r = new Rec().u32(p.seccomp().flags()).u32(p.seccomp().early() ? 1 : 0);
            r.bytes(p.seccomp().bpf());
            record(SECCOMP, r);
            if (p.seccomp().listenerPath() != null) record(SECCOMP_LISTENER, new Rec().str(p.seccomp().listenerPath()));
        }
        var a = p.attributes();
        if (a.ioPriority() != null) record(IO_PRIORITY, new Rec().u32(a.ioPriority()));
        if (a.scheduler() != null) {
            var s = a.scheduler();
            record(SCHEDULER, new Rec().u32(s.policy()).u32(s.nice()).u32(s.priority()).u32(0).u64(s.flags())
                    .u64(s.runtime()).u64(s.deadline()).u64(s.period()));
        }
        if (a.cpusInitial() != null) record(CPU_AFFINITY, new Rec().u32(0).u32(0).words(a.cpusInitial()));
        if (a.cpusFinal() != null) record(CPU_AFFINITY, new Rec().u32(1).u32(0).words(a.cpusFinal()));
        if (a.personality() != null) record(PERSONALITY, new Rec().u32(a.personality()));
        if (a.memoryPolicy() != null) {
            var m = a.memoryPolicy();
            record(MEMORY_POLICY, new Rec().u32(m.mode()).u32(m.flags()).words(m.nodes()));
        }
        record(PRESERVE_FDS, new Rec().u32(p.preserveFds()));
        if (p.console() != null) {
            var tty = p.console();
            record(CONSOLE, new Rec().u32(tty.rows()).u32(tty.cols()).u32(tty.devConsole() ? 1 : 0).str(tty.socket()));
        }
    }

    private void record(int tag, Rec payload) {
        byte[] body = payload.bytes();
        out.writeBytes(new Rec().u16(tag).u32(body.length).bytes());
        out.writeBytes(body);
    }

    /** A little-endian byte builder for one record. */
    private static final class Rec {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        Rec u16(int v) {
            scratch.clear();
            b.write(scratch.putShort((short) v).array(), 0, 2);
            return this;
        }

        Rec u32(int v) {
            scratch.clear();
            b.write(scratch.putInt(v).array(), 0, 4);
            return this;
        }

        Rec u64(long v) {
            scratch.clear();
            b.write(scratch.putLong(v).array(), 0, 8);
            return this;
        }

        Rec str(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            u32(bytes.length);
            b.writeBytes(bytes);
            return this;
        }

        Rec words(long[] words) {
            for (long w : words) u64(w);
            return this;
        }

        Rec bytes(byte[] raw) {
            b.writeBytes(raw);
            return this;
        }

        byte[] bytes() {
            return b.toByteArray();
        }
    }
}
