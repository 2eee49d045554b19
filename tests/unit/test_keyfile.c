// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of cli/keyfile.c: key direction mapping, minimum length,
 * base64 errors, whitespace and comments, the 256-character window and
 * genkey round trips.
 *
 * cc -Wall -Wextra -Werror -O2 -g -I../../cli -o test_keyfile \
 *	test_keyfile.c ../../cli/keyfile.c -lmbedcrypto
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/base64.h>

#include "keyfile.h"

static int passed, failed;

static void check(bool ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "not ok", what);
	if (ok)
		passed++;
	else
		failed++;
}

/* raw[i] = i + seed, base64-encoded into @out (NUL-terminated) */
static void make_b64(size_t nbytes, unsigned char seed, char *out,
		     size_t outlen)
{
	unsigned char raw[512];
	size_t olen;
	size_t i;

	for (i = 0; i < nbytes; i++)
		raw[i] = (unsigned char)(i + seed);
	if (mbedtls_base64_encode((unsigned char *)out, outlen, &olen, raw,
				  nbytes)) {
		fprintf(stderr, "test setup: base64 encode failed\n");
		exit(2);
	}
}

static bool bytes_are(const uint8_t *p, size_t len, unsigned char first)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)(first + i))
			return false;
	return true;
}

static int parse(const char *text, int dir, struct key_material *km,
		 char *err, size_t errlen)
{
	err[0] = '\0';
	return keyfile_parse(text, strlen(text), dir, km, err, errlen);
}

