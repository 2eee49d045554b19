// SPDX-License-Identifier: GPL-2.0-only
/*
 * sesscheck: prove from a capture which key encrypted each data packet.
 *
 * usage: sesscheck <key-file>  < lines "<source> <udp-payload-hex>"
 *
 * Reads the one-shot CLI's handshake messages (REPLY/CONFIRM whose MAC
 * checks under the key file) from the capture, derives every session's two
 * directional keys the way cli/session.c does, and then tries each
 * P_DATA_V2 packet (AES-256-GCM) against every session key with its key id,
 * and against the key file's own two halves. A (key, nonce) pair is the key
 * that authenticated the packet and its packet id (the tail is the key's).
 * Packets in the epoch data format (the module's epoch keys: 64-bit packet
 * id, tag last) are tried against each session's epoch keys, derived from
 * the session's epoch-1 secrets the way Documentation/wire-format.md says
 * ("Epoch data keys"), independently of the module; there the key is the
 * epoch's and the nonce its 64-bit packet id.
 *
 * Prints one line per session ("session <id> key-id <k> A <n> B <n>"), then
 * "data <n> session <n> raw-file <n> none <n> repeated <n> shared <n>":
 * repeated counts packets whose (key, nonce) pair was already seen, shared
 * counts keys that two sources encrypted with. Sessions with epoch packets
 * get a line "epochs <session> A <n> (<first>-<last>) B <n> (<first>-<last>)"
 * with the number of distinct epochs each direction used. Exit 0 only if every data
 * packet authenticated under exactly one session key, none repeated and no
 * key was shared; 1 otherwise; 2 usage error.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/gcm.h>
#include <mbedtls/md.h>

#include "keyfile.h"
#include "session.h"

#define MAX_SESS	64
#define MAX_KEYS	(2 * MAX_SESS + 2)
#define MAX_SEEN	200000
#define HDR_LEN		8
#define TAG_LEN		16
#define EHDR_LEN	12
#define MAX_EPOCH	65536

/**
 * struct dkey - one directional key found in the capture
 * @key: AES-256 key
 * @tail: nonce tail
 * @key_id: key id it was installed with (raw file: 0)
 * @sess: session index, -1 for the key file's halves
 * @dir: 0 A (or file half 0), 1 B
 * @count: packets it authenticated
 * @src: the first source that used it
 * @e1: session keys: the epoch secret of epoch 1
 * @ecache: derived epoch keys: key (32) and implicit IV (12) of epoch i + 1
 * @ncache: how many epochs @ecache holds
 * @esecret: the secret of epoch @ncache + 1
 * @eseen: epochs that authenticated a packet (bitmap)
 */
struct dkey {
	uint8_t key[KEYFILE_KEY_LEN];
	uint8_t tail[KEYFILE_NONCE_TAIL_LEN];
	int key_id;
	int sess;
	int dir;
	unsigned long count;
	char src[80];
	uint8_t e1[SESS_EPOCH_SECRET_LEN];
	uint8_t (*ecache)[44];
	int ncache;
	uint8_t esecret[SESS_EPOCH_SECRET_LEN];
	uint8_t *eseen;
};

static struct dkey keys[MAX_KEYS];
static int nkeys;
static struct sess_msg sess[MAX_SESS];
static uint8_t sess_id[MAX_SESS][SESS_ID_LEN];
static int nsess;
/* (key index + 1, packet id) of every packet authenticated: an open
 * addressing hash set (0 is empty), so long captures stay linear
 */
#define SEEN_SLOTS	(1u << 19)
static struct { int k; uint64_t pktid; } seen[SEEN_SLOTS];
static size_t nseen;

static int unhex(const char *h, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned int b;

	while (h[0] && h[1] && n < max && sscanf(h, "%2x", &b) == 1) {
		out[n++] = b;
		h += 2;
	}
	return (int)n;
}

