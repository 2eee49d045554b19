// SPDX-License-Identifier: GPL-2.0-only
/*
 * The background holder of an upstream ovpn peer's transport socket. See
 * hold.h.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hold.h"
#include "ovpnu.h"

/* how often the holder asks whether its peers are still there (ms) */
#define HOLD_RECHECK_MS	5000

struct holder {
	uint32_t ifindex;
	uint32_t *ids;
	size_t n;
};

static void drop_id(struct holder *h, size_t i)
{
	h->ids[i] = h->ids[--h->n];
}

static int on_notification(struct nl_msg *msg, void *arg)
{
	struct holder *h = arg;
	struct ovpn_notif n;
	size_t i;

	if (ovpnu_parse_notification(msg, &n) || n.kind != NOTIF_DEL_PEER ||
	    n.ifindex != h->ifindex || !n.has_peer_id)
		return NL_OK;
	for (i = 0; i < h->n; i++) {
		if (h->ids[i] == n.peer_id) {
			drop_id(h, i);
			break;
		}
	}
	return NL_OK;
}

static void ignore_peer(const struct attr_vals *vals, void *arg)
{
	(void)vals;
	(void)arg;
}

/* forget the peers PEER_GET no longer finds (the device may be gone too) */
static void recheck(struct holder *h, struct ovpn_nl *req)
{
	struct nlx_err err;
	size_t i = 0;
	int ret;

	if (!req->sk)
		return;
	while (i < h->n) {
		ret = ovpnu_get_peer(req, h->ifindex, &h->ids[i], ignore_peer,
				     NULL, &err);
		if (ret == -ENOENT || ret == -ENODEV)
			drop_id(h, i);
		else
			i++;
	}
}

/* close every fd but 0..2 and @keep: the caller's pipes must not stay open */
static void close_others(int keep)
{
	int fd, max = (int)sysconf(_SC_OPEN_MAX);

	if (max < 0 || max > 65536)
		max = 65536;
	if ((keep == 3 || !close_range(3, keep - 1, 0)) &&
	    !close_range(keep + 1, ~0U, 0))
		return;
	for (fd = 3; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

static void detach(int keep)
{
	int fd;

	/* stdio is about to become /dev/null: move a socket that sits there */
	if (keep <= STDERR_FILENO) {
		fd = fcntl(keep, F_DUPFD, STDERR_FILENO + 1);
		if (fd >= 0)
			keep = fd;
	}
	close_others(keep);
	setsid();
	signal(SIGPIPE, SIG_IGN);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

/* the holder process: returns when no peer of @h is left */
static void holder_run(struct holder *h)
{
	struct ovpn_nl req = { 0 }, mc = { 0 };
	struct nlx_err err;

	/* subscribed after PEER_NEW's ACK: the PEER_DEL_NTF of a P2P peer
	 * that ours replaced, which may carry the same id, came before
	 */
	if (ovpnu_nl_open_mcast(&mc, 0, &err))
		mc.sk = NULL;
	if (ovpnu_nl_open(&req, &err))
		req.sk = NULL;
	if (!mc.sk && !req.sk) {
		/* nothing to watch with: hold until killed */
		for (;;)
			pause();
	}
	recheck(h, &req);
	while (h->n) {
		struct pollfd pfd = {
			.fd = mc.sk ? nl_socket_get_fd(mc.sk) : -1,
			.events = POLLIN,
		};
		int ret = poll(&pfd, 1, HOLD_RECHECK_MS);

		if (ret < 0 && errno != EINTR)
			break;
		if (ret > 0 && pfd.revents) {
			if (!ovpn_nl_recv_notifications(&mc, on_notification,
							h, &err))
				continue;
			/* lost notifications: recheck; a broken socket: go
			 * on with the periodic checks alone
			 */
			if (err.error != ENOBUFS)
				ovpn_nl_close(&mc);
		}
		recheck(h, &req);
	}
	ovpn_nl_close(&mc);
	ovpn_nl_close(&req);
}

static int write_pid(const char *what, const char *path, pid_t pid)
{
	FILE *f = fopen(path, "we");

	if (!f || fprintf(f, "%d\n", (int)pid) < 0 || fclose(f)) {
		fprintf(stderr, "ovpn-cli: %s: --pid-file %s: %s\n", what, path,
			strerror(errno));
		return -1;
	}
	return 0;
}

int hold_socket(const char *what, int fd, uint32_t ifindex,
		const uint32_t *ids, size_t n, const char *pid_file)
{
	struct holder h = { .ifindex = ifindex, .n = n };
	pid_t pid;

	h.ids = malloc(n * sizeof(*h.ids));
	if (!h.ids) {
		fprintf(stderr, "ovpn-cli: %s: out of memory\n", what);
		close(fd);
		return 1;
	}
	memcpy(h.ids, ids, n * sizeof(*h.ids));

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "ovpn-cli: %s: fork: %s (the socket closes, its peers go)\n",
			what, strerror(errno));
		close(fd);
		free(h.ids);
		return 1;
	}
	if (!pid) {
		detach(fd);
		holder_run(&h);
		_exit(0);
	}
	close(fd);
	free(h.ids);
	if (pid_file && write_pid(what, pid_file, pid)) {
		kill(pid, SIGTERM);
		return 1;
	}
	return 0;
}
