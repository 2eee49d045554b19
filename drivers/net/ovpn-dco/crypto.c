// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovpn-dco: key slots
 *
 * A peer has two slots. Readers (the data path) take a slot under RCU and
 * hold it for the lifetime of one packet; writers replace slot pointers under
 * the state's mutex. A slot's transforms are freed in process context after
 * the last reference and a grace period.
 */

#include <linux/moduleparam.h>
#include <linux/netlink.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <crypto/aead.h>
#include <crypto/algapi.h>
#include <crypto/chacha.h>
#include <crypto/poly1305.h>

#include "compat.h"
#include "crypto.h"
#include "debug.h"
#include "epoch.h"
#include "ovpn.h"

/* ChaCha20-Poly1305 keys get the library (crypto/chacha.h, poly1305.h) by
 * default: the same SIMD code as the rfc7539 template, without its nine
 * chained sub-requests and their scatterlist walks per packet
 */
static bool ovpn_chacha_lib = true;
module_param_named(chacha_lib, ovpn_chacha_lib, bool, 0644);
MODULE_PARM_DESC(chacha_lib,
		 "ChaCha20-Poly1305 through the kernel's ChaCha and Poly1305 library (default 1) instead of the crypto API's rfc7539 template (0); read when a key is installed");

static const u8 ovpn_zero_pad[POLY1305_BLOCK_SIZE];

/**
 * ovpn_chachapoly_crypt - RFC 8439 ChaCha20-Poly1305, in place
 * @key: the ChaCha key words
 * @nonce: OVPN_NONCE_LEN bytes
 * @aad: associated data
 * @aad_len: its length (OVPN_AAD_LEN on the data path; the self-test's
 *	vectors have others)
 * @sg: the text, exactly @len bytes (unused when @len is 0)
 * @len: text length
 * @tag: OVPN_TAG_LEN bytes: written when encrypting, checked when decrypting
 * @encrypt: which way
 *
 * Synchronous; any context where the FPU may be used or not (the library
 * falls back to its generic code). A text that fails authentication is
 * left decrypted: the caller drops it.
 *
 * Return: 0, or -EBADMSG when decrypting and the tag does not match.
 */
int ovpn_chachapoly_crypt(const u32 *key, const u8 *nonce, const u8 *aad,
			  unsigned int aad_len, struct scatterlist *sg,
			  unsigned int len, u8 *tag, bool encrypt)
{
	u32 state[CHACHA_STATE_WORDS] __aligned(16);
	u8 stream[CHACHA_BLOCK_SIZE] __aligned(16);
	u8 mac[POLY1305_DIGEST_SIZE];
	struct poly1305_desc_ctx poly;
	struct sg_mapping_iter miter;
	unsigned int left = 0, n, i;
	u8 iv[CHACHA_IV_SIZE];
	__le64 lens[2];
	int ret = 0;
	u8 *p;

	/* block 0 keys Poly1305, the text starts at block 1 */
	memset(iv, 0, CHACHA_IV_SIZE - OVPN_NONCE_LEN);
	memcpy(iv + CHACHA_IV_SIZE - OVPN_NONCE_LEN, nonce, OVPN_NONCE_LEN);
	chacha_init(state, key, iv);
	memset(stream, 0, sizeof(stream));
	chacha_crypt(state, stream, stream, sizeof(stream), 20);
	poly1305_init(&poly, stream);
	poly1305_update(&poly, aad, aad_len);
	poly1305_update(&poly, ovpn_zero_pad,
			-aad_len & (POLY1305_BLOCK_SIZE - 1));

	if (len) {
		sg_miter_start(&miter, sg, sg_nents(sg),
			       SG_MITER_ATOMIC | SG_MITER_TO_SG |
			       SG_MITER_FROM_SG);
		while (sg_miter_next(&miter)) {
			p = miter.addr;
			n = miter.length;
			/* Poly1305 authenticates the ciphertext */
			if (!encrypt)
				poly1305_update(&poly, p, n);
			/* what is left of a block begun in the last piece */
			i = min(n, left);
			crypto_xor(p, stream + CHACHA_BLOCK_SIZE - left, i);
			left -= i;
			p += i;
			n -= i;
			i = round_down(n, CHACHA_BLOCK_SIZE);
			if (i) {
				chacha_crypt(state, p, p, i, 20);
				p += i;
				n -= i;
			}
			if (n) {
				memset(stream, 0, sizeof(stream));
				chacha_crypt(state, stream, stream,
					     sizeof(stream), 20);
				crypto_xor(p, stream, n);
				left = CHACHA_BLOCK_SIZE - n;
			}
			if (encrypt)
				poly1305_update(&poly, miter.addr,
						miter.length);
		}
		sg_miter_stop(&miter);
	}

	poly1305_update(&poly, ovpn_zero_pad,
			-len & (POLY1305_BLOCK_SIZE - 1));
	lens[0] = cpu_to_le64(aad_len);
	lens[1] = cpu_to_le64(len);
	poly1305_update(&poly, (u8 *)lens, sizeof(lens));
	poly1305_final(&poly, mac);

	if (encrypt)
		memcpy(tag, mac, OVPN_TAG_LEN);
	else if (crypto_memneq(mac, tag, OVPN_TAG_LEN))
		ret = -EBADMSG;

	memzero_explicit(state, sizeof(state));
	memzero_explicit(stream, sizeof(stream));
	memzero_explicit(mac, sizeof(mac));
	return ret;
}

