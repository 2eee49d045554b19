// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: the CLI's key-file parser (cli/keyfile.c).
 *
 * Any text: keyfile_parse() must not crash or read out of bounds (the text
 * is an exact-size heap copy, not NUL-terminated), must give the same
 * answer twice, must leave a NUL-terminated, non-empty message on failure,
 * and on success the two directions must hold the same two keys swapped
 * and the same nonce tail.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct key_material k0, k1, again;
	char err[128], err2[128];
	char *text = malloc(size ? size : 1);
	int r0, r1, r;

	if (!text)
		return 0;
	memcpy(text, data, size);
	memset(err, 'x', sizeof(err));
	r0 = keyfile_parse(text, size, 0, &k0, err, sizeof(err));
	if (r0) {
		if (!memchr(err, '\0', sizeof(err)) || !err[0])
			abort();
	}
	r1 = keyfile_parse(text, size, 1, &k1, err2, sizeof(err2));
	if ((r0 == 0) != (r1 == 0))
		abort();
	if (!r0) {
		if (memcmp(k0.encrypt_key, k1.decrypt_key, KEYFILE_KEY_LEN) ||
		    memcmp(k0.decrypt_key, k1.encrypt_key, KEYFILE_KEY_LEN) ||
		    memcmp(k0.nonce_tail, k1.nonce_tail, KEYFILE_NONCE_TAIL_LEN))
			abort();
		r = keyfile_parse(text, size, 0, &again, err2, sizeof(err2));
		if (r || memcmp(&again, &k0, sizeof(k0)))
			abort();
	}
	/* a direction other than 0 or 1 is refused */
	if (!keyfile_parse(text, size, 2, &again, err2, sizeof(err2)))
		abort();
	free(text);
	return 0;
}
