// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovpn-dco: epoch data keys (see epoch.h)
 *
 * Derivations (HMAC-SHA256, key setup of the transforms) run in process
 * context: at NEW_KEY, and in the group's worker on ovpn_wq. The data path
 * only reads pointers under RCU, takes references, and, in the receive path,
 * swaps RX pointers under a spinlock.
 */

#include <linux/jiffies.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <crypto/hash.h>
#include <crypto/sha2.h>

#include "crypto.h"
#include "debug.h"
#include "epoch.h"
#include "ovpn.h"

#define OVPN_EPOCH_LABEL_PREFIX	"ovpn "
#define OVPN_EPOCH_LABEL_MAX	16

/**
 * ovpn_epoch_expand_label - OpenVPN's OVPN-Expand-Label with no context
 * @hmac: an HMAC-SHA256 transform (its key is overwritten)
 * @secret: OVPN_EPOCH_SECRET_LEN bytes
 * @label: the label, without the "ovpn " prefix
 * @out: @len bytes out
 * @len: at most SHA256_DIGEST_SIZE
 *
 * HKDF-Expand-SHA256(@secret, info, @len) with info = u16 @len, u8 label
 * length, "ovpn " label, u8 0 (empty context): a single HMAC block.
 *
 * Return: 0 or a negative errno.
 */
int ovpn_epoch_expand_label(struct crypto_shash *hmac, const u8 *secret,
			    const char *label, u8 *out, unsigned int len)
{
	u8 info[2 + 1 + sizeof(OVPN_EPOCH_LABEL_PREFIX) - 1 +
		OVPN_EPOCH_LABEL_MAX + 1 + 1];
	size_t plen = sizeof(OVPN_EPOCH_LABEL_PREFIX) - 1;
	size_t llen = strlen(label);
	u8 t[SHA256_DIGEST_SIZE];
	unsigned int n = 0;
	int ret;

	if (WARN_ON_ONCE(llen > OVPN_EPOCH_LABEL_MAX || len > sizeof(t)))
		return -EINVAL;

	info[n++] = len >> 8;
	info[n++] = len;
	info[n++] = plen + llen;
	memcpy(info + n, OVPN_EPOCH_LABEL_PREFIX, plen);
	n += plen;
	memcpy(info + n, label, llen);
	n += llen;
	info[n++] = 0;		/* context length */
	info[n++] = 1;		/* HKDF block counter */

	ret = crypto_shash_setkey(hmac, secret, OVPN_EPOCH_SECRET_LEN);
	if (!ret)
		ret = crypto_shash_tfm_digest(hmac, info, n, t);
	if (!ret)
		memcpy(out, t, len);
	memzero_explicit(t, sizeof(t));
	return ret;
}

/* E(n+1) from E(n), in place */
static int ovpn_epoch_iterate(struct crypto_shash *hmac, u8 *secret)
{
	u8 next[OVPN_EPOCH_SECRET_LEN];
	int ret;

	ret = ovpn_epoch_expand_label(hmac, secret, "datakey upd", next,
				      sizeof(next));
	memcpy(secret, next, sizeof(next));
	memzero_explicit(next, sizeof(next));
	return ret;
}

/**
 * ovpn_epoch_key_new - the key slot of one epoch and direction
 * @ep: the chains
 * @secret: the epoch's secret
 * @epoch: its number
 * @tx: TX (else RX)
 *
 * Process context.
 *
 * Return: the slot, one reference held, or an ERR_PTR.
 */
