/*
 * Bounded test of the plan decoder (built with ASan/UBSan by `make check`):
 * hand-built plans decode to the expected values, known-bad plans are
 * rejected with a message naming the problem, and truncated, bit-flipped
 * and random inputs (fixed seed) never crash and always give 0 or -1.
 */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

static unsigned passed, failed;

#define CHECK(cond) check((cond), #cond, __LINE__)
static int check(int ok, const char *what, int line)
{
	if (ok)
		passed++;
	else {
		failed++;
		fprintf(stderr, "FAIL line %d: %s\n", line, what);
	}
	return ok;
}

/* --- building plans --- */

struct buf {
	uint8_t *d;
	size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->d = realloc(b->d, b->cap);
		if (!b->d)
			abort();
	}
	memcpy(b->d + b->len, p, n);
	b->len += n;
}

static void put_le(struct buf *b, uint64_t v, int bytes)
{
	uint8_t t[8];
	for (int i = 0; i < bytes; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	put(b, t, (size_t)bytes);
}

static void patch32(struct buf *b, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b->d[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

#define U16(b, v) put_le(b, v, 2)
#define U32(b, v) put_le(b, v, 4)
#define U64(b, v) put_le(b, v, 8)

static void str_n(struct buf *b, const char *s, size_t n)
{
	U32(b, n);
	put(b, s, n);
}
static void str(struct buf *b, const char *s) { str_n(b, s, strlen(s)); }

static size_t rec(struct buf *b, uint16_t tag)
{
	U16(b, tag);
	U32(b, 0);
	return b->len;
}
static void end(struct buf *b, size_t start) { patch32(b, start - 4, (uint32_t)(b->len - start)); }

static void begin(struct buf *b)
{
	b->len = 0;
	U32(b, PLAN_MAGIC);
	U16(b, PLAN_VERSION);
	U16(b, 0);
	U32(b, 0);
}
static void finish(struct buf *b) { patch32(b, 8, (uint32_t)b->len); }

static void rec_u32(struct buf *b, uint16_t tag, uint32_t v)
{
	size_t s = rec(b, tag);
	U32(b, v);
	end(b, s);
}
static void rec_u64(struct buf *b, uint16_t tag, uint64_t v)
{
	size_t s = rec(b, tag);
	U64(b, v);
	end(b, s);
}
static void rec_str(struct buf *b, uint16_t tag, const char *v)
{
	size_t s = rec(b, tag);
	str(b, v);
	end(b, s);
}

/* The records every plan needs, except those in skip (a tag or 0). */
static void required(struct buf *b, uint16_t skip)
{
	size_t s;
	if (skip != PT_CLONE_FLAGS)
		rec_u64(b, PT_CLONE_FLAGS, 0x20000);
	if (skip != PT_ROOTFS)
		rec_str(b, PT_ROOTFS, "/r");
	if (skip != PT_ARG)
		rec_str(b, PT_ARG, "sh");
	if (skip != PT_CWD)
		rec_str(b, PT_CWD, "/");
	if (skip != PT_USER) {
		s = rec(b, PT_USER);
		U32(b, 0), U32(b, 0), U32(b, 0), U32(b, 0);
		end(b, s);
	}
	if (skip != PT_CAPS) {
		s = rec(b, PT_CAPS);
		for (int i = 0; i < 5; i++)
			U64(b, 0);
		end(b, s);
	}
}

static void full_plan(struct buf *b)
{
	size_t s;
	begin(b);
	rec_u64(b, PT_CLONE_FLAGS, 0x7e020000ull);
	s = rec(b, PT_NS_JOIN);
	U32(b, 0x40000000);
	str(b, "/proc/1/ns/net");
	end(b, s);
	rec_str(b, PT_HOSTNAME, "box");
	rec_str(b, PT_DOMAINNAME, "");
	rec_str(b, PT_ROOTFS, "/var/lib/x/rootfs");
	rec_u32(b, PT_ROOTFS_FLAGS, PLAN_ROOTFS_READONLY);
	rec_u64(b, PT_ROOT_PROPAGATION, MS_SLAVE);
	rec_u64(b, PT_ROOTFS_PROPAGATION_AFTER, MS_SHARED);
	s = rec(b, PT_MOUNT);
	U32(b, 0), U32(b, 0), U64(b, MS_NOSUID | MS_NOEXEC), U64(b, 0), U64(b, 0), U64(b, 0);
	str(b, "proc"), str(b, "/proc"), str(b, "proc"), str(b, ""), str(b, ""), str(b, "");
	end(b, s);
	s = rec(b, PT_MOUNT);
	U32(b, 1), U32(b, 1), U64(b, MS_BIND | MS_RDONLY), U64(b, MS_PRIVATE), U64(b, 1), U64(b, 2);
	str(b, "/etc/hosts"), str(b, "/etc/hosts"), str(b, ""), str(b, ""), str(b, "0 1000 1\n"), str(b, "");
	end(b, s);
	s = rec(b, PT_DEVICE);
	U32(b, S_IFCHR), U32(b, 1), U32(b, 3), U32(b, 0666), U32(b, 5), U32(b, 6), U32(b, 0);
	str(b, "/dev/null");
	end(b, s);
	s = rec(b, PT_SYMLINK);
	str(b, "/proc/self/fd"), str(b, "/dev/fd");
	end(b, s);
	rec_str(b, PT_MASKED_PATH, "/proc/kcore");
	rec_str(b, PT_READONLY_PATH, "/proc/sys");
	rec_str(b, PT_ARG, "sh");
	rec_str(b, PT_ARG, "-c");
	rec_str(b, PT_ARG, "echo \xc3\xa9t\xc3\xa9");
	rec_str(b, PT_ENV, "PATH=/bin");
	rec_str(b, PT_CWD, "/home");
	s = rec(b, PT_USER);
	U32(b, 1000), U32(b, 1001), U32(b, 1), U32(b, 027);
	end(b, s);
	s = rec(b, PT_ADDITIONAL_GIDS);
	U32(b, 2), U32(b, 10), U32(b, 4000000000u);
	end(b, s);
	s = rec(b, PT_RLIMIT);
	U32(b, 7), U64(b, 1024), U64(b, ~0ull);
	end(b, s);
	s = rec(b, PT_CAPS);
	U64(b, 1), U64(b, 2), U64(b, 3), U64(b, 4), U64(b, 1ull << 40);
	end(b, s);
	rec_u32(b, PT_PROCESS_FLAGS, PLAN_NO_NEW_PRIVS);
	rec_str(b, PT_FIFO_DIR, "/run/crema/x");
	rec_u32(b, PT_PRESERVE_FDS, 2);
	rec_str(b, PT_TIME_OFFSETS, "monotonic 1 0\n");
	s = rec(b, PT_SYSCTL);
	str(b, "net.ipv4.ip_forward"), str(b, "1");
	end(b, s);
	s = rec(b, PT_SECCOMP);
	U32(b, 0), U32(b, 1), U64(b, 0x7fff000000000006ull); /* one "return ALLOW" instruction */
	end(b, s);
	s = rec(b, PT_HOOK);
	U32(b, PLAN_HOOK_CREATE_CONTAINER), U32(b, 5), str(b, "/bin/hook");
	U32(b, 2), str(b, "hook"), str(b, "arg");
	U32(b, 1), str(b, "A=1");
	end(b, s);
	rec_u32(b, PT_IO_PRIORITY, 2 << 13);
	rec_u32(b, PT_PERSONALITY, 8);
	s = rec(b, PT_CONSOLE);
	U32(b, 24), U32(b, 80), U32(b, PLAN_CONSOLE_DEV_CONSOLE), str(b, "/tmp/console.sock");
	end(b, s);
	finish(b);
}

static int decode(const struct buf *b, struct plan *p, char *err)
{
	return plan_decode(b->d, b->len, p, err, 256);
}

static void test_full_extras(void)
{
	struct buf b = {0};
	struct plan p;
	char err[256];
	full_plan(&b);
	CHECK(decode(&b, &p, err) == 0 && p.n_hooks == 1 && !strcmp(p.hooks[0].path, "/bin/hook") &&
	      !strcmp(p.hooks[0].args[1], "arg") && !p.hooks[0].args[2] && !strcmp(p.hooks[0].env[0], "A=1") &&
	      p.hooks[0].timeout == 5 && p.seccomp_len == 8 && p.seccomp_early == 1 && p.n_sysctls == 1 &&
	      !strcmp(p.sysctls[0].value, "1") && !strcmp(p.time_offsets, "monotonic 1 0\n") &&
	      p.has_io_priority && p.has_personality && p.personality == 8);
	CHECK(p.console.rows == 24 && p.console.cols == 80 && p.console.flags == PLAN_CONSOLE_DEV_CONSOLE &&
	      !strcmp(p.console.socket, "/tmp/console.sock"));
	plan_free(&p);
	free(b.d);
}

static void test_full(void)
{
	struct buf b = {0};
	struct plan p;
	char err[256];

	full_plan(&b);
	if (!CHECK(decode(&b, &p, err) == 0)) {
		fprintf(stderr, "  %s\n", err);
		free(b.d);
		return;
	}
	CHECK(p.clone_flags == 0x7e020000ull);
	CHECK(p.n_ns_joins == 1 && p.ns_joins[0].nstype == 0x40000000 &&
	      !strcmp(p.ns_joins[0].path, "/proc/1/ns/net"));
	CHECK(!strcmp(p.hostname, "box") && !strcmp(p.domainname, ""));
	CHECK(!strcmp(p.rootfs, "/var/lib/x/rootfs") && p.rootfs_flags == PLAN_ROOTFS_READONLY);
	CHECK(p.root_propagation == MS_SLAVE && p.rootfs_propagation_after == MS_SHARED);
	CHECK(p.n_mounts == 2);
	CHECK(p.mounts[0].kind == 0 && p.mounts[0].flags == (MS_NOSUID | MS_NOEXEC) &&
	      !strcmp(p.mounts[0].source, "proc") && !strcmp(p.mounts[0].destination, "/proc") &&
	      !strcmp(p.mounts[0].fstype, "proc") && !strcmp(p.mounts[0].data, ""));
	CHECK(p.mounts[1].kind == PLAN_MOUNT_BIND && p.mounts[1].flags2 == PLAN_MOUNT_FILE &&
	      p.mounts[1].flags == (MS_BIND | MS_RDONLY) && p.mounts[1].propagation == MS_PRIVATE &&
	      p.mounts[1].attr_set == 1 && p.mounts[1].attr_clr == 2 &&
	      !strcmp(p.mounts[1].source, "/etc/hosts"));
	CHECK(p.n_devices == 1 && p.devices[0].type == S_IFCHR && p.devices[0].major == 1 &&
	      p.devices[0].minor == 3 && p.devices[0].perm == 0666 && p.devices[0].uid == 5 &&
	      p.devices[0].gid == 6 && !strcmp(p.devices[0].path, "/dev/null"));
	CHECK(p.n_symlinks == 1 && !strcmp(p.symlinks[0].target, "/proc/self/fd") &&
	      !strcmp(p.symlinks[0].linkpath, "/dev/fd"));
	CHECK(p.n_masked_paths == 1 && !strcmp(p.masked_paths[0], "/proc/kcore"));
	CHECK(p.n_readonly_paths == 1 && !strcmp(p.readonly_paths[0], "/proc/sys"));
	CHECK(p.n_args == 3 && !strcmp(p.args[2], "echo \xc3\xa9t\xc3\xa9") && p.args[3] == NULL);
	CHECK(p.n_env == 1 && !strcmp(p.env[0], "PATH=/bin") && p.env[1] == NULL);
	CHECK(!strcmp(p.cwd, "/home"));
	CHECK(p.uid == 1000 && p.gid == 1001 && p.has_umask == 1 && p.umask == 027);
	CHECK(p.has_additional_gids && p.n_additional_gids == 2 && p.additional_gids[0] == 10 &&
	      p.additional_gids[1] == 4000000000u);
	CHECK(p.n_rlimits == 1 && p.rlimits[0].resource == 7 && p.rlimits[0].soft == 1024 &&
	      p.rlimits[0].hard == ~0ull);
	CHECK(p.cap_bounding == 1 && p.cap_effective == 2 && p.cap_inheritable == 3 &&
	      p.cap_permitted == 4 && p.cap_ambient == 1ull << 40);
	CHECK(p.process_flags == PLAN_NO_NEW_PRIVS && !strcmp(p.fifo_dir, "/run/crema/x") &&
	      p.preserve_fds == 2);
	plan_free(&p);
	free(b.d);
}

static void test_minimal(void)
{
	struct buf b = {0};
	struct plan p;
	char err[256];

	begin(&b);
	required(&b, 0);
	finish(&b);
	if (CHECK(decode(&b, &p, err) == 0)) {
		CHECK(p.hostname == NULL && p.fifo_dir == NULL && !p.has_additional_gids);
		CHECK(p.n_env == 0 && p.env && p.env[0] == NULL);
		CHECK(p.n_args == 1 && !strcmp(p.args[0], "sh") && p.args[1] == NULL);
		CHECK(p.n_mounts == 0 && p.mounts == NULL && p.preserve_fds == 0);
		plan_free(&p);
	}

	/* Limits reached exactly are fine; an empty ADDITIONAL_GIDS means setgroups(0). */
	begin(&b);
	required(&b, PT_ARG);
	for (int i = 0; i < 8; i++) {
		size_t s = rec(&b, PT_NS_JOIN);
		U32(&b, 0);
		str(&b, "/x");
		end(&b, s);
	}
	for (int i = 0; i < 4096; i++)
		rec_str(&b, PT_ARG, "a");
	rec_u32(&b, PT_ADDITIONAL_GIDS, 0);
	finish(&b);
	if (CHECK(decode(&b, &p, err) == 0)) {
		CHECK(p.n_ns_joins == 8 && p.n_args == 4096 && p.args[4096] == NULL);
		CHECK(p.has_additional_gids && p.n_additional_gids == 0);
		plan_free(&p);
	}
	free(b.d);
}

/* An exec plan: EXEC_ROOT instead of ROOTFS, and the process records. */
static void test_exec(void)
{
	struct buf b = {0};
	struct plan p;
	char err[256];
	size_t s;

	begin(&b);
	required(&b, PT_ROOTFS);
	s = rec(&b, PT_NS_JOIN), U32(&b, 0x10000000), str(&b, "/proc/9/ns/user"), end(&b, s);
	rec_str(&b, PT_EXEC_ROOT, "/proc/9/root");
	finish(&b);
	if (CHECK(decode(&b, &p, err) == 0)) {
		CHECK(p.rootfs == NULL && !strcmp(p.exec_root, "/proc/9/root") && p.n_ns_joins == 1);
		plan_free(&p);
	}
	free(b.d);
}

/* Each bad plan must be rejected with a message containing want. */
static void expect_bad(struct buf *b, const char *want, int line)
{
	struct plan p;
	char err[256];
	int rc = decode(b, &p, err);
	if (!check(rc == -1 && strstr(err, want), want, line))
		fprintf(stderr, "  rc=%d err=\"%s\"\n", rc, err);
	if (rc == 0)
		plan_free(&p);
}

static void test_bad(void)
{
	struct buf b = {0};
	size_t s;

#define BAD(want) expect_bad(&b, want, __LINE__)
	begin(&b), required(&b, 0), finish(&b), b.d[0] ^= 1, BAD("magic");
	begin(&b), required(&b, 0), finish(&b), b.d[4] = 2, BAD("version");
	begin(&b), required(&b, 0), finish(&b), b.d[6] = 1, BAD("reserved");
	begin(&b), required(&b, 0), finish(&b), b.len--, BAD("total length");
	begin(&b), required(&b, 0), U16(&b, 0), finish(&b), BAD("header runs past");
	begin(&b), required(&b, 0), rec_u32(&b, 99, 0), finish(&b), BAD("unknown tag 99");
	begin(&b), required(&b, 0), rec_u32(&b, 0, 0), finish(&b), BAD("unknown tag 0");
	begin(&b), required(&b, 0), s = rec(&b, PT_HOSTNAME), str(&b, "x"), end(&b, s);
	patch32(&b, s - 4, 100), finish(&b), BAD("HOSTNAME) at offset");
	begin(&b), required(&b, PT_CLONE_FLAGS), rec_u32(&b, PT_CLONE_FLAGS, 0), finish(&b);
	BAD("(CLONE_FLAGS) at offset 115: length 4, expected 8");
	begin(&b), required(&b, 0), rec_u64(&b, PT_PRESERVE_FDS, 0), finish(&b), BAD("PRESERVE_FDS");
	begin(&b), required(&b, 0), s = rec(&b, PT_HOSTNAME), str_n(&b, "a\0b", 3), end(&b, s);
	finish(&b), BAD("(HOSTNAME) at offset 129: hostname: string contains NUL");
	begin(&b), required(&b, 0), s = rec(&b, PT_HOSTNAME), str(&b, "a"), U16(&b, 0), end(&b, s);
	finish(&b), BAD("trailing bytes");
	begin(&b), required(&b, 0), s = rec(&b, PT_HOSTNAME), U32(&b, 5), put(&b, "ab", 2), end(&b, s);
	finish(&b), BAD("string runs past the end");
	begin(&b), required(&b, 0), s = rec(&b, PT_SYMLINK), str(&b, "a"), U16(&b, 0), end(&b, s);
	finish(&b), BAD("linkpath: truncated string length");
	begin(&b), required(&b, 0);
	for (int i = 0; i < 257; i++)
		rec_str(&b, PT_MASKED_PATH, "/m");
	finish(&b), BAD("more than 256 MASKED_PATH");
	begin(&b), required(&b, 0);
	for (int i = 0; i < 9; i++) {
		s = rec(&b, PT_NS_JOIN), U32(&b, 0), str(&b, "/n"), end(&b, s);
	}
	finish(&b), BAD("more than 8 NS_JOIN");
	begin(&b), required(&b, 0), rec_str(&b, PT_CWD, "/"), finish(&b), BAD("more than 1 CWD");
	begin(&b), required(&b, PT_CWD), finish(&b), BAD("CWD (tag 32) is missing");
	begin(&b), required(&b, PT_ARG), finish(&b), BAD("ARG (tag 30) is missing");
	begin(&b), required(&b, PT_CAPS), finish(&b), BAD("CAPS");
	begin(&b), required(&b, PT_USER), finish(&b), BAD("USER");
	begin(&b), required(&b, PT_ROOTFS), finish(&b), BAD("ROOTFS (tag 10) and EXEC_ROOT");
	begin(&b), finish(&b), BAD("CLONE_FLAGS (tag 1) is missing");
	begin(&b), required(&b, 0), rec_str(&b, PT_EXEC_ROOT, "/proc/1/root"), finish(&b);
	BAD("exactly one of ROOTFS (tag 10) and EXEC_ROOT (tag 48)");
	begin(&b), required(&b, PT_ROOTFS), rec_str(&b, PT_EXEC_ROOT, "/proc/1/root");
	rec_str(&b, PT_MASKED_PATH, "/m"), finish(&b), BAD("an exec plan (EXEC_ROOT) cannot have MASKED_PATH");
	begin(&b), required(&b, 0), s = rec(&b, PT_ADDITIONAL_GIDS), U32(&b, 3), U32(&b, 1);
	end(&b, s), finish(&b), BAD("count: does not match");
	begin(&b), required(&b, 0), s = rec(&b, PT_ADDITIONAL_GIDS), U32(&b, 0xffffffffu), end(&b, s);
	finish(&b), BAD("count: does not match");
	begin(&b), required(&b, 0), s = rec(&b, PT_MOUNT), U32(&b, 2), U32(&b, 0);
	for (int i = 0; i < 4; i++)
		U64(&b, 0);
	for (int i = 0; i < 6; i++)
		str(&b, "");
	end(&b, s), finish(&b), BAD("unknown mount kind");
	begin(&b), required(&b, 0), s = rec(&b, PT_MOUNT), U32(&b, 0), end(&b, s), finish(&b);
	BAD("(MOUNT) at offset 129: flags2: truncated u32");
	begin(&b), required(&b, 0), s = rec(&b, PT_DEVICE);
	U32(&b, S_IFREG), U32(&b, 1), U32(&b, 3), U32(&b, 0), U32(&b, 0), U32(&b, 0), U32(&b, 0);
	str(&b, "/x"), end(&b, s), finish(&b), BAD("not S_IFCHR");
	begin(&b), required(&b, 0), s = rec(&b, PT_CONSOLE), U32(&b, 70000), U32(&b, 80), U32(&b, 0);
	str(&b, "/s"), end(&b, s), finish(&b), BAD("rows and cols must be below 65536");
	begin(&b), required(&b, 0), s = rec(&b, PT_CONSOLE), U32(&b, 0), U32(&b, 0), U32(&b, 0);
	str(&b, ""), end(&b, s), finish(&b), BAD("socket: must not be empty");
	b.len = 3, BAD("shorter than the header");
#undef BAD
	free(b.d);
}

/* --- robustness --- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Decodes arbitrary bytes; the only acceptable outcomes are 0 and -1. */
static void robust(const uint8_t *d, size_t len)
{
	struct plan p;
	char err[128];
	int rc = plan_decode(d, len, &p, err, sizeof(err));
	if (rc == 0)
		plan_free(&p);
	if (rc != 0 && rc != -1) {
		failed++;
		fprintf(stderr, "FAIL: plan_decode returned %d\n", rc);
	} else if (rc == -1 && !err[0]) {
		failed++;
		fprintf(stderr, "FAIL: plan_decode returned -1 without a message\n");
	}
}

static void test_robustness(void)
{
	struct buf b = {0}, t = {0};
	unsigned before = failed;

	full_plan(&b);
	t.d = malloc(b.len); /* exact size so ASan sees overreads */
	/* Truncations, with the stated total left alone and with it matching the cut. */
	for (size_t n = 0; n <= b.len; n++) {
		uint8_t *cut = malloc(n ? n : 1); /* exact size so ASan sees overreads */
		memcpy(cut, b.d, n);
		robust(cut, n);
		if (n >= PLAN_HEADER_SIZE) {
			patch32(&(struct buf){cut, n, n}, 8, (uint32_t)n);
			robust(cut, n);
		}
		free(cut);
	}
	/* Random byte flips, keeping the total length consistent half of the time. */
	for (int i = 0; i < 100000; i++) {
		memcpy(t.d, b.d, b.len);
		int flips = 1 + (int)(rnd() % 8);
		for (int f = 0; f < flips; f++)
			t.d[rnd() % b.len] = (uint8_t)rnd();
		if (i & 1)
			patch32(&t, 8, (uint32_t)b.len);
		robust(t.d, b.len);
	}
	/* Garbage: raw bytes, or a valid header followed by random records of known tags. */
	for (int i = 0; i < 100000; i++) {
		size_t n = rnd() % 600;
		uint8_t *g = malloc(n ? n : 1);
		for (size_t k = 0; k < n; k++)
			g[k] = (uint8_t)rnd();
		if ((i & 1) && n >= PLAN_HEADER_SIZE) {
			struct buf h = {g, 0, n};
			U32(&h, PLAN_MAGIC), U16(&h, PLAN_VERSION), U16(&h, 0), U32(&h, n);
			for (size_t off = PLAN_HEADER_SIZE; off + 6 <= n;) {
				static const uint16_t known[] = {1, 2, 3, 5, 10, 20, 21, 22, 25, 30, 32, 33, 34, 35, 36, 38, 39, 42, 43, 44, 45, 46, 48, 49};
				uint32_t rlen = rnd() % 64;
				h.len = off;
				U16(&h, known[rnd() % (sizeof(known) / 2)]);
				U32(&h, rlen);
				off += 6 + rlen;
			}
		}
		robust(g, n);
		free(g);
	}
	CHECK(failed == before); /* counts the robustness run as one check */
	free(b.d);
	free(t.d);
}

int main(void)
{
	test_full();
	test_full_extras();
	test_minimal();
	test_exec();
	test_bad();
	test_robustness();
	printf("plan-decoder-test: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
