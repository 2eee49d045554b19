// SPDX-License-Identifier: GPL-2.0-only
/*
 * Netlink transactions with extended ACK reporting. See nl.h.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include <linux/ovpn_dco.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

void nlx_err_clear(struct nlx_err *err)
{
	err->error = 0;
	err->kernel = false;
	err->miss_type = -1;
	err->msg[0] = '\0';
}

int nlx_err_local(struct nlx_err *err, int error, const char *fmt, ...)
{
	va_list ap;

	nlx_err_clear(err);
	err->error = error;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -error;
}

const char *nlx_prog = "ovpn-cli";

void nlx_report(const char *what, const struct nlx_err *err)
{
	if (err->kernel)
		fprintf(stderr, "%s: %s: %s (errno %d): %s\n", nlx_prog, what,
			strerror(err->error), err->error,
			err->msg[0] ? err->msg : "no extack message");
	else
		fprintf(stderr, "%s: %s: %s\n", nlx_prog, what, err->msg);
}

struct nl_sock *nlx_open(int protocol, struct nlx_err *err)
{
	struct nl_sock *sk;
	int one = 1;
	int ret;

	sk = nl_socket_alloc();
	if (!sk) {
		nlx_err_local(err, ENOMEM, "cannot allocate a netlink socket");
		return NULL;
	}
	ret = nl_connect(sk, protocol);
	if (ret < 0) {
		nlx_err_local(err, EIO, "netlink connect: %s", nl_geterror(ret));
		nl_socket_free(sk);
		return NULL;
	}
	/* extack messages are what makes a refusal actionable */
	if (setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK,
		       &one, sizeof(one)) < 0) {
		nlx_err_local(err, errno, "NETLINK_EXT_ACK: %s", strerror(errno));
		nl_socket_free(sk);
		return NULL;
	}
	/* errors need not echo the request back (it may hold keys) */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	return sk;
}

/*
 * Read the extended ACK TLVs that start @off bytes into the payload of
 * @nlh (an NLMSG_ERROR or NLMSG_DONE).
 */
static void parse_ext_ack(const struct nlmsghdr *nlh, size_t off,
			  struct nlx_err *err)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct nlattr *a;
	size_t start = NLMSG_HDRLEN + off;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || nlh->nlmsg_len <= start)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlh + start),
		      nlh->nlmsg_len - start, NULL) < 0)
		return;

	a = tb[NLMSGERR_ATTR_MSG];
	if (a && nla_len(a) > 0) {
		size_t n = strnlen(nla_data(a), nla_len(a));

		if (n >= sizeof(err->msg))
			n = sizeof(err->msg) - 1;
		memcpy(err->msg, nla_data(a), n);
		err->msg[n] = '\0';
		/* the kernel's messages carry no trailing newline, but be safe */
		while (n && (err->msg[n - 1] == '\n'))
			err->msg[--n] = '\0';
	}
	a = tb[NLMSGERR_ATTR_MISS_TYPE];
	if (a && nla_len(a) >= (int)sizeof(uint32_t))
		err->miss_type = nla_get_u32(a);
}

struct txn {
	struct nlx_err *err;
	nl_recvmsg_msg_cb_t valid;
	void *arg;
	bool done;
};

static int txn_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	/* libnl hands us nlmsg_data() of the NLMSG_ERROR message */
	const struct nlmsghdr *nlh =
		(const struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct txn *t = arg;
	size_t off;

	(void)nla;
	nlx_err_clear(t->err);
	t->err->error = -e->error;
	t->err->kernel = true;

	off = sizeof(e->error);
	if (nlh->nlmsg_flags & NLM_F_CAPPED)
		off += sizeof(struct nlmsghdr);
	else
		off += NLMSG_ALIGN(e->msg.nlmsg_len);
	parse_ext_ack(nlh, off, t->err);

	t->done = true;
	return NL_STOP;
}

static int txn_ack(struct nl_msg *msg, void *arg)
{
	struct txn *t = arg;

	(void)msg;
	t->done = true;
	return NL_STOP;
}

/* a dump's NLMSG_DONE carries its errno, then extack TLVs */
static int txn_finish(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct txn *t = arg;
	int error;

	t->done = true;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(error))
		return NL_STOP;
	memcpy(&error, nlmsg_data(nlh), sizeof(error));
	if (error < 0) {
		nlx_err_clear(t->err);
		t->err->error = -error;
		t->err->kernel = true;
		parse_ext_ack(nlh, NLMSG_ALIGN(sizeof(error)), t->err);
	}
	return NL_STOP;
}

static int txn_valid(struct nl_msg *msg, void *arg)
{
	struct txn *t = arg;

	return t->valid ? t->valid(msg, t->arg) : NL_OK;
}