static bool same_km(const struct key_material *a,
		    const struct key_material *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static void test_directions(void)
{
	struct key_material km;
	char b64[512], err[256];
	int r;

	make_b64(72, 0, b64, sizeof(b64));

	r = parse(b64, 0, &km, err, sizeof(err));
	check(r == 0, "direction 0: parses 72 bytes");
	check(bytes_are(km.encrypt_key, 32, 0), "direction 0: encrypt key is bytes 0..31");
	check(bytes_are(km.decrypt_key, 32, 32), "direction 0: decrypt key is bytes 32..63");
	check(bytes_are(km.nonce_tail, 8, 64), "direction 0: nonce tail is bytes 64..71");

	r = parse(b64, 1, &km, err, sizeof(err));
	check(r == 0, "direction 1: parses 72 bytes");
	check(bytes_are(km.encrypt_key, 32, 32), "direction 1: encrypt key is bytes 32..63");
	check(bytes_are(km.decrypt_key, 32, 0), "direction 1: decrypt key is bytes 0..31");
	check(bytes_are(km.nonce_tail, 8, 64), "direction 1: nonce tail is bytes 64..71");

	r = parse(b64, 2, &km, err, sizeof(err));
	check(r < 0 && strstr(err, "direction"), "direction 2 is refused");
	r = parse(b64, -1, &km, err, sizeof(err));
	check(r < 0 && strstr(err, "direction"), "direction -1 is refused");
}

static void test_lengths(void)
{
	struct key_material km;
	char b64[512], err[256];
	int r;

	make_b64(71, 0, b64, sizeof(b64));
	r = parse(b64, 0, &km, err, sizeof(err));
	check(r < 0 && strstr(err, "too short"), "71 bytes are refused as too short");

	make_b64(48, 0, b64, sizeof(b64));
	r = parse(b64, 0, &km, err, sizeof(err));
	check(r < 0 && strstr(err, "too short"), "48 bytes are refused as too short");

	r = parse("", 0, &km, err, sizeof(err));
	check(r < 0 && err[0], "empty text is refused");

	r = parse(" \n\t\n", 0, &km, err, sizeof(err));
	check(r < 0 && err[0], "whitespace-only text is refused");

	make_b64(73, 0, b64, sizeof(b64));
	r = parse(b64, 0, &km, err, sizeof(err));
	check(r == 0 && bytes_are(km.nonce_tail, 8, 64),
	      "73 bytes (padded base64) are accepted");
}

static void test_bad_base64(void)
{
	struct key_material km;
	char b64[512], err[256];
	int r;

	make_b64(72, 0, b64, sizeof(b64));
	b64[10] = '*';
	r = parse(b64, 0, &km, err, sizeof(err));
	check(r < 0 && strstr(err, "base64"), "an invalid character is refused");

	make_b64(72, 0, b64, sizeof(b64));
	b64[strlen(b64) - 1] = '\0';
	r = parse(b64, 0, &km, err, sizeof(err));
	check(r < 0 && strstr(err, "multiple of 4"),
	      "a truncated last group is refused");

	make_b64(72, 0, b64, sizeof(b64));
	b64[20] = '=';
	r = parse(b64, 0, &km, err, sizeof(err));
	check(r < 0 && strstr(err, "base64"), "padding in the middle is refused");

	r = parse("-----BEGIN OpenVPN Static key V1-----\n0123abcd\n"
		  "-----END OpenVPN Static key V1-----\n", 0, &km, err,
		  sizeof(err));
	check(r < 0 && strstr(err, "OpenVPN hex"), "an OpenVPN hex static key is refused");
}

static void test_whitespace(void)
{
	struct key_material ref, km;
	char b64[512], text[1024], err[256];
	size_t i, j = 0, len;
	int r;

	make_b64(72, 7, b64, sizeof(b64));
	r = parse(b64, 0, &ref, err, sizeof(err));
	check(r == 0, "reference key without whitespace parses");

	snprintf(text, sizeof(text), "%s\n", b64);
	r = parse(text, 0, &km, err, sizeof(err));
	check(r == 0 && same_km(&km, &ref), "a trailing newline is ignored");

	snprintf(text, sizeof(text), "%s\r\n\r\n", b64);
	r = parse(text, 0, &km, err, sizeof(err));
	check(r == 0 && same_km(&km, &ref), "trailing CRLF lines are ignored");

	/* wrap every 10 characters, with spaces, tabs and CRs mixed in */
	len = strlen(b64);
	for (i = 0; i < len; i++) {
		if (i && i % 10 == 0) {
			text[j++] = (i / 10) % 2 ? '\n' : '\r';
			text[j++] = '\n';
			text[j++] = ' ';
		}
		if (i % 7 == 3)
			text[j++] = '\t';
		text[j++] = b64[i];
	}
	text[j] = '\0';
	r = parse(text, 0, &km, err, sizeof(err));
	check(r == 0 && same_km(&km, &ref), "whitespace inside the text is ignored");

	snprintf(text, sizeof(text),
		 "# a comment line\n-----BEGIN data64 key-----\n  %.40s\n%s\n-----END data64 key-----\n",
		 b64, b64 + 40);
	r = parse(text, 0, &km, err, sizeof(err));
	check(r == 0 && same_km(&km, &ref), "comment and armour lines are skipped");
}

static void test_window(void)
{
	struct key_material ref, km;
	char b64[1024], text[2048], err[256];
	int r;

	/* 192 bytes: exactly 256 characters, then junk that must be ignored */
	make_b64(192, 1, b64, sizeof(b64));
	check(strlen(b64) == 256, "192 bytes encode to 256 characters");
	r = parse(b64, 1, &ref, err, sizeof(err));
	check(r == 0 && bytes_are(ref.encrypt_key, 32, 33),
	      "256 characters parse (direction 1)");

	snprintf(text, sizeof(text), "%s!!!! not base64 ***\n", b64);
	r = parse(text, 1, &km, err, sizeof(err));
	check(r == 0 && same_km(&km, &ref), "text after 256 characters is ignored");

	/* 300 bytes: 400 characters, only the first 256 are decoded */
	make_b64(300, 1, b64, sizeof(b64));
	r = parse(b64, 1, &km, err, sizeof(err));
	check(r == 0 && same_km(&km, &ref), "a longer text decodes its first 256 characters");

	/* the window counts base64 characters, not whitespace */
	make_b64(192, 1, b64, sizeof(b64));
	snprintf(text, sizeof(text), "%.64s\n%.64s\n%.64s\n%.64s\nxyz*\n",
		 b64, b64 + 64, b64 + 128, b64 + 192);
	r = parse(text, 1, &km, err, sizeof(err));
	check(r == 0 && same_km(&km, &ref), "line breaks do not count towards the window");

	make_b64(192, 1, b64, sizeof(b64));
	b64[255] = '*';
	r = parse(b64, 1, &km, err, sizeof(err));
	check(r < 0, "a bad character at position 256 is refused");
}

static void test_genkey(void)
{
	char dir[] = "/tmp/test_keyfile.XXXXXX";
	char path[256], err[256], buf[1024];
	struct key_material k0, k1;
	struct stat st;
	size_t len;
	FILE *f;
	int r;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		check(false, "genkey: temporary directory");
		return;
	}
	snprintf(path, sizeof(path), "%s/new.key", dir);

	r = keyfile_generate(path, err, sizeof(err));
	check(r == 0, "genkey: writes a new file");
	check(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600,
	      "genkey: file mode is 0600");

	f = fopen(path, "r");
	len = f ? fread(buf, 1, sizeof(buf), f) : 0;
	if (f)
		fclose(f);
	check(len == 257 && buf[256] == '\n' && !memchr(buf, '\n', 256),
	      "genkey: one line of 256 characters and a newline");

	r = keyfile_load(path, 0, &k0, err, sizeof(err));
	check(r == 0, "genkey: output loads with direction 0");
	r = keyfile_load(path, 1, &k1, err, sizeof(err));
	check(r == 0, "genkey: output loads with direction 1");
	check(!memcmp(k0.encrypt_key, k1.decrypt_key, 32) &&
	      !memcmp(k0.decrypt_key, k1.encrypt_key, 32) &&
	      !memcmp(k0.nonce_tail, k1.nonce_tail, 8) &&
	      memcmp(k0.encrypt_key, k0.decrypt_key, 32),
	      "genkey: the two directions mirror each other");

	err[0] = '\0';
	r = keyfile_generate(path, err, sizeof(err));
	check(r < 0 && strstr(err, "exists"), "genkey: refuses to overwrite");
	r = keyfile_load(path, 0, &k1, err, sizeof(err));
	check(r == 0 && same_km(&k0, &k1), "genkey: refused overwrite left the file intact");

	unlink(path);
	snprintf(path, sizeof(path), "%s/missing.key", dir);
	err[0] = '\0';
	r = keyfile_load(path, 0, &k0, err, sizeof(err));
	check(r < 0 && strstr(err, "missing.key"), "load: a missing file is reported with its path");

	snprintf(path, sizeof(path), "%s/no-such-dir/new.key", dir);
	r = keyfile_generate(path, err, sizeof(err));
	check(r < 0 && strstr(err, "no-such-dir"), "genkey: an unwritable path is reported");

	rmdir(dir);
}

int main(void)
{
	test_directions();
	test_lengths();
	test_bad_base64();
	test_whitespace();
	test_window();
	test_genkey();

	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
