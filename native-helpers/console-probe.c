/*
 * console-probe: a test probe, not part of crema. Plays the caller's side of
 * --console-socket: listens on SOCKET, and once listening forks into the
 * background and returns. The background child takes one pty master
 * (SCM_RIGHTS), writes INPUT to it, and copies what the container writes
 * until the pty closes, into OUT_FILE (renamed into place when complete).
 * Its first line is "name=<the message text>", its second "rows cols" of the
 * pty's window size as sent.
 *
 *   console-probe SOCKET OUT_FILE [INPUT]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: console-probe SOCKET OUT_FILE [INPUT]\n");
		return 2;
	}
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", argv[1]);
	unlink(argv[1]);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof(addr)) || listen(s, 1)) {
		perror("console-probe: listen");
		return 1;
	}
	pid_t child = fork();
	if (child < 0) {
		perror("console-probe: fork");
		return 1;
	}
	if (child > 0)
		return 0; /* listening: the caller can go on */
	setsid();
	int null = open("/dev/null", O_RDWR);
	dup2(null, 0), dup2(null, 1), dup2(null, 2);
	struct pollfd p = {.fd = s, .events = POLLIN};
	if (poll(&p, 1, 30000) != 1)
		return 1;
	int c = accept(s, NULL, NULL);
	char name[4096] = {0}, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {name, sizeof(name) - 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	if (c < 0 || recvmsg(c, &msg, 0) < 0 || !CMSG_FIRSTHDR(&msg))
		return 1;
	int master;
	memcpy(&master, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));

	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	FILE *out = fopen(tmp, "w");
	if (!out)
		return 1;
	struct winsize ws = {0};
	ioctl(master, TIOCGWINSZ, &ws);
	fprintf(out, "name=%s\n%u %u\n", name, ws.ws_row, ws.ws_col);
	if (argc == 4 && write(master, argv[3], strlen(argv[3])) < 0)
		return 1;
	char buf[4096];
	for (;;) {
		struct pollfd m = {.fd = master, .events = POLLIN};
		if (poll(&m, 1, 30000) != 1)
			break;
		ssize_t n = read(master, buf, sizeof(buf));
		if (n <= 0) /* EIO once the container's side is closed */
			break;
		fwrite(buf, 1, (size_t)n, out);
	}
	fclose(out);
	rename(tmp, argv[2]);
	return 0;
}