int nlx_transact(struct nl_sock *sk, struct nl_msg *msg,
		 nl_recvmsg_msg_cb_t valid, void *arg, struct nlx_err *err)
{
	struct txn t = { .err = err, .valid = valid, .arg = arg };
	struct nl_cb *cb;
	int ret;

	nlx_err_clear(err);
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return nlx_err_local(err, ENOMEM, "out of memory");
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, txn_valid, &t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, txn_ack, &t);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, txn_finish, &t);
	nl_cb_err(cb, NL_CB_CUSTOM, txn_error, &t);

	ret = nl_send_auto(sk, msg);
	/* requests may hold key material: leave none of it on the heap */
	explicit_bzero(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(cb);
		return nlx_err_local(err, EIO, "netlink send: %s",
				     nl_geterror(ret));
	}

	while (!t.done) {
		ret = nl_recvmsgs(sk, cb);
		if (t.done)
			break;
		if (ret < 0) {
			nlx_err_local(err, ret == -NLE_DUMP_INTR ? EINTR : EIO,
				      "netlink receive: %s", nl_geterror(ret));
			break;
		}
	}
	nl_cb_put(cb);
	return err->error ? -err->error : 0;
}

int ovpn_nl_open(struct ovpn_nl *nl, struct nlx_err *err)
{
	return ovpn_nl_open_family(nl, OVPN_NL_NAME, err);
}

int ovpn_nl_open_family(struct ovpn_nl *nl, const char *name,
			struct nlx_err *err)
{
	nl->family = -1;
	nl->sk = nlx_open(NETLINK_GENERIC, err);
	if (!nl->sk)
		return -err->error;

	nl->family = genl_ctrl_resolve(nl->sk, name);
	if (nl->family < 0) {
		ovpn_nl_close(nl);
		return nlx_err_local(err, ENOENT,
				     "generic netlink family %s not found (is the module loaded?)",
				     name);
	}
	return 0;
}

int ovpn_nl_open_mcast(struct ovpn_nl *nl, struct nlx_err *err)
{
	return ovpn_nl_open_mcast_rcvbuf(nl, 0, err);
}

int ovpn_nl_open_mcast_rcvbuf(struct ovpn_nl *nl, int rcvbuf_req,
			      struct nlx_err *err)
{
	return ovpn_nl_open_mcast_family(nl, OVPN_NL_NAME,
					 OVPN_NL_MULTICAST_GROUP_PEERS,
					 rcvbuf_req, err);
}

int ovpn_nl_open_mcast_family(struct ovpn_nl *nl, const char *name,
			      const char *group, int rcvbuf_req,
			      struct nlx_err *err)
{
	int grp, ret, rcvbuf = OVPN_NL_MCAST_RCVBUF;

	ret = ovpn_nl_open_family(nl, name, err);
	if (ret)
		return ret;

	grp = genl_ctrl_resolve_grp(nl->sk, name, group);
	if (grp < 0) {
		ovpn_nl_close(nl);
		return nlx_err_local(err, ENOENT,
				     "multicast group %s of %s not found: %s",
				     group, name, nl_geterror(grp));
	}
	ret = nl_socket_add_membership(nl->sk, grp);
	if (ret < 0) {
		ovpn_nl_close(nl);
		return nlx_err_local(err, EIO, "joining group %s: %s", group,
				     nl_geterror(ret));
	}
	/* notifications are not answers to anything we sent */
	nl_socket_disable_seq_check(nl->sk);
	/*
	 * Deleting a device with hundreds of peers sends a burst of DEL_PEER
	 * notifications: make room for them. FORCE (root) goes past
	 * net.core.rmem_max; without the privilege keep what SO_RCVBUF gives.
	 */
	if (rcvbuf_req > 0) {
		/* as a daemon would ask: libnl's nl_socket_set_buffer_size()
		 * is a plain SO_RCVBUF, capped by net.core.rmem_max
		 */
		if (setsockopt(nl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVBUF,
			       &rcvbuf_req, sizeof(rcvbuf_req)) < 0) {
			ret = errno;
			ovpn_nl_close(nl);
			return nlx_err_local(err, ret, "SO_RCVBUF %d: %s",
					     rcvbuf_req, strerror(ret));
		}
	} else if (setsockopt(nl_socket_get_fd(nl->sk), SOL_SOCKET,
			      SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0) {
		setsockopt(nl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
	}
	ret = nl_socket_set_nonblocking(nl->sk);
	if (ret < 0) {
		ovpn_nl_close(nl);
		return nlx_err_local(err, EIO, "non-blocking socket: %s",
				     nl_geterror(ret));
	}
	return 0;
}

void ovpn_nl_close(struct ovpn_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
	nl->family = -1;
}

struct nl_msg *ovpn_nl_msg(const struct ovpn_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, OVPN_NL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int ovpn_nl_recv_notifications(struct ovpn_nl *nl, nl_recvmsg_msg_cb_t cb,
			       void *arg, struct nlx_err *err)
{
	struct nl_cb *nlcb;
	int ret;

	nlx_err_clear(err);
	nlcb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!nlcb)
		return nlx_err_local(err, ENOMEM, "out of memory");
	nl_cb_set(nlcb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, cb, arg);
	ret = nl_recvmsgs(nl->sk, nlcb);
	nl_cb_put(nlcb);
	if (ret == -NLE_NOMEM)
		return nlx_err_local(err, ENOBUFS,
				     "notifications lost (socket receive buffer overrun)");
	if (ret < 0 && ret != -NLE_AGAIN)
		return nlx_err_local(err, EIO, "netlink receive: %s",
				     nl_geterror(ret));
	return 0;
}
