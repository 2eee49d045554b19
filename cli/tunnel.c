// SPDX-License-Identifier: GPL-2.0-only
/*
 * Persistent tunnels: "ovpn-cli up <name|file>" runs the one-shot tunnel of
 * a config file (conf.c) as a daemon, "down <name>" stops it and makes sure
 * its device is gone, "show [name]" prints what a person wants to see.
 *
 * The run directory (/run/ovpn-cli, OVPN_CLI_RUNDIR) holds per tunnel
 * NAME.pid (line 1 the daemon's pid, as systemd's PIDFile= reads it; line 2
 * the device) and NAME.log (the daemon's output). The daemon holds an
 * exclusive flock() on its pidfile for its whole life: a pidfile nobody
 * holds locked is stale (the daemon was killed), whatever pid it names, so
 * a recycled pid can never make a dead tunnel look alive.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "keyfile.h"
#include "oneshot.h"
#include "ovpn.h"
#include "rtnl.h"
#include "util.h"

_Static_assert(CONF_REKEY_NEVER == FAM_REKEY_NEVER, "rekey-seconds = 0");

#define RUN_DIR		"/run/ovpn-cli"
/* how long down waits for the daemon after SIGTERM, then after SIGKILL */
#define STOP_TERM_MS	10000
#define STOP_KILL_MS	3000

static const char *run_dir(void)
{
	const char *d = getenv("OVPN_CLI_RUNDIR");

	return d && *d ? d : RUN_DIR;
}

static void run_path(char *buf, size_t len, const char *name, const char *ext)
{
	snprintf(buf, len, "%s/%s.%s", run_dir(), name, ext);
}

/**
 * struct pidfile - what a tunnel's pidfile says
 * @pid: the daemon's pid (0 if unreadable)
 * @dev: its device ("" if unreadable)
 * @running: someone holds the file locked: the daemon lives
 */
struct pidfile {
	pid_t pid;
	char dev[IFNAMSIZ];
	bool running;
};

static void pidfile_parse(int fd, struct pidfile *pf)
{
	char buf[128], *nl;
	ssize_t n;
	long pid;

	pf->pid = 0;
	pf->dev[0] = '\0';
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return;
	buf[n] = '\0';
	pid = strtol(buf, &nl, 10);
	if (pid > 1 && *nl == '\n')
		pf->pid = pid;
	if (*nl == '\n' && sscanf(nl + 1, "%15s", pf->dev) != 1)
		pf->dev[0] = '\0';
}

/* read @path; -1 with errno if it cannot be opened */
static int pidfile_read(const char *path, struct pidfile *pf)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	pidfile_parse(fd, pf);
	pf->running = flock(fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK;
	close(fd);
	return 0;
}

/* @fd is still the file at @path (not unlinked or replaced meanwhile) */
static bool same_file(int fd, const char *path)
{
	struct stat a, b;

	return !fstat(fd, &a) && !stat(path, &b) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/*
 * Open and lock @path exclusively without waiting. Returns the fd, -1 with
 * errno EWOULDBLOCK if a daemon holds it, or -1 with another errno.
 * @created: the file did not exist before.
 */
static int pidfile_lock(const char *path, bool *created)
{
	int tries, fd;

	for (tries = 0; tries < 10; tries++) {
		*created = false;
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT) {
			fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
				  0644);
			*created = fd >= 0;
			if (fd < 0 && errno == EEXIST)
				continue;
		}
		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		/* its daemon unlinked it while we waited: take the new one */
		if (same_file(fd, path))
			return fd;
		close(fd);
	}
	errno = EAGAIN;
	return -1;
}

/* remove @path if it is still the file @fd (locked by us) */
static void pidfile_remove(int fd, const char *path)
{
	if (same_file(fd, path))
		unlink(path);
}

/*
 * The key file must be ours alone and hold a key: what the daemon will
 * load, checked before anything is created. 0, or -1 with a line on stderr.
 */