void ovpn_lib_key_load(u32 *words, const u8 *key)
{
	int i;

	for (i = 0; i < OVPN_CHACHA_KEY_WORDS; i++)
		words[i] = get_unaligned_le32(key + i * sizeof(u32));
}

static void ovpn_ks_free_work(struct work_struct *work)
{
	struct ovpn_crypto_key_slot *ks;

	ks = container_of(to_rcu_work(work), struct ovpn_crypto_key_slot,
			  rwork);
	ovpn_epoch_group_free(ks);
	crypto_free_aead(ks->encrypt);
	crypto_free_aead(ks->decrypt);
	kfree_sensitive(ks);
}

static void ovpn_ks_release(struct kref *kref)
{
	struct ovpn_crypto_key_slot *ks;

	ks = container_of(kref, struct ovpn_crypto_key_slot, refcount);
	INIT_RCU_WORK(&ks->rwork, ovpn_ks_free_work);
	queue_rcu_work(ovpn_wq, &ks->rwork);
}

void ovpn_crypto_key_slot_put(struct ovpn_crypto_key_slot *ks)
{
	kref_put(&ks->refcount, ovpn_ks_release);
}

void ovpn_crypto_state_init(struct ovpn_crypto_state *cs)
{
	RCU_INIT_POINTER(cs->slots[OVPN_KEY_SLOT_PRIMARY], NULL);
	RCU_INIT_POINTER(cs->slots[OVPN_KEY_SLOT_SECONDARY], NULL);
	mutex_init(&cs->mutex);
}

/**
 * ovpn_cipher_name - the crypto API name of a cipher
 * @alg: OVPN_CIPHER_ALG_*
 *
 * Return: the name, or NULL for an unknown cipher.
 */
const char *ovpn_cipher_name(enum ovpn_cipher_alg alg)
{
	switch (alg) {
	case OVPN_CIPHER_ALG_AES_GCM:
		return "gcm(aes)";
	case OVPN_CIPHER_ALG_CHACHA20_POLY1305:
		return "rfc7539(chacha20,poly1305)";
	default:
		return NULL;
	}
}

/**
 * ovpn_aead_init - an AEAD transform keyed for the data path
 * @name: crypto API name (ovpn_cipher_name())
 * @kd: the key of one direction
 * @extack: for the reason of a refusal
 *
 * Return: the transform, or an ERR_PTR.
 */
struct crypto_aead *ovpn_aead_init(const char *name,
				   const struct ovpn_key_direction *kd,
				   struct netlink_ext_ack *extack)
{
	struct crypto_aead *tfm;
	int ret;

	tfm = crypto_alloc_aead(name, 0, 0);
	if (IS_ERR(tfm)) {
		NL_SET_ERR_MSG_MOD(extack, "cannot allocate the AEAD transform");
		return tfm;
	}

	ret = crypto_aead_setkey(tfm, kd->cipher_key, kd->cipher_key_size);
	if (ret) {
		NL_SET_ERR_MSG_MOD(extack, "the cipher refused the key");
		goto err;
	}

	ret = crypto_aead_setauthsize(tfm, OVPN_TAG_LEN);
	if (ret) {
		NL_SET_ERR_MSG_MOD(extack, "the cipher refused the tag size");
		goto err;
	}

	if (crypto_aead_ivsize(tfm) != OVPN_NONCE_LEN) {
		NL_SET_ERR_MSG_MOD(extack, "unexpected nonce size of the cipher");
		ret = -EINVAL;
		goto err;
	}
	return tfm;
err:
	crypto_free_aead(tfm);
	return ERR_PTR(ret);
}

