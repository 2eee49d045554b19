/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Netlink plumbing shared by ovpn-cli and tests/tools/nlcheck: sockets with
 * extended ACK, request/answer transactions that capture the kernel's
 * errno and extack message, and the module's generic netlink families
 * (ovpn-dco-v2; the upstream ovpn through the *_family() variants).
 */

#ifndef _OVPN_CLI_NL_H_
#define _OVPN_CLI_NL_H_

#include <stdbool.h>
#include <stdint.h>

#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>

#define NLX_MSG_MAX 256

/**
 * struct nlx_err - why a netlink transaction failed
 * @error: positive errno, 0 when nothing failed
 * @kernel: the kernel refused the request (else it failed locally)
 * @miss_type: attribute type the kernel reported missing, or -1
 * @msg: the kernel's extack message ("" if none), or a local description
 */
struct nlx_err {
	int error;
	bool kernel;
	int miss_type;
	char msg[NLX_MSG_MAX];
};

void nlx_err_clear(struct nlx_err *err);

/* record a local (not kernel) failure; returns -@error */
int nlx_err_local(struct nlx_err *err, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* the program name nlx_report() starts its lines with ("ovpn-cli") */
extern const char *nlx_prog;

/*
 * Print @err on stderr: kernel refusals as
 * "<prog>: <what>: <strerror> (errno <N>): <extack or "no extack message">",
 * local failures as "<prog>: <what>: <msg>".
 */
void nlx_report(const char *what, const struct nlx_err *err);

/* a connected netlink socket of @protocol with extended ACK enabled */
struct nl_sock *nlx_open(int protocol, struct nlx_err *err);

/**
 * nlx_transact - send a request and read its answer
 * @sk: socket from nlx_open()
 * @msg: request; always freed
 * @valid: called for each answer message (a do reply or dump part), or NULL
 * @arg: passed to @valid
 * @err: filled on failure
 *
 * Waits for the ACK (or the end of a dump). Errors carried in an
 * NLMSG_ERROR or in the NLMSG_DONE of a dump are both reported.
 *
 * Return: 0, or a negative errno with @err filled.
 */
int nlx_transact(struct nl_sock *sk, struct nl_msg *msg,
		 nl_recvmsg_msg_cb_t valid, void *arg, struct nlx_err *err);

/**
 * struct ovpn_nl - a socket speaking one of the module's families
 * @sk: the socket
 * @family: resolved generic netlink family id
 */
struct ovpn_nl {
	struct nl_sock *sk;
	int family;
};

/* open a request socket and resolve the family */
int ovpn_nl_open(struct ovpn_nl *nl, struct nlx_err *err);

/* the same for the generic netlink family @name (ovpn-dco-v2 or ovpn) */
int ovpn_nl_open_family(struct ovpn_nl *nl, const char *name,
			struct nlx_err *err);

/* receive buffer of a "peers" socket: a few thousand notifications */
#define OVPN_NL_MCAST_RCVBUF	(8 << 20)

/* open a non-blocking socket subscribed to the "peers" group */
int ovpn_nl_open_mcast(struct ovpn_nl *nl, struct nlx_err *err);

/*
 * The same with the receive buffer a daemon would ask for: @rcvbuf bytes
 * by plain SO_RCVBUF (the kernel caps it at net.core.rmem_max and doubles
 * it), as OpenVPN 2.6 does with 1 MiB; 0: OVPN_NL_MCAST_RCVBUF, forced.
 */
int ovpn_nl_open_mcast_rcvbuf(struct ovpn_nl *nl, int rcvbuf,
			      struct nlx_err *err);

/* the same for group @group of family @name */
int ovpn_nl_open_mcast_family(struct ovpn_nl *nl, const char *name,
			      const char *group, int rcvbuf,
			      struct nlx_err *err);

void ovpn_nl_close(struct ovpn_nl *nl);

/* a request of @cmd with the generic netlink header; NULL if out of memory */
struct nl_msg *ovpn_nl_msg(const struct ovpn_nl *nl, uint8_t cmd, int flags);

/*
 * Read what is pending on a ovpn_nl_open_mcast() socket, calling @cb for
 * each notification. Return: 0, or a negative errno with @err filled
 * (ENOBUFS: notifications were lost).
 */
int ovpn_nl_recv_notifications(struct ovpn_nl *nl, nl_recvmsg_msg_cb_t cb,
			       void *arg, struct nlx_err *err);

#endif /* _OVPN_CLI_NL_H_ */
