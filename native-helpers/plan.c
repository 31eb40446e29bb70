/*
 * Decoder of the launch plan (PLAN.md). The plan crosses a privilege
 * boundary, so every length is checked against what is left before it is
 * used, and nothing is read in place: integers are assembled byte by byte
 * and strings are copied into NUL-terminated heap buffers.
 *
 * Two passes: the first checks the framing (record bounds, known tags,
 * fixed sizes, per-tag maximum counts, required records) so that the
 * second can size every array exactly and only has to parse payloads.
 */
#include "plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct tag_info {
	uint16_t tag;
	const char *name;
	uint32_t max;  /* maximum number of records */
	uint32_t size; /* exact payload size, 0 = variable */
	uint32_t min;  /* minimum number of records (1 = required) */
};

static const struct tag_info tags[] = {
	{PT_CLONE_FLAGS, "CLONE_FLAGS", 1, 8, 1},
	{PT_NS_JOIN, "NS_JOIN", 8, 0, 0},
	{PT_HOSTNAME, "HOSTNAME", 1, 0, 0},
	{PT_DOMAINNAME, "DOMAINNAME", 1, 0, 0},
	{PT_TIME_OFFSETS, "TIME_OFFSETS", 1, 0, 0},
	{PT_ROOTFS, "ROOTFS", 1, 0, 0}, /* or EXEC_ROOT: see check_mode() */
	{PT_ROOTFS_FLAGS, "ROOTFS_FLAGS", 1, 4, 0},
	{PT_ROOT_PROPAGATION, "ROOT_PROPAGATION", 1, 8, 0},
	{PT_ROOTFS_PROPAGATION_AFTER, "ROOTFS_PROPAGATION_AFTER", 1, 8, 0},
	{PT_MOUNT, "MOUNT", 4096, 0, 0},
	{PT_DEVICE, "DEVICE", 512, 0, 0},
	{PT_SYMLINK, "SYMLINK", 64, 0, 0},
	{PT_MASKED_PATH, "MASKED_PATH", 256, 0, 0},
	{PT_READONLY_PATH, "READONLY_PATH", 256, 0, 0},
	{PT_SYSCTL, "SYSCTL", 256, 0, 0},
	{PT_ARG, "ARG", 4096, 0, 1},
	{PT_ENV, "ENV", 4096, 0, 0},
	{PT_CWD, "CWD", 1, 0, 1},
	{PT_USER, "USER", 1, 16, 1},
	{PT_ADDITIONAL_GIDS, "ADDITIONAL_GIDS", 1, 0, 0},
	{PT_RLIMIT, "RLIMIT", 64, 20, 0},
	{PT_CAPS, "CAPS", 1, 40, 1},
	{PT_PROCESS_FLAGS, "PROCESS_FLAGS", 1, 4, 0},
	{PT_SECCOMP, "SECCOMP", 1, 0, 0},
	{PT_HOOK, "HOOK", 64, 0, 0},
	{PT_FIFO_DIR, "FIFO_DIR", 1, 0, 0},
	{PT_PRESERVE_FDS, "PRESERVE_FDS", 1, 4, 0},
	{PT_IO_PRIORITY, "IO_PRIORITY", 1, 4, 0},
	{PT_SCHEDULER, "SCHEDULER", 1, 48, 0},
	{PT_CPU_AFFINITY, "CPU_AFFINITY", 2, 8 + 8 * PLAN_CPU_WORDS, 0},
	{PT_PERSONALITY, "PERSONALITY", 1, 4, 0},
	{PT_MEMORY_POLICY, "MEMORY_POLICY", 1, 8 + 8 * PLAN_CPU_WORDS, 0},
	{PT_SECCOMP_LISTENER, "SECCOMP_LISTENER", 1, 0, 0},
	{PT_EXEC_ROOT, "EXEC_ROOT", 1, 0, 0},
	{PT_CONSOLE, "CONSOLE", 1, 0, 0},
};
#define NTAGS (sizeof(tags) / sizeof(tags[0]))

