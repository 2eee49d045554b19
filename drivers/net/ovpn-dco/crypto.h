/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovpn-dco: key slots and AEAD state
 */

#ifndef _OVPN_DCO_CRYPTO_H_
#define _OVPN_DCO_CRYPTO_H_

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <crypto/aead.h>
#include <crypto/chacha.h>
#include <linux/ovpn_dco.h>

#include <ovpn_dco/proto.h>
#include <ovpn_dco/replay.h>

/* at this TX packet id userspace is told to rekey; at the max, TX stops */
#define OVPN_PKTID_XMIT_WARN	0xF0000000ULL
#define OVPN_PKTID_XMIT_MAX	0xFFFFFFFFULL

/* a ChaCha key as the library's chacha_init() takes it */
#define OVPN_CHACHA_KEY_WORDS	(CHACHA_KEY_SIZE / sizeof(u32))

/* bits of &struct ovpn_crypto_key_slot.flags */
#define OVPN_KS_SWAP_NOTIFIED	0

/* a key past OVPN_PKTID_XMIT_WARN reminds userspace this often while it
 * sends: a notification can be lost (atomic allocation, full listener)
 */
#define OVPN_PKTID_NOTIFY_INTERVAL	HZ

/**
 * struct ovpn_key_direction - key material of one direction, from netlink
 * @cipher_key: the key
 * @cipher_key_size: its length in bytes
 * @nonce_tail: the 8 bytes after the packet id in every nonce
 */
struct ovpn_key_direction {
	const u8 *cipher_key;
	size_t cipher_key_size;
	const u8 *nonce_tail;
};

struct ovpn_epoch;
struct ovpn_epoch_config;

/**
 * struct ovpn_key_config - a NEW_KEY request
 * @cipher_alg: OVPN_CIPHER_ALG_*
 * @key_id: key id carried on the wire, 0..7
 * @encrypt: TX direction (unused with @epoch)
 * @decrypt: RX direction (unused with @epoch)
 * @epoch: an epoch key (epoch.h) instead of @encrypt and @decrypt, or NULL
 */
struct ovpn_key_config {
	enum ovpn_cipher_alg cipher_alg;
	u8 key_id;
	struct ovpn_key_direction encrypt;
	struct ovpn_key_direction decrypt;
	const struct ovpn_epoch_config *epoch;
};

/**
 * struct ovpn_crypto_key_slot - one installed key
 * @key_id: key id on the wire (constant)
 * @cipher_alg: &enum ovpn_cipher_alg of the key (constant)
 * @encrypt: TX transform, NULL with @lib (constant; freed after the last
 *	reference)
 * @decrypt: RX transform, NULL with @lib (constant; freed after the last
 *	reference)
 * @lib: ChaCha20-Poly1305 through the ChaCha and Poly1305 library, keyed by
 *	@lib_key_xmit and @lib_key_recv, instead of the transforms (constant)
 * @lib_key_xmit: with @lib, the TX key as ChaCha key words (constant)
 * @lib_key_recv: with @lib, the RX key as ChaCha key words (constant)
 * @nonce_tail_xmit: TX nonce tail (constant)
 * @nonce_tail_recv: RX nonce tail (constant)
 * @pktid_xmit: last TX packet id handed out; atomic, never wraps
 * @flags: OVPN_KS_* bits (atomic bitops)
 * @swap_notified: jiffies of the last SWAP_KEYS_NEEDED for this key, once
 *	OVPN_KS_SWAP_NOTIFIED is set; claimed with cmpxchg by the sender
 * @replay_lock: serialises @replay
 * @replay: RX replay window
 * @refcount: one for the slot pointer in &struct ovpn_crypto_state (or in
 *	&struct ovpn_epoch for an epoch key), one per packet in flight, one
 *	per queued epoch worker
 * @rwork: frees the transforms in process context after an RCU grace period
 * @ep: a group slot of epoch keys: their chains (constant; freed with the
 *	slot); NULL for any other slot
 * @epoch_fmt: an epoch key: the epoch data format (constant)
 * @epoch: an epoch key: its epoch (constant)
 * @epoch_iv: an epoch key: the implicit IV of its direction (constant)
 * @rekey_at: a TX epoch key: the packet id from which the next epoch is due
 *	(constant)
 * @born: an epoch key: jiffies when it was derived (constant)
 * @rekey_deadline: a TX epoch key: jiffies when the next epoch is due, 0 for
 *	never (constant)
 */
struct ovpn_crypto_key_slot {
	u8 key_id;
	u8 cipher_alg;
	struct crypto_aead *encrypt;
	struct crypto_aead *decrypt;
	bool lib;
	u32 lib_key_xmit[OVPN_CHACHA_KEY_WORDS];
	u32 lib_key_recv[OVPN_CHACHA_KEY_WORDS];
	u8 nonce_tail_xmit[OVPN_NONCE_TAIL_LEN];
	u8 nonce_tail_recv[OVPN_NONCE_TAIL_LEN];
	atomic64_t pktid_xmit;
	unsigned long flags;
	unsigned long swap_notified;
	spinlock_t replay_lock; /* protects @replay */
	struct ovpn_replay replay;
	struct kref refcount;
	struct rcu_work rwork;
	struct ovpn_epoch *ep;
	bool epoch_fmt;
	u16 epoch;
	u8 epoch_iv[OVPN_NONCE_LEN];
	u64 rekey_at;
	unsigned long born;
	unsigned long rekey_deadline;
};

