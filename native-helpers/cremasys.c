/*
 * libcremasys: the thin JNI library behind crema.sys.Native.
 *
 * Flat functions, one system call each (spawn is the exception), returning
 * the result or -errno; Java turns a negative value into a SysException that
 * names the operation and the path. No policy lives here.
 */
#define _GNU_SOURCE
#include <jni.h>
#include <linux/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NATIVE(name) Java_crema_sys_Native_##name

#include "jni-cstr.h"

static void free_vec(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

static char **cvec(JNIEnv *env, jobjectArray arr)
{
    jsize n = (*env)->GetArrayLength(env, arr);
    char **v = calloc((size_t)n + 1, sizeof(char *));
    if (!v)
        return NULL;
    for (jsize i = 0; i < n; i++) {
        jbyteArray a = (*env)->GetObjectArrayElement(env, arr, i);
        v[i] = cstr(env, a);
        (*env)->DeleteLocalRef(env, a);
        if (!v[i]) {
            free_vec(v);
            return NULL;
        }
    }
    return v;
}

static jint neg_errno(void) { return -errno; }

/* poll for input on fd for at most timeoutMs (-1: forever): 0 when readable, -ETIMEDOUT or -errno. */
static int wait_readable(int fd, int timeoutMs)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int r;
    do
        r = poll(&p, 1, timeoutMs);
    while (r < 0 && errno == EINTR);
    return r < 0 ? neg_errno() : r == 0 ? -ETIMEDOUT : 0;
}

JNIEXPORT jint JNICALL NATIVE(socketpairSeqpacket)(JNIEnv *env, jclass c, jintArray out)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return neg_errno();
    /* A plan (with a seccomp filter) may outgrow the default ~208 KiB datagram;
     * the sync protocol allows 1 MiB. FORCE needs CAP_NET_ADMIN: fall back quietly. */
    int size = (1 << 20) + 4096;
    if (setsockopt(sv[0], SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0)
        setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    jint v[2] = { sv[0], sv[1] };
    (*env)->SetIntArrayRegion(env, out, 0, 2, v);
    return 0;
}

/*
 * posix_spawn of the helper or a hook. fdMap holds (from, to) pairs: each
 * `from` lands on `to`; every fd above max(2, the highest `to`) is closed, so
 * nothing of the JVM's leaks; fds below it not named (stdio, the caller's
 * preserved fds) are inherited as they are. Signal dispositions and the mask
 * are reset, since the JVM changes both.
 */
JNIEXPORT jint JNICALL NATIVE(spawn)(JNIEnv *env, jclass c, jbyteArray jpath, jobjectArray jargv,
                                     jobjectArray jenvp, jintArray jfdMap)
{
    jsize nmap = (*env)->GetArrayLength(env, jfdMap);
    jint fdmap[16];
    int top = 2;
    if (nmap > 16 || nmap % 2)
        return -EINVAL;
    (*env)->GetIntArrayRegion(env, jfdMap, 0, nmap, fdmap);
    for (jsize i = 1; i < nmap; i += 2)
        if (fdmap[i] > top)
            top = fdmap[i];
    char *path = cstr(env, jpath);
    char **argv = cvec(env, jargv);
    char **envp = cvec(env, jenvp);
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t all, none;
    pid_t pid = -1;
    int rc = ENOMEM;

    if (!path || !argv || !envp)
        goto out;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    /* dup2 onto itself clears FD_CLOEXEC, as POSIX asks of posix_spawn. */
    rc = 0;
    for (jsize i = 0; rc == 0 && i < nmap; i += 2)
        rc = posix_spawn_file_actions_adddup2(&fa, fdmap[i], fdmap[i + 1]);
    if (rc == 0)
        rc = posix_spawn_file_actions_addclosefrom_np(&fa, top + 1);
    if (rc == 0)
        rc = posix_spawn(&pid, path, &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
out:
    free(path);
    free_vec(argv);
    free_vec(envp);
    return rc == 0 ? pid : -rc;
}

static void on_sigpipe(int sig)
{
    (void)sig;
}

/*
 * A write to a pipe whose reader is gone (a hook that does not read its
 * stdin) must return EPIPE, not kill crema: the JVM catches SIGPIPE, a native
 * executable does not. A handler, unlike SIG_IGN, is reset by exec, so no
 * child inherits it.
 */
JNIEXPORT jint JNICALL NATIVE(catchPipeSignal)(JNIEnv *env, jclass c)
{
    struct sigaction old, sa = { .sa_handler = on_sigpipe, .sa_flags = SA_RESTART };
    if (sigaction(SIGPIPE, NULL, &old) < 0)
        return neg_errno();
    if (old.sa_handler != SIG_DFL)
        return 0;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGPIPE, &sa, NULL) < 0 ? neg_errno() : 0;
}

