/*
 * crema-init: executes a launch plan decoded by plan.c (format and order in
 * PLAN.md). Java decides, C executes: this file makes no policy decisions,
 * it performs the plan's steps in order and reports the first failure.
 *
 * stage1 (the spawned process) joins namespaces and clones the container
 * init; the init builds the rootfs, drops privileges, reports READY and
 * execs the container process once `crema start` opens exec.fifo.
 */
#define _GNU_SOURCE
#include "plan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/ioprio.h>
#include <linux/magic.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <linux/memfd.h>
#include <linux/mount.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/personality.h>
#include <sys/statfs.h>
#include <sys/ioctl.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

enum {
	SYNC_PLAN = 1, SYNC_PID = 2, SYNC_PID_ACK = 3, SYNC_READY = 4, SYNC_ERROR = 5,
	SYNC_MOUNTS_DONE = 6, SYNC_MOUNTS_ACK = 7, SYNC_SEALED = 8,
};

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
		  CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME)

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

static int sync_fd = -1;
static int ready_sent; /* after READY nobody reads the sync socket: errors go to stderr */
static struct plan plan;
static int root_fd = -1; /* O_PATH fd of the self-bind-mounted rootfs */
static int fifo_fd = -1;  /* O_PATH fd of exec.fifo itself: never of a host directory */
static char fifo_path[32]; /* /proc/self/fd/<fifo_fd>, checked to be exec.fifo before READY */
static struct stat fifo_st;  /* what fifo_fd is, from stage1 */
static char exe_path[PATH_MAX];
static char *state_json;   /* the container's state, from PID_ACK, for hooks' stdin */
static size_t state_len;
static char *process_state_json; /* what the seccomp agent gets with the listener fd */
static int listener_fd = -1;     /* connected to the seccomp agent in stage1, on the host */
static int exec_root_fd = -1;    /* exec mode: O_PATH fd of the container init's root */
static int console_fd = -1;      /* connected to the console socket in stage1, on the host */
static int sources_sock[2] = {-1, -1}; /* stage1 -> init: bind sources opened as the host's root */

/* ---- sync socket ---- */

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int send_msg(uint32_t type, const void *payload, size_t len)
{
	uint8_t buf[8 + 4096];
	ssize_t n;

	if (len > sizeof(buf) - 4)
		len = sizeof(buf) - 4;
	put_le32(buf, type);
	if (len)
		memcpy(buf + 4, payload, len);
	do /* write(), not send(): after an early seccomp filter only calls runc also makes may follow */
		n = write(sync_fd, buf, 4 + len);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)(4 + len) ? 0 : -1;
}

/* Reports ERROR(err, text) to Java (or to stderr once READY is sent) and exits 1. */
static void fail(int err, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
static void fail(int err, const char *fmt, ...)
{
	uint8_t msg[4 + 4000];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf((char *)msg + 4, sizeof(msg) - 4, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg) - 4)
		n = sizeof(msg) - 5;
	put_le32(msg, (uint32_t)err);
	if (ready_sent || send_msg(SYNC_ERROR, msg, 4 + (size_t)n))
		fprintf(stderr, "crema-init: %s: %s\n", (char *)msg + 4, strerror(err));
	_exit(1);
}

/* Receives the next message, which must be of type want; returns its payload size. */
static size_t recv_msg(uint32_t want, uint8_t *buf, size_t cap, const char *state)
{
	ssize_t n;
	uint32_t type;

	do /* MSG_TRUNC: a SEQPACKET recv then returns the datagram's real size */
		n = recv(sync_fd, buf, cap, MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		fail(errno, "recv sync message in state %s", state);
	if (n == 0)
		fail(EPIPE, "sync socket closed in state %s", state);
	if ((size_t)n > cap)
		fail(EMSGSIZE, "sync message of %zd bytes in state %s is larger than %zu", n, state, cap);
	if (n < 4)
		fail(EPROTO, "sync message of %zd bytes in state %s", n, state);
	type = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;
	if (type != want)
		fail(EPROTO, "unexpected sync message %u in state %s", type, state);
	return (size_t)n - 4;
}

/* ---- paths inside the rootfs ---- */

#define FDPATH(fd) fd_path((fd), (char[32]){0})
static const char *fd_path(int fd, char *buf)
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

/* Opens path O_PATH inside the rootfs (symlinks and ".." cannot leave it), with more RESOLVE_* flags. */
static int in_root_resolving(const char *path, uint64_t resolve)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve,
	};
	int fd = -1;

	/* EAGAIN: a concurrent rename or mount somewhere on the host; just retry */
	for (int i = 0; i < 64; i++) {
		fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd;
}

static int in_root(const char *path)
{
	return in_root_resolving(path, 0);
}

/*
 * Like in_root(), but creates missing components one at a time in their
 * resolved parent: directories, and an empty file for the last component
 * when is_file is set. A dangling symlink on the way is followed by
 * creating its target, which in_root() keeps inside the rootfs.
 */
static int open_create_at_depth(const char *path, int is_file, int depth)
{
	char buf[PATH_MAX];
	int fd = in_root(path), parent;
	char *p = buf;

	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		fail(errno, "open \"%s\" in the rootfs", path);
	if (strlen(path) >= sizeof(buf))
		fail(ENAMETOOLONG, "open \"%s\" in the rootfs", path);
	strcpy(buf, path);
	if ((parent = in_root("/")) < 0)
		fail(errno, "open \"/\" in the rootfs");
	while (*p) {
		char *name, c, target[PATH_MAX], next[PATH_MAX];
		int last;
		ssize_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		name = p;
		while (*p && *p != '/')
			p++;
		last = p[strspn(p, "/")] == '\0';
		c = *p;
		*p = '\0';
		if ((fd = in_root(buf)) < 0 && errno == ENOENT) {
			if (last && is_file) {
				int f = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
				if (f < 0 && errno != EEXIST)
					fail(errno, "create \"%s\" in the rootfs", buf);
				if (f >= 0)
					close(f);
			} else if (mkdirat(parent, name, 0755) && errno != EEXIST) {
				fail(errno, "mkdir \"%s\" in the rootfs", buf);
			}
			fd = in_root(buf);
		}
		if (fd < 0 && errno == ENOENT && (n = readlinkat(parent, name, target, sizeof(target) - 1)) >= 0) {
			/* a dangling symlink: create its target (plus the rest) instead */
			target[n] = '\0';
			*p = c;
			if (depth >= 40)
				fail(ELOOP, "open \"%s\" in the rootfs", path);
			if (snprintf(next, sizeof(next), "%.*s%s%s", *target == '/' ? 0 : (int)(name - buf), buf,
				     target, p) >= (int)sizeof(next))
				fail(ENAMETOOLONG, "open \"%s\" in the rootfs", path);
			close(parent);
			return open_create_at_depth(next, is_file, depth + 1);
		}
		if (fd < 0)
			fail(errno, "open \"%s\" in the rootfs", buf);
		*p = c;
		close(parent);
		parent = fd;
	}
	return parent;
}

static int open_create(const char *path, int is_file)
{
	return open_create_at_depth(path, is_file, 0);
}

/* Opens (creating it if needed) the parent directory of path; its last component goes to name. */
static int open_parent(const char *path, char name[NAME_MAX + 1])
{
	char dir[PATH_MAX];
	size_t n = strlen(path);
	char *slash;

	if (n >= sizeof(dir))
		fail(ENAMETOOLONG, "open \"%s\" in the rootfs", path);
	memcpy(dir, path, n + 1);
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : dir;
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..") || strlen(base) > NAME_MAX)
		fail(EINVAL, "invalid path \"%s\"", path);
	strcpy(name, base);
	if (!slash)
		strcpy(dir, "/");
	else
		slash[slash == dir] = '\0'; /* keep "/" for a top-level name */
	return open_create(dir, 0);
}

/* ---- mounts ---- */

