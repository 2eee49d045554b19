// SPDX-License-Identifier: GPL-2.0-only
/*
 * Static key files: parsing, loading and generation. See keyfile.h.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/base64.h>

#include "keyfile.h"

#define OPENVPN_HEX_KEY_HEADER	"-----BEGIN OpenVPN Static key"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\v' || c == '\f';
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t plen = strlen(prefix);

	return len >= plen && !memcmp(s, prefix, plen);
}

/*
 * Gather the base64 characters of @text into @b64 (at most
 * KEYFILE_TEXT_MAX), skipping whitespace, comment and armour lines.
 * Returns the number gathered, or -1 for an OpenVPN hex key.
 */
static int gather_base64(const char *text, size_t len,
			 char b64[KEYFILE_TEXT_MAX])
{
	size_t pos = 0;
	int n = 0;

	while (pos < len && n < KEYFILE_TEXT_MAX) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - line) : len - pos;
		size_t i = 0;

		pos += llen + (nl ? 1 : 0);

		while (i < llen && is_space(line[i]))
			i++;
		if (starts_with(line + i, llen - i, OPENVPN_HEX_KEY_HEADER))
			return -1;
		if (starts_with(line + i, llen - i, "#") ||
		    starts_with(line + i, llen - i, "-----"))
			continue;

		for (; i < llen && n < KEYFILE_TEXT_MAX; i++)
			if (!is_space(line[i]))
				b64[n++] = line[i];
	}
	return n;
}

int keyfile_parse(const char *text, size_t len, int direction,
		  struct key_material *out, char *err, size_t errlen)
{
	/* 256 base64 characters decode to at most 192 bytes */
	unsigned char raw[KEYFILE_TEXT_MAX / 4 * 3];
	char b64[KEYFILE_TEXT_MAX];
	const unsigned char *first, *second;
	size_t olen = 0;
	int n, ret = -1;

	if (direction != 0 && direction != 1) {
		set_err(err, errlen, "key direction must be 0 or 1, not %d",
			direction);
		return -1;
	}

	n = gather_base64(text, len, b64);
	if (n < 0) {
		set_err(err, errlen,
			"this is an OpenVPN hex static key; a base64 key file is needed (ovpn-cli genkey)");
		goto out;
	}
	if (n == 0) {
		set_err(err, errlen, "no base64 key material found");
		goto out;
	}
	/* mbedtls silently drops an incomplete last group: refuse it here */
	if (n % 4) {
		set_err(err, errlen,
			"invalid base64: %d characters is not a multiple of 4 (truncated?)",
			n);
		goto out;
	}
	if (mbedtls_base64_decode(raw, sizeof(raw), &olen,
				  (const unsigned char *)b64, n)) {
		set_err(err, errlen, "invalid base64 text");
		goto out;
	}
	if (olen < KEYFILE_MIN_BYTES) {
		set_err(err, errlen,
			"key material too short: %zu bytes, at least %d needed",
			olen, KEYFILE_MIN_BYTES);
		goto out;
	}

	first = raw;
	second = raw + KEYFILE_KEY_LEN;
	if (direction == 1) {
		first = second;
		second = raw;
	}
	memcpy(out->encrypt_key, first, KEYFILE_KEY_LEN);
	memcpy(out->decrypt_key, second, KEYFILE_KEY_LEN);
	memcpy(out->nonce_tail, raw + 2 * KEYFILE_KEY_LEN,
	       KEYFILE_NONCE_TAIL_LEN);
	ret = 0;
out:
	explicit_bzero(raw, sizeof(raw));
	explicit_bzero(b64, sizeof(b64));
	return ret;
}

int keyfile_load(const char *path, int direction, struct key_material *out,
		 char *err, size_t errlen)
{
	char buf[KEYFILE_FILE_MAX + 1];
	size_t len = 0;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (len < sizeof(buf)) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			set_err(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += r;
	}
	if (len > KEYFILE_FILE_MAX) {
		set_err(err, errlen, "%s: too large for a key file", path);
		goto out;
	}

	if (keyfile_parse(buf, len, direction, out, err, errlen) == 0) {
		ret = 0;
	} else if (err && errlen) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", err);
		set_err(err, errlen, "%s: %s", path, msg);
	}
out:
	explicit_bzero(buf, len);
	close(fd);
	return ret;
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
	while (len) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		p += r;
		len -= r;
	}
	return 0;
}

int keyfile_generate(const char *path, char *err, size_t errlen)
{
	unsigned char raw[KEYFILE_GEN_BYTES];
	/* base64 text, newline and the NUL mbedtls always writes */
	unsigned char text[(KEYFILE_GEN_BYTES + 2) / 3 * 4 + 2];
	size_t got = 0, olen = 0;
	int fd, ret = -1;

	while (got < sizeof(raw)) {
		ssize_t r = getrandom(raw + got, sizeof(raw) - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			set_err(err, errlen, "getrandom: %s", strerror(errno));
			goto out_wipe;
		}
		got += r;
	}
	if (mbedtls_base64_encode(text, sizeof(text) - 1, &olen, raw,
				  sizeof(raw))) {
		set_err(err, errlen, "base64 encoding failed");
		goto out_wipe;
	}
	text[olen++] = '\n';

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			set_err(err, errlen,
				"%s: already exists, not overwriting it", path);
		else
			set_err(err, errlen, "%s: %s", path, strerror(errno));
		goto out_wipe;
	}
	/* the umask may only have taken bits away, but be exact */
	if (fchmod(fd, 0600) || write_all(fd, text, olen) || fsync(fd)) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		goto out_wipe;
	}
	if (close(fd)) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		unlink(path);
		goto out_wipe;
	}
	ret = 0;
out_wipe:
	explicit_bzero(raw, sizeof(raw));
	explicit_bzero(text, sizeof(text));
	return ret;
}