static struct ovpn_crypto_key_slot *
ovpn_epoch_key_new(struct ovpn_epoch *ep, const u8 *secret, u16 epoch,
		   bool tx)
{
	struct ovpn_crypto_key_slot *group = ep->group, *ks;
	u8 key[OVPN_EPOCH_SECRET_LEN];
	struct ovpn_key_direction kd = {
		.cipher_key = key,
		.cipher_key_size = ep->key_size,
	};
	struct crypto_aead *tfm;
	u64 first;
	int ret;

	ks = kzalloc(sizeof(*ks), GFP_KERNEL);
	if (!ks)
		return ERR_PTR(-ENOMEM);

	ret = ovpn_epoch_expand_label(ep->hmac, secret, "data_key", key,
				      ep->key_size);
	if (!ret)
		ret = ovpn_epoch_expand_label(ep->hmac, secret, "data_iv",
					      ks->epoch_iv, OVPN_NONCE_LEN);
	if (ret)
		goto err;

	if (group->lib) {
		ovpn_lib_key_load(tx ? ks->lib_key_xmit : ks->lib_key_recv,
				  key);
		ks->lib = true;
	} else {
		tfm = ovpn_aead_init(ovpn_cipher_name(group->cipher_alg), &kd,
				     NULL);
		if (IS_ERR(tfm)) {
			ret = PTR_ERR(tfm);
			goto err;
		}
		if (tx)
			ks->encrypt = tfm;
		else
			ks->decrypt = tfm;
	}
	memzero_explicit(key, sizeof(key));

	ks->key_id = group->key_id;
	ks->cipher_alg = group->cipher_alg;
	ks->epoch = epoch;
	ks->epoch_fmt = true;
	/* the first packet id sent is 1 (the debug build can start later) */
	first = min_t(u64, ovpn_debug_first_pktid(), OVPN_PKTID_XMIT_MAX - 1);
	atomic64_set(&ks->pktid_xmit, first);
	ks->rekey_at = first + max_t(u64, 1, min_t(u64, ep->rekey_packets,
					       (OVPN_PKTID_XMIT_MAX - first) / 2));
	ks->born = jiffies;
	if (ep->rekey_secs)
		ks->rekey_deadline = ks->born + ep->rekey_secs * HZ;
	spin_lock_init(&ks->replay_lock);
	ovpn_replay_init(&ks->replay);
	kref_init(&ks->refcount);
	return ks;
err:
	memzero_explicit(key, sizeof(key));
	kfree_sensitive(ks);
	return ERR_PTR(ret);
}

/* a TX key whose epoch is used up: by packets or by time */
static bool ovpn_epoch_tx_due(const struct ovpn_crypto_key_slot *ks)
{
	return (u64)atomic64_read(&ks->pktid_xmit) >= ks->rekey_at ||
	       (ks->rekey_deadline &&
		time_after_eq(jiffies, ks->rekey_deadline));
}

/* TX moves to the next epoch */
static void ovpn_epoch_tx_advance(struct ovpn_epoch *ep)
{
	struct ovpn_crypto_key_slot *old, *new;
	u8 secret[OVPN_EPOCH_SECRET_LEN];

	old = rcu_dereference_protected(ep->tx, 1);
	/* a packet of the old epoch may ask again after the switch */
	if (!ovpn_epoch_tx_due(old) || old->epoch == OVPN_EPOCH_MAX)
		return;

	memcpy(secret, ep->tx_secret, sizeof(secret));
	if (ovpn_epoch_iterate(ep->hmac, secret))
		goto out;
	new = ovpn_epoch_key_new(ep, secret, old->epoch + 1, true);
	if (IS_ERR(new)) {
		/* asked again by the next packet */
		net_warn_ratelimited("ovpn-dco: cannot derive TX epoch %u: %ld\n",
				     old->epoch + 1, PTR_ERR(new));
		goto out;
	}
	/* the old epoch's secret is gone for good */
	memcpy(ep->tx_secret, secret, sizeof(secret));
	rcu_assign_pointer(ep->tx, new);
	ovpn_crypto_key_slot_put(old);
out:
	memzero_explicit(secret, sizeof(secret));
}