static struct ovpn_crypto_key_slot *
ovpn_ks_new(const struct ovpn_key_config *kc, struct netlink_ext_ack *extack)
{
	struct ovpn_crypto_key_slot *ks;
	const char *name;
	int ret;

	name = ovpn_cipher_name(kc->cipher_alg);
	if (!name) {
		NL_SET_ERR_MSG_MOD(extack, "unsupported cipher algorithm");
		return ERR_PTR(-EINVAL);
	}

	ks = kzalloc(sizeof(*ks), GFP_KERNEL);
	if (!ks)
		return ERR_PTR(-ENOMEM);

	/* the library is synchronous: the debug build's asynchronous
	 * completions need the crypto API
	 */
	if (kc->cipher_alg == OVPN_CIPHER_ALG_CHACHA20_POLY1305 &&
	    READ_ONCE(ovpn_chacha_lib) && !ovpn_debug_async_crypto())
		ks->lib = true;

	if (kc->epoch) {
		/* a group: its epoch keys carry the transforms */
		ks->key_id = kc->key_id;
		ks->cipher_alg = kc->cipher_alg;
		spin_lock_init(&ks->replay_lock);
		kref_init(&ks->refcount);
		ret = ovpn_epoch_group_init(ks, kc->epoch, extack);
		if (ret) {
			ovpn_epoch_group_free(ks);
			kfree_sensitive(ks);
			return ERR_PTR(ret);
		}
		return ks;
	}

	if (ks->lib) {
		if (kc->encrypt.cipher_key_size != CHACHA_KEY_SIZE ||
		    kc->decrypt.cipher_key_size != CHACHA_KEY_SIZE) {
			NL_SET_ERR_MSG_MOD(extack, "the cipher refused the key");
			ret = -EINVAL;
			goto err_free;
		}
		ovpn_lib_key_load(ks->lib_key_xmit, kc->encrypt.cipher_key);
		ovpn_lib_key_load(ks->lib_key_recv, kc->decrypt.cipher_key);
		goto init;
	}

	ks->encrypt = ovpn_aead_init(name, &kc->encrypt, extack);
	if (IS_ERR(ks->encrypt)) {
		ret = PTR_ERR(ks->encrypt);
		goto err_free;
	}

	ks->decrypt = ovpn_aead_init(name, &kc->decrypt, extack);
	if (IS_ERR(ks->decrypt)) {
		ret = PTR_ERR(ks->decrypt);
		goto err_encrypt;
	}

init:
	ks->key_id = kc->key_id;
	ks->cipher_alg = kc->cipher_alg;
	memcpy(ks->nonce_tail_xmit, kc->encrypt.nonce_tail,
	       OVPN_NONCE_TAIL_LEN);
	memcpy(ks->nonce_tail_recv, kc->decrypt.nonce_tail,
	       OVPN_NONCE_TAIL_LEN);
	/* the first packet id sent is 1 (the debug build can start later) */
	atomic64_set(&ks->pktid_xmit,
		     min_t(u64, ovpn_debug_first_pktid(), OVPN_PKTID_XMIT_MAX));
	spin_lock_init(&ks->replay_lock);
	ovpn_replay_init(&ks->replay);
	kref_init(&ks->refcount);
	return ks;

err_encrypt:
	crypto_free_aead(ks->encrypt);
err_free:
	kfree(ks);
	return ERR_PTR(ret);
}

/**
 * ovpn_crypto_state_reset - install a new key in a slot
 * @cs: the peer's crypto state
 * @slot: which slot; an occupied slot is replaced (OpenVPN relies on it)
 * @kc: the key
 * @extack: for the reason of a refusal
 *
 * Return: 0 or a negative errno.
 */
int ovpn_crypto_state_reset(struct ovpn_crypto_state *cs,
			    enum ovpn_key_slot slot,
			    const struct ovpn_key_config *kc,
			    struct netlink_ext_ack *extack)
{
	struct ovpn_crypto_key_slot *new, *old;

	new = ovpn_ks_new(kc, extack);
	if (IS_ERR(new))
		return PTR_ERR(new);

	mutex_lock(&cs->mutex);
	old = rcu_replace_pointer(cs->slots[slot], new,
				  lockdep_is_held(&cs->mutex));
	mutex_unlock(&cs->mutex);

	if (old)
		ovpn_crypto_key_slot_put(old);
	return 0;
}

void ovpn_crypto_key_slot_delete(struct ovpn_crypto_state *cs,
				 enum ovpn_key_slot slot)
{
	struct ovpn_crypto_key_slot *old;

	mutex_lock(&cs->mutex);
	old = rcu_replace_pointer(cs->slots[slot], NULL,
				  lockdep_is_held(&cs->mutex));
	mutex_unlock(&cs->mutex);

	if (old)
		ovpn_crypto_key_slot_put(old);
}

/* Swapping with an empty slot is allowed: OpenVPN does it and expects no error */
void ovpn_crypto_key_slots_swap(struct ovpn_crypto_state *cs)
{
	struct ovpn_crypto_key_slot *primary, *secondary;

	mutex_lock(&cs->mutex);
	primary = rcu_dereference_protected(cs->slots[OVPN_KEY_SLOT_PRIMARY],
					    lockdep_is_held(&cs->mutex));
	secondary = rcu_dereference_protected(cs->slots[OVPN_KEY_SLOT_SECONDARY],
					      lockdep_is_held(&cs->mutex));
	rcu_assign_pointer(cs->slots[OVPN_KEY_SLOT_PRIMARY], secondary);
	rcu_assign_pointer(cs->slots[OVPN_KEY_SLOT_SECONDARY], primary);
	mutex_unlock(&cs->mutex);
}

