package crema.sys;

import java.nio.charset.StandardCharsets;

/**
 * A libseccomp filter being built (the native context is freed on close).
 * Failures carry libseccomp's -errno, the operation and what it was about.
 */
public final class SeccompFilter implements AutoCloseable {
    /** libseccomp's scmp_filter_attr values crema sets. */
    public static final int ATTR_CTL_NNP = 3, ATTR_CTL_TSYNC = 4, ATTR_CTL_LOG = 6, ATTR_CTL_SSB = 7;
    private static final int NR_UNKNOWN = -1;

    private long ctx;

    public SeccompFilter(int defaultAction) {
        Sys.ensureLoaded();
        ctx = Native.seccompInit(defaultAction);
        if (ctx == 0) throw new SysException(Errno.EINVAL, "seccomp_init", "default action 0x" + Integer.toHexString(defaultAction));
    }

    /** The libseccomp token of an arch name ("x86_64", "aarch64"); 0 if unknown. */
    public static int archToken(String name) {
        Sys.ensureLoaded();
        return Native.seccompArchResolve(name.getBytes(StandardCharsets.UTF_8));
    }

    /** The syscall's number, or -1 when libseccomp does not know the name. */
    public static int syscallNumber(String name) {
        Sys.ensureLoaded();
        int nr = Native.seccompResolve(name.getBytes(StandardCharsets.UTF_8));
        return nr < 0 && nr != NR_UNKNOWN ? NR_UNKNOWN : nr;
    }

    /**
     * The syscall's number on one arch (an x32 number carries the x32 bit); negative
     * when that arch has no such call or libseccomp does not know the name.
     */
    public static int syscallNumber(int archToken, String name) {
        Sys.ensureLoaded();
        return Native.seccompResolveOnArch(archToken, name.getBytes(StandardCharsets.UTF_8));
    }

    /** The token of the native arch, which every filter covers. */
    public static int nativeArch() {
        Sys.ensureLoaded();
        return Native.seccompArchNative();
    }

    public void addArch(int token, String name) {
        check(Native.seccompArchAdd(ctx, token), "seccomp_arch_add", name);
    }

    public void setAttribute(int attr, int value) {
        check(Native.seccompAttrSet(ctx, attr, value), "seccomp_attr_set", "attribute " + attr);
    }

    /**
     * args: (index, op, datum_a, datum_b) quadruples. A rule the filter already has
     * (EEXIST: a profile that repeats one, as podman's can) is no error: runc and crun
     * accept such profiles, and the rule is in the filter either way.
     */
    public void addRule(int action, int syscall, long[] args, String what) {
        int r = Native.seccompRuleAdd(ctx, action, syscall, args);
        check(r == -Errno.EEXIST ? 0 : r, "seccomp_rule_add", what);
    }

    public byte[] export() {
        byte[] bpf = Native.seccompExport(ctx);
        if (bpf == null) throw new SysException(Errno.EINVAL, "seccomp_export_bpf", null);
        return bpf;
    }

    private static void check(int r, String op, String what) {
        if (r < 0) throw new SysException(-r, op, what);
    }

    @Override
    public void close() {
        if (ctx != 0) Native.seccompRelease(ctx);
        ctx = 0;
    }
}