/* The MS_* flags a mount already has (a bind remount must repeat locked ones). */
static unsigned long current_flags(const char *target, const char *what)
{
	static const struct { unsigned long st, ms; } map[] = {
		{ST_RDONLY, MS_RDONLY}, {ST_NOSUID, MS_NOSUID}, {ST_NODEV, MS_NODEV},
		{ST_NOEXEC, MS_NOEXEC}, {ST_SYNCHRONOUS, MS_SYNCHRONOUS}, {ST_MANDLOCK, MS_MANDLOCK},
		{ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
	};
	struct statvfs sv;
	unsigned long flags = 0;

	if (statvfs(target, &sv))
		fail(errno, "statvfs \"%s\"", what);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (sv.f_flag & map[i].st)
			flags |= map[i].ms;
	return flags;
}

/* Remounts "/" with flags, adding the flags it already has (some may be locked). */
static void remount_root(unsigned long flags)
{
	if (mount(NULL, "/", NULL, flags | MS_BIND | MS_REMOUNT | current_flags("/", "/"), NULL))
		fail(errno, "remount \"/\" with flags 0x%lx", flags);
}

/* The per-mount MS_* flags of a plan as mount_setattr's MOUNT_ATTR_* (relatime is 0). */
static uint64_t mount_attrs(unsigned long flags)
{
	uint64_t a = 0;

	if (flags & MS_RDONLY)
		a |= MOUNT_ATTR_RDONLY;
	if (flags & MS_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (flags & MS_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (flags & MS_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	if (flags & MS_NODIRATIME)
		a |= MOUNT_ATTR_NODIRATIME;
	if (flags & MS_NOSYMFOLLOW)
		a |= MOUNT_ATTR_NOSYMFOLLOW;
	if (flags & MS_NOATIME)
		a |= MOUNT_ATTR_NOATIME;
	else if (flags & MS_STRICTATIME)
		a |= MOUNT_ATTR_STRICTATIME;
	return a;
}

static void set_attrs(int mnt, unsigned int at_flags, uint64_t set, uint64_t clr, uint64_t propagation,
		      const char *what)
{
	struct mount_attr a = {.attr_set = set, .attr_clr = clr, .propagation = propagation};

	if (syscall(SYS_mount_setattr, mnt, "", AT_EMPTY_PATH | at_flags, &a, sizeof(a)))
		fail(errno, "mount_setattr \"%s\" (set 0x%llx, clear 0x%llx, propagation 0x%llx)", what,
		     (unsigned long long)set, (unsigned long long)clr, (unsigned long long)propagation);
}

/*
 * Gives a bind exactly the per-mount flags of the plan, as a bind remount
 * would: what the plan does not set is cleared. A flag locked by a user
 * namespace cannot be cleared (EPERM): then the mount keeps what it has.
 */
static void set_bind_flags(int mnt, unsigned long flags, const char *what)
{
	const uint64_t clearable = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
				   MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW;
	uint64_t set = mount_attrs(flags);
	struct mount_attr a = {.attr_set = set, .attr_clr = (clearable & ~set) | MOUNT_ATTR__ATIME};

	if (!syscall(SYS_mount_setattr, mnt, "", AT_EMPTY_PATH, &a, sizeof(a)))
		return;
	if (errno != EPERM)
		fail(errno, "set flags 0x%lx on the bind of \"%s\"", flags, what);
	set_attrs(mnt, 0, set, (set & MOUNT_ATTR__ATIME) ? MOUNT_ATTR__ATIME : 0, 0, what);
}

/* A user namespace holding uid_map/gid_map, for MOUNT_ATTR_IDMAP: a child that
 * unshares one and waits while we write its maps and keep a reference. */
static int idmap_userns(const char *uid_map, const char *gid_map, const char *what)
{
	int hold[2];
	char path[64];
	if (pipe2(hold, O_CLOEXEC))
		fail(errno, "idmap \"%s\": pipe", what);
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		fail(errno, "idmap \"%s\": clone a user namespace", what);
	if (pid == 0) {
		char c;
		close(hold[1]);
		_exit(read(hold[0], &c, 1) < 0);
	}
	close(hold[0]);
	const char *maps[2][2] = {{"uid_map", uid_map}, {"gid_map", gid_map}};
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, maps[i][0]);
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		size_t len = strlen(maps[i][1]);
		if (fd < 0 || write(fd, maps[i][1], len) != (ssize_t)len)
			fail(errno, "idmap \"%s\": write %s", what, maps[i][0]);
		close(fd);
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
	int ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		fail(errno, "idmap \"%s\": open %s", what, path);
	close(hold[1]);
	waitpid(pid, NULL, 0);
	return ns;
}

/*
 * The user namespaces of idmapped binds with their own mappings, made by
 * stage1: it is in the host's pid namespace (so /proc/<pid> of its helper child
 * is right) and has not joined any user namespace yet (hostIDs are the host's).
 * The init inherits the fds. -1: the container's own user namespace.
 */
static int *idmap_fds;  /* per mount: the user namespace of its idmap, or -1 */
static int *source_fds; /* per mount: its bind source as stage1 opened it (send_bind_sources), or -1 */

static int *fd_per_mount(void)
{
	int *fds = malloc((plan.n_mounts ? plan.n_mounts : 1) * sizeof(int));
	if (!fds)
		fail(ENOMEM, "allocate fds for %zu mounts", plan.n_mounts);
	for (size_t i = 0; i < plan.n_mounts; i++)
		fds[i] = -1;
	return fds;
}

static void prepare_idmaps(void)
{
	idmap_fds = fd_per_mount();
	source_fds = fd_per_mount();
	for (size_t i = 0; i < plan.n_mounts; i++) {
		const struct plan_mount *m = &plan.mounts[i];
		idmap_fds[i] = (m->flags2 & PLAN_MOUNT_IDMAP) && *m->uid_map
				       ? idmap_userns(m->uid_map, m->gid_map, m->destination) : -1;
	}
}

/*
 * A bind as a detached copy of the source, its flags set on that copy: the
 * caller attaches it with move_mount, so nothing is looked up by path again.
 */
static int bind_tree(const struct plan_mount *m, int sfd)
{
	int rec = (m->flags & MS_REC) ? AT_RECURSIVE : 0;
	int tree = (int)syscall(SYS_open_tree, sfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | rec);
	if (tree < 0)
		fail(errno, "open_tree \"%s\"", m->source);
	if (m->flags2 & PLAN_MOUNT_IDMAP) {
		int ns = idmap_fds[m - plan.mounts] >= 0 ? idmap_fds[m - plan.mounts]
							  : open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
		if (ns < 0)
			fail(errno, "idmap \"%s\": open the container's user namespace", m->destination);
		struct mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)ns};
		if (syscall(SYS_mount_setattr, tree, "",
			    AT_EMPTY_PATH | ((m->flags2 & PLAN_MOUNT_IDMAP_REC) ? AT_RECURSIVE : 0), &a, sizeof(a)))
			fail(errno, "idmap \"%s\"", m->destination);
		close(ns);
	}
	if (m->flags & ~(unsigned long)(MS_BIND | MS_REC)) /* as a bind remount with the plan's flags */
		set_bind_flags(tree, m->flags, m->destination);
	return tree;
}

/*
 * A new filesystem as a detached mount (fsopen, fsconfig, fsmount), for a
 * mount that needs more than mount(2) does in one call: the caller sets
 * propagation and attributes on the mount it attached, through its fd.
 */
static int new_fs_tree(const struct plan_mount *m, const char *options)
{
	static const struct { unsigned long ms; const char *name; } sb_flags[] = {
		{MS_RDONLY, "ro"}, {MS_SYNCHRONOUS, "sync"}, {MS_DIRSYNC, "dirsync"},
		{MS_LAZYTIME, "lazytime"}, {MS_MANDLOCK, "mand"}, {MS_SILENT, "silent"},
	};
	char data[4096], log[256];
	int fs = (int)syscall(SYS_fsopen, m->fstype, FSOPEN_CLOEXEC);
	if (fs < 0)
		fail(errno, "fsopen \"%s\" for \"%s\"", m->fstype, m->destination);
	if (*m->source && syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "source", m->source, 0))
		fail(errno, "mount \"%s\": source \"%s\"", m->destination, m->source);
	for (size_t i = 0; i < sizeof(sb_flags) / sizeof(sb_flags[0]); i++)
		if ((m->flags & sb_flags[i].ms) && syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, sb_flags[i].name, NULL, 0))
			fail(errno, "mount \"%s\": option \"%s\"", m->destination, sb_flags[i].name);
	if (strlen(options) >= sizeof(data))
		fail(E2BIG, "mount \"%s\": data \"%s\"", m->destination, options);
	strcpy(data, options);
	for (char *opt = data, *next; opt; opt = next) { /* key[=value],... as mount(2) takes them */
		if ((next = strchr(opt, ',')))
			*next++ = '\0';
		if (!*opt)
			continue;
		char *value = strchr(opt, '=');
		if (value)
			*value++ = '\0';
		if (syscall(SYS_fsconfig, fs, value ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, opt, value, 0))
			fail(errno, "mount \"%s\": option \"%s\"", m->destination, opt);
	}
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		int err = errno;
		ssize_t n = read(fs, log, sizeof(log) - 1); /* the filesystem's own reason, if it gave one */
		log[n > 0 ? n : 0] = '\0';
		fail(err, "mount \"%s\" on \"%s\"%s%s", *m->source ? m->source : m->fstype, m->destination,
		     n > 0 ? ": " : "", log);
	}
	int mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, (unsigned int)mount_attrs(m->flags));
	if (mnt < 0)
		fail(errno, "fsmount \"%s\" for \"%s\"", m->fstype, m->destination);
	close(fs);
	return mnt;
}