JNIEXPORT jint JNICALL NATIVE(pipe)(JNIEnv *env, jclass c, jintArray out)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return neg_errno();
    jint v[2] = { p[0], p[1] };
    (*env)->SetIntArrayRegion(env, out, 0, 2, v);
    return 0;
}

JNIEXPORT jint JNICALL NATIVE(write)(JNIEnv *env, jclass c, jint fd, jbyteArray buf, jint off, jint len)
{
    jbyte *b = (*env)->GetByteArrayElements(env, buf, NULL);
    ssize_t n;
    do
        n = write(fd, b + off, (size_t)len);
    while (n < 0 && errno == EINTR);
    int err = errno;
    (*env)->ReleaseByteArrayElements(env, buf, b, JNI_ABORT);
    return n < 0 ? -err : (jint)n;
}

JNIEXPORT jint JNICALL NATIVE(close)(JNIEnv *env, jclass c, jint fd)
{
    return close(fd) < 0 ? neg_errno() : 0;
}

JNIEXPORT jint JNICALL NATIVE(send)(JNIEnv *env, jclass c, jint fd, jbyteArray buf, jint len)
{
    jbyte *b = (*env)->GetByteArrayElements(env, buf, NULL);
    ssize_t n;
    do
        n = send(fd, b, (size_t)len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    int err = errno;
    (*env)->ReleaseByteArrayElements(env, buf, b, JNI_ABORT);
    return n < 0 ? -err : (jint)n;
}

/* Receives one datagram; waits at most timeoutMs (-1: forever). -ETIMEDOUT on timeout. */
JNIEXPORT jint JNICALL NATIVE(recv)(JNIEnv *env, jclass c, jint fd, jbyteArray buf, jint timeoutMs)
{
    int r = wait_readable(fd, timeoutMs);
    if (r < 0)
        return r;
    jsize cap = (*env)->GetArrayLength(env, buf);
    jbyte *b = (*env)->GetByteArrayElements(env, buf, NULL);
    ssize_t n;
    do
        n = recv(fd, b, (size_t)cap, MSG_TRUNC);
    while (n < 0 && errno == EINTR);
    int err = errno;
    (*env)->ReleaseByteArrayElements(env, buf, b, 0);
    if (n < 0)
        return -err;
    return n > cap ? -EMSGSIZE : (jint)n;
}

JNIEXPORT jint JNICALL NATIVE(read)(JNIEnv *env, jclass c, jint fd, jbyteArray buf)
{
    jsize cap = (*env)->GetArrayLength(env, buf);
    jbyte *b = (*env)->GetByteArrayElements(env, buf, NULL);
    ssize_t n;
    do
        n = read(fd, b, (size_t)cap);
    while (n < 0 && errno == EINTR);
    int err = errno;
    (*env)->ReleaseByteArrayElements(env, buf, b, 0);
    return n < 0 ? -err : (jint)n;
}

JNIEXPORT jint JNICALL NATIVE(kill)(JNIEnv *env, jclass c, jint pid, jint sig)
{
    return kill(pid, sig) < 0 ? neg_errno() : 0;
}

/* Returns (pid << 32) | (status & 0xffffffff), or -errno. */
JNIEXPORT jlong JNICALL NATIVE(waitpid)(JNIEnv *env, jclass c, jint pid, jint flags)
{
    int status = 0;
    pid_t r;
    do
        r = waitpid(pid, &status, flags);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -errno;
    return ((jlong)r << 32) | (jlong)(unsigned int)status;
}

JNIEXPORT jint JNICALL NATIVE(setChildSubreaper)(JNIEnv *env, jclass c)
{
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 ? neg_errno() : 0;
}

JNIEXPORT jint JNICALL NATIVE(mkfifo)(JNIEnv *env, jclass c, jbyteArray jpath, jint mode)
{
    char *path = cstr(env, jpath);
    if (!path)
        return -ENOMEM;
    int r = mkfifo(path, (mode_t)mode) < 0 ? neg_errno() : 0;
    free(path);
    return r;
}

/* open(2) with O_CLOEXEC always added. */
JNIEXPORT jint JNICALL NATIVE(open)(JNIEnv *env, jclass c, jbyteArray jpath, jint flags, jint mode)
{
    char *path = cstr(env, jpath);
    if (!path)
        return -ENOMEM;
    int fd = open(path, flags | O_CLOEXEC, (mode_t)mode);
    int r = fd < 0 ? neg_errno() : fd;
    free(path);
    return r;
}

JNIEXPORT jint JNICALL NATIVE(flock)(JNIEnv *env, jclass c, jint fd, jint op)
{
    int r;
    do
        r = flock(fd, op);
    while (r < 0 && errno == EINTR);
    return r < 0 ? neg_errno() : 0;
}

JNIEXPORT jint JNICALL NATIVE(pidfdOpen)(JNIEnv *env, jclass c, jint pid)
{
    long fd = syscall(SYS_pidfd_open, pid, 0);
    return fd < 0 ? neg_errno() : (jint)fd;
}

JNIEXPORT jint JNICALL NATIVE(pidfdSendSignal)(JNIEnv *env, jclass c, jint pidfd, jint sig)
{
    return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? neg_errno() : 0;
}

/*
 * bpf(BPF_PROG_LOAD): insns is the raw instruction array (8 bytes each).
 * When log is non-NULL the verifier's log is copied into it (a retry after a
 * failure, to say why: a short log buffer makes even a good program fail).
 * The kernel makes the fd close-on-exec.
 */
JNIEXPORT jint JNICALL NATIVE(bpfProgLoad)(JNIEnv *env, jclass c, jint type, jbyteArray jinsns,
                                           jbyteArray jlicense, jbyteArray jlog)
{
    jsize n = (*env)->GetArrayLength(env, jinsns);
    jsize logSize = jlog ? (*env)->GetArrayLength(env, jlog) : 0;
    char *insns = malloc((size_t)n);
    char *license = cstr(env, jlicense);
    char *log = logSize > 0 ? calloc(1, (size_t)logSize) : NULL;
    int r = -ENOMEM;
    if (insns && license && (logSize == 0 || log)) {
        (*env)->GetByteArrayRegion(env, jinsns, 0, n, (jbyte *)insns);
        union bpf_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.prog_type = (__u32)type;
        attr.insn_cnt = (__u32)(n / 8);
        attr.insns = (__u64)(uintptr_t)insns;
        attr.license = (__u64)(uintptr_t)license;
        if (log) {
            attr.log_level = 1;
            attr.log_buf = (__u64)(uintptr_t)log;
            attr.log_size = (__u32)logSize;
        }
        long fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
        r = fd < 0 ? -errno : (jint)fd;
        if (log)
            (*env)->SetByteArrayRegion(env, jlog, 0, logSize, (jbyte *)log);
    }
    free(insns);
    free(license);
    free(log);
    return r;
}

/* bpf(BPF_PROG_ATTACH) of progFd to targetFd (a cgroup directory). */
JNIEXPORT jint JNICALL NATIVE(bpfProgAttach)(JNIEnv *env, jclass c, jint targetFd, jint progFd,
                                             jint attachType, jint flags)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.target_fd = (__u32)targetFd;
    attr.attach_bpf_fd = (__u32)progFd;
    attr.attach_type = (__u32)attachType;
    attr.attach_flags = (__u32)flags;
    return syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof attr) < 0 ? neg_errno() : 0;
}