/* prepare the RX key of the epoch the receive path asked for */
static void ovpn_epoch_rx_prepare(struct ovpn_epoch *ep)
{
	struct ovpn_crypto_key_slot *cur, *next, *new, *drop = NULL;
	u8 secret[OVPN_EPOCH_SECRET_LEN];
	u16 want, from, i;
	u32 gen;
	bool have;

	spin_lock_bh(&ep->rx_lock);
	cur = rcu_dereference_protected(ep->rx_cur,
					lockdep_is_held(&ep->rx_lock));
	next = rcu_dereference_protected(ep->rx_next,
					 lockdep_is_held(&ep->rx_lock));
	want = ep->rx_want;
	from = cur->epoch;
	have = next && next->epoch == want;
	gen = ep->rx_gen;
	memcpy(secret, ep->rx_secret, sizeof(secret));
	spin_unlock_bh(&ep->rx_lock);

	if (want <= from || want - from > OVPN_EPOCH_LOOKAHEAD || have)
		goto out;

	for (i = from; i < want; i++)
		if (ovpn_epoch_iterate(ep->hmac, secret))
			goto out;
	new = ovpn_epoch_key_new(ep, secret, want, false);
	if (IS_ERR(new)) {
		net_warn_ratelimited("ovpn-dco: cannot derive RX epoch %u: %ld\n",
				     want, PTR_ERR(new));
		goto out;
	}

	spin_lock_bh(&ep->rx_lock);
	if (ep->rx_gen == gen) {
		drop = rcu_dereference_protected(ep->rx_next,
						 lockdep_is_held(&ep->rx_lock));
		rcu_assign_pointer(ep->rx_next, new);
		memcpy(ep->rx_next_secret, secret, sizeof(secret));
	} else {
		/* promoted meanwhile: the promotion asked for a new key */
		drop = new;
	}
	spin_unlock_bh(&ep->rx_lock);
	if (drop)
		ovpn_crypto_key_slot_put(drop);
out:
	memzero_explicit(secret, sizeof(secret));
}

static void ovpn_epoch_work(struct work_struct *work)
{
	struct ovpn_epoch *ep = container_of(work, struct ovpn_epoch, work);
	struct ovpn_crypto_key_slot *group = ep->group;

	if (test_and_clear_bit(OVPN_EPOCH_TX_DUE, &ep->flags))
		ovpn_epoch_tx_advance(ep);
	if (test_and_clear_bit(OVPN_EPOCH_RX_DUE, &ep->flags))
		ovpn_epoch_rx_prepare(ep);
	/* may be the last reference: nothing of @ep is touched after */
	ovpn_crypto_key_slot_put(group);
}

/* ask the worker for @bit; any context */
static void ovpn_epoch_kick(struct ovpn_crypto_key_slot *group, int bit)
{
	struct ovpn_epoch *ep = group->ep;

	if (test_and_set_bit(bit, &ep->flags))
		return;
	if (!ovpn_crypto_key_slot_hold(group))
		return;
	if (!queue_work(ovpn_wq, &ep->work))
		ovpn_crypto_key_slot_put(group);
}

/**
 * ovpn_epoch_group_init - set up the chains of a new group key slot
 * @group: the slot, with its key id, cipher and @group->lib set, not yet
 *	published
 * @ec: the epoch configuration from NEW_KEY
 * @extack: for the reason of a refusal
 *
 * Process context. On failure, ovpn_epoch_group_free() undoes what was done.
 *
 * Return: 0 or a negative errno.
 */
int ovpn_epoch_group_init(struct ovpn_crypto_key_slot *group,
			  const struct ovpn_epoch_config *ec,
			  struct netlink_ext_ack *extack)
{
	struct ovpn_crypto_key_slot *ks;
	struct ovpn_epoch *ep;
	int ret;

	ep = kzalloc(sizeof(*ep), GFP_KERNEL);
	if (!ep) {
		NL_SET_ERR_MSG_MOD(extack, "no memory for the epoch keys");
		return -ENOMEM;
	}
	group->ep = ep;
	ep->group = group;
	spin_lock_init(&ep->rx_lock);
	INIT_WORK(&ep->work, ovpn_epoch_work);
	ep->key_size = ec->key_size;
	ep->rekey_packets = ec->rekey_packets;
	ep->rekey_secs = ec->rekey_secs;

