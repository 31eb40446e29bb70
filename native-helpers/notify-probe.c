/*
 * notify-probe: a test probe, not part of crema. Both ends of NOTIFY_SOCKET:
 *
 *   notify-probe listen SOCKET OUT_FILE   bind a datagram socket, fork into the
 *       background once bound, write the datagrams it gets to OUT_FILE up to
 *       the one with READY= (then renamed into place; 30 s at most)
 *   notify-probe send MESSAGE             send MESSAGE to $NOTIFY_SOCKET, as
 *       sd_notify does (static, so it runs in a busybox container)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: notify-probe listen SOCKET OUT_FILE | notify-probe send MESSAGE\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);

	if (argc == 3 && !strcmp(argv[1], "send")) {
		const char *path = getenv("NOTIFY_SOCKET");
		if (!path) {
			fprintf(stderr, "notify-probe: NOTIFY_SOCKET is not set\n");
			return 1;
		}
		snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
		if (sendto(s, argv[2], strlen(argv[2]), 0, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
			perror("notify-probe: send");
			return 1;
		}
		return 0;
	}
	if (argc != 4 || strcmp(argv[1], "listen"))
		return usage();
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", argv[2]);
	unlink(argv[2]);
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr))) {
		perror("notify-probe: bind");
		return 1;
	}
	pid_t child = fork();
	if (child != 0)
		return child < 0;
	setsid();
	int null = open("/dev/null", O_RDWR);
	dup2(null, 0), dup2(null, 1), dup2(null, 2);
	char buf[4097], tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[3]);
	int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0)
		return 1;
	for (;;) { /* every datagram, up to the one that says READY= */
		struct pollfd p = {.fd = s, .events = POLLIN};
		if (poll(&p, 1, 30000) != 1)
			return 1;
		ssize_t n = recv(s, buf, sizeof(buf) - 1, 0);
		if (n < 0 || write(out, buf, (size_t)n) != n)
			return 1;
		buf[n] = 0;
		if (strstr(buf, "READY="))
			break;
	}
	close(out);
	rename(tmp, argv[3]);
	return 0;
}