static int check_key_file(const char *cmd, const char *path)
{
	struct key_material km;
	struct stat st;
	char msg[512];

	if (stat(path, &st)) {
		fprintf(stderr, "ovpn-cli: %s: key file %s: %s\n", cmd, path,
			strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "ovpn-cli: %s: key file %s is not a regular file\n",
			cmd, path);
		return -1;
	}
	if (st.st_mode & 077) {
		fprintf(stderr,
			"ovpn-cli: %s: key file %s is accessible by others (mode %04o); run chmod 600 %s\n",
			cmd, path, (unsigned int)(st.st_mode & 07777), path);
		return -1;
	}
	if (keyfile_load(path, 0, &km, msg, sizeof(msg))) {
		/* the message starts with the path */
		fprintf(stderr, "ovpn-cli: %s: key file %s\n", cmd, msg);
		return -1;
	}
	explicit_bzero(&km, sizeof(km));
	return 0;
}

/* the device @dev, if it exists and is of our kind; 0 otherwise */
static uint32_t our_device(const char *dev)
{
	uint32_t ifindex = dev[0] ? if_nametoindex(dev) : 0;
	struct nlx_err err;
	char kind[32];

	if (!ifindex || rt_link_kind(ifindex, kind, sizeof(kind), &err) ||
	    strcmp(kind, OVPN_LINK_KIND))
		return 0;
	return ifindex;
}

/* ------------------------------------------------------------------ up */

/**
 * struct daemon_ctx - the daemon's end of "up"
 * @pipe_fd: to the parent: 'S' once set up, 'K' once keyed; -1 once closed
 * @wait: the parent waits for 'K' too (--wait)
 * @log_path: where stdout and stderr go once set up
 */
struct daemon_ctx {
	int pipe_fd;
	bool wait;
	const char *log_path;
};

static void daemon_tell(struct daemon_ctx *d, char what, bool last)
{
	ssize_t n;

	if (d->pipe_fd < 0)
		return;
	do {
		n = write(d->pipe_fd, &what, 1);
	} while (n < 0 && errno == EINTR);
	if (last) {
		close(d->pipe_fd);
		d->pipe_fd = -1;
	}
}

/*
 * Set up: from now on the daemon writes to its log, and the caller's
 * terminal or pipe is let go, so "up" returns.
 */
static void daemon_on_setup(void *arg)
{
	struct daemon_ctx *d = arg;
	int fd;

	fflush(stdout);
	fflush(stderr);
	fd = open(d->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	daemon_tell(d, 'S', !d->wait);
}

static void daemon_on_keyed(void *arg)
{
	daemon_tell(arg, 'K', true);
}

static void log_header(const char *log_path, const struct tunnel_conf *c)
{
	char when[64];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;

	f = fopen(log_path, "ae");
	if (!f)
		return;
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z",
		 localtime_r(&now, &tm));
	fprintf(f, "=== %s: ovpn-cli up %s (%s), daemon pid %d\n", when,
		c->name, c->path, (int)getpid());
	fclose(f);
}

/* the daemon: never returns */
static void __attribute__((noreturn))
daemon_main(const struct tunnel_conf *c, int lock_fd, const char *pid_path,
	    const char *log_path, int pipe_fd, bool wait)
{
	struct daemon_ctx d = {
		.pipe_fd = pipe_fd, .wait = wait, .log_path = log_path,
	};
	struct oneshot_hooks hooks = {
		.on_setup = daemon_on_setup,
		.on_keyed = daemon_on_keyed,
		.arg = &d,
	};
	char buf[64];
	int fd, n, ret;

	setsid();
	if (chdir("/"))
		_exit(1);
	signal(SIGPIPE, SIG_IGN);
	/* no terminal to hang up; a stray SIGHUP must not skip the teardown */
	signal(SIGHUP, SIG_IGN);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fd != STDIN_FILENO) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	n = snprintf(buf, sizeof(buf), "%d\n%s\n", (int)getpid(), c->dev);
	if (ftruncate(lock_fd, 0) || pwrite(lock_fd, buf, n, 0) != n) {
		fprintf(stderr, "ovpn-cli: up: %s: %s\n", pid_path, strerror(errno));
		pidfile_remove(lock_fd, pid_path);
		_exit(1);
	}
	log_header(log_path, c);
	ret = oneshot_run_conf(c, &hooks);
	fflush(stdout);
	fflush(stderr);
	pidfile_remove(lock_fd, pid_path);
	_exit(ret);
}

