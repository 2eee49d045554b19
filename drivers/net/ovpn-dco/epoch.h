/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovpn-dco: epoch data keys
 *
 * An epoch key slot (the "group") stands for one key id. It holds the chain
 * of epoch secrets of both directions and, as ordinary key slots (the
 * "epoch keys"), the AEAD keys derived from them: one for TX, up to three
 * for RX (the current epoch, the next one, the one before). The data path
 * picks an epoch key from the group and uses it as it would use a plain key
 * slot. A worker moves TX to the next epoch and prepares RX's next epoch
 * key; the receive path promotes the next key the first time a packet
 * authenticates under it. Documentation/wire-format.md ("Epoch data keys")
 * has the format, the derivation and the security argument.
 */

#ifndef _OVPN_DCO_EPOCH_H_
#define _OVPN_DCO_EPOCH_H_

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "crypto.h"

#define OVPN_EPOCH_SECRET_LEN	32
/* the highest epoch; TX stays there once reached */
#define OVPN_EPOCH_MAX		0xFFFFU
/* how far ahead of its current epoch RX follows the sender */
#define OVPN_EPOCH_LOOKAHEAD	16U
/* per epoch, TX packets at most (the replay window is 32-bit) */
#define OVPN_EPOCH_REKEY_PACKETS_MAX	0x80000000U
#define OVPN_EPOCH_REKEY_SECS_DEFAULT	3600U

/* epoch format: opcode/key id, peer id, 64-bit packet id; the tag is last */
#define OVPN_EPOCH_AAD_LEN	(OVPN_OP_PEER_ID_LEN + 8)
#define OVPN_EPOCH_OVERHEAD	(OVPN_EPOCH_AAD_LEN + OVPN_TAG_LEN)
/* the low 48 bits of the packet id count packets, the high 16 the epoch */
#define OVPN_EPOCH_COUNTER_MASK	0x0000FFFFFFFFFFFFULL

/* bits of &struct ovpn_epoch.flags */
#define OVPN_EPOCH_TX_DUE	0
#define OVPN_EPOCH_RX_DUE	1

/**
 * struct ovpn_epoch_config - the epoch part of a NEW_KEY request
 * @tx_secret: TX secret of epoch 1
 * @rx_secret: RX secret of epoch 1
 * @key_size: cipher key bytes per epoch
 * @rekey_packets: TX packets per epoch
 * @rekey_secs: TX seconds per epoch, 0 for no limit
 */
struct ovpn_epoch_config {
	const u8 *tx_secret;
	const u8 *rx_secret;
	u8 key_size;
	u32 rekey_packets;
	u32 rekey_secs;
};

/**
 * struct ovpn_epoch - the epoch chains of a group key slot
 * @tx: TX epoch key; replaced by the worker, read under RCU; one reference
 * @rx_cur: RX key of the newest epoch that authenticated a packet; under
 *	@rx_lock, read under RCU; one reference
 * @rx_next: RX key of a later epoch, prepared by the worker (usually
 *	@rx_cur's + 1); under @rx_lock, read under RCU; one reference or NULL
 * @rx_old: RX key @rx_cur replaced, for late packets; under @rx_lock,
 *	read under RCU; one reference or NULL
 * @rx_lock: serialises the RX pointers, @rx_secret, @rx_next_secret and
 *	@rx_want between the receive path and the worker
 * @rx_secret: the epoch secret of @rx_cur (under @rx_lock)
 * @rx_next_secret: the epoch secret of @rx_next (under @rx_lock)
 * @rx_want: the epoch the worker is to prepare as @rx_next (under @rx_lock)
 * @rx_gen: counts promotions, so that the worker knows its key is still
 *	wanted (under @rx_lock)
 * @tx_secret: the epoch secret of @tx (worker only, or before publication)
 * @hmac: HMAC-SHA256 for the derivations (worker only, or before publication)
 * @flags: OVPN_EPOCH_* bits: work the worker is asked to do (atomic bitops)
 * @work: the worker; a queued instance holds a reference on the group
 * @group: the group key slot this belongs to (constant, not counted: the
 *	group frees this)
 * @key_size: cipher key bytes (constant)
 * @rekey_packets: TX packets per epoch (constant)
 * @rekey_secs: TX seconds per epoch, 0 for no limit (constant)
 */
struct ovpn_epoch {
	struct ovpn_crypto_key_slot __rcu *tx;
	struct ovpn_crypto_key_slot __rcu *rx_cur;
	struct ovpn_crypto_key_slot __rcu *rx_next;
	struct ovpn_crypto_key_slot __rcu *rx_old;
	spinlock_t rx_lock; /* protects the RX pointers and secrets */
	u8 rx_secret[OVPN_EPOCH_SECRET_LEN];
	u8 rx_next_secret[OVPN_EPOCH_SECRET_LEN];
	u16 rx_want;
	u32 rx_gen;
	u8 tx_secret[OVPN_EPOCH_SECRET_LEN];
	struct crypto_shash *hmac;
	unsigned long flags;
	struct work_struct work;
	struct ovpn_crypto_key_slot *group;
	u8 key_size;
	u32 rekey_packets;
	u32 rekey_secs;
};

/**
 * struct ovpn_epoch_info - what GET_PEER reports of an epoch key
 * @tx_epoch: the TX epoch
 * @rx_epoch: the newest RX epoch that authenticated a packet
 * @tx_packets: packets sent in the TX epoch
 * @rekey_packets: packets left before the next TX epoch
 * @rekey_secs: seconds left before the next TX epoch, -1 for no limit
 */
struct ovpn_epoch_info {
	u16 tx_epoch;
	u16 rx_epoch;
	u32 tx_packets;
	u32 rekey_packets;
	s64 rekey_secs;
};

int ovpn_epoch_expand_label(struct crypto_shash *hmac, const u8 *secret,
			    const char *label, u8 *out, unsigned int len);
int ovpn_epoch_group_init(struct ovpn_crypto_key_slot *group,
			  const struct ovpn_epoch_config *ec,
			  struct netlink_ext_ack *extack);
void ovpn_epoch_group_free(struct ovpn_crypto_key_slot *group);

struct ovpn_crypto_key_slot *
ovpn_epoch_tx_key(struct ovpn_crypto_key_slot *group);
int ovpn_epoch_pktid_next(struct ovpn_crypto_key_slot *group,
			  struct ovpn_crypto_key_slot *ek, u64 *pktid);
struct ovpn_crypto_key_slot *
ovpn_epoch_rx_key(struct ovpn_crypto_key_slot *group, u16 epoch);
void ovpn_epoch_rx_authentic(struct ovpn_crypto_key_slot *group,
			     struct ovpn_crypto_key_slot *ek);
void ovpn_epoch_info(struct ovpn_crypto_key_slot *group,
		     struct ovpn_epoch_info *info);

int ovpn_epoch_selftest(void);

/* the nonce of an epoch packet: the 64-bit packet id, as on the wire, XOR
 * the first 8 bytes of the implicit IV; its last 4 bytes as they are
 */
static inline void ovpn_epoch_nonce(u8 *nonce, u64 pktid, const u8 *iv)
{
	int i;

	for (i = 0; i < 8; i++)
		nonce[i] = iv[i] ^ (u8)(pktid >> (56 - 8 * i));
	memcpy(nonce + 8, iv + 8, OVPN_NONCE_LEN - 8);
}

#endif /* _OVPN_DCO_EPOCH_H_ */