JNIEXPORT jstring JNICALL NATIVE(strerror)(JNIEnv *env, jclass c, jint err)
{
    char buf[256];
    const char *s = strerror_r(err, buf, sizeof buf);
    return (*env)->NewStringUTF(env, s);
}

/*
 * libseccomp: Java compiles linux.seccomp to BPF with these, then the plan
 * carries the program to crema-init, which only loads it. A filter context is
 * handed to Java as an opaque jlong.
 */
#include <seccomp.h>
#include <sys/mman.h>

JNIEXPORT jlong JNICALL NATIVE(seccompInit)(JNIEnv *env, jclass c, jint defaultAction)
{
    return (jlong)(intptr_t)seccomp_init((uint32_t)defaultAction);
}

JNIEXPORT void JNICALL NATIVE(seccompRelease)(JNIEnv *env, jclass c, jlong ctx)
{
    seccomp_release((scmp_filter_ctx)(intptr_t)ctx);
}

/* The libseccomp arch token for a name like "x86_64"; 0 if unknown. */
JNIEXPORT jint JNICALL NATIVE(seccompArchResolve)(JNIEnv *env, jclass c, jbyteArray jname)
{
    char *name = cstr(env, jname);
    uint32_t arch = name ? seccomp_arch_resolve_name(name) : 0;
    free(name);
    return (jint)arch;
}