static bool known_session(const struct sess_msg *m)
{
	int i;

	for (i = 0; i < nsess; i++)
		if (!memcmp(sess[i].n_init, m->n_init, SESS_NONCE_LEN) &&
		    !memcmp(sess[i].n_resp, m->n_resp, SESS_NONCE_LEN))
			return true;
	return false;
}

static void add_session(const uint8_t *master, const struct sess_msg *m)
{
	struct sess_keys sk;

	if (nsess == MAX_SESS || known_session(m))
		return;
	if (sess_derive(master, m->n_init, m->n_resp, m->key_id, SESS_ROLE_A,
			&sk))
		return;
	sess[nsess] = *m;
	memcpy(sess_id[nsess], sk.id, SESS_ID_LEN);
	memcpy(keys[nkeys].key, sk.km.encrypt_key, KEYFILE_KEY_LEN);
	memcpy(keys[nkeys].tail, sk.km.nonce_tail, KEYFILE_NONCE_TAIL_LEN);
	memcpy(keys[nkeys].e1, sk.epoch_tx, SESS_EPOCH_SECRET_LEN);
	memcpy(keys[nkeys + 1].e1, sk.epoch_rx, SESS_EPOCH_SECRET_LEN);
	keys[nkeys].key_id = m->key_id;
	keys[nkeys].sess = nsess;
	keys[nkeys++].dir = 0;
	memcpy(keys[nkeys].key, sk.km.decrypt_key, KEYFILE_KEY_LEN);
	memcpy(keys[nkeys].tail, sk.decrypt_tail, KEYFILE_NONCE_TAIL_LEN);
	keys[nkeys].key_id = m->key_id;
	keys[nkeys].sess = nsess;
	keys[nkeys++].dir = 1;
	nsess++;
}

static bool authenticates(const struct dkey *k, const uint8_t *p, size_t len)
{
	static uint8_t out[65536];
	mbedtls_gcm_context gcm;
	uint8_t nonce[12];
	int ret;

	memcpy(nonce, p + 4, 4);
	memcpy(nonce + 4, k->tail, 8);
	mbedtls_gcm_init(&gcm);
	ret = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, k->key, 256) ||
	      mbedtls_gcm_auth_decrypt(&gcm, len - HDR_LEN - TAG_LEN, nonce,
				       sizeof(nonce), p, HDR_LEN, p + HDR_LEN,
				       TAG_LEN, p + HDR_LEN + TAG_LEN, out);
	mbedtls_gcm_free(&gcm);
	return !ret;
}

/* OVPN-Expand-Label with an empty context, one HMAC-SHA256 block */
static void expand_label(const uint8_t *secret, const char *label,
			 uint8_t *out, size_t len)
{
	uint8_t info[64], t[32];
	size_t n = 0, l = strlen(label);

	info[n++] = len >> 8;
	info[n++] = len;
	info[n++] = 5 + l;
	memcpy(info + n, "ovpn ", 5);
	n += 5;
	memcpy(info + n, label, l);
	n += l;
	info[n++] = 0;
	info[n++] = 1;
	mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), secret,
			32, info, n, t);
	memcpy(out, t, len);
}

/* key and IV of epoch @e (1-based) of a session key, derived on demand */
static const uint8_t *epoch_key(struct dkey *k, int e)
{
	uint8_t next[32];

	if (!k->ecache) {
		k->ecache = calloc(MAX_EPOCH, sizeof(*k->ecache));
		k->eseen = calloc(MAX_EPOCH / 8, 1);
		if (!k->ecache || !k->eseen)
			exit(1);
		memcpy(k->esecret, k->e1, 32);
	}
	while (k->ncache < e) {
		expand_label(k->esecret, "data_key", k->ecache[k->ncache], 32);
		expand_label(k->esecret, "data_iv", k->ecache[k->ncache] + 32,
			     12);
		expand_label(k->esecret, "datakey upd", next, 32);
		memcpy(k->esecret, next, 32);
		k->ncache++;
	}
	return k->ecache[e - 1];
}