/* wait for one byte on @fd until @deadline (monotonic ms, 0: none) */
static int read_byte(int fd, long long deadline, char *out)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline ? deadline - monotonic_ms() : -1;
		ssize_t n;
		int r;

		if (deadline && left <= 0)
			return -1;
		r = poll(&p, 1, deadline ? (int)left : -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		n = read(fd, out, 1);
		if (n < 0 && errno == EINTR)
			continue;
		return n == 1 ? 1 : 0;
	}
}

/*
 * Stop the daemon of @pid_path (SIGTERM, then SIGKILL) and wait until it
 * let go of its pidfile. Returns the locked pidfile's fd (the caller
 * removes it), or -1 if it would not stop.
 */
static int stop_daemon(const char *pid_path, pid_t pid)
{
	long long t0 = monotonic_ms();
	bool killed = false;
	bool created;
	int fd;

	if (pid > 1)
		kill(pid, SIGTERM);
	for (;;) {
		fd = pidfile_lock(pid_path, &created);
		if (fd >= 0)
			return fd;
		if (errno != EWOULDBLOCK)
			return -1;
		if (!killed && monotonic_ms() - t0 > STOP_TERM_MS) {
			fprintf(stderr,
				"ovpn-cli: down: daemon pid %d still runs %d s after SIGTERM: SIGKILL\n",
				(int)pid, STOP_TERM_MS / 1000);
			if (pid > 1)
				kill(pid, SIGKILL);
			killed = true;
		}
		if (killed && monotonic_ms() - t0 > STOP_TERM_MS + STOP_KILL_MS)
			return -1;
		poll(NULL, 0, 20);
	}
}

/* delete @dev if it is still there and ours; 0 or -1 (reported) */
static int delete_device(const char *cmd, const char *dev)
{
	uint32_t ifindex = our_device(dev);
	struct nlx_err err;

	if (!ifindex)
		return 0;
	if (rt_link_del(NULL, ifindex, &err) && err.error != ENODEV) {
		char what[64];

		snprintf(what, sizeof(what), "%s: del_iface", cmd);
		nlx_report(what, &err);
		return -1;
	}
	return 0;
}