/* tmpcopyup: what the directory held before the tmpfs covered it, copied into the tmpfs. */
static void copy_tree(int from, int to, const char *what, int depth)
{
	if (depth > 64)
		fail(ELOOP, "tmpcopyup \"%s\": too deep", what);
	int dfd = dup(from);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d)
		fail(errno, "tmpcopyup \"%s\": read directory", what);
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		struct stat st;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		if (fstatat(from, n, &st, AT_SYMLINK_NOFOLLOW))
			fail(errno, "tmpcopyup \"%s/%s\": stat", what, n);
		if (S_ISDIR(st.st_mode)) {
			if (mkdirat(to, n, st.st_mode & 07777))
				fail(errno, "tmpcopyup \"%s/%s\": mkdir", what, n);
			int a = openat(from, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int b = openat(to, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (a < 0 || b < 0)
				fail(errno, "tmpcopyup \"%s/%s\": open", what, n);
			copy_tree(a, b, what, depth + 1);
			close(a);
			close(b);
		} else if (S_ISREG(st.st_mode)) {
			int a = openat(from, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			int b = openat(to, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777);
			char buf[65536];
			ssize_t k;
			if (a < 0 || b < 0)
				fail(errno, "tmpcopyup \"%s/%s\": open", what, n);
			while ((k = read(a, buf, sizeof(buf))) > 0)
				if (write(b, buf, (size_t)k) != k)
					fail(errno, "tmpcopyup \"%s/%s\": write", what, n);
			if (k < 0)
				fail(errno, "tmpcopyup \"%s/%s\": read", what, n);
			close(a);
			close(b);
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t k = readlinkat(from, n, target, sizeof(target) - 1);
			if (k < 0)
				fail(errno, "tmpcopyup \"%s/%s\": readlink", what, n);
			target[k] = 0;
			if (symlinkat(target, to, n))
				fail(errno, "tmpcopyup \"%s/%s\": symlink", what, n);
		} else if (mknodat(to, n, st.st_mode, st.st_rdev)) {
			fail(errno, "tmpcopyup \"%s/%s\": mknod", what, n);
		}
		if (fchownat(to, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW))
			fail(errno, "tmpcopyup \"%s/%s\": chown", what, n);
	}
	closedir(d);
}

static int reopen_dir(int pathfd, const char *what)
{
	int fd = open(FDPATH(pathfd), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fail(errno, "open directory \"%s\"", what);
	return fd;
}

/*
 * Every mount goes onto the fd of its destination opened inside the rootfs.
 * One that needs more than one step (flags on a bind, propagation, recursive
 * attributes, tmpcopyup) is built detached and attached last, and whatever
 * must follow the attach goes through the same fd: a destination path is
 * never looked up twice, so a swapped symlink cannot redirect a step to
 * another mount (CVE-2021-30465).
 */
static void do_mounts(void)
{
	for (size_t i = 0; i < plan.n_mounts; i++) {
		const struct plan_mount *m = &plan.mounts[i];
		int bind = m->kind == PLAN_MOUNT_BIND;
		int single = !bind && !m->propagation && !m->attr_set && !m->attr_clr && !(m->flags2 & PLAN_MOUNT_TMPCOPYUP);
		int existed = -1, dst;
		char data[4096];

		if (m->flags2 & PLAN_MOUNT_KEEP_DIR_MODE) {
			existed = in_root(m->destination);
			if (existed >= 0)
				close(existed);
		}
		dst = open_create(m->destination, m->flags2 & PLAN_MOUNT_FILE);
		if (m->flags2 & PLAN_MOUNT_ORDINARY_DIR) { /* the fd we mount on, reached with no symlink at all */
			close(dst);
			if ((dst = in_root_resolving(m->destination, RESOLVE_NO_SYMLINKS)) < 0)
				fail(errno, "mount \"%s\" on \"%s\": filesystem \"%s\" must be mounted on ordinary directory",
				     m->fstype, m->destination, m->fstype);
		}
		if (snprintf(data, sizeof(data), "%s", m->data) >= (int)sizeof(data))
			fail(E2BIG, "mount \"%s\": data \"%s\"", m->destination, m->data);
		if (existed >= 0) { /* a tmpfs without mode= over a directory that was there keeps its mode */
			struct stat st;
			if (fstat(dst, &st))
				fail(errno, "stat \"%s\"", m->destination);
			size_t len = strlen(data);
			if (snprintf(data + len, sizeof(data) - len, "%smode=%o", len ? "," : "",
				     (unsigned int)(st.st_mode & 07777)) >= (int)(sizeof(data) - len))
				fail(E2BIG, "mount \"%s\": data \"%s\"", m->destination, m->data);
		}

		if (single) {
			if (mount(m->source, FDPATH(dst), m->fstype, m->flags, data))
				fail(errno, "mount \"%s\" on \"%s\"", *m->source ? m->source : m->fstype, m->destination);
			close(dst);
			continue;
		}
		int sfd = !bind ? -1 : source_fds[i] >= 0 ? source_fds[i] : open(m->source, O_PATH | O_CLOEXEC);
		if (bind && sfd < 0)
			fail(errno, "open bind source \"%s\"", m->source);
		int tree = bind ? bind_tree(m, sfd) : new_fs_tree(m, data);
		if (m->flags2 & PLAN_MOUNT_TMPCOPYUP) {
			int old = reopen_dir(dst, m->destination), fresh = reopen_dir(tree, m->destination);
			copy_tree(old, fresh, m->destination, 0);
			close(fresh);
			close(old);
		}
		if (m->attr_set || m->attr_clr)
			set_attrs(tree, AT_RECURSIVE, m->attr_set, m->attr_clr, 0, m->destination);
		if (syscall(SYS_move_mount, tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH))
			fail(errno, "mount \"%s\" on \"%s\"", *m->source ? m->source : m->fstype, m->destination);
		if (m->propagation) /* tree now names the attached mount */
			set_attrs(tree, (m->propagation & MS_REC) ? AT_RECURSIVE : 0, 0, 0, m->propagation & ~(uint64_t)MS_REC,
				  m->destination);
		close(tree);
		close(dst);
		if (sfd >= 0)
			close(sfd);
	}
}

static void make_devices(void)
{
	for (size_t i = 0; i < plan.n_devices; i++) {
		const struct plan_device *d = &plan.devices[i];
		dev_t dev = makedev(d->major, d->minor);
		char name[NAME_MAX + 1];

		if (d->flags & PLAN_DEVICE_BIND_HOST) {
			int dst = open_create(d->path, 1);
			int src = open(d->path, O_PATH | O_CLOEXEC); /* the host's node */
			if (src < 0)
				fail(errno, "open host device \"%s\"", d->path);
			if (mount(FDPATH(src), FDPATH(dst), NULL, MS_BIND, NULL))
				fail(errno, "mount \"%s\" on \"%s\"", d->path, d->path);
			close(src);
			close(dst);
			continue;
		}
		int dir = open_parent(d->path, name);
		if (mknodat(dir, name, d->type | (d->perm & 07777), dev)) {
			struct stat st;
			/* an existing node is fine only if it is this very device */
			if (errno != EEXIST)
				fail(errno, "mknod \"%s\"", d->path);
			if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) || (st.st_mode & S_IFMT) != d->type ||
			    (d->type != S_IFIFO && st.st_rdev != dev))
				fail(EEXIST, "mknod \"%s\"", d->path);
		}
		if (fchownat(dir, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW))
			fail(errno, "chown \"%s\"", d->path);
		close(dir);
	}
}

static void make_symlinks(void)
{
	for (size_t i = 0; i < plan.n_symlinks; i++) {
		const struct plan_symlink *s = &plan.symlinks[i];
		char name[NAME_MAX + 1];
		int dir = open_parent(s->linkpath, name);

		if (symlinkat(s->target, dir, name) && errno != EEXIST)
			fail(errno, "symlink \"%s\" to \"%s\"", s->linkpath, s->target);
		close(dir);
	}
}