/* the epoch format: [op, peer id][64-bit packet id][text][tag] */
static bool authenticates_epoch(struct dkey *k, const uint8_t *p, size_t len)
{
	static uint8_t out[65536];
	mbedtls_gcm_context gcm;
	const uint8_t *ek;
	uint8_t nonce[12];
	int e = p[4] << 8 | p[5], i, ret;

	if (k->sess < 0 || e < 1 || len < EHDR_LEN + TAG_LEN)
		return false;
	ek = epoch_key(k, e);
	for (i = 0; i < 8; i++)
		nonce[i] = p[4 + i] ^ ek[32 + i];
	memcpy(nonce + 8, ek + 40, 4);
	mbedtls_gcm_init(&gcm);
	ret = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, ek, 256) ||
	      mbedtls_gcm_auth_decrypt(&gcm, len - EHDR_LEN - TAG_LEN, nonce,
				       sizeof(nonce), p, EHDR_LEN,
				       p + len - TAG_LEN, TAG_LEN,
				       p + EHDR_LEN, out);
	mbedtls_gcm_free(&gcm);
	return !ret;
}

/* a packet id of the epoch format carries its epoch: (key, epoch, counter)
 * and (key, packet id) are the same thing
 */
static bool seen_before(int k, uint64_t pktid)
{
	uint64_t v = pktid * 0x9e3779b97f4a7c15ull ^ (uint64_t)(k + 1) << 40;
	size_t i = (size_t)((v * 0x9e3779b97f4a7c15ull) >> 45) & (SEEN_SLOTS - 1);

	for (; seen[i].k; i = (i + 1) & (SEEN_SLOTS - 1))
		if (seen[i].k == k + 1 && seen[i].pktid == pktid)
			return true;
	if (nseen < MAX_SEEN) {
		seen[i].k = k + 1;
		seen[i].pktid = pktid;
		nseen++;
	}
	return false;
}