	ep->hmac = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(ep->hmac)) {
		ret = PTR_ERR(ep->hmac);
		ep->hmac = NULL;
		NL_SET_ERR_MSG_MOD(extack, "cannot allocate HMAC-SHA256");
		return ret;
	}

	memcpy(ep->tx_secret, ec->tx_secret, OVPN_EPOCH_SECRET_LEN);
	memcpy(ep->rx_secret, ec->rx_secret, OVPN_EPOCH_SECRET_LEN);
	memcpy(ep->rx_next_secret, ec->rx_secret, OVPN_EPOCH_SECRET_LEN);

	ks = ovpn_epoch_key_new(ep, ep->tx_secret, 1, true);
	if (IS_ERR(ks))
		goto err_key;
	RCU_INIT_POINTER(ep->tx, ks);

	ks = ovpn_epoch_key_new(ep, ep->rx_secret, 1, false);
	if (IS_ERR(ks))
		goto err_key;
	RCU_INIT_POINTER(ep->rx_cur, ks);

	ret = ovpn_epoch_iterate(ep->hmac, ep->rx_next_secret);
	if (ret) {
		NL_SET_ERR_MSG_MOD(extack, "cannot derive the epoch keys");
		return ret;
	}
	ks = ovpn_epoch_key_new(ep, ep->rx_next_secret, 2, false);
	if (IS_ERR(ks))
		goto err_key;
	RCU_INIT_POINTER(ep->rx_next, ks);
	ep->rx_want = 2;
	return 0;

err_key:
	NL_SET_ERR_MSG_MOD(extack, "cannot derive the epoch keys");
	return PTR_ERR(ks);
}

static void ovpn_epoch_put_ptr(struct ovpn_crypto_key_slot __rcu **p)
{
	struct ovpn_crypto_key_slot *ks = rcu_dereference_protected(*p, 1);

	if (ks)
		ovpn_crypto_key_slot_put(ks);
}

/**
 * ovpn_epoch_group_free - drop the chains of a group key slot
 * @group: the slot, after its last reference (so no worker is queued)
 *
 * Process context. Wipes every secret.
 */
void ovpn_epoch_group_free(struct ovpn_crypto_key_slot *group)
{
	struct ovpn_epoch *ep = group->ep;

	if (!ep)
		return;
	ovpn_epoch_put_ptr(&ep->tx);
	ovpn_epoch_put_ptr(&ep->rx_cur);
	ovpn_epoch_put_ptr(&ep->rx_next);
	ovpn_epoch_put_ptr(&ep->rx_old);
	crypto_free_shash(ep->hmac);
	kfree_sensitive(ep);
	group->ep = NULL;
}

/**
 * ovpn_epoch_tx_key - the TX epoch key of a group, held
 * @group: the group slot, held by the caller
 *
 * Return: the key (never NULL: a group always has one).
 */
struct ovpn_crypto_key_slot *
ovpn_epoch_tx_key(struct ovpn_crypto_key_slot *group)
{
	struct ovpn_crypto_key_slot *ks;

	rcu_read_lock();
	do {
		ks = rcu_dereference(group->ep->tx);
		/* a replaced key whose last reference just went: retry */
	} while (!ovpn_crypto_key_slot_hold(ks));
	rcu_read_unlock();
	return ks;
}

/**
 * ovpn_epoch_pktid_next - take the next TX packet id of an epoch key
 * @group: the group
 * @ek: its TX epoch key
 * @pktid: out, the 64-bit packet id (epoch and counter)
 *
 * Asks the worker for the next epoch once this one is used up.
 *
 * Return: 0, or -ERANGE when the epoch's 32-bit counter is exhausted.
 */
int ovpn_epoch_pktid_next(struct ovpn_crypto_key_slot *group,
			  struct ovpn_crypto_key_slot *ek, u64 *pktid)
{
	u64 id = atomic64_inc_return(&ek->pktid_xmit);

	if (unlikely(id >= ek->rekey_at ||
		     (ek->rekey_deadline &&
		      time_after_eq(jiffies, ek->rekey_deadline))))
		ovpn_epoch_kick(group, OVPN_EPOCH_TX_DUE);
	if (unlikely(id > OVPN_PKTID_XMIT_MAX))
		return -ERANGE;
	*pktid = (u64)ek->epoch << 48 | id;
	return 0;
}