static void mask_paths(void)
{
	int null_fd = -1;

	for (size_t i = 0; i < plan.n_masked_paths; i++) {
		const char *path = plan.masked_paths[i];
		struct stat st;
		int fd = in_root(path);

		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0 || fstat(fd, &st))
			fail(errno, "open masked path \"%s\"", path);
		if (S_ISDIR(st.st_mode)) {
			if (mount("tmpfs", FDPATH(fd), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
				fail(errno, "mount \"tmpfs\" on \"%s\"", path);
			close(fd);
			continue;
		}
		if (null_fd < 0) { /* the container's own /dev/null, and nothing else */
			struct stat ns;
			if ((null_fd = in_root("/dev/null")) < 0 || fstat(null_fd, &ns))
				fail(errno, "open \"/dev/null\" in the rootfs");
			if (!S_ISCHR(ns.st_mode) || major(ns.st_rdev) != 1 || minor(ns.st_rdev) != 3)
				fail(EPERM, "\"/dev/null\" in the rootfs is not the null device (char 1:3)");
		}
		if (mount(FDPATH(null_fd), FDPATH(fd), NULL, MS_BIND, NULL))
			fail(errno, "mount \"/dev/null\" on \"%s\"", path);
		close(fd);
	}
	if (null_fd >= 0)
		close(null_fd);
}

static void readonly_paths(void)
{
	for (size_t i = 0; i < plan.n_readonly_paths; i++) {
		const char *path = plan.readonly_paths[i];
		int fd = in_root(path);

		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			fail(errno, "open readonly path \"%s\"", path);
		/* a read-only copy of it, moved onto the very fd we opened (no second lookup) */
		int tree = (int)syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
					AT_RECURSIVE);
		if (tree < 0)
			fail(errno, "open_tree readonly path \"%s\"", path);
		set_attrs(tree, 0, MOUNT_ATTR_RDONLY, 0, 0, path);
		if (syscall(SYS_move_mount, tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH))
			fail(errno, "bind \"%s\" read-only onto itself", path);
		close(tree);
		close(fd);
	}
}

/* ---- entering the rootfs ---- */

/*
 * pivot_root refuses a shared new root or a shared parent of it, which a shared
 * root propagation would give: make the mount holding the rootfs private (in our
 * namespace only), so the self-bind of the rootfs is private too. The
 * requested propagation is set on the new "/" after pivot_root.
 */
static void make_rootfs_parent_private(void)
{
	char path[PATH_MAX];
	if (strlen(plan.rootfs) >= sizeof(path))
		fail(ENAMETOOLONG, "rootfs \"%s\"", plan.rootfs);
	strcpy(path, plan.rootfs);
	for (;;) { /* EINVAL: not a mount point, try its parent; "/" always is one */
		if (!mount(NULL, *path ? path : "/", NULL, MS_PRIVATE, NULL))
			return;
		if (errno != EINVAL || !*path)
			fail(errno, "make the mount holding \"%s\" private", plan.rootfs);
		char *slash = strrchr(path, '/');
		*slash = 0;
	}
}

/* mountinfo writes a space, tab, newline or backslash of a path as \ooo: decode it in place */
static void unescape_mountinfo(char *s)
{
	char *out = s;
	for (; *s; s++, out++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*out = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*out = *s;
		}
	}
	*out = 0;
}

/*
 * Finds in mountinfo (read again from its start) a full proc or sysfs mount (of
 * the filesystem's root) outside rootfs whose id is not in skip: its id and mount
 * point into *id and path. Returns 0 when there is none left.
 */
static int next_full_proc_or_sysfs(FILE *mountinfo, const char *rootfs, const int *skip, size_t n_skip, int *id,
				   char path[PATH_MAX])
{
	static char *line;
	static size_t cap;
	size_t rootfs_len = strlen(rootfs);

	rewind(mountinfo);
	while (getline(&line, &cap, mountinfo) > 0) {
		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS" */
		char *field[6], *save = NULL, *fstype = NULL, *tok;
		size_t n = 0;
		for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
			if (n < 6)
				field[n++] = tok;
			else if (!strcmp(tok, "-")) {
				fstype = strtok_r(NULL, " \n", &save);
				break;
			}
		}
		if (n < 6 || !fstype)
			fail(EPROTO, "unexpected line in \"/proc/self/mountinfo\"");
		if ((strcmp(fstype, "proc") && strcmp(fstype, "sysfs")) || strcmp(field[3], "/"))
			continue;
		unescape_mountinfo(field[4]);
		if (!strncmp(field[4], rootfs, rootfs_len) && (!field[4][rootfs_len] || field[4][rootfs_len] == '/'))
			continue; /* the container's own */
		int mnt_id = atoi(field[0]);
		size_t i = 0;
		while (i < n_skip && skip[i] != mnt_id)
			i++;
		if (i < n_skip)
			continue;
		if (strlen(field[4]) >= PATH_MAX)
			fail(ENAMETOOLONG, "%s mount point \"%s\"", fstype, field[4]);
		strcpy(path, field[4]);
		*id = mnt_id;
		return 1;
	}
	if (ferror(mountinfo))
		fail(errno, "read \"/proc/self/mountinfo\"");
	return 0;
}

/*
 * no_pivot leaves the host's mounts in our mount namespace, out of sight under the
 * moved rootfs, and the kernel lets a new user namespace mount a fresh procfs or
 * sysfs wherever a full one is in the namespace with nothing locked over it:
 * detach the host's full ones (made slaves first, so the detach does not reach the
 * host). One locked to its parent (our namespace is a user namespace's copy)
 * cannot go: a tmpfs covers it, and the cover is locked in any namespace the
 * container makes. One with another mount already over it is left as it is.
 */
static void detach_host_proc_and_sysfs(void)
{
	char rootfs[PATH_MAX], path[PATH_MAX];
	int kept[64], id;
	size_t n_kept = 0;

	/* mountinfo shows resolved paths: compare with the rootfs's own, not the plan's spelling */
	ssize_t len = readlink(FDPATH(root_fd), rootfs, sizeof(rootfs) - 1);
	if (len < 0)
		fail(errno, "readlink rootfs \"%s\"", plan.rootfs);
	rootfs[len] = 0;
	/* kept open: it still reads our namespace's mounts once the host's /proc is gone */
	FILE *mountinfo = fopen("/proc/self/mountinfo", "re");
	if (!mountinfo)
		fail(errno, "open \"/proc/self/mountinfo\"");
	/* each round detaches a mount or keeps one: it ends */
	while (next_full_proc_or_sysfs(mountinfo, rootfs, kept, n_kept, &id, path)) {
		struct statx top;
		if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_MNT_ID, &top))
			fail(errno, "statx \"%s\"", path);
		if (!(top.stx_mask & STATX_MNT_ID))
			fail(ENOSYS, "statx \"%s\" gives no mount id", path);
		if (top.stx_mnt_id == (uint64_t)id) { /* not under another mount: act on it */
			if (mount(NULL, path, NULL, MS_SLAVE | MS_REC, NULL))
				fail(errno, "make the host's \"%s\" a slave", path);
			if (!umount2(path, MNT_DETACH))
				continue;
			if (errno != EINVAL && errno != EPERM)
				fail(errno, "detach the host's \"%s\"", path);
			if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
				fail(errno, "cover the host's \"%s\" with a tmpfs", path);
		}
		if (n_kept == sizeof(kept) / sizeof(kept[0]))
			fail(E2BIG, "more than %zu host proc and sysfs mounts to keep covered", n_kept);
		kept[n_kept++] = id;
	}
	fclose(mountinfo);
}

static void enter_rootfs(void)
{
	if (fchdir(root_fd))
		fail(errno, "chdir to rootfs \"%s\"", plan.rootfs);
	if (plan.rootfs_flags & PLAN_ROOTFS_NO_PIVOT) {
		detach_host_proc_and_sysfs();
		if (mount(".", "/", NULL, MS_MOVE, NULL))
			fail(errno, "move rootfs \"%s\" to \"/\"", plan.rootfs);
		if (chroot("."))
			fail(errno, "chroot \"%s\"", plan.rootfs);
	} else {
		int old_root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (old_root < 0)
			fail(errno, "open the old root");
		if (syscall(SYS_pivot_root, ".", "."))
			fail(errno, "pivot_root \"%s\"", plan.rootfs);
		/* the old root now sits on top of the new one: from inside it (so "." is the old
		 * root, not the new one whose mounts keep their propagation), make it a slave so
		 * its detach does not reach the host, then detach it */
		if (fchdir(old_root))
			fail(errno, "chdir to the old root");
		close(old_root);
		if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL))
			fail(errno, "make the old root a slave");
		if (umount2(".", MNT_DETACH))
			fail(errno, "unmount the old root");
	}
	if (chdir("/"))
		fail(errno, "chdir \"/\"");
	close(root_fd);
	root_fd = -1;
}

/* ---- kernel parameters and hooks ---- */

/* linux.sysctl: written through the procfs we mounted, checked to be one. */
static void write_sysctls(void)
{
	for (size_t i = 0; i < plan.n_sysctls; i++) {
		char path[PATH_MAX];
		struct statfs sfs;
		int n = snprintf(path, sizeof(path), "/proc/sys/%s", plan.sysctls[i].key);
		if (n < 0 || (size_t)n >= sizeof(path))
			fail(ENAMETOOLONG, "sysctl \"%s\"", plan.sysctls[i].key);
		for (char *c = path + 10; *c; c++)
			if (*c == '.')
				*c = '/';
		struct open_how how = {.flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
				       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS};
		int fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
		if (fd < 0)
			fail(errno, "open sysctl \"%s\"", path);
		if (fstatfs(fd, &sfs) || sfs.f_type != PROC_SUPER_MAGIC)
			fail(EXDEV, "sysctl \"%s\" is not on the container's procfs", path);
		size_t len = strlen(plan.sysctls[i].value);
		if (write(fd, plan.sysctls[i].value, len) != (ssize_t)len)
			fail(errno, "write sysctl \"%s\"", path);
		close(fd);
	}
}