/**
 * struct ovpn_crypto_state - a peer's two key slots
 * @slots: PRIMARY (TX and RX) and SECONDARY (RX only); written under @mutex,
 *	read under RCU
 * @mutex: serialises key changes (NEW_KEY, SWAP_KEYS, DEL_KEY, release)
 */
struct ovpn_crypto_state {
	struct ovpn_crypto_key_slot __rcu *slots[__OVPN_KEY_SLOT_AFTER_LAST];
	struct mutex mutex; /* protects @slots updates */
};

static inline bool ovpn_crypto_key_slot_hold(struct ovpn_crypto_key_slot *ks)
{
	return kref_get_unless_zero(&ks->refcount);
}

void ovpn_crypto_key_slot_put(struct ovpn_crypto_key_slot *ks);

struct netlink_ext_ack;
struct scatterlist;
int ovpn_chachapoly_crypt(const u32 *key, const u8 *nonce, const u8 *aad,
			  unsigned int aad_len, struct scatterlist *sg,
			  unsigned int len, u8 *tag, bool encrypt);
void ovpn_lib_key_load(u32 *words, const u8 *key);
const char *ovpn_cipher_name(enum ovpn_cipher_alg alg);
struct crypto_aead *ovpn_aead_init(const char *name,
				   const struct ovpn_key_direction *kd,
				   struct netlink_ext_ack *extack);
int ovpn_crypto_selftest(void);

void ovpn_crypto_state_init(struct ovpn_crypto_state *cs);
void ovpn_crypto_state_release(struct ovpn_crypto_state *cs);

int ovpn_crypto_state_reset(struct ovpn_crypto_state *cs,
			    enum ovpn_key_slot slot,
			    const struct ovpn_key_config *kc,
			    struct netlink_ext_ack *extack);
void ovpn_crypto_key_slot_delete(struct ovpn_crypto_state *cs,
				 enum ovpn_key_slot slot);
void ovpn_crypto_key_slots_swap(struct ovpn_crypto_state *cs);
bool ovpn_crypto_has_primary(struct ovpn_crypto_state *cs);
int ovpn_crypto_key_slot_info(struct ovpn_crypto_state *cs,
			      enum ovpn_key_slot slot, u8 *key_id,
			      enum ovpn_cipher_alg *alg);
struct ovpn_epoch_info;
bool ovpn_crypto_epoch_info(struct ovpn_crypto_state *cs,
			    struct ovpn_epoch_info *info);
bool ovpn_crypto_primary_is_epoch(struct ovpn_crypto_state *cs);
bool ovpn_cipher_key_len_ok(enum ovpn_cipher_alg alg, size_t len);

struct ovpn_crypto_key_slot *
ovpn_crypto_key_id_to_slot(struct ovpn_crypto_state *cs, u8 key_id);
struct ovpn_crypto_key_slot *
ovpn_crypto_key_slot_primary(struct ovpn_crypto_state *cs);

/**
 * ovpn_pktid_xmit_next - take the next TX packet id of a key
 * @ks: the key slot
 * @pktid: out
 *
 * Return: 0; 1 the first time the id reaches OVPN_PKTID_XMIT_WARN (tell
 * userspace to rekey); 2 when it is time to tell it again (at most every
 * OVPN_PKTID_NOTIFY_INTERVAL, by one caller); -ERANGE once the 32-bit space
 * is used up: a nonce is never reused, so the key cannot send again.
 */
static inline int ovpn_pktid_xmit_next(struct ovpn_crypto_key_slot *ks,
				       u32 *pktid)
{
	u64 id = atomic64_inc_return(&ks->pktid_xmit);
	unsigned long now, last;

	/* a 64-bit counter only ever grows: once past the limit, always past */
	if (unlikely(id > OVPN_PKTID_XMIT_MAX))
		return -ERANGE;
	*pktid = (u32)id;
	if (likely(id < OVPN_PKTID_XMIT_WARN))
		return 0;

	now = jiffies;
	if (!test_and_set_bit(OVPN_KS_SWAP_NOTIFIED, &ks->flags)) {
		WRITE_ONCE(ks->swap_notified, now);
		return 1;
	}
	/* the key stays primary until userspace swaps or deletes it: keep
	 * reminding, one CPU per interval
	 */
	last = READ_ONCE(ks->swap_notified);
	if (time_before(now, last + OVPN_PKTID_NOTIFY_INTERVAL) ||
	    cmpxchg(&ks->swap_notified, last, now) != last)
		return 0;
	return 2;
}

#endif /* _OVPN_DCO_CRYPTO_H_ */