bool ovpn_crypto_has_primary(struct ovpn_crypto_state *cs)
{
	return rcu_access_pointer(cs->slots[OVPN_KEY_SLOT_PRIMARY]);
}

/**
 * ovpn_crypto_key_slot_info - what a slot holds, never the secrets
 * @cs: the peer's crypto state
 * @slot: which slot
 * @key_id: out, the key's id
 * @alg: out, its cipher
 *
 * Return: 0, or -ENOENT if the slot is empty.
 */
int ovpn_crypto_key_slot_info(struct ovpn_crypto_state *cs,
			      enum ovpn_key_slot slot, u8 *key_id,
			      enum ovpn_cipher_alg *alg)
{
	struct ovpn_crypto_key_slot *ks;
	int ret = -ENOENT;

	rcu_read_lock();
	ks = rcu_dereference(cs->slots[slot]);
	if (ks) {
		*key_id = ks->key_id;
		*alg = ks->cipher_alg;
		ret = 0;
	}
	rcu_read_unlock();
	return ret;
}

/**
 * ovpn_crypto_epoch_info - the epochs of the primary key
 * @cs: the peer's crypto state
 * @info: out
 *
 * Return: true if the primary key is an epoch key (@info filled).
 */
bool ovpn_crypto_epoch_info(struct ovpn_crypto_state *cs,
			    struct ovpn_epoch_info *info)
{
	struct ovpn_crypto_key_slot *ks;
	bool ret = false;

	ks = ovpn_crypto_key_slot_primary(cs);
	if (!ks)
		return false;
	if (ks->ep) {
		ovpn_epoch_info(ks, info);
		ret = true;
	}
	ovpn_crypto_key_slot_put(ks);
	return ret;
}

/* per packet: whether TX uses the epoch format (4 header bytes more) */
bool ovpn_crypto_primary_is_epoch(struct ovpn_crypto_state *cs)
{
	struct ovpn_crypto_key_slot *ks;
	bool ret;

	rcu_read_lock();
	ks = rcu_dereference(cs->slots[OVPN_KEY_SLOT_PRIMARY]);
	ret = ks && ks->ep;
	rcu_read_unlock();
	return ret;
}

/* the key lengths each cipher takes: AES-GCM 128, 192 or 256 bits */
bool ovpn_cipher_key_len_ok(enum ovpn_cipher_alg alg, size_t len)
{
	switch (alg) {
	case OVPN_CIPHER_ALG_AES_GCM:
		return len == 16 || len == 24 || len == 32;
	case OVPN_CIPHER_ALG_CHACHA20_POLY1305:
		return len == CHACHA_KEY_SIZE;
	default:
		return false;
	}
}

/* Drop both slots; packets in flight keep their own references. */
void ovpn_crypto_state_release(struct ovpn_crypto_state *cs)
{
	ovpn_crypto_key_slot_delete(cs, OVPN_KEY_SLOT_PRIMARY);
	ovpn_crypto_key_slot_delete(cs, OVPN_KEY_SLOT_SECONDARY);
}

/**
 * ovpn_crypto_key_id_to_slot - the RX key for a key id, held
 * @cs: the peer's crypto state
 * @key_id: key id from the packet
 *
 * Return: the held slot whose key id matches, or NULL.
 */
struct ovpn_crypto_key_slot *
ovpn_crypto_key_id_to_slot(struct ovpn_crypto_state *cs, u8 key_id)
{
	struct ovpn_crypto_key_slot *ks;
	int i;

	rcu_read_lock();
	for (i = __OVPN_KEY_SLOT_FIRST; i < __OVPN_KEY_SLOT_AFTER_LAST; i++) {
		ks = rcu_dereference(cs->slots[i]);
		if (ks && ks->key_id == key_id && ovpn_crypto_key_slot_hold(ks)) {
			rcu_read_unlock();
			return ks;
		}
	}
	rcu_read_unlock();
	return NULL;
}

/* TX always uses the primary key */
struct ovpn_crypto_key_slot *
ovpn_crypto_key_slot_primary(struct ovpn_crypto_state *cs)
{
	struct ovpn_crypto_key_slot *ks;

	rcu_read_lock();
	ks = rcu_dereference(cs->slots[OVPN_KEY_SLOT_PRIMARY]);
	if (ks && !ovpn_crypto_key_slot_hold(ks))
		ks = NULL;
	rcu_read_unlock();
	return ks;
}
