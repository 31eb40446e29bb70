/* The launch plan written by crema.plan.PlanEncoder; the format is PLAN.md. */
#ifndef CREMA_PLAN_H
#define CREMA_PLAN_H

#include <stddef.h>
#include <stdint.h>

#define PLAN_MAGIC 0x31505243u /* "CRP1" little-endian */
#define PLAN_VERSION 1
#define PLAN_HEADER_SIZE 12
#define SYNC_MAX_MESSAGE (1u << 20) /* a whole sync datagram, type included */

enum plan_tag {
	PT_CLONE_FLAGS = 1,
	PT_NS_JOIN = 2,
	PT_HOSTNAME = 3,
	PT_DOMAINNAME = 4,
	PT_TIME_OFFSETS = 5,
	PT_ROOTFS = 10,
	PT_ROOTFS_FLAGS = 11,
	PT_ROOT_PROPAGATION = 12,
	PT_ROOTFS_PROPAGATION_AFTER = 13,
	PT_MOUNT = 20,
	PT_DEVICE = 21,
	PT_SYMLINK = 22,
	PT_MASKED_PATH = 23,
	PT_READONLY_PATH = 24,
	PT_SYSCTL = 25,
	PT_ARG = 30,
	PT_ENV = 31,
	PT_CWD = 32,
	PT_USER = 33,
	PT_ADDITIONAL_GIDS = 34,
	PT_RLIMIT = 35,
	PT_CAPS = 36,
	PT_PROCESS_FLAGS = 37,
	PT_SECCOMP = 38,
	PT_HOOK = 39,
	PT_FIFO_DIR = 40,
	PT_PRESERVE_FDS = 41,
	PT_IO_PRIORITY = 42,
	PT_SCHEDULER = 43,
	PT_CPU_AFFINITY = 44,
	PT_PERSONALITY = 45,
	PT_MEMORY_POLICY = 46,
	PT_SECCOMP_LISTENER = 47,
	PT_EXEC_ROOT = 48,
	PT_CONSOLE = 49,
};

#define PLAN_ROOTFS_READONLY 0x1u
#define PLAN_ROOTFS_NO_PIVOT 0x2u
#define PLAN_ROOTFS_UNPRIVILEGED_PARENT 0x4u
#define PLAN_MOUNT_BIND 1u          /* mount.kind */
#define PLAN_MOUNT_FILE 0x1u        /* mount.flags2 */
#define PLAN_MOUNT_TMPCOPYUP 0x2u   /* mount.flags2: copy what the directory held into the new tmpfs */
#define PLAN_MOUNT_IDMAP 0x4u       /* mount.flags2: idmap the bind with uid_map/gid_map */
#define PLAN_MOUNT_IDMAP_REC 0x8u   /* mount.flags2: ... and every mount below it */
#define PLAN_MOUNT_KEEP_DIR_MODE 0x10u /* mount.flags2: a tmpfs takes the mode of the directory it covers, if that existed */
#define PLAN_MOUNT_ORDINARY_DIR 0x20u  /* mount.flags2: refuse a destination reached through a symlink (proc, sysfs) */
#define PLAN_DEVICE_BIND_HOST 0x1u  /* device.flags */
#define PLAN_NO_NEW_PRIVS 0x1u      /* process_flags */
#define PLAN_NEW_KEYRING 0x2u       /* process_flags: join a new session keyring */
#define PLAN_HOME_FROM_PASSWD 0x4u  /* process_flags: add HOME from the container's /etc/passwd, else "/" */
#define PLAN_CONSOLE_DEV_CONSOLE 0x1u /* console.flags: bind the pty on /dev/console */

struct plan_ns_join {
	uint32_t nstype;
	char *path;
};

struct plan_mount {
	uint32_t kind, flags2;
	uint64_t flags, propagation, attr_set, attr_clr;
	char *source, *destination, *fstype, *data;
	char *uid_map, *gid_map; /* uid_map/gid_map text for an idmapped bind; "" = the container's */
};

struct plan_device {
	uint32_t type, major, minor, perm, uid, gid, flags;
	char *path;
};

struct plan_symlink {
	char *target, *linkpath;
};

struct plan_sysctl {
	char *key, *value;
};

#define PLAN_HOOK_CREATE_CONTAINER 1u
#define PLAN_HOOK_START_CONTAINER 2u
struct plan_hook {
	uint32_t kind, timeout; /* timeout in seconds, 0 = none */
	char *path;
	char **args; /* NULL-terminated */
	char **env;  /* NULL-terminated */
};

#define PLAN_CPU_WORDS 16 /* 1024 cpus or memory nodes */
struct plan_cpu_mask {
	int present;
	uint64_t bits[PLAN_CPU_WORDS];
};

struct plan_scheduler {
	int present;
	uint32_t policy, nice, priority;
	uint64_t flags, runtime, deadline, period;
};

struct plan_console {
	uint32_t rows, cols, flags;
	char *socket; /* NULL: no terminal */
};

struct plan_rlimit {
	uint32_t resource;
	uint64_t soft, hard;
};

/* Every string is a NUL-terminated heap copy; an absent optional string is NULL. */
struct plan {
	uint64_t clone_flags;
	struct plan_ns_join *ns_joins;
	size_t n_ns_joins;
	char *hostname, *domainname;
	char *rootfs;
	uint32_t rootfs_flags;
	uint64_t root_propagation, rootfs_propagation_after;
	struct plan_mount *mounts;
	size_t n_mounts;
	struct plan_device *devices;
	size_t n_devices;
	struct plan_symlink *symlinks;
	size_t n_symlinks;
	char **masked_paths;
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
	char **args; /* NULL-terminated, n_args >= 1 */
	size_t n_args;
	char **env;  /* NULL-terminated, possibly just {NULL} */
	size_t n_env;
	char *cwd;
	uint32_t uid, gid, has_umask, umask;
	int has_additional_gids;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	struct plan_rlimit *rlimits;
	size_t n_rlimits;
	uint64_t cap_bounding, cap_effective, cap_inheritable, cap_permitted, cap_ambient;
	uint32_t process_flags;
	char *fifo_dir;
	uint32_t preserve_fds;
	char *time_offsets; /* the text for /proc/self/timens_offsets */
	struct plan_sysctl *sysctls;
	size_t n_sysctls;
	uint32_t seccomp_flags, seccomp_early; /* early: load before dropping capabilities */
	uint8_t *seccomp_bpf;                  /* struct sock_filter[], NULL if none */
	size_t seccomp_len;                    /* in bytes, a multiple of 8 */
	char *seccomp_listener; /* unix socket path of the seccomp agent, NULL if none */
	char *exec_root;        /* exec mode: the container init's root to chroot into; NULL: build a rootfs */
	struct plan_console console;
	struct plan_hook *hooks;
	size_t n_hooks;
	int has_io_priority;
	uint32_t io_priority;
	struct plan_scheduler scheduler;
	struct plan_cpu_mask cpu_affinity_initial, cpu_affinity_final;
	int has_personality;
	uint32_t personality;
	int has_memory_policy;
	uint32_t mempolicy_mode, mempolicy_flags;
	uint64_t mempolicy_nodes[PLAN_CPU_WORDS];
};

/* Decodes exactly len bytes. Returns 0, or -1 with a message in err (and *out zeroed). */
int plan_decode(const uint8_t *buf, size_t len, struct plan *out, char *err, size_t errlen);
void plan_free(struct plan *p);

#endif