/* Runs one hook with the state JSON on stdin; fails the container if it fails or times out. */
static void run_hook(const struct plan_hook *h, const char *kind)
{
	int in[2];
	if (pipe2(in, O_CLOEXEC))
		fail(errno, "%s hook \"%s\": pipe", kind, h->path);
	pid_t pid = fork();
	if (pid < 0)
		fail(errno, "%s hook \"%s\": fork", kind, h->path);
	if (pid == 0) {
		if (dup2(in[0], 0) < 0)
			_exit(126);
		close_range(3, ~0U, 0);
		execve(h->path, h->args[0] ? h->args : (char *[]){h->path, NULL}, h->env);
		fprintf(stderr, "crema-init: %s hook \"%s\": %s\n", kind, h->path, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	/* a hook that does not read its stdin must not block us: ignore EPIPE */
	signal(SIGPIPE, SIG_IGN);
	if (state_len && write(in[1], state_json, state_len) < 0 && errno != EPIPE)
		fail(errno, "%s hook \"%s\": write state", kind, h->path);
	close(in[1]);
	signal(SIGPIPE, SIG_DFL); /* the container must not inherit an ignored SIGPIPE */
	int status;
	long waited_ms = 0;
	for (;;) {
		pid_t r = waitpid(pid, &status, h->timeout ? WNOHANG : 0);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			fail(errno, "%s hook \"%s\": wait", kind, h->path);
		if (h->timeout && waited_ms >= (long)h->timeout * 1000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fail(ETIMEDOUT, "%s hook \"%s\" timed out after %us", kind, h->path, h->timeout);
		}
		poll(NULL, 0, 10);
		waited_ms += 10;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail(ECANCELED, "%s hook \"%s\" failed: %s %d", kind, h->path,
		     WIFEXITED(status) ? "exit status" : "signal",
		     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

static void run_hooks(uint32_t kind, const char *name)
{
	for (size_t i = 0; i < plan.n_hooks; i++)
		if (plan.hooks[i].kind == kind)
			run_hook(&plan.hooks[i], name);
}

/* A connected unix stream socket to a host path (for the seccomp agent or the console). */
static int connect_unix(const char *path, const char *what)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		fail(ENAMETOOLONG, "%s \"%s\"", what, path);
	strcpy(addr.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		fail(errno, "connect to the %s \"%s\"", what, path);
	return fd;
}

/* Sends fd over sock with SCM_RIGHTS, text as the message; then closes both. */
static void send_fd(int sock, int fd, const char *text, const char *what, const char *path)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {(void *)text, strlen(text)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		fail(errno, "send the %s to \"%s\"", what, path);
	close(fd);
	close(sock);
}

/* Hands the notify fd to the agent with the container process state, as the spec says. */
static void send_listener_fd(int notify_fd)
{
	send_fd(listener_fd, notify_fd, process_state_json ? process_state_json : "", "seccomp notify fd",
		plan.seccomp_listener);
	listener_fd = -1;
}

static void load_seccomp(void)
{
	struct sock_fprog prog = {.len = (unsigned short)(plan.seccomp_len / 8),
				  .filter = (struct sock_filter *)plan.seccomp_bpf};
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, plan.seccomp_flags, &prog);
	if (r < 0)
		fail(errno, "load the seccomp filter");
	if (plan.seccomp_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		send_listener_fd((int)r);
}

static void set_cpu_affinity(const struct plan_cpu_mask *m, const char *which)
{
	if (m->present && sched_setaffinity(0, sizeof(m->bits), (const cpu_set_t *)m->bits))
		fail(errno, "sched_setaffinity (%s)", which);
}

/* sched_setattr's argument (glibc has no wrapper, and the uapi header clashes with <sched.h>). */
struct sched_attr_v1 {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
};

/* ioPriority, scheduler, personality, memory policy: the process's own attributes. */
static void set_process_attributes(void)
{
	if (plan.has_io_priority && syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, plan.io_priority))
		fail(errno, "ioprio_set 0x%x", plan.io_priority);
	if (plan.scheduler.present) {
		struct sched_attr_v1 attr = {
			.size = sizeof(attr), .sched_policy = plan.scheduler.policy,
			.sched_flags = plan.scheduler.flags, .sched_nice = (int32_t)plan.scheduler.nice,
			.sched_priority = plan.scheduler.priority, .sched_runtime = plan.scheduler.runtime,
			.sched_deadline = plan.scheduler.deadline, .sched_period = plan.scheduler.period,
		};
		if (syscall(SYS_sched_setattr, 0, &attr, 0))
			fail(errno, "sched_setattr policy %u", plan.scheduler.policy);
	}
	if (plan.has_personality && personality(plan.personality) < 0)
		fail(errno, "personality 0x%x", plan.personality);
	if (plan.has_memory_policy &&
	    syscall(SYS_set_mempolicy, plan.mempolicy_mode | plan.mempolicy_flags, plan.mempolicy_nodes,
		    (unsigned long)PLAN_CPU_WORDS * 64 + 1))
		fail(errno, "set_mempolicy mode %u", plan.mempolicy_mode);
}

/* ---- the process ---- */

/* Resolves args[0] like the PATH search of an exec, before the user switch. */
static void lookup_executable(void)
{
	const char *name = plan.args[0], *path = DEFAULT_PATH;
	const char *cwd = strcmp(plan.cwd, "/") ? plan.cwd : "";
	char cand[PATH_MAX];
	struct stat st;

	if (strchr(name, '/')) { /* no search; a relative name counts from the cwd */
		if (snprintf(cand, sizeof(cand), "%s%s%s", *name == '/' ? "" : cwd,
			     *name == '/' ? "" : "/", name) >= (int)sizeof(cand))
			fail(ENAMETOOLONG, "exec: \"%s\": file name too long", name);
		if (stat(cand, &st))
			fail(errno, "exec: \"%s\": %s", name,
			     errno == ENOENT ? "no such file or directory" : strerror(errno));
		if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
			fail(EACCES, "exec: \"%s\": permission denied", name);
		strcpy(exe_path, name); /* name is shorter than cand */
		return;
	}
	for (size_t i = 0; i < plan.n_env; i++) /* the last PATH wins, as in a shell */
		if (!strncmp(plan.env[i], "PATH=", 5))
			path = plan.env[i] + 5;
	for (;;) {
		size_t len = strcspn(path, ":");
		const char *dir = len ? path : ".";
		int dlen = len ? (int)len : 1;

		if (snprintf(cand, sizeof(cand), "%s%s%.*s/%s", *dir == '/' ? "" : cwd,
			     *dir == '/' ? "" : "/", dlen, dir, name) < (int)sizeof(cand) &&
		    !stat(cand, &st) && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
			strcpy(exe_path, cand);
			return;
		}
		if (!path[len])
			break;
		path += len + 1;
	}
	fail(ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
}

/*
 * The cwd is resolved inside the new root without magic links: a cwd of
 * /proc/self/fd/N would otherwise land in whatever host directory fd N still
 * names until execve (CVE-2024-21626). And whatever chdir'd, getcwd must then
 * name a path inside the root.
 */
static int enter_cwd(void)
{
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	char buf[PATH_MAX];
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd = root < 0 ? -1 : (int)syscall(SYS_openat2, root, plan.cwd, &how, sizeof(how));
	if (root >= 0)
		close(root);
	if (fd < 0 || fchdir(fd)) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		return err;
	}
	close(fd);
	if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
		fail(errno ? errno : EPERM, "cwd (\"%s\") is outside the container's root", plan.cwd);
	return 0;
}

static void cwd_failed(int err)
{
	fail(err, "chdir to cwd (\"%s\") set in config.json failed", plan.cwd);
}

static void set_credentials(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];

	for (int cap = 0; cap < 64; cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0)
			break; /* past the last capability this kernel knows */
		if (!(plan.cap_bounding >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			fail(errno, "drop capability %d from the bounding set", cap);
	}
	/* keep the permitted set across the uid change; capset below trims it */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		fail(errno, "prctl PR_SET_KEEPCAPS");
	if (plan.has_additional_gids &&
	    syscall(SYS_setgroups, plan.n_additional_gids, plan.additional_gids))
		fail(errno, "setgroups");
	if (plan.uid == (uint32_t)-1 || plan.gid == (uint32_t)-1) /* setres*id would keep what we have: root */
		fail(EINVAL, "uid and gid must not be 4294967295 (-1)");
	if (syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid))
		fail(errno, "setresgid %u", plan.gid);
	if (syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid))
		fail(errno, "setresuid %u", plan.uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0))
		fail(errno, "prctl PR_SET_KEEPCAPS");
	for (int i = 0; i < 2; i++) {
		data[i].effective = (uint32_t)(plan.cap_effective >> (32 * i));
		data[i].permitted = (uint32_t)(plan.cap_permitted >> (32 * i));
		data[i].inheritable = (uint32_t)(plan.cap_inheritable >> (32 * i));
	}
	if (syscall(SYS_capset, &hdr, data))
		fail(errno, "capset");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		fail(errno, "clear the ambient capabilities");
	for (int cap = 0; cap < 64; cap++)
		if ((plan.cap_ambient >> cap & 1) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0))
			fail(errno, "raise ambient capability %d", cap);
}

