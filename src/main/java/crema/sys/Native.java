package crema.sys;

/**
 * The JNI entry points of libcremasys (native-helpers/cremasys.c). Each returns
 * its result or -errno. Only {@link Sys} calls these; everything else sees
 * {@link SysException}.
 */
final class Native {
    private Native() {}

    static native int socketpairSeqpacket(int[] out);
    static native int catchPipeSignal();
    static native int spawn(byte[] path, byte[][] argv, byte[][] envp, int[] fdMap);
    static native int pipe(int[] out);
    static native int write(int fd, byte[] buf, int off, int len);
    static native int close(int fd);
    static native int send(int fd, byte[] buf, int len);
    static native int recv(int fd, byte[] buf, int timeoutMs);
    static native int read(int fd, byte[] buf);
    static native int kill(int pid, int sig);
    static native long waitpid(int pid, int flags);
    static native int setChildSubreaper();
    static native int mkfifo(byte[] path, int mode);
    static native int open(byte[] path, int flags, int mode);
    static native int flock(int fd, int op);
    static native int pidfdOpen(int pid);
    static native int pidfdSendSignal(int pidfd, int sig);
    static native int bpfProgLoad(int type, byte[] insns, byte[] license, byte[] log);
    static native int bpfProgAttach(int targetFd, int progFd, int attachType, int flags);
    static native String strerror(int errno);

    static native long seccompInit(int defaultAction);
    static native void seccompRelease(long ctx);
    static native int seccompArchResolve(byte[] name);
    static native int seccompArchAdd(long ctx, int arch);
    static native int seccompResolve(byte[] name);
    static native int seccompResolveOnArch(int arch, byte[] name);
    static native int seccompArchNative();
    static native int seccompAttrSet(long ctx, int attr, int value);
    static native int seccompRuleAdd(long ctx, int action, int syscall, long[] args);
    static native byte[] seccompExport(long ctx);
}
