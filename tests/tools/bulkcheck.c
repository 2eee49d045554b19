// SPDX-License-Identifier: GPL-2.0-only
/*
 * bulkcheck: a TCP transfer whose every byte is checked at the other end.
 *
 * usage: bulkcheck send <ip> <port> <secs> <seed>
 *        bulkcheck recv <ip> <port> <seed> [--wait SECS]
 *
 * "send" connects to <ip>:<port> (retrying for 10 s), writes a pattern for
 * at least <secs> seconds, closes its side and waits for the receiver to
 * close; prints "sent N bytes". "recv" listens on <ip>:<port>, accepts one
 * connection (within SECS seconds, default 20) and reads until the end of
 * the stream, checking every byte; prints "received N bytes" or where the
 * stream first differs.
 *
 * Byte i of the stream is byte i % 8 of a 64-bit hash of (seed, i / 8): a
 * byte lost, repeated or moved anywhere shows at the first place it does.
 * Exit status: 0, 1 on a mismatch or an I/O error, 2 on a usage error.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK	65536

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* fill @len bytes of the pattern starting at stream offset @off */
static void pattern(uint64_t seed, uint64_t off, unsigned char *buf,
		    size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint64_t pos = off + i, w = mix(seed ^ (pos >> 3));
		unsigned int b;

		for (b = pos & 7; b < 8 && i < len; b++)
			buf[i++] = w >> (b * 8);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_addr(const char *ip, const char *port,
		      struct sockaddr_in *sa)
{
	char *end;
	long p = strtol(port, &end, 10);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (*end || p <= 0 || p > 65535 ||
	    inet_pton(AF_INET, ip, &sa->sin_addr) != 1)
		return -1;
	sa->sin_port = htons(p);
	return 0;
}

static int do_send(const struct sockaddr_in *sa, double secs, uint64_t seed)
{
	static unsigned char buf[CHUNK];
	uint64_t off = 0;
	double start, end;
	int fd = -1, tries;

	for (tries = 0; tries < 100; tries++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0) {
			perror("bulkcheck: socket");
			return 1;
		}
		if (!connect(fd, (const struct sockaddr *)sa, sizeof(*sa)))
			break;
		close(fd);
		fd = -1;
		usleep(100000);
	}
	if (fd < 0) {
		perror("bulkcheck: connect");
		return 1;
	}

	start = now();
	end = start + secs;
	while (now() < end) {
		size_t done = 0;

		pattern(seed, off, buf, sizeof(buf));
		while (done < sizeof(buf)) {
			ssize_t n = write(fd, buf + done, sizeof(buf) - done);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				fprintf(stderr, "bulkcheck: write at %llu: %s\n",
					(unsigned long long)(off + done),
					n ? strerror(errno) : "wrote 0");
				return 1;
			}
			done += n;
		}
		off += done;
	}
	if (shutdown(fd, SHUT_WR)) {
		perror("bulkcheck: shutdown");
		return 1;
	}
	/* the receiver closes once it has read the end */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	printf("sent %llu bytes in %.1f s\n", (unsigned long long)off,
	       now() - start);
	return 0;
}

static int do_recv(const struct sockaddr_in *sa, uint64_t seed, int wait)
{
	static unsigned char buf[CHUNK], want[CHUNK];
	struct timeval tv = { .tv_sec = wait };
	int one = 1, lfd, fd;
	uint64_t off = 0;
	double start;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (const struct sockaddr *)sa, sizeof(*sa)) ||
	    listen(lfd, 1) ||
	    setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		perror("bulkcheck: listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		perror("bulkcheck: accept");
		return 1;
	}
	close(lfd);
	/* the accepted socket inherits the timeout: a stall of a minute is
	 * a failure, not a wait
	 */
	tv.tv_sec = 60;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		perror("bulkcheck: setsockopt");
		return 1;
	}

	start = now();
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		ssize_t i;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "bulkcheck: read at %llu: %s\n",
				(unsigned long long)off, strerror(errno));
			return 1;
		}
		if (!n)
			break;
		pattern(seed, off, want, n);
		if (memcmp(buf, want, n)) {
			for (i = 0; i < n && buf[i] == want[i]; i++)
				;
			printf("mismatch at byte %llu: got 0x%02x, expected 0x%02x\n",
			       (unsigned long long)(off + i), buf[i], want[i]);
			return 1;
		}
		off += n;
	}
	close(fd);
	printf("received %llu bytes in %.1f s\n", (unsigned long long)off,
	       now() - start);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bulkcheck send <ip> <port> <secs> <seed>\n"
		"       bulkcheck recv <ip> <port> <seed> [--wait SECS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	int wait = 20;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 5 || parse_addr(argv[2], argv[3], &sa))
		usage();
	if (!strcmp(argv[1], "send") && argc == 6)
		return do_send(&sa, atof(argv[4]),
			       strtoull(argv[5], NULL, 0));
	if (!strcmp(argv[1], "recv") && (argc == 5 || argc == 7)) {
		if (argc == 7) {
			if (strcmp(argv[5], "--wait"))
				usage();
			wait = atoi(argv[6]);
			if (wait <= 0)
				usage();
		}
		return do_recv(&sa, strtoull(argv[4], NULL, 0), wait);
	}
	usage();
	return 2;
}
