/*
 * seccomp-agent: a test probe, not part of crema. Listens on a unix socket
 * for the seccomp notify fd a runtime sends (SCM_RIGHTS, with the container
 * process state as payload), writes the payload to a file, and answers every
 * notified syscall with the errno it was given, until the container is gone.
 *
 *   seccomp-agent SOCKET STATE_FILE ERRNO
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
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
	if (argc != 4) {
		fprintf(stderr, "usage: seccomp-agent SOCKET STATE_FILE ERRNO\n");
		return 2;
	}
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", argv[1]);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	unlink(argv[1]);
	if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof(addr)) || listen(s, 1)) {
		perror("seccomp-agent: listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	int c = accept(s, NULL, NULL);
	char payload[65536], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {payload, sizeof(payload) - 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	ssize_t n = c < 0 ? -1 : recvmsg(c, &msg, 0);
	struct cmsghdr *cm = n < 0 ? NULL : CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "seccomp-agent: no fd received\n");
		return 1;
	}
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	FILE *f = fopen(argv[2], "w");
	if (!f || fwrite(payload, 1, (size_t)n, f) != (size_t)n || fclose(f)) {
		perror("seccomp-agent: write state");
		return 1;
	}
	int err = atoi(argv[3]);
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 30000) <= 0 || (p.revents & (POLLHUP | POLLERR)))
			return 0; /* the filter's last user is gone */
		struct seccomp_notif req = {0};
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req))
			continue; /* the caller went away meanwhile */
		struct seccomp_notif_resp resp = {.id = req.id, .error = -err};
		ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}