int cmd_up(int argc, char **argv)
{
	char pid_path[PATH_MAX], log_path[PATH_MAX], msg[PATH_MAX + 256];
	struct tunnel_conf c;
	uint32_t wait_secs = 0;
	bool wait = false, created;
	const char *arg = NULL;
	int lock_fd, pfd[2], i;
	long long deadline = 0;
	struct pidfile pf;
	pid_t pid;
	char got;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--wait")) {
			if (i + 1 >= argc || !parse_u32(argv[i + 1], &wait_secs) ||
			    !wait_secs)
				usage_error("up: --wait needs a number of seconds (1 or more)");
			wait = true;
			i++;
		} else if (!strncmp(argv[i], "--", 2)) {
			usage_error("up: unknown option %s", argv[i]);
		} else if (arg) {
			usage_error("up: one tunnel name or config file, not '%s' too", argv[i]);
		} else {
			arg = argv[i];
		}
	}
	if (!arg)
		usage_error("up: which tunnel? ovpn-cli up <name|file> [--wait SECS]");

	if (conf_load(arg, &c, msg, sizeof(msg))) {
		fprintf(stderr, "ovpn-cli: up: %s\n", msg);
		return 1;
	}
	if (check_key_file("up", c.key_file))
		return 1;

	if (mkdir(run_dir(), 0755) && errno != EEXIST) {
		fprintf(stderr, "ovpn-cli: up: %s: %s\n", run_dir(), strerror(errno));
		return 1;
	}
	run_path(pid_path, sizeof(pid_path), c.name, "pid");
	run_path(log_path, sizeof(log_path), c.name, "log");
	lock_fd = pidfile_lock(pid_path, &created);
	if (lock_fd < 0 && errno == EWOULDBLOCK) {
		if (pidfile_read(pid_path, &pf))
			pf.pid = 0;
		fprintf(stderr,
			"ovpn-cli: up: tunnel %s is already up (daemon pid %d, device %s); ovpn-cli down %s first\n",
			c.name, (int)pf.pid, pf.dev[0] ? pf.dev : "?", c.name);
		return 1;
	}
	if (lock_fd < 0) {
		fprintf(stderr, "ovpn-cli: up: %s: %s\n", pid_path, strerror(errno));
		return 1;
	}
	if (if_nametoindex(c.dev)) {
		if (created)
			fprintf(stderr,
				"ovpn-cli: up: device %s already exists; nothing changed\n",
				c.dev);
		else
			fprintf(stderr,
				"ovpn-cli: up: device %s already exists (left by a daemon that was killed? ovpn-cli down %s removes it); nothing changed\n",
				c.dev, c.name);
		if (created)
			unlink(pid_path);
		close(lock_fd);
		return 1;
	}
	if (pipe2(pfd, O_CLOEXEC)) {
		fprintf(stderr, "ovpn-cli: up: pipe: %s\n", strerror(errno));
		goto fail_unlock;
	}

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "ovpn-cli: up: fork: %s\n", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		goto fail_unlock;
	}
	if (pid == 0) {
		close(pfd[0]);
		daemon_main(&c, lock_fd, pid_path, log_path, pfd[1], wait);
	}
	/* the daemon holds the lock now (the same open file) */
	close(lock_fd);
	close(pfd[1]);

	if (wait)
		deadline = monotonic_ms() + wait_secs * 1000LL;
	if (read_byte(pfd[0], deadline, &got) != 1) {
		int status = 0;

		if (!deadline || monotonic_ms() < deadline) {
			/* it failed setting up and said why on our stderr */
			waitpid(pid, &status, 0);
			fprintf(stderr, "ovpn-cli: up: tunnel %s not brought up\n", c.name);
			close(pfd[0]);
			return 1;
		}
		fprintf(stderr,
			"ovpn-cli: up: tunnel %s: not set up within %u s; tearing it down\n",
			c.name, wait_secs);
		goto fail_stop;
	}
	if (wait) {
		int r = read_byte(pfd[0], deadline, &got);

		if (r == 0) {
			fprintf(stderr,
				"ovpn-cli: up: tunnel %s: the daemon exited before the handshake completed (log: %s)\n",
				c.name, log_path);
			waitpid(pid, NULL, 0);
			close(pfd[0]);
			/* it tore its device down itself; be sure */
			delete_device("up", c.dev);
			return 1;
		}
		if (r < 0) {
			char remote[INET6_ADDRSTRLEN];

			ip_addr_str(&c.remote, remote, sizeof(remote));
			fprintf(stderr,
				"ovpn-cli: up: tunnel %s: no handshake with %s within %u s (is the other end up, with the same key file?); tearing it down (log: %s)\n",
				c.name, remote, wait_secs, log_path);
			goto fail_stop;
		}
	}
	close(pfd[0]);
	printf("%s: device %s up, daemon pid %d%s\n", c.name, c.dev, (int)pid,
	       wait ? ", session key installed" : "");
	return 0;

fail_stop:
	close(pfd[0]);
	lock_fd = stop_daemon(pid_path, pid);
	waitpid(pid, NULL, WNOHANG);
	delete_device("up", c.dev);
	if (lock_fd >= 0) {
		pidfile_remove(lock_fd, pid_path);
		close(lock_fd);
	}
	return 1;

fail_unlock:
	pidfile_remove(lock_fd, pid_path);
	close(lock_fd);
	return 1;
}

/* ---------------------------------------------------------------- down */