/*
 * Binds the pty slave on /dev/console with the new mount API, onto an fd of
 * /dev/console reached without symlinks: a container cannot redirect the bind
 * onto another file (CVE-2025-52565).
 */
static void mount_dev_console(int slave)
{
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
	struct statfs sfs;
	struct stat st;
	int dev, target, tree;

	if ((dev = (int)syscall(SYS_openat2, AT_FDCWD, "/dev", &how, sizeof(how))) < 0)
		fail(errno, "open \"/dev\" in the container");
	target = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0 && errno == ENOENT) {
		int f = openat(dev, "console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (f < 0)
			fail(errno, "create \"/dev/console\"");
		close(f);
		target = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	if (target < 0 || fstat(target, &st) || fstatfs(target, &sfs))
		fail(errno, "open \"/dev/console\"");
	if ((!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) || sfs.f_type == PROC_SUPER_MAGIC ||
	    sfs.f_type == SYSFS_MAGIC)
		fail(EPERM, "\"/dev/console\" in the container is not a file or device node of its /dev");
	if ((tree = (int)syscall(SYS_open_tree, slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH)) < 0)
		fail(errno, "open_tree of the pty");
	if (syscall(SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH))
		fail(errno, "mount the pty on \"/dev/console\"");
	close(tree);
	close(target);
	close(dev);
}

/*
 * The process's terminal: a pty of the container's devpts (opened through the
 * container's /dev/ptmx once we are in its root), its peer as our stdio and
 * controlling terminal, and for a container's init also on /dev/console. The
 * master goes to the console socket.
 */
static void setup_console(void)
{
	struct statfs sfs;
	struct stat st;
	int unlock = 0, master, slave;

	if (!plan.console.socket)
		return;
	if ((master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		fail(errno, "open \"/dev/ptmx\" in the container");
	if (fstatfs(master, &sfs) || sfs.f_type != DEVPTS_SUPER_MAGIC)
		fail(EXDEV, "\"/dev/ptmx\" in the container is not on a devpts");
	if (ioctl(master, TIOCSPTLCK, &unlock))
		fail(errno, "unlock the pty");
	/* the peer of this master, never a path that could have been swapped */
	if ((slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		fail(errno, "open the pty's peer");
	if (fstat(slave, &st) || !S_ISCHR(st.st_mode) || fstatfs(slave, &sfs) || sfs.f_type != DEVPTS_SUPER_MAGIC)
		fail(EXDEV, "the pty's peer is not a devpts character device");
	/* the process's own terminal, as with runc: its uid (the group stays devpts's gid=, tty) */
	if (fchown(slave, plan.uid, (gid_t)-1))
		fail(errno, "chown the pty to uid %u", plan.uid);
	if (plan.console.rows && plan.console.cols) {
		struct winsize ws = {.ws_row = (unsigned short)plan.console.rows, .ws_col = (unsigned short)plan.console.cols};
		if (ioctl(master, TIOCSWINSZ, &ws))
			fail(errno, "set the terminal size %ux%u", plan.console.cols, plan.console.rows);
	}
	if (plan.console.flags & PLAN_CONSOLE_DEV_CONSOLE)
		mount_dev_console(slave);
	send_fd(console_fd, master, "/dev/ptmx", "pty master", plan.console.socket);
	console_fd = -1;
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			fail(errno, "make the pty stdio");
	if (ioctl(0, TIOCSCTTY, 0))
		fail(errno, "make the pty the controlling terminal");
	close(slave);
}

/*
 * Stdio that is the host's /dev/null (what an engine gives a detached
 * container) is reopened on the container's own /dev/null, as runc does: the
 * container then holds no file of a host mount, which CRIU could not dump.
 * A /dev/null that is not the null device is left alone.
 */
static void reopen_dev_null(void)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS};
	struct stat null_st, st;
	int path_fd = (int)syscall(SYS_openat2, AT_FDCWD, "/dev/null", &how, sizeof(how));

	if (path_fd < 0)
		return; /* no /dev/null in the container: nothing to reopen on */
	if (fstat(path_fd, &null_st) || !S_ISCHR(null_st.st_mode) || null_st.st_rdev != makedev(1, 3)) {
		close(path_fd);
		return;
	}
	for (int fd = 0; fd < 3; fd++) {
		int flags = fcntl(fd, F_GETFL);
		if (flags < 0 || fstat(fd, &st) || !S_ISCHR(st.st_mode) || st.st_rdev != null_st.st_rdev ||
		    (st.st_dev == null_st.st_dev && st.st_ino == null_st.st_ino))
			continue;
		struct open_how rw = {.flags = (uint64_t)(flags & O_ACCMODE) | O_NOCTTY | O_CLOEXEC,
				      .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS};
		int fresh = (int)syscall(SYS_openat2, AT_FDCWD, "/dev/null", &rw, sizeof(rw));
		if (fresh < 0)
			fail(errno, "reopen /dev/null of the container for fd %d", fd);
		if (dup2(fresh, fd) < 0)
			fail(errno, "make the container's /dev/null fd %d", fd);
		close(fresh);
	}
	close(path_fd);
}

/* Builds the container's root filesystem and enters it: the plan's rootfs, mounts, devices, ... */
static void build_rootfs(int own_mnt_ns)
{
	uint8_t ack[8];

	if (!own_mnt_ns) /* everything below would change the host's mounts */
		fail(EINVAL, "refusing to set up \"%s\" outside a new mount namespace", plan.rootfs);
	if (plan.root_propagation && mount(NULL, "/", NULL, MS_REC | plan.root_propagation, NULL))
		fail(errno, "set propagation 0x%llx on \"/\"", (unsigned long long)plan.root_propagation);
	make_rootfs_parent_private();
	if (mount(plan.rootfs, plan.rootfs, NULL, MS_BIND | MS_REC, NULL))
		fail(errno, "bind rootfs \"%s\" onto itself", plan.rootfs);
	if ((root_fd = open(plan.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		fail(errno, "open rootfs \"%s\"", plan.rootfs);

	do_mounts();
	make_devices();
	make_symlinks();
	if (plan.hostname && sethostname(plan.hostname, strlen(plan.hostname)))
		fail(errno, "sethostname \"%s\"", plan.hostname);
	if (plan.domainname && setdomainname(plan.domainname, strlen(plan.domainname)))
		fail(errno, "setdomainname \"%s\"", plan.domainname);
	write_sysctls();
	/* a cwd missing from the rootfs is made (0755), as runc and crun make it */
	close(open_create(plan.cwd, 0));
	mask_paths();
	readonly_paths();
	/* Java runs prestart and createRuntime hooks now, in the runtime's namespaces */
	if (send_msg(SYNC_MOUNTS_DONE, NULL, 0))
		fail(errno, "send MOUNTS_DONE");
	recv_msg(SYNC_MOUNTS_ACK, ack, sizeof(ack), "MOUNTS_ACK");
	run_hooks(PLAN_HOOK_CREATE_CONTAINER, "createContainer");

	enter_rootfs();
	reopen_dev_null();
	if (plan.rootfs_propagation_after && mount(NULL, "/", NULL, plan.rootfs_propagation_after, NULL))
		fail(errno, "set propagation 0x%llx on \"/\"", (unsigned long long)plan.rootfs_propagation_after);
	setup_console(); /* /dev/console must still be writable */
	if (plan.rootfs_flags & PLAN_ROOTFS_READONLY)
		remount_root(MS_RDONLY);
}

/* exec mode: the container exists; enter the root its init sees (stage1 joined its mount namespace). */
static void enter_exec_root(void)
{
	if (fchdir(exec_root_fd) || chroot(".") || chdir("/"))
		fail(errno, "enter the container's root \"%s\"", plan.exec_root);
	close(exec_root_fd);
	exec_root_fd = -1;
	setup_console();
}

/*
 * Blocks until `crema start` opens exec.fifo for reading. The fifo is
 * reopened for writing through our O_PATH fd of the fifo itself, as runc
 * does: while it waits the init holds no directory of the host that a
 * process of the container could walk up from through /proc/<pid>/fd. This
 * needs the container's procfs at /proc; what it opens must be that fifo.
 */
static void wait_for_start(void)
{
	int f = open(fifo_path, O_WRONLY | O_CLOEXEC);

	if (f < 0)
		fail(errno, "reopen exec.fifo through \"%s\"", fifo_path);
	if (write(f, "0", 1) != 1)
		fail(errno, "write \"%s/exec.fifo\"", plan.fifo_dir);
	close(f);
	close(fifo_fd);
	fifo_fd = -1;
}

/*
 * Before the filter and before READY, while no process of the container runs
 * yet: the path wait_for_start() will open must lead to exec.fifo itself.
 */
static void check_fifo_path(void)
{
	struct stat got;

	snprintf(fifo_path, sizeof(fifo_path), "/proc/self/fd/%d", fifo_fd);
	if (stat(fifo_path, &got))
		fail(errno, "stat \"%s\" (the container needs its procfs at /proc)", fifo_path);
	if (got.st_dev != fifo_st.st_dev || got.st_ino != fifo_st.st_ino)
		fail(EXDEV, "\"%s\" in the container is not exec.fifo", fifo_path);
}

/* Opens exec.fifo O_PATH (as host root, in stage1): the init waits on it. */
static void open_fifo(void)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/exec.fifo", plan.fifo_dir) >= (int)sizeof(path))
		fail(ENAMETOOLONG, "open \"%s/exec.fifo\"", plan.fifo_dir);
	if ((fifo_fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0 || fstat(fifo_fd, &fifo_st))
		fail(errno, "open \"%s\"", path);
	if (!S_ISFIFO(fifo_st.st_mode))
		fail(EINVAL, "\"%s\" is not a fifo", path);
}

/*
 * PLAN_HOME_FROM_PASSWD: the home of the process's uid in the container's
 * /etc/passwd (read in its root, as root, before anything of the container
 * runs), else "/". Only a regular file is read, and at most 1 MiB of it: an
 * image cannot make us block on a fifo or read forever.
 */
static void add_home(void)
{
	static char passwd[1 << 20], entry[PATH_MAX + 6];
	const char *home = "/";
	struct stat st;
	ssize_t n = -1;
	int fd = open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode))
		n = read(fd, passwd, sizeof(passwd) - 1);
	if (fd >= 0)
		close(fd);
	passwd[n > 0 ? n : 0] = '\0';
	for (char *line = passwd, *next; *line; line = next) { /* name:password:uid:gid:gecos:home:shell */
		char *field[7] = {0}, *end;
		int k = 0;
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		else
			next = line + strlen(line);
		for (char *f = line; f && k < 7; k++) {
			field[k] = f;
			if ((f = strchr(f, ':')))
				*f++ = '\0';
		}
		if (k >= 6 && *field[2] && strtoul(field[2], &end, 10) == plan.uid && !*end) {
			if (*field[5])
				home = field[5];
			break;
		}
	}
	snprintf(entry, sizeof(entry), "HOME=%s", home);
	char **env = realloc(plan.env, (plan.n_env + 2) * sizeof(char *));
	if (!env)
		fail(ENOMEM, "add HOME to the environment");
	env[plan.n_env++] = entry;
	env[plan.n_env] = NULL;
	plan.env = env;
}

/* The container init: PLAN.md "Executing it", strictly in that order. */
/* The fds send_bind_sources sent, each with its mount's index; stage1's exit ends the list. */
static void receive_bind_sources(void)
{
	for (;;) {
		uint32_t index;
		char cbuf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = {&index, sizeof(index)};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
		ssize_t n = recvmsg(sources_sock[1], &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail(errno, "receive the bind sources");
		if (n == 0)
			break;
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		if (n != sizeof(index) || !c || c->cmsg_type != SCM_RIGHTS || index >= plan.n_mounts)
			fail(EPROTO, "receive the bind sources: a malformed message");
		memcpy(&source_fds[index], CMSG_DATA(c), sizeof(int));
	}
	close(sources_sock[1]);
	sources_sock[1] = -1;
}

/* Whether the container has a user namespace of its own, new or joined by path. */
static int in_container_user_ns(void)
{
	if (plan.clone_flags & CLONE_NEWUSER)
		return 1;
	for (size_t i = 0; i < plan.n_ns_joins; i++)
		if (plan.ns_joins[i].nstype == CLONE_NEWUSER)
			return 1;
	return 0;
}

/*
 * A new IPC namespace in a user namespace is made by the init once it is that
 * namespace's root, not by clone(): the kernel makes the namespace's mqueue
 * filesystem with its maker's fsuid, and the host's root, unmapped there,
 * would leave /dev/mqueue to the overflow uid.
 */
static int ipc_ns_after_ids(void)
{
	return (plan.clone_flags & CLONE_NEWIPC) && in_container_user_ns();
}

static void __attribute__((noreturn)) init(void)
{
	uint8_t *ack_buf = malloc(SYNC_MAX_MESSAGE + 1); /* +1: room for a NUL */
	sigset_t all;

	if (!ack_buf)
		fail(ENOMEM, "allocate the sync buffer");
	size_t n = recv_msg(SYNC_PID_ACK, ack_buf, SYNC_MAX_MESSAGE, "PID_ACK");
	/* the id maps are written: from here on non-dumpable, whoever the parent is (CVE-2019-5736) */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		fail(errno, "prctl PR_SET_DUMPABLE");
	/* the payload: the state JSON for hooks, then after a NUL the seccomp agent's process state */
	state_json = (char *)ack_buf + 4;
	state_len = strnlen(state_json, n);
	if (state_len + 1 < n) {
		ack_buf[4 + n] = 0; /* within the +1 of the allocation */
		process_state_json = state_json + state_len + 1;
	}
	if (sources_sock[1] >= 0)
		receive_bind_sources();
	/* the container gets its own session, and unless --no-new-keyring its own keyring,
	 * so the keys of the caller's session stay out of reach */
	if (setsid() < 0)
		fail(errno, "setsid");
	if ((plan.process_flags & PLAN_NEW_KEYRING) &&
	    syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS)
		fail(errno, "join a new session keyring");
	umask(0); /* modes of created dirs and devices are exactly the plan's */

	int own_mnt_ns = (plan.clone_flags & CLONE_NEWNS) != 0;
	for (size_t i = 0; i < plan.n_ns_joins; i++)
		own_mnt_ns |= plan.ns_joins[i].nstype == CLONE_NEWNS;
	/* our ids are still the host's, unmapped in the new user namespace: become its root
	 * (the maps are written now) so that files we create have an owner there */
	if (in_container_user_ns() && (syscall(SYS_setresgid, 0, 0, 0) || syscall(SYS_setresuid, 0, 0, 0)))
		fail(errno, "become root in the user namespace");
	/* only now, as that root: a new IPC namespace's mqueue filesystem is owned by its maker */
	if (ipc_ns_after_ids() && unshare(CLONE_NEWIPC))
		fail(errno, "unshare CLONE_NEWIPC");
	if (plan.exec_root)
		enter_exec_root();
	else
		build_rootfs(own_mnt_ns);
	if (plan.process_flags & PLAN_HOME_FROM_PASSWD)
		add_home();
	for (size_t i = 0; i < plan.n_rlimits; i++) {
		struct rlimit rl = {plan.rlimits[i].soft, plan.rlimits[i].hard};
		if (setrlimit((int)plan.rlimits[i].resource, &rl))
			fail(errno, "setrlimit %u", plan.rlimits[i].resource);
	}
	lookup_executable();
	set_process_attributes();
	/* the cwd as root first, as runc does: a directory only the container's user may enter
	 * (a volume chowned to it) is tried again after the switch */
	int cwd_err = enter_cwd();
	if (cwd_err && cwd_err != EACCES && cwd_err != EPERM)
		cwd_failed(cwd_err);
	umask(plan.has_umask ? plan.umask & 0777 : 022);
	/* no host fd may reach the container: the sync socket and exec.fifo are >= 3+P too */
	if (close_range(3 + plan.preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC))
		fail(errno, "close_range");
	/* the container starts with default signal handling whatever we were given */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (fifo_fd >= 0)
		check_fifo_path();
	/*
	 * Without no_new_privs, loading the filter needs CAP_SYS_ADMIN: it goes on now,
	 * and after it only what runc also does after its own: the identity calls, READY,
	 * the exec.fifo wait, startContainer hooks, the final affinity and execve.
	 */
	if (plan.seccomp_bpf && plan.seccomp_early)
		load_seccomp();
	set_credentials();
	if (cwd_err && (cwd_err = enter_cwd()))
		cwd_failed(cwd_err);
	if ((plan.process_flags & PLAN_NO_NEW_PRIVS) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		fail(errno, "prctl PR_SET_NO_NEW_PRIVS");

	if (send_msg(SYNC_READY, NULL, 0))
		fail(errno, "send READY");
	ready_sent = 1;
	close(sync_fd); /* nothing more to say to Java, and nothing of the host to keep */
	sync_fd = -1;
	if (fifo_fd >= 0)
		wait_for_start();
	run_hooks(PLAN_HOOK_START_CONTAINER, "startContainer");
	set_cpu_affinity(&plan.cpu_affinity_final, "final");
	if (plan.seccomp_bpf && !plan.seccomp_early) /* as late as possible: only execve follows */
		load_seccomp();
	execve(exe_path, plan.args, plan.env);
	fprintf(stderr, "crema-init: exec \"%s\": %s\n", exe_path, strerror(errno));
	_exit(127);
}

/* ---- stage1 ---- */

/* Opens every NS_JOIN path first (after a mount namespace join they would name other files), then joins in order. */
static void join_namespaces(void)
{
	int fds[8];

	for (size_t i = 0; i < plan.n_ns_joins; i++)
		if ((fds[i] = open(plan.ns_joins[i].path, O_RDONLY | O_CLOEXEC)) < 0)
			fail(errno, "open namespace \"%s\"", plan.ns_joins[i].path);
	for (size_t i = 0; i < plan.n_ns_joins; i++) {
		if (setns(fds[i], (int)plan.ns_joins[i].nstype))
			fail(errno, "setns \"%s\"", plan.ns_joins[i].path);
		close(fds[i]);
	}
}

/*
 * In a new user namespace the init is an unprivileged id of the host by the
 * time it mounts: a bind source below a directory only the host's root may
 * enter would be out of its reach. So stage1, still the host's root, enters
 * the init's mount namespace (a copy of ours: open_tree there takes only its
 * own mounts) and opens each bind source O_PATH, as runc and crun do, and
 * sends the fds over. The init uses each once and closes it before any code
 * of the container runs. A source stage1 cannot open is left to the init,
 * which says why it cannot either.
 */
static void send_bind_sources(long pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld/ns/mnt", pid);
	int ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0 || setns(ns, CLONE_NEWNS))
		fail(errno, "enter the container's mount namespace \"%s\"", path);
	close(ns);
	for (uint32_t i = 0; i < plan.n_mounts; i++) {
		if (plan.mounts[i].kind != PLAN_MOUNT_BIND)
			continue;
		int fd = open(plan.mounts[i].source, O_PATH | O_CLOEXEC);
		if (fd < 0)
			continue;
		char cbuf[CMSG_SPACE(sizeof(int))] = {0};
		struct iovec iov = {&i, sizeof(i)};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
		if (sendmsg(sources_sock[0], &msg, MSG_NOSIGNAL) < 0)
			fail(errno, "send bind source \"%s\"", plan.mounts[i].source);
		close(fd);
	}
	close(sources_sock[0]);
}

static int has_bind_mounts(void)
{
	for (size_t i = 0; i < plan.n_mounts; i++)
		if (plan.mounts[i].kind == PLAN_MOUNT_BIND)
			return 1;
	return 0;
}

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

/*
 * CVE-2019-5736: a process of the container can get hold of our executable
 * through /proc/<pid>/exe (of a "#!/proc/self/exe" script run by exec, say)
 * and reopen it for writing once we are gone. So we never run from the
 * installed file: first of all we copy it into a memfd, seal that against any
 * change and re-exec from it. /proc/<pid>/exe then names an anonymous copy no
 * one can write, with no path back to the host's file.
 */
static void run_from_sealed_copy(char **argv, char **envp)
{
	const int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	struct stat st;
	int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (self < 0)
		fail(errno, "open /proc/self/exe");
	int have = fcntl(self, F_GET_SEALS); /* EINVAL: a plain file, not our copy */
	if (have >= 0 && (have & seals) == seals) {
		close(self);
		return;
	}
	/* MFD_EXEC: allowed to be executed where vm.memfd_noexec asks for it; older kernels refuse the flag */
	int copy = memfd_create("crema-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (copy < 0 && errno == EINVAL)
		copy = memfd_create("crema-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (copy < 0)
		fail(errno, "memfd_create for a sealed copy of crema-init");
	if (fstat(self, &st))
		fail(errno, "stat /proc/self/exe");
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = sendfile(copy, self, NULL, (size_t)(st.st_size - done));
		if (n <= 0)
			fail(n < 0 ? errno : EIO, "copy crema-init into a memfd");
		done += n;
	}
	if (fcntl(copy, F_ADD_SEALS, seals))
		fail(errno, "seal the copy of crema-init");
	close(self);
	fexecve(copy, argv, envp);
	fail(errno, "execute the sealed copy of crema-init");
}

int main(int argc, char **argv, char **envp)
{
	const char *s = getenv("_CREMA_SYNC_FD");
	char *end = NULL, err[256];
	struct stat st;
	long fd = s ? strtol(s, &end, 10) : -1;
	uint8_t *buf, pid_msg[4];
	size_t n;

	if (!s || !*s || *end || fd < 3 || fd > INT_MAX || fstat((int)fd, &st) || !S_ISSOCK(st.st_mode)) {
		fputs("crema-init: crema's internal helper, not a command (_CREMA_SYNC_FD must name a socket)\n",
		      stderr);
		return 2;
	}
	sync_fd = (int)fd;
	run_from_sealed_copy(argv, envp);
	/* Java moves us into the container's cgroup only now: the copy is charged to the caller's, not to the container */
	if (send_msg(SYNC_SEALED, NULL, 0))
		fail(errno, "send SEALED");

	if (!(buf = malloc(SYNC_MAX_MESSAGE)))
		fail(ENOMEM, "allocate the plan buffer");
	n = recv_msg(SYNC_PLAN, buf, SYNC_MAX_MESSAGE, "PLAN");
	if (plan_decode(buf + 4, n, &plan, err, sizeof(err)))
		fail(EINVAL, "%s", err);
	free(buf);
	if (plan.preserve_fds > (uint32_t)sync_fd - 3)
		fail(EBADF, "sync fd %d is below 3+%u preserved fds", sync_fd, plan.preserve_fds);
	if (plan.clone_flags & ~(uint64_t)NS_FLAGS)
		fail(EINVAL, "clone flags 0x%llx are not all CLONE_NEW* flags",
		     (unsigned long long)plan.clone_flags);

	if (plan.exec_root && plan.clone_flags)
		fail(EINVAL, "an exec plan cannot create namespaces (clone flags 0x%llx)",
		     (unsigned long long)plan.clone_flags);
	/* no process of the container may read our memory or /proc/<pid>/exe (CVE-2019-5736) */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		fail(errno, "prctl PR_SET_DUMPABLE");
	/* host paths: reach them before any namespace is joined */
	if (plan.seccomp_listener)
		listener_fd = connect_unix(plan.seccomp_listener, "seccomp listener");
	if (plan.console.socket)
		console_fd = connect_unix(plan.console.socket, "console socket");
	if (plan.exec_root && (exec_root_fd = open(plan.exec_root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		fail(errno, "open the container's root \"%s\"", plan.exec_root);
	if (plan.fifo_dir)
		open_fifo();
	prepare_idmaps();
	join_namespaces();
	/* CLONE_NEWTIME shares its bit with the exit signal of clone(): unshare it for the child */
	if ((plan.clone_flags & CLONE_NEWTIME) && unshare(CLONE_NEWTIME))
		fail(errno, "unshare CLONE_NEWTIME");
	/* offsets must be set before any process enters the new time namespace */
	if (plan.time_offsets) {
		int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
		size_t len = strlen(plan.time_offsets);
		if (fd < 0 || write(fd, plan.time_offsets, len) != (ssize_t)len)
			fail(errno, "write /proc/self/timens_offsets");
		close(fd);
	}
	set_cpu_affinity(&plan.cpu_affinity_initial, "initial");
	if ((plan.clone_flags & CLONE_NEWUSER) && !(plan.rootfs_flags & PLAN_ROOTFS_UNPRIVILEGED_PARENT) && has_bind_mounts() &&
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sources_sock))
		fail(errno, "socketpair for the bind sources");

	/* a non-dumpable init's /proc files are the host root's: crema, as the same user, could not write its id maps */
	if ((plan.rootfs_flags & PLAN_ROOTFS_UNPRIVILEGED_PARENT) && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		fail(errno, "prctl PR_SET_DUMPABLE for the id maps");
	uint64_t later = CLONE_NEWTIME | (ipc_ns_after_ids() ? CLONE_NEWIPC : 0);
	long pid = syscall(SYS_clone, (unsigned long)(plan.clone_flags & ~later) | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		fail(errno, "clone");
	if (pid == 0) {
		if (sources_sock[0] >= 0)
			close(sources_sock[0]); /* stage1's end: its exit is the end of the list */
		init();
	}
	if (sources_sock[0] >= 0) {
		close(sources_sock[1]);
		send_bind_sources(pid);
	}
	put_le32(pid_msg, (uint32_t)pid);
	if (send_msg(SYNC_PID, pid_msg, sizeof(pid_msg)))
		fail(errno, "send PID");
	return 0;
}
