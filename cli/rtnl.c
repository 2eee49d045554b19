// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtnetlink requests of ovpn-cli. See rtnl.h.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <linux/ovpn_dco.h>

#include "rtnl.h"

static int no_memory(struct nlx_err *err)
{
	return nlx_err_local(err, ENOMEM, "out of memory building the request");
}

/* send @msg (always freed) on a fresh NETLINK_ROUTE socket, answers to @valid */
static int rt_transact_cb(struct nl_msg *msg, nl_recvmsg_msg_cb_t valid,
			  void *arg, struct nlx_err *err)
{
	struct nl_sock *sk;
	int ret;

	sk = nlx_open(NETLINK_ROUTE, err);
	if (!sk) {
		nlmsg_free(msg);
		return -err->error;
	}
	ret = nlx_transact(sk, msg, valid, arg, err);
	nl_socket_free(sk);
	return ret;
}

static int rt_transact(struct nl_msg *msg, struct nlx_err *err)
{
	return rt_transact_cb(msg, NULL, NULL, err);
}

static struct nl_msg *link_msg(int type, int flags, uint32_t ifindex,
			       unsigned int ifi_flags, unsigned int change)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_index = ifindex,
		.ifi_flags = ifi_flags,
		.ifi_change = change,
	};
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (msg && nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

int rt_link_new(const char *name, const char *kind, uint8_t mode,
		struct nlx_err *err)
{
	struct nlattr *linkinfo, *data;
	struct nl_msg *msg;

	msg = link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0);
	if (!msg)
		return no_memory(err);
	if (nla_put_string(msg, IFLA_IFNAME, name))
		goto fail;
	linkinfo = nla_nest_start(msg, IFLA_LINKINFO | NLA_F_NESTED);
	if (!linkinfo || nla_put_string(msg, IFLA_INFO_KIND, kind))
		goto fail;
	data = nla_nest_start(msg, IFLA_INFO_DATA | NLA_F_NESTED);
	if (!data || nla_put_u8(msg, IFLA_OVPN_MODE, mode))
		goto fail;
	nla_nest_end(msg, data);
	nla_nest_end(msg, linkinfo);
	return rt_transact(msg, err);
fail:
	nlmsg_free(msg);
	return no_memory(err);
}

struct kind_buf {
	char *kind;
	size_t len;
};

static int link_kind_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	struct kind_buf *k = arg;
	struct nlattr *a;

	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX,
			NULL) < 0 || !tb[IFLA_LINKINFO] ||
	    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0)
		return NL_OK;
	a = li[IFLA_INFO_KIND];
	if (a)
		snprintf(k->kind, k->len, "%.*s",
			 (int)strnlen(nla_data(a), nla_len(a)),
			 (const char *)nla_data(a));
	return NL_OK;
}

int rt_link_kind(uint32_t ifindex, char *kind, size_t len,
		 struct nlx_err *err)
{
	struct kind_buf k = { .kind = kind, .len = len };
	struct nl_msg *msg;

	kind[0] = '\0';
	msg = link_msg(RTM_GETLINK, 0, ifindex, 0, 0);
	if (!msg)
		return no_memory(err);
	return rt_transact_cb(msg, link_kind_valid, &k, err);
}

int rt_link_del(const char *name, uint32_t ifindex, struct nlx_err *err)
{
	struct nl_msg *msg;

	msg = link_msg(RTM_DELLINK, 0, name ? 0 : ifindex, 0, 0);
	if (!msg)
		return no_memory(err);
	if (name && nla_put_string(msg, IFLA_IFNAME, name)) {
		nlmsg_free(msg);
		return no_memory(err);
	}
	return rt_transact(msg, err);
}

int rt_link_set(uint32_t ifindex, uint32_t mtu, bool up, struct nlx_err *err)
{
	struct nl_msg *msg;

	msg = link_msg(RTM_NEWLINK, 0, ifindex, up ? IFF_UP : 0,
		       up ? IFF_UP : 0);
	if (!msg)
		return no_memory(err);
	if (mtu && nla_put_u32(msg, IFLA_MTU, mtu)) {
		nlmsg_free(msg);
		return no_memory(err);
	}
	return rt_transact(msg, err);
}

int rt_addr_add(uint32_t ifindex, const struct ip_addr *addr, int plen,
		struct nlx_err *err)
{
	struct ifaddrmsg ifa = {
		.ifa_family = addr->family,
		.ifa_prefixlen = plen,
		.ifa_scope = RT_SCOPE_UNIVERSE,
		.ifa_index = ifindex,
	};
	size_t len = ip_addr_len(addr);
	struct nl_msg *msg;

	/* no DAD: the tunnel address must be usable as soon as it is up */
	if (addr->family == AF_INET6)
		ifa.ifa_flags = IFA_F_NODAD;

	msg = nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	if (!msg)
		return no_memory(err);
	if (nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, IFA_LOCAL, len, &addr->v4) ||
	    nla_put(msg, IFA_ADDRESS, len, &addr->v4)) {
		nlmsg_free(msg);
		return no_memory(err);
	}
	return rt_transact(msg, err);
}