int main(int argc, char **argv)
{
	static char line[140000];
	static uint8_t p[65536];
	unsigned long data = 0, by_sess = 0, by_raw = 0, none = 0, rep = 0;
	unsigned long shared = 0;
	uint8_t master[SESS_MASTER_LEN], auth[SESS_MAC_LEN];
	struct key_material km;
	char msg[256];
	FILE *tmp;
	int i;

	if (argc != 2) {
		fprintf(stderr, "usage: sesscheck <key-file> < \"<src> <hex>\" lines\n");
		return 2;
	}
	if (keyfile_load(argv[1], 0, &km, msg, sizeof(msg))) {
		fprintf(stderr, "sesscheck: %s\n", msg);
		return 1;
	}
	memcpy(master, km.encrypt_key, 32);
	memcpy(master + 32, km.decrypt_key, 32);
	memcpy(master + 64, km.nonce_tail, 8);
	sess_auth_key(master, auth);
	/* the key file's own halves, as --raw-key installs them */
	for (i = 0; i < 2; i++) {
		memcpy(keys[i].key, master + 32 * i, 32);
		memcpy(keys[i].tail, master + 64, 8);
		keys[i].sess = -1;
		keys[i].dir = i;
	}
	nkeys = 2;

	/* two passes: sessions first (a handshake may follow its first data) */
	tmp = tmpfile();
	if (!tmp)
		return 1;
	while (fgets(line, sizeof(line), stdin)) {
		char src[80], hex[sizeof(line)];
		struct sess_msg m;
		int n;

		fputs(line, tmp);
		if (sscanf(line, "%79s %139999s", src, hex) != 2)
			continue;
		n = unhex(hex, p, sizeof(p));
		if (!sess_decode(auth, p, n, &m) && m.type != SESS_HELLO)
			add_session(master, &m);
	}
	rewind(tmp);
	while (fgets(line, sizeof(line), tmp)) {
		char src[80], hex[sizeof(line)];
		int n, k, hit = -1, hits = 0;
		bool epoch = false;
		uint64_t pktid;

		if (sscanf(line, "%79s %139999s", src, hex) != 2)
			continue;
		n = unhex(hex, p, sizeof(p));
		if (n < HDR_LEN + TAG_LEN || p[0] >> 3 != 9)
			continue;
		data++;
		for (k = 0; k < nkeys; k++) {
			if (keys[k].sess >= 0 && keys[k].key_id != (p[0] & 7))
				continue;
			if (authenticates(&keys[k], p, n)) {
				hit = k;
				hits++;
			}
		}
		for (k = 0; !hits && k < nkeys; k++) {
			if (keys[k].sess < 0 || keys[k].key_id != (p[0] & 7))
				continue;
			if (authenticates_epoch(&keys[k], p, n)) {
				hit = k;
				hits++;
				epoch = true;
			}
		}
		if (hits != 1) {
			none++;
			printf("packet from %s key-id %u packet-id %02x%02x%02x%02x: %d keys authenticate it\n",
			       src, p[0] & 7, p[4], p[5], p[6], p[7], hits);
			continue;
		}
		if (keys[hit].sess < 0)
			by_raw++;
		else
			by_sess++;
		keys[hit].count++;
		if (!keys[hit].src[0]) {
			snprintf(keys[hit].src, sizeof(keys[hit].src), "%s", src);
		} else if (strcmp(keys[hit].src, src)) {
			shared++;
			printf("key %d used by %s and %s\n", hit, keys[hit].src, src);
		}
		pktid = (uint64_t)p[4] << 24 | p[5] << 16 | p[6] << 8 | p[7];
		if (epoch) {
			pktid = pktid << 32 | (uint64_t)p[8] << 24 |
				p[9] << 16 | p[10] << 8 | p[11];
			k = p[4] << 8 | p[5];
			keys[hit].eseen[k / 8] |= 1 << (k % 8);
		}
		if (seen_before(hit, pktid)) {
			rep++;
			printf("repeated (key, nonce): key %d (%s) packet-id %016llx from %s\n",
			       hit, keys[hit].sess < 0 ? "key file" : "session",
			       (unsigned long long)pktid, src);
		}
	}
	for (i = 0; i < nsess; i++) {
		int j;

		printf("session ");
		for (j = 0; j < SESS_ID_LEN; j++)
			printf("%02x", sess_id[i][j]);
		printf(" key-id %u A %lu (%s) B %lu (%s)\n", sess[i].key_id,
		       keys[2 + 2 * i].count, keys[2 + 2 * i].src[0] ? keys[2 + 2 * i].src : "-",
		       keys[3 + 2 * i].count, keys[3 + 2 * i].src[0] ? keys[3 + 2 * i].src : "-");
	}
	for (i = 0; i < nsess; i++) {
		int j, d;

		if (!keys[2 + 2 * i].eseen && !keys[3 + 2 * i].eseen)
			continue;
		printf("epochs ");
		for (j = 0; j < SESS_ID_LEN; j++)
			printf("%02x", sess_id[i][j]);
		for (d = 0; d < 2; d++) {
			struct dkey *k = &keys[2 + 2 * i + d];
			int n = 0, lo = 0, hi = 0;

			for (j = 1; k->eseen && j < MAX_EPOCH; j++) {
				if (!(k->eseen[j / 8] & 1 << (j % 8)))
					continue;
				n++;
				if (!lo)
					lo = j;
				hi = j;
			}
			printf(" %s %d (%d-%d)", d ? "B" : "A", n, lo, hi);
		}
		printf("\n");
	}
	printf("data %lu session %lu raw-file %lu none %lu repeated %lu shared %lu\n",
	       data, by_sess, by_raw, none, rep, shared);
	explicit_bzero(master, sizeof(master));
	explicit_bzero(&km, sizeof(km));
	return data && by_sess == data && !rep && !shared ? 0 : 1;
}