int cmd_down(int argc, char **argv)
{
	char name[CONF_NAME_MAX + 1], pid_path[PATH_MAX], msg[PATH_MAX + 256];
	struct pidfile pf;
	int fd, ret = 0;

	if (argc != 1 || !strncmp(argv[0], "--", 2))
		usage_error("down: ovpn-cli down <name>");
	if (conf_name_of(argv[0], name, sizeof(name), msg, sizeof(msg))) {
		fprintf(stderr, "ovpn-cli: down: %s\n", msg);
		return 1;
	}
	run_path(pid_path, sizeof(pid_path), name, "pid");
	if (pidfile_read(pid_path, &pf)) {
		if (errno == ENOENT)
			fprintf(stderr, "ovpn-cli: down: tunnel %s is not up (no %s)\n",
				name, pid_path);
		else
			fprintf(stderr, "ovpn-cli: down: %s: %s\n", pid_path,
				strerror(errno));
		return 1;
	}
	if (pf.running) {
		fd = stop_daemon(pid_path, pf.pid);
		if (fd < 0) {
			fprintf(stderr, "ovpn-cli: down: tunnel %s: daemon pid %d would not stop\n",
				name, (int)pf.pid);
			return 1;
		}
	} else {
		bool created;

		fd = pidfile_lock(pid_path, &created);
		if (fd < 0) {
			fprintf(stderr, "ovpn-cli: down: %s: %s\n", pid_path,
				strerror(errno));
			return 1;
		}
		fprintf(stderr,
			"ovpn-cli: down: tunnel %s: its daemon (pid %d) was not running; removing what it left\n",
			name, (int)pf.pid);
	}
	if (!pf.dev[0])
		snprintf(pf.dev, sizeof(pf.dev), "%.*s", IFNAMSIZ - 1, name);
	if (delete_device("down", pf.dev))
		ret = 1;
	pidfile_remove(fd, pid_path);
	close(fd);
	return ret;
}

/* ---------------------------------------------------------------- show */

/**
 * struct show_peer - the first peer of a GET_PEER dump
 * @vals: its attributes
 * @found: @vals is filled
 */
struct show_peer {
	struct attr_vals vals;
	bool found;
};

static void store_peer(const struct attr_vals *vals, void *arg)
{
	struct show_peer *sp = arg;

	if (sp->found)
		return;
	sp->vals = *vals;
	sp->found = true;
}

static void print_ago(uint64_t ms)
{
	if (ms < 1000)
		printf("%llu ms ago\n", (unsigned long long)ms);
	else if (ms < 120000)
		printf("%llu.%llu s ago\n", (unsigned long long)(ms / 1000),
		       (unsigned long long)(ms % 1000 / 100));
	else
		printf("%llu min %llu s ago\n", (unsigned long long)(ms / 60000),
		       (unsigned long long)(ms % 60000 / 1000));
}

static void show_peer(const struct attr_vals *v)
{
	char addr[INET6_ADDRSTRLEN + 16];
	bool has_secs, has_pkts;

	if (v->remote_len) {
		sockaddr_str((const struct sockaddr *)&v->remote, v->remote_len,
			     addr, sizeof(addr));
		printf("  endpoint: %s\n", addr);
	}
	printf("  latest rx: ");
	if (ATTR_HAS(v, OVPN_GET_PEER_RESP_ATTR_LAST_RX_MSECS))
		print_ago(v->num[OVPN_GET_PEER_RESP_ATTR_LAST_RX_MSECS]);
	else
		printf("none reported\n");
	printf("  transfer: %llu B received (%llu packets), %llu B sent (%llu packets)\n",
	       (unsigned long long)v->num[OVPN_GET_PEER_RESP_ATTR_VPN_RX_BYTES],
	       (unsigned long long)v->num[OVPN_GET_PEER_RESP_ATTR_VPN_RX_PACKETS],
	       (unsigned long long)v->num[OVPN_GET_PEER_RESP_ATTR_VPN_TX_BYTES],
	       (unsigned long long)v->num[OVPN_GET_PEER_RESP_ATTR_VPN_TX_PACKETS]);
	if (ATTR_HAS(v, OVPN_GET_PEER_RESP_ATTR_EPOCH_TX)) {
		printf("  key epoch: tx %llu",
		       (unsigned long long)v->num[OVPN_GET_PEER_RESP_ATTR_EPOCH_TX]);
		if (ATTR_HAS(v, OVPN_GET_PEER_RESP_ATTR_EPOCH_RX))
			printf(", rx %llu",
			       (unsigned long long)v->num[OVPN_GET_PEER_RESP_ATTR_EPOCH_RX]);
		if (ATTR_HAS(v, OVPN_GET_PEER_RESP_ATTR_EPOCH_TX_PACKETS))
			printf(" (%llu packets sent in it)",
			       (unsigned long long)v->num[OVPN_GET_PEER_RESP_ATTR_EPOCH_TX_PACKETS]);
		printf("\n  next rekey: ");
		has_secs = ATTR_HAS(v, OVPN_GET_PEER_RESP_ATTR_EPOCH_REKEY_SECS);
		has_pkts = ATTR_HAS(v, OVPN_GET_PEER_RESP_ATTR_EPOCH_REKEY_PACKETS);
		if (has_secs)
			printf("in %llu s%s",
			       (unsigned long long)v->num[OVPN_GET_PEER_RESP_ATTR_EPOCH_REKEY_SECS],
			       has_pkts ? " or " : "\n");
		if (has_pkts)
			printf("after %llu packets\n",
			       (unsigned long long)v->num[OVPN_GET_PEER_RESP_ATTR_EPOCH_REKEY_PACKETS]);
		else if (!has_secs)
			printf("not reported\n");
	} else {
		printf("  key epoch: none reported (session key)\n");
		printf("  next rekey: a new handshake before the packet ids run out\n");
	}
}