static int tag_index(uint16_t tag)
{
	for (size_t i = 0; i < NTAGS; i++)
		if (tags[i].tag == tag)
			return (int)i;
	return -1;
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

/* A cursor over one record's payload; knows how to name the record in errors. */
struct rd {
	const uint8_t *p;
	size_t left;
	unsigned recno;
	const char *name;
	size_t off;
	char *err;
	size_t errlen;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int rd_fail(struct rd *r, const char *field, const char *why)
{
	return fail(r->err, r->errlen, "plan record %u (%s) at offset %zu: %s: %s",
		    r->recno, r->name, r->off, field, why);
}

static int get_u32(struct rd *r, const char *field, uint32_t *v)
{
	if (r->left < 4)
		return rd_fail(r, field, "truncated u32");
	*v = le32(r->p);
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int get_u64(struct rd *r, const char *field, uint64_t *v)
{
	if (r->left < 8)
		return rd_fail(r, field, "truncated u64");
	*v = le64(r->p);
	r->p += 8;
	r->left -= 8;
	return 0;
}

static int get_str(struct rd *r, const char *field, char **out)
{
	uint32_t n;
	if (r->left < 4)
		return rd_fail(r, field, "truncated string length");
	n = le32(r->p);
	if (n > r->left - 4)
		return rd_fail(r, field, "string runs past the end of the record");
	if (memchr(r->p + 4, 0, n))
		return rd_fail(r, field, "string contains NUL");
	*out = malloc((size_t)n + 1);
	if (!*out)
		return rd_fail(r, field, "out of memory");
	memcpy(*out, r->p + 4, n);
	(*out)[n] = '\0';
	r->p += 4 + (size_t)n;
	r->left -= 4 + (size_t)n;
	return 0;
}

static int parse_mount(struct rd *r, struct plan_mount *m)
{
	if (get_u32(r, "kind", &m->kind) || get_u32(r, "flags2", &m->flags2) ||
	    get_u64(r, "flags", &m->flags) || get_u64(r, "propagation", &m->propagation) ||
	    get_u64(r, "attr_set", &m->attr_set) || get_u64(r, "attr_clr", &m->attr_clr) ||
	    get_str(r, "source", &m->source) || get_str(r, "destination", &m->destination) ||
	    get_str(r, "fstype", &m->fstype) || get_str(r, "data", &m->data) ||
	    get_str(r, "uid_map", &m->uid_map) || get_str(r, "gid_map", &m->gid_map))
		return -1;
	if ((m->flags2 & PLAN_MOUNT_IDMAP) && m->kind != PLAN_MOUNT_BIND)
		return rd_fail(r, "flags2", "only a bind mount can be idmapped");
	if (m->kind > PLAN_MOUNT_BIND)
		return rd_fail(r, "kind", "unknown mount kind");
	return 0;
}

static int parse_device(struct rd *r, struct plan_device *d)
{
	if (get_u32(r, "type", &d->type) || get_u32(r, "major", &d->major) ||
	    get_u32(r, "minor", &d->minor) || get_u32(r, "perm", &d->perm) ||
	    get_u32(r, "uid", &d->uid) || get_u32(r, "gid", &d->gid) ||
	    get_u32(r, "flags", &d->flags) || get_str(r, "path", &d->path))
		return -1;
	if (d->type != S_IFCHR && d->type != S_IFBLK && d->type != S_IFIFO)
		return rd_fail(r, "type", "not S_IFCHR, S_IFBLK or S_IFIFO");
	return 0;
}

static int parse_gids(struct rd *r, struct plan *p)
{
	uint32_t n;
	if (get_u32(r, "count", &n))
		return -1;
	if (n != r->left / 4 || r->left % 4)
		return rd_fail(r, "count", "does not match the record length");
	p->has_additional_gids = 1;
	p->n_additional_gids = n;
	p->additional_gids = calloc((size_t)n + 1, sizeof(uint32_t));
	if (!p->additional_gids)
		return rd_fail(r, "gid", "out of memory");
	for (uint32_t i = 0; i < n; i++)
		get_u32(r, "gid", &p->additional_gids[i]); /* length checked above */
	return 0;
}

/* A NULL-terminated array of count strings, count read first and bounded by the record. */
static int get_strs(struct rd *r, const char *field, char ***out)
{
	uint32_t n;
	if (get_u32(r, field, &n))
		return -1;
	if (n > r->left / 4)
		return rd_fail(r, field, "count runs past the end of the record");
	if (!(*out = calloc((size_t)n + 1, sizeof(char *))))
		return rd_fail(r, field, "out of memory");
	for (uint32_t i = 0; i < n; i++)
		if (get_str(r, field, &(*out)[i]))
			return -1;
	return 0;
}

static int parse_hook(struct rd *r, struct plan_hook *h)
{
	if (get_u32(r, "kind", &h->kind) || get_u32(r, "timeout", &h->timeout) ||
	    get_str(r, "path", &h->path) || get_strs(r, "args", &h->args) || get_strs(r, "env", &h->env))
		return -1;
	if (h->kind != PLAN_HOOK_CREATE_CONTAINER && h->kind != PLAN_HOOK_START_CONTAINER)
		return rd_fail(r, "kind", "must be 1 (createContainer) or 2 (startContainer)");
	return 0;
}

static int parse_seccomp(struct rd *r, struct plan *p)
{
	if (get_u32(r, "flags", &p->seccomp_flags) || get_u32(r, "early", &p->seccomp_early))
		return -1;
	if (r->left == 0 || r->left % 8 || r->left > 8 * 65535)
		return rd_fail(r, "program", "must be 1 to 65535 instructions of 8 bytes");
	if (!(p->seccomp_bpf = malloc(r->left)))
		return rd_fail(r, "program", "out of memory");
	memcpy(p->seccomp_bpf, r->p, r->left);
	p->seccomp_len = r->left;
	r->p += r->left;
	r->left = 0;
	return 0;
}

static int get_mask(struct rd *r, const char *field, uint64_t bits[PLAN_CPU_WORDS])
{
	for (int i = 0; i < PLAN_CPU_WORDS; i++)
		if (get_u64(r, field, &bits[i]))
			return -1;
	return 0;
}

/* Parses one record whose framing pass 1 has already checked. */
static int parse_record(struct rd *r, uint16_t tag, struct plan *p)
{
	switch (tag) {
	case PT_CLONE_FLAGS:
		return get_u64(r, "flags", &p->clone_flags);
	case PT_NS_JOIN: {
		struct plan_ns_join *j = &p->ns_joins[p->n_ns_joins++];
		return get_u32(r, "nstype", &j->nstype) || get_str(r, "path", &j->path) ? -1 : 0;
	}
	case PT_HOSTNAME:
		return get_str(r, "hostname", &p->hostname);
	case PT_DOMAINNAME:
		return get_str(r, "domainname", &p->domainname);
	case PT_ROOTFS:
		return get_str(r, "path", &p->rootfs);
	case PT_ROOTFS_FLAGS:
		return get_u32(r, "flags", &p->rootfs_flags);
	case PT_ROOT_PROPAGATION:
		return get_u64(r, "flags", &p->root_propagation);
	case PT_ROOTFS_PROPAGATION_AFTER:
		return get_u64(r, "flags", &p->rootfs_propagation_after);
	case PT_MOUNT:
		return parse_mount(r, &p->mounts[p->n_mounts++]);
	case PT_DEVICE:
		return parse_device(r, &p->devices[p->n_devices++]);
	case PT_SYMLINK: {
		struct plan_symlink *s = &p->symlinks[p->n_symlinks++];
		return get_str(r, "target", &s->target) || get_str(r, "linkpath", &s->linkpath) ? -1 : 0;
	}
	case PT_MASKED_PATH:
		return get_str(r, "path", &p->masked_paths[p->n_masked_paths++]);
	case PT_READONLY_PATH:
		return get_str(r, "path", &p->readonly_paths[p->n_readonly_paths++]);
	case PT_ARG:
		return get_str(r, "arg", &p->args[p->n_args++]);
	case PT_ENV:
		return get_str(r, "env", &p->env[p->n_env++]);
	case PT_CWD:
		return get_str(r, "path", &p->cwd);
	case PT_USER:
		return get_u32(r, "uid", &p->uid) || get_u32(r, "gid", &p->gid) ||
		       get_u32(r, "has_umask", &p->has_umask) || get_u32(r, "umask", &p->umask) ? -1 : 0;
	case PT_ADDITIONAL_GIDS:
		return parse_gids(r, p);
	case PT_RLIMIT: {
		struct plan_rlimit *l = &p->rlimits[p->n_rlimits++];
		return get_u32(r, "resource", &l->resource) || get_u64(r, "soft", &l->soft) ||
		       get_u64(r, "hard", &l->hard) ? -1 : 0;
	}
	case PT_CAPS:
		return get_u64(r, "bounding", &p->cap_bounding) ||
		       get_u64(r, "effective", &p->cap_effective) ||
		       get_u64(r, "inheritable", &p->cap_inheritable) ||
		       get_u64(r, "permitted", &p->cap_permitted) ||
		       get_u64(r, "ambient", &p->cap_ambient) ? -1 : 0;
	case PT_PROCESS_FLAGS:
		return get_u32(r, "flags", &p->process_flags);
	case PT_FIFO_DIR:
		return get_str(r, "path", &p->fifo_dir);
	case PT_PRESERVE_FDS:
		return get_u32(r, "count", &p->preserve_fds);
	case PT_TIME_OFFSETS:
		return get_str(r, "offsets", &p->time_offsets);
	case PT_SYSCTL: {
		struct plan_sysctl *s = &p->sysctls[p->n_sysctls++];
		return get_str(r, "key", &s->key) || get_str(r, "value", &s->value) ? -1 : 0;
	}
	case PT_SECCOMP:
		return parse_seccomp(r, p);
	case PT_HOOK:
		return parse_hook(r, &p->hooks[p->n_hooks++]);
	case PT_IO_PRIORITY:
		p->has_io_priority = 1;
		return get_u32(r, "priority", &p->io_priority);
	case PT_SCHEDULER: {
		struct plan_scheduler *s = &p->scheduler;
		uint32_t pad;
		s->present = 1;
		return get_u32(r, "policy", &s->policy) || get_u32(r, "nice", &s->nice) ||
		       get_u32(r, "priority", &s->priority) || get_u32(r, "pad", &pad) ||
		       get_u64(r, "flags", &s->flags) || get_u64(r, "runtime", &s->runtime) ||
		       get_u64(r, "deadline", &s->deadline) || get_u64(r, "period", &s->period) ? -1 : 0;
	}
	case PT_CPU_AFFINITY: {
		uint32_t which, pad;
		if (get_u32(r, "which", &which) || get_u32(r, "pad", &pad))
			return -1;
		if (which > 1)
			return rd_fail(r, "which", "must be 0 (initial) or 1 (final)");
		struct plan_cpu_mask *m = which ? &p->cpu_affinity_final : &p->cpu_affinity_initial;
		if (m->present)
			return rd_fail(r, "which", "given twice");
		m->present = 1;
		return get_mask(r, "mask", m->bits);
	}
	case PT_SECCOMP_LISTENER:
		return get_str(r, "path", &p->seccomp_listener);
	case PT_EXEC_ROOT:
		return get_str(r, "path", &p->exec_root);
	case PT_CONSOLE:
		if (get_u32(r, "rows", &p->console.rows) || get_u32(r, "cols", &p->console.cols) ||
		    get_u32(r, "flags", &p->console.flags) || get_str(r, "socket", &p->console.socket))
			return -1;
		if (p->console.rows > 0xffff || p->console.cols > 0xffff)
			return rd_fail(r, "rows", "rows and cols must be below 65536");
		if (!*p->console.socket)
			return rd_fail(r, "socket", "must not be empty");
		return 0;
	case PT_PERSONALITY:
		p->has_personality = 1;
		return get_u32(r, "persona", &p->personality);
	case PT_MEMORY_POLICY:
		p->has_memory_policy = 1;
		return get_u32(r, "mode", &p->mempolicy_mode) || get_u32(r, "flags", &p->mempolicy_flags) ||
		       get_mask(r, "nodes", p->mempolicy_nodes) ? -1 : 0;
	}
	return rd_fail(r, "tag", "unknown"); /* unreachable: pass 1 rejects it */
}

/* Pass 1: framing, tags, sizes and counts. */
static int check_framing(const uint8_t *buf, size_t len, size_t counts[NTAGS], char *err, size_t errlen)
{
	size_t off = PLAN_HEADER_SIZE;
	unsigned recno = 0;

	for (; off < len; recno++) {
		if (len - off < 6)
			return fail(err, errlen, "plan record %u at offset %zu: header runs past the end",
				    recno, off);
		uint16_t tag = le16(buf + off);
		uint32_t rlen = le32(buf + off + 2);
		int i = tag_index(tag);
		if (i < 0)
			return fail(err, errlen, "plan record %u at offset %zu: unknown tag %u", recno, off, tag);
		const struct tag_info *t = &tags[i];
		if (rlen > len - off - 6)
			return fail(err, errlen, "plan record %u (%s) at offset %zu: length %u runs past the end",
				    recno, t->name, off, rlen);
		if (t->size && rlen != t->size)
			return fail(err, errlen, "plan record %u (%s) at offset %zu: length %u, expected %u",
				    recno, t->name, off, rlen, t->size);
		if (++counts[i] > t->max)
			return fail(err, errlen, "plan record %u (%s) at offset %zu: more than %u %s records",
				    recno, t->name, off, t->max, t->name);
		off += 6 + (size_t)rlen;
	}
	for (size_t i = 0; i < NTAGS; i++)
		if (counts[i] < tags[i].min)
			return fail(err, errlen, "plan: required record %s (tag %u) is missing",
				    tags[i].name, tags[i].tag);
	return 0;
}

/*
 * A plan builds a container (ROOTFS) or joins one (EXEC_ROOT, exec mode),
 * never both; an exec plan carries no record that only building one uses.
 */
static int check_mode(const size_t counts[NTAGS], char *err, size_t errlen)
{
	static const uint16_t building_only[] = {
		PT_HOSTNAME, PT_DOMAINNAME, PT_TIME_OFFSETS, PT_ROOTFS_FLAGS, PT_ROOT_PROPAGATION,
		PT_ROOTFS_PROPAGATION_AFTER, PT_MOUNT, PT_DEVICE, PT_SYMLINK, PT_MASKED_PATH,
		PT_READONLY_PATH, PT_SYSCTL, PT_HOOK, PT_FIFO_DIR,
	};
	int exec = counts[tag_index(PT_EXEC_ROOT)] > 0;

	if (exec == (counts[tag_index(PT_ROOTFS)] > 0))
		return fail(err, errlen, "plan: exactly one of ROOTFS (tag %u) and EXEC_ROOT (tag %u) is required",
			    PT_ROOTFS, PT_EXEC_ROOT);
	for (size_t i = 0; exec && i < sizeof(building_only) / sizeof(building_only[0]); i++)
		if (counts[tag_index(building_only[i])])
			return fail(err, errlen, "plan: an exec plan (EXEC_ROOT) cannot have %s records",
				    tags[tag_index(building_only[i])].name);
	return 0;
}

static int alloc_arrays(struct plan *p, const size_t counts[NTAGS])
{
#define ALLOC(field, tag, extra) \
	(counts[tag_index(tag)] + (extra) == 0 || \
	 ((field) = calloc(counts[tag_index(tag)] + (extra), sizeof(*(field)))) != NULL)
	return ALLOC(p->ns_joins, PT_NS_JOIN, 0) && ALLOC(p->mounts, PT_MOUNT, 0) &&
	       ALLOC(p->devices, PT_DEVICE, 0) && ALLOC(p->symlinks, PT_SYMLINK, 0) &&
	       ALLOC(p->masked_paths, PT_MASKED_PATH, 0) &&
	       ALLOC(p->readonly_paths, PT_READONLY_PATH, 0) && ALLOC(p->args, PT_ARG, 1) &&
	       ALLOC(p->env, PT_ENV, 1) && ALLOC(p->rlimits, PT_RLIMIT, 0) &&
	       ALLOC(p->sysctls, PT_SYSCTL, 0) && ALLOC(p->hooks, PT_HOOK, 0) ? 0 : -1;
#undef ALLOC
}

int plan_decode(const uint8_t *buf, size_t len, struct plan *out, char *err, size_t errlen)
{
	size_t counts[NTAGS] = {0};

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	if (!buf || len < PLAN_HEADER_SIZE)
		return fail(err, errlen, "plan header: %zu bytes, shorter than the header", len);
	if (le32(buf) != PLAN_MAGIC)
		return fail(err, errlen, "plan header: bad magic 0x%08x", le32(buf));
	if (le16(buf + 4) != PLAN_VERSION)
		return fail(err, errlen, "plan header: unsupported version %u", le16(buf + 4));
	if (le16(buf + 6) != 0)
		return fail(err, errlen, "plan header: reserved field is %u, not 0", le16(buf + 6));
	if (le32(buf + 8) != len)
		return fail(err, errlen, "plan header: total length %u is not the message size %zu",
			    le32(buf + 8), len);
	if (check_framing(buf, len, counts, err, errlen) || check_mode(counts, err, errlen))
		return -1;
	if (alloc_arrays(out, counts)) {
		plan_free(out);
		return fail(err, errlen, "plan: out of memory");
	}

	size_t off = PLAN_HEADER_SIZE;
	for (unsigned recno = 0; off < len; recno++) {
		uint16_t tag = le16(buf + off);
		uint32_t rlen = le32(buf + off + 2);
		struct rd r = {buf + off + 6, rlen, recno, tags[tag_index(tag)].name, off, err, errlen};
		if (parse_record(&r, tag, out) || (r.left && rd_fail(&r, "payload", "trailing bytes"))) {
			plan_free(out);
			return -1;
		}
		off += 6 + (size_t)rlen;
	}
	return 0;
}

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; p->ns_joins && i < p->n_ns_joins; i++)
		free(p->ns_joins[i].path);
	free(p->ns_joins);
	for (size_t i = 0; p->mounts && i < p->n_mounts; i++) {
		free(p->mounts[i].source);
		free(p->mounts[i].destination);
		free(p->mounts[i].fstype);
		free(p->mounts[i].data);
		free(p->mounts[i].uid_map);
		free(p->mounts[i].gid_map);
	}
	free(p->mounts);
	for (size_t i = 0; p->devices && i < p->n_devices; i++)
		free(p->devices[i].path);
	free(p->devices);
	for (size_t i = 0; p->symlinks && i < p->n_symlinks; i++) {
		free(p->symlinks[i].target);
		free(p->symlinks[i].linkpath);
	}
	free(p->symlinks);
	free_strs(p->masked_paths, p->n_masked_paths);
	free_strs(p->readonly_paths, p->n_readonly_paths);
	free_strs(p->args, p->n_args);
	free_strs(p->env, p->n_env);
	free(p->hostname);
	free(p->domainname);
	free(p->rootfs);
	free(p->cwd);
	free(p->fifo_dir);
	free(p->additional_gids);
	free(p->rlimits);
	free(p->time_offsets);
	free(p->seccomp_listener);
	free(p->exec_root);
	free(p->console.socket);
	for (size_t i = 0; p->sysctls && i < p->n_sysctls; i++) {
		free(p->sysctls[i].key);
		free(p->sysctls[i].value);
	}
	free(p->sysctls);
	free(p->seccomp_bpf);
	for (size_t i = 0; p->hooks && i < p->n_hooks; i++) {
		free(p->hooks[i].path);
		for (char **a = p->hooks[i].args; a && *a; a++)
			free(*a);
		free(p->hooks[i].args);
		for (char **e = p->hooks[i].env; e && *e; e++)
			free(*e);
		free(p->hooks[i].env);
	}
	free(p->hooks);
	memset(p, 0, sizeof(*p));
}
