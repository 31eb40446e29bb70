/*
 * syscall-probe: a test probe, not part of crema. Makes each raw syscall
 * given by number, with all arguments zero, and prints "NR ERRNO_NAME"
 * (or "NR ok") a line each: a seccomp filter's answer shows without libc
 * in between. Static, so it runs in a busybox container.
 *
 *   syscall-probe NR...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: syscall-probe NR...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		char *end;
		long nr = strtol(argv[i], &end, 0);
		if (*argv[i] == '\0' || *end != '\0') {
			fprintf(stderr, "syscall-probe: not a number: %s\n", argv[i]);
			return 2;
		}
		errno = 0;
		long r = syscall(nr, 0L, 0L, 0L, 0L, 0L, 0L);
		const char *name = r == -1 ? strerrorname_np(errno) : NULL;
		if (r == -1)
			printf("%ld %s\n", nr, name ? name : "E?");
		else
			printf("%ld ok\n", nr);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
