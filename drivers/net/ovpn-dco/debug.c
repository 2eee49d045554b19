// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovpn-dco: test aids, compiled only into the debug build (debug.h)
 *
 * All parameters are read-only once loaded: a test reloads the module to
 * change them, so no packet or key ever sees a knob change under it.
 */

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <crypto/internal/aead.h>

#include "debug.h"

static unsigned long ovpn_test_first_pktid;
module_param_named(test_first_pktid, ovpn_test_first_pktid, ulong, 0444);
MODULE_PARM_DESC(test_first_pktid,
		 "debug build, tests only: TX packet ids of new keys start after this value (default 0)");

static bool ovpn_test_async_crypto;
module_param_named(test_async_crypto, ovpn_test_async_crypto, bool, 0444);
MODULE_PARM_DESC(test_async_crypto,
		 "debug build, tests only: every AEAD request completes from a worker, through the data path's asynchronous callbacks; ChaCha20-Poly1305 keys then use the crypto API, not the library (default 0)");

static uint ovpn_test_selftest_break;
module_param_named(test_selftest_break, ovpn_test_selftest_break, uint, 0444);
MODULE_PARM_DESC(test_selftest_break,
		 "debug build, tests only: corrupt the expected output of this self-test vector (1-based; default 0, none), so the module must refuse to load");

static uint ovpn_test_takeover_delay_ms;
module_param_named(test_takeover_delay_ms, ovpn_test_takeover_delay_ms, uint, 0444);
MODULE_PARM_DESC(test_takeover_delay_ms,
		 "debug build, tests only: NEW_PEER sleeps this long between taking a TCP socket over and linking its peer, so a test can close the stream inside that window (default 0)");

/* completions counted in the AEAD callbacks, read in debugfs */
static atomic_t ovpn_async_tx = ATOMIC_INIT(0);
static atomic_t ovpn_async_rx = ATOMIC_INIT(0);
static struct dentry *ovpn_debugfs;
/* ordered: packets complete in the order they were submitted */
static struct workqueue_struct *ovpn_async_wq;

/**
 * struct ovpn_async_work - one AEAD request completed from the worker
 * @work: on ovpn_async_wq
 * @req: the request
 * @encrypt: which way
 */
struct ovpn_async_work {
	struct work_struct work;
	struct aead_request *req;
	bool encrypt;
};

u64 ovpn_debug_first_pktid(void)
{
	return ovpn_test_first_pktid;
}

bool ovpn_debug_async_crypto(void)
{
	return ovpn_test_async_crypto;
}

unsigned int ovpn_debug_selftest_break(void)
{
	return ovpn_test_selftest_break;
}

void ovpn_debug_takeover_delay(void)
{
	if (ovpn_test_takeover_delay_ms)
		msleep(ovpn_test_takeover_delay_ms);
}

static void ovpn_async_work_fn(struct work_struct *work)
{
	struct ovpn_async_work *w = container_of(work, struct ovpn_async_work,
						 work);
	struct aead_request *req = w->req;
	int ret;

	ret = w->encrypt ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
	kfree(w);
	/* an asynchronous implementation calls the callback itself */
	if (ret == -EINPROGRESS || ret == -EBUSY)
		return;
	aead_request_complete(req, ret);
}

/* What an asynchronous driver does: accept the request, finish it later
 * from another context and report through the request's callback. cryptd()
 * would do it without code of ours, but Linux 6.1's cryptd hands the
 * callback a request whose transform it changed, so the kernel's own
 * self-test refuses to register any cryptd() AEAD there.
 */
int ovpn_aead_submit(struct aead_request *req, bool encrypt)
{
	struct ovpn_async_work *w;

	if (!ovpn_test_async_crypto)
		return encrypt ? crypto_aead_encrypt(req) :
				 crypto_aead_decrypt(req);

	w = kmalloc(sizeof(*w), GFP_ATOMIC);
	if (!w)
		return -ENOMEM;
	INIT_WORK(&w->work, ovpn_async_work_fn);
	w->req = req;
	w->encrypt = encrypt;
	queue_work(ovpn_async_wq, &w->work);
	return -EINPROGRESS;
}

void ovpn_debug_count_async(bool tx)
{
	atomic_inc(tx ? &ovpn_async_tx : &ovpn_async_rx);
}

/* /sys/kernel/debug/ovpn_dco_v2/async_{tx,rx}: a failure only loses them */
int ovpn_debug_init(void)
{
	ovpn_async_wq = alloc_ordered_workqueue("ovpn-dco-async", 0);
	if (!ovpn_async_wq)
		return -ENOMEM;
	ovpn_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_atomic_t("async_tx", 0444, ovpn_debugfs, &ovpn_async_tx);
	debugfs_create_atomic_t("async_rx", 0444, ovpn_debugfs, &ovpn_async_rx);
	return 0;
}

/* after the devices are gone: whatever was queued has completed */
void ovpn_debug_exit(void)
{
	debugfs_remove(ovpn_debugfs);
	destroy_workqueue(ovpn_async_wq);
}