/* one tunnel; @named: asked for by name. Returns 0 or 1. */
static int show_one(const char *name, bool named)
{
	char pid_path[PATH_MAX];
	struct show_peer sp = { 0 };
	struct ovpn_nl nl = { 0 };
	struct nlx_err err;
	struct pidfile pf;
	uint32_t ifindex;
	int ret;

	run_path(pid_path, sizeof(pid_path), name, "pid");
	if (pidfile_read(pid_path, &pf)) {
		if (named)
			fprintf(stderr, "ovpn-cli: show: tunnel %s is not up (no %s)\n",
				name, pid_path);
		return 1;
	}
	printf("tunnel: %s\n", name);
	ifindex = our_device(pf.dev);
	if (ifindex)
		printf("  device: %s (ifindex %u)\n", pf.dev, ifindex);
	else
		printf("  device: %s (missing)\n", pf.dev[0] ? pf.dev : "?");
	if (pf.running)
		printf("  daemon: pid %d\n", (int)pf.pid);
	else
		printf("  daemon: not running (ovpn-cli down %s cleans up)\n", name);
	if (!ifindex)
		return named ? 1 : 0;

	ret = ovpn_nl_open(&nl, &err);
	if (!ret)
		ret = ovpn_get_peer(&nl, ifindex, NULL, store_peer, &sp, &err);
	ovpn_nl_close(&nl);
	if (ret) {
		nlx_report("show: get_peer", &err);
		return 1;
	}
	if (!sp.found)
		printf("  peer: none\n");
	else
		show_peer(&sp.vals);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cmd_show(int argc, char **argv)
{
	char *names[256];
	size_t n = 0, i;
	struct dirent *de;
	int ret = 0;
	DIR *dir;

	if (argc > 1 || (argc == 1 && !strncmp(argv[0], "--", 2)))
		usage_error("show: ovpn-cli show [name]");
	if (argc == 1) {
		char name[CONF_NAME_MAX + 1], msg[256];

		if (conf_name_of(argv[0], name, sizeof(name), msg, sizeof(msg))) {
			fprintf(stderr, "ovpn-cli: show: %s\n", msg);
			return 1;
		}
		return show_one(name, true);
	}
	dir = opendir(run_dir());
	if (!dir)
		return 0;	/* nothing was ever brought up */
	while ((de = readdir(dir)) && n < ARRAY_SIZE(names)) {
		size_t len = strlen(de->d_name);

		if (len > 4 && !strcmp(de->d_name + len - 4, ".pid")) {
			names[n] = strndup(de->d_name, len - 4);
			if (names[n])
				n++;
		}
	}
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		if (i)
			printf("\n");
		ret |= show_one(names[i], false);
		free(names[i]);
	}
	return ret;
}