/* Adds an arch to the filter; an arch already there (the native one) is fine. */
JNIEXPORT jint JNICALL NATIVE(seccompArchAdd)(JNIEnv *env, jclass c, jlong ctx, jint arch)
{
    int r = seccomp_arch_add((scmp_filter_ctx)(intptr_t)ctx, (uint32_t)arch);
    return r == -EEXIST ? 0 : r;
}

/* The native syscall number of a name, or -1 (__NR_SCMP_ERROR) when no arch of the filter knows it. */
JNIEXPORT jint JNICALL NATIVE(seccompResolve)(JNIEnv *env, jclass c, jbyteArray jname)
{
    char *name = cstr(env, jname);
    int nr = name ? seccomp_syscall_resolve_name(name) : __NR_SCMP_ERROR;
    free(name);
    return nr;
}

/* The syscall number of a name on one arch (x32's carry the x32 bit); negative when that arch has no such
 * call (a multiplexed one: libseccomp's pseudo number) or libseccomp does not know the name. */
JNIEXPORT jint JNICALL NATIVE(seccompResolveOnArch)(JNIEnv *env, jclass c, jint arch, jbyteArray jname)
{
    char *name = cstr(env, jname);
    int nr = name ? seccomp_syscall_resolve_name_arch((uint32_t)arch, name) : __NR_SCMP_ERROR;
    free(name);
    return nr;
}

/* The arch token of the running kernel's native ABI (the one seccomp_init puts in every filter). */
JNIEXPORT jint JNICALL NATIVE(seccompArchNative)(JNIEnv *env, jclass c)
{
    return (jint)seccomp_arch_native();
}

JNIEXPORT jint JNICALL NATIVE(seccompAttrSet)(JNIEnv *env, jclass c, jlong ctx, jint attr, jint value)
{
    return seccomp_attr_set((scmp_filter_ctx)(intptr_t)ctx, (enum scmp_filter_attr)attr, (uint32_t)value);
}