/**
 * ovpn_epoch_rx_key - the RX epoch key for a packet's epoch, held
 * @group: the group slot, held by the caller
 * @epoch: the epoch the packet claims
 *
 * A later epoch within OVPN_EPOCH_LOOKAHEAD that has no key yet asks the
 * worker for one; the packet is dropped meanwhile.
 *
 * Return: the key, or NULL (drop the packet).
 */
struct ovpn_crypto_key_slot *
ovpn_epoch_rx_key(struct ovpn_crypto_key_slot *group, u16 epoch)
{
	struct ovpn_epoch *ep = group->ep;
	struct ovpn_crypto_key_slot *ks, *cur;
	bool ask = false;

	rcu_read_lock();
	cur = rcu_dereference(ep->rx_cur);
	ks = cur;
	if (ks->epoch != epoch) {
		ks = rcu_dereference(ep->rx_next);
		if (!ks || ks->epoch != epoch) {
			ks = rcu_dereference(ep->rx_old);
			if (ks && ks->epoch != epoch)
				ks = NULL;
		}
	}
	if (ks && !ovpn_crypto_key_slot_hold(ks))
		ks = NULL;
	if (!ks && epoch > cur->epoch &&
	    epoch - cur->epoch <= OVPN_EPOCH_LOOKAHEAD)
		ask = true;
	rcu_read_unlock();

	if (ask) {
		spin_lock_bh(&ep->rx_lock);
		ep->rx_want = epoch;
		spin_unlock_bh(&ep->rx_lock);
		ovpn_epoch_kick(group, OVPN_EPOCH_RX_DUE);
	}
	return ks;
}

/**
 * ovpn_epoch_rx_authentic - a packet authenticated under an RX epoch key
 * @group: the group slot
 * @ek: the epoch key
 *
 * The first packet of a later epoch promotes its key: the current key
 * becomes the old one, the old one goes (with its key), and the worker
 * prepares the epoch after. Softirq or process context.
 */
void ovpn_epoch_rx_authentic(struct ovpn_crypto_key_slot *group,
			     struct ovpn_crypto_key_slot *ek)
{
	struct ovpn_epoch *ep = group->ep;
	struct ovpn_crypto_key_slot *cur, *old = NULL;
	bool promoted = false;

	if (likely(rcu_access_pointer(ep->rx_next) != ek))
		return;

	spin_lock_bh(&ep->rx_lock);
	if (rcu_access_pointer(ep->rx_next) == ek) {
		cur = rcu_dereference_protected(ep->rx_cur,
						lockdep_is_held(&ep->rx_lock));
		old = rcu_dereference_protected(ep->rx_old,
						lockdep_is_held(&ep->rx_lock));
		rcu_assign_pointer(ep->rx_old, cur);
		rcu_assign_pointer(ep->rx_cur, ek);
		RCU_INIT_POINTER(ep->rx_next, NULL);
		ep->rx_gen++;
		/* the older epoch's secret is gone for good */
		memcpy(ep->rx_secret, ep->rx_next_secret,
		       OVPN_EPOCH_SECRET_LEN);
		memzero_explicit(ep->rx_next_secret, OVPN_EPOCH_SECRET_LEN);
		if (ek->epoch < OVPN_EPOCH_MAX) {
			ep->rx_want = ek->epoch + 1;
			promoted = true;
		}
	}
	spin_unlock_bh(&ep->rx_lock);

	if (old)
		ovpn_crypto_key_slot_put(old);
	if (promoted)
		ovpn_epoch_kick(group, OVPN_EPOCH_RX_DUE);
}

/**
 * ovpn_epoch_info - the epochs of a group and the next TX switch
 * @group: the group slot, held by the caller
 * @info: out
 */
void ovpn_epoch_info(struct ovpn_crypto_key_slot *group,
		     struct ovpn_epoch_info *info)
{
	struct ovpn_epoch *ep = group->ep;
	struct ovpn_crypto_key_slot *tx;
	u64 sent, first;

	rcu_read_lock();
	tx = rcu_dereference(ep->tx);
	info->tx_epoch = tx->epoch;
	info->rx_epoch = rcu_dereference(ep->rx_cur)->epoch;
	sent = atomic64_read(&tx->pktid_xmit);
	first = min_t(u64, ovpn_debug_first_pktid(), OVPN_PKTID_XMIT_MAX - 1);
	info->tx_packets = sent > first ? min_t(u64, sent - first, U32_MAX) : 0;
	info->rekey_packets = tx->rekey_at > sent ?
			      min_t(u64, tx->rekey_at - sent, U32_MAX) : 0;
	if (tx->rekey_deadline)
		info->rekey_secs = time_after(tx->rekey_deadline, jiffies) ?
				   (tx->rekey_deadline - jiffies) / HZ : 0;
	else
		info->rekey_secs = -1;
	rcu_read_unlock();
}

/* OVPN-Expand-Label of a fixed secret (0x00..0x1f), computed independently */
static const u8 ovpn_epoch_kat_upd[] = {
	0xe3, 0x5b, 0xff, 0xa3, 0x1e, 0x27, 0x23, 0xbf, 0x09, 0xe8, 0xd3, 0x94,
	0xfa, 0x91, 0x71, 0xca, 0x4e, 0x53, 0x45, 0x53, 0xbf, 0xfa, 0x1d, 0x34,
	0x82, 0xde, 0x4c, 0x9b, 0x3b, 0xc6, 0x39, 0xd7,
};

static const u8 ovpn_epoch_kat_key[] = {
	0xeb, 0xbb, 0xf8, 0x38, 0xa8, 0x65, 0x8b, 0xeb, 0x56, 0xf2, 0x32, 0x4d,
	0x69, 0x13, 0x51, 0xbd, 0x4c, 0x8c, 0x23, 0x0f, 0xb2, 0x71, 0xad, 0xa8,
	0xf6, 0x7d, 0xe8, 0x30, 0xb7, 0xee, 0x31, 0x92,
};

static const u8 ovpn_epoch_kat_iv[] = {
	0x56, 0x8d, 0xe1, 0x4f, 0x8f, 0x74, 0x4b, 0xfb, 0x0b, 0x72, 0x1f, 0x66,
};

/**
 * ovpn_epoch_selftest - known answers of the epoch derivations
 *
 * Return: 0, or a negative errno if HMAC-SHA256 is missing or wrong.
 */
int ovpn_epoch_selftest(void)
{
	u8 secret[OVPN_EPOCH_SECRET_LEN], out[OVPN_EPOCH_SECRET_LEN];
	struct crypto_shash *hmac;
	int i, ret;

	hmac = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(hmac))
		return PTR_ERR(hmac);
	for (i = 0; i < OVPN_EPOCH_SECRET_LEN; i++)
		secret[i] = i;

	ret = ovpn_epoch_expand_label(hmac, secret, "data_key", out,
				      sizeof(ovpn_epoch_kat_key));
	if (!ret && memcmp(out, ovpn_epoch_kat_key, sizeof(ovpn_epoch_kat_key)))
		ret = -EBADMSG;
	if (!ret)
		ret = ovpn_epoch_expand_label(hmac, secret, "data_iv", out,
					      sizeof(ovpn_epoch_kat_iv));
	if (!ret && memcmp(out, ovpn_epoch_kat_iv, sizeof(ovpn_epoch_kat_iv)))
		ret = -EBADMSG;
	if (!ret)
		ret = ovpn_epoch_iterate(hmac, secret);
	if (!ret && memcmp(secret, ovpn_epoch_kat_upd,
			   sizeof(ovpn_epoch_kat_upd)))
		ret = -EBADMSG;
	crypto_free_shash(hmac);
	if (ret)
		pr_err("ovpn-dco: epoch key derivation self-test failed: %d\n",
		       ret);
	return ret;
}