/* One rule; args holds (index, op, datum_a, datum_b) quadruples. */
JNIEXPORT jint JNICALL NATIVE(seccompRuleAdd)(JNIEnv *env, jclass c, jlong ctx, jint action, jint syscall,
                                              jlongArray jargs)
{
    jsize n = (*env)->GetArrayLength(env, jargs);
    struct scmp_arg_cmp cmp[6];
    jlong a[24];
    if (n % 4 || n / 4 > 6)
        return -EINVAL;
    (*env)->GetLongArrayRegion(env, jargs, 0, n, a);
    for (jsize i = 0; i < n / 4; i++) {
        cmp[i].arg = (unsigned int)a[4 * i];
        cmp[i].op = (enum scmp_compare)a[4 * i + 1];
        cmp[i].datum_a = (scmp_datum_t)a[4 * i + 2];
        cmp[i].datum_b = (scmp_datum_t)a[4 * i + 3];
    }
    return seccomp_rule_add_array((scmp_filter_ctx)(intptr_t)ctx, (uint32_t)action, syscall,
                                  (unsigned int)(n / 4), cmp);
}

/* The compiled BPF program (struct sock_filter[]), through a memfd; NULL on failure. */
JNIEXPORT jbyteArray JNICALL NATIVE(seccompExport)(JNIEnv *env, jclass c, jlong ctx)
{
    int fd = memfd_create("crema-seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return NULL;
    jbyteArray out = NULL;
    if (seccomp_export_bpf((scmp_filter_ctx)(intptr_t)ctx, fd) == 0) {
        off_t size = lseek(fd, 0, SEEK_END);
        char *buf = size > 0 ? malloc((size_t)size) : NULL;
        if (buf && pread(fd, buf, (size_t)size, 0) == size) {
            out = (*env)->NewByteArray(env, (jsize)size);
            if (out)
                (*env)->SetByteArrayRegion(env, out, 0, (jsize)size, (jbyte *)buf);
        }
        free(buf);
    }
    close(fd);
    return out;
}

/*
 * Unix sockets (crema.sys.UnixSockets): the console socket a foreground run
 * or exec listens on for the pty master crema-init sends, and the datagram
 * sockets of the NOTIFY_SOCKET proxy. Terminals (crema.sys.Tty): the stdin
 * side of the pty proxy (raw mode, window size).
 */
#include <sys/ioctl.h>
#include <sys/un.h>
#include <termios.h>

#define SOCK(name) Java_crema_sys_UnixSockets_##name
#define TTY(name) Java_crema_sys_Tty_##name

/* A unix socket of type bound (or, with doConnect, connected) to path; -errno on failure. */
JNIEXPORT jint JNICALL SOCK(nSocket)(JNIEnv *env, jclass c, jbyteArray jpath, jint type, jboolean doConnect)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    jsize n = (*env)->GetArrayLength(env, jpath);
    if ((size_t)n >= sizeof addr.sun_path)
        return -ENAMETOOLONG;
    (*env)->GetByteArrayRegion(env, jpath, 0, n, (jbyte *)addr.sun_path);
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return neg_errno();
    int r = doConnect ? connect(fd, (struct sockaddr *)&addr, sizeof addr) : bind(fd, (struct sockaddr *)&addr, sizeof addr);
    if (r == 0 && !doConnect && type == SOCK_STREAM)
        r = listen(fd, 1);
    if (r < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

/* accept4 of one connection, waiting at most timeoutMs; -ETIMEDOUT on timeout. */
JNIEXPORT jint JNICALL SOCK(nAccept)(JNIEnv *env, jclass c, jint fd, jint timeoutMs)
{
    int r = wait_readable(fd, timeoutMs);
    if (r < 0)
        return r;
    r = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    return r < 0 ? neg_errno() : r;
}

/* The fd of one SCM_RIGHTS message (its text, under 4096 bytes, is dropped); -EBADMSG without one. */
JNIEXPORT jint JNICALL SOCK(nRecvFd)(JNIEnv *env, jclass c, jint sock)
{
    char text[4096], cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = { text, sizeof text };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
    ssize_t n;
    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return neg_errno();
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int)))
        return -EBADMSG;
    int fd;
    memcpy(&fd, CMSG_DATA(cm), sizeof fd);
    return fd;
}

/* Sends fd in one SCM_RIGHTS message whose text is text (a console socket's caller reads it as the name). */
JNIEXPORT jint JNICALL SOCK(nSendFd)(JNIEnv *env, jclass c, jint sock, jint fd, jbyteArray jtext)
{
    char text[256] = "", cbuf[CMSG_SPACE(sizeof(int))];
    jsize n = (*env)->GetArrayLength(env, jtext);
    if ((size_t)n >= sizeof text)
        return -ENAMETOOLONG;
    (*env)->GetByteArrayRegion(env, jtext, 0, n, (jbyte *)text);
    struct iovec iov = { text, n > 0 ? (size_t)n : 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof fd);
    ssize_t r;
    do
        r = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    return r < 0 ? neg_errno() : 0;
}

/*
 * A new pty in the devpts of crema's /dev/ptmx: out receives {master, slave, index}, both fds close-on-exec
 * and neither a controlling terminal of crema. The slave comes from the master (TIOCGPTPEER), never by path.
 */
JNIEXPORT jint JNICALL TTY(nOpenPty)(JNIEnv *env, jclass c, jintArray out)
{
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0)
        return neg_errno();
    int unlock = 0, index = -1;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &index) < 0) {
        int err = errno;
        close(master);
        return -err;
    }
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) {
        int err = errno;
        close(master);
        return -err;
    }
    jint fds[3] = { master, slave, index };
    (*env)->SetIntArrayRegion(env, out, 0, 3, fds);
    return 0;
}

/* Puts the terminal fd in raw mode; saved receives the old termios. -ENOTTY when fd is not a terminal. */
JNIEXPORT jint JNICALL TTY(nMakeRaw)(JNIEnv *env, jclass c, jint fd, jbyteArray saved)
{
    struct termios t;
    if ((*env)->GetArrayLength(env, saved) < (jsize)sizeof t)
        return -EINVAL;
    if (tcgetattr(fd, &t) < 0)
        return neg_errno();
    (*env)->SetByteArrayRegion(env, saved, 0, sizeof t, (jbyte *)&t);
    cfmakeraw(&t);
    return tcsetattr(fd, TCSANOW, &t) < 0 ? neg_errno() : 0;
}

JNIEXPORT jint JNICALL TTY(nRestore)(JNIEnv *env, jclass c, jint fd, jbyteArray saved)
{
    struct termios t;
    if ((*env)->GetArrayLength(env, saved) < (jsize)sizeof t)
        return -EINVAL;
    (*env)->GetByteArrayRegion(env, saved, 0, sizeof t, (jbyte *)&t);
    return tcsetattr(fd, TCSANOW, &t) < 0 ? neg_errno() : 0;
}

JNIEXPORT jint JNICALL TTY(nTermiosSize)(JNIEnv *env, jclass c)
{
    return (jint)sizeof(struct termios);
}

/* (rows << 16) | cols of a terminal, or -errno. */
JNIEXPORT jint JNICALL TTY(nWindowSize)(JNIEnv *env, jclass c, jint fd)
{
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) < 0)
        return neg_errno();
    return (jint)((unsigned)ws.ws_row << 16 | ws.ws_col);
}

JNIEXPORT jint JNICALL TTY(nSetWindowSize)(JNIEnv *env, jclass c, jint fd, jint rows, jint cols)
{
    struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
    return ioctl(fd, TIOCSWINSZ, &ws) < 0 ? neg_errno() : 0;
}

/* read(2) after waiting at most timeoutMs (-1: forever) for input; -ETIMEDOUT on timeout. */
JNIEXPORT jint JNICALL TTY(nRead)(JNIEnv *env, jclass c, jint fd, jbyteArray buf, jint timeoutMs)
{
    int r = wait_readable(fd, timeoutMs);
    if (r < 0)
        return r;
    jsize cap = (*env)->GetArrayLength(env, buf);
    char tmp[8192];
    ssize_t n;
    do
        n = read(fd, tmp, (size_t)cap < sizeof tmp ? (size_t)cap : sizeof tmp);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return neg_errno();
    (*env)->SetByteArrayRegion(env, buf, 0, (jsize)n, (jbyte *)tmp);
    return (jint)n;
}
