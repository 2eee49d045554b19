// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the ovpn-dco-v2 and the upstream ovpn families share. See family.h.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include "family.h"

struct nl_msg *fam_req(const struct ovpn_nl *nl, uint8_t cmd, int flags,
		       uint32_t ifindex, int nest_type,
		       const struct fam_u32 *attrs, size_t n,
		       struct nlattr **nest)
{
	struct nl_msg *msg = ovpn_nl_msg(nl, cmd, flags);
	struct nlattr *start;
	size_t i;

	if (!msg)
		return NULL;
	if (nla_put_u32(msg, FAM_A_IFINDEX, ifindex) < 0)
		goto fail;
	if (!nest_type)
		return msg;
	start = nla_nest_start(msg, nest_type | NLA_F_NESTED);
	if (!start)
		goto fail;
	for (i = 0; i < n; i++)
		if (nla_put_u32(msg, attrs[i].type, attrs[i].val) < 0)
			goto fail;
	if (nest)
		*nest = start;
	else
		nla_nest_end(msg, start);
	return msg;
fail:
	nlmsg_free(msg);
	return NULL;
}

int fam_no_memory(struct nlx_err *err)
{
	return nlx_err_local(err, ENOMEM, "out of memory building the request");
}

int fam_send(struct ovpn_nl *nl, struct nl_msg *msg, struct nlx_err *err)
{
	if (!msg)
		return fam_no_memory(err);
	return nlx_transact(nl->sk, msg, NULL, NULL, err);
}

static int put_key_dir(struct nl_msg *msg, int type, const uint8_t *key,
		       size_t key_len, const uint8_t *nonce_tail)
{
	struct nlattr *dir = nla_nest_start(msg, type | NLA_F_NESTED);

	if (!dir ||
	    nla_put(msg, FAM_A_CIPHER_KEY, key_len, key) ||
	    nla_put(msg, FAM_A_NONCE_TAIL, KEYFILE_NONCE_TAIL_LEN, nonce_tail))
		return -1;
	nla_nest_end(msg, dir);
	return 0;
}

int fam_put_keys(struct nl_msg *msg, int enc_type, int dec_type,
		 const struct ovpn_new_key *req)
{
	const struct key_material *km = req->km;

	if (put_key_dir(msg, enc_type, km->encrypt_key, req->cipher->key_len,
			km->nonce_tail) ||
	    put_key_dir(msg, dec_type, km->decrypt_key, req->cipher->key_len,
			req->decrypt_tail ? req->decrypt_tail : km->nonce_tail))
		return -1;
	return 0;
}

void fam_free_secret(struct nl_msg *msg)
{
	explicit_bzero(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
	nlmsg_free(msg);
}

static bool parse_sockaddr(const struct nlattr *a, struct attr_vals *vals)
{
	const struct sockaddr *sa = nla_data(a);
	int len = nla_len(a);

	if (len == sizeof(struct sockaddr_in) && sa->sa_family == AF_INET)
		goto ok;
	if (len == sizeof(struct sockaddr_in6) && sa->sa_family == AF_INET6)
		goto ok;
	return false;
ok:
	memcpy(&vals->remote, sa, len);
	vals->remote_len = len;
	return true;
}

static bool parse_ip_attr(const struct nlattr *a, int family,
			  struct ip_addr *ip)
{
	int len = nla_len(a);

	if (!family)
		family = len == 4 ? AF_INET : AF_INET6;
	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	if (len != (int)ip_addr_len(ip))
		return false;
	memcpy(&ip->v4, nla_data(a), len);
	return true;
}

/* an unsigned integer of 4 or 8 bytes, or with @small also 1 or 2 */
static bool parse_uint(const struct nlattr *a, bool small, uint64_t *out)
{
	switch (nla_len(a)) {
	case 1:
		*out = nla_get_u8(a);
		return small;
	case 2:
		*out = nla_get_u16(a);
		return small;
	case 4:
		*out = nla_get_u32(a);
		return true;
	case 8:
		*out = nla_get_u64(a);
		return true;
	}
	return false;
}

static bool parse_one(const struct attr_desc *d, const struct nlattr *a,
		      struct attr_vals *vals)
{
	uint64_t *num = &vals->num[d->type];

	switch (d->kind) {
	case AK_U16:
	case AK_BE16:
		if (nla_len(a) != sizeof(uint16_t))
			return false;
		*num = nla_get_u16(a);
		if (d->kind == AK_BE16)
			*num = ntohs(*num);
		return true;
	case AK_U32:
	case AK_SLOT:
	case AK_CIPHER:
		if (nla_len(a) != sizeof(uint32_t))
			return false;
		*num = nla_get_u32(a);
		return true;
	case AK_S32:
		if (nla_len(a) != sizeof(int32_t))
			return false;
		*num = (uint64_t)(int64_t)(int32_t)nla_get_u32(a);
		return true;
	case AK_U64:
		if (nla_len(a) != sizeof(uint64_t))
			return false;
		*num = nla_get_u64(a);
		return true;
	case AK_UINT:
	case AK_UANY:
		return parse_uint(a, d->kind == AK_UANY, num);
	case AK_SOCKADDR:
		return parse_sockaddr(a, vals);
	case AK_IPV4:
		return parse_ip_attr(a, AF_INET, &vals->ip[d->type]);
	case AK_IPV6:
		return parse_ip_attr(a, AF_INET6, &vals->ip[d->type]);
	case AK_IP:
		return parse_ip_attr(a, 0, &vals->ip[d->type]);
	}
	return false;
}

void attr_vals_parse(const struct attr_desc *desc, size_t n,
		     struct nlattr **tb, struct attr_vals *vals,
		     const char *what)
{
	size_t i;

	memset(vals, 0, sizeof(*vals));
	for (i = 0; i < n; i++) {
		const struct nlattr *a = tb[desc[i].type];

		if (!a)
			continue;
		if (parse_one(&desc[i], a, vals))
			vals->present |= 1U << desc[i].type;
		else
			fprintf(stderr,
				"ovpn-cli: %s: ignoring malformed %s (%d bytes)\n",
				what, desc[i].name, nla_len(a));
	}
}

socklen_t attr_vals_sockaddr(const struct attr_vals *vals, int ip_type,
			     int port_type, int scope_type,
			     struct sockaddr_storage *ss)
{
	uint16_t port = 0;
	socklen_t len;

	if (!ATTR_HAS(vals, ip_type))
		return 0;
	if (port_type && ATTR_HAS(vals, port_type))
		port = vals->num[port_type];
	len = make_sockaddr(&vals->ip[ip_type], port, ss);
	if (ss->ss_family == AF_INET6 && scope_type &&
	    ATTR_HAS(vals, scope_type))
		((struct sockaddr_in6 *)ss)->sin6_scope_id =
			vals->num[scope_type];
	return len;
}

/* @name, or the number if it has none */
static void name_or_num(char *buf, size_t len, const char *name, uint64_t v)
{
	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

void attr_vals_print(FILE *f, const struct attr_desc *desc, size_t n,
		     const struct attr_vals *vals)
{
	char buf[INET6_ADDRSTRLEN + 16];
	struct sockaddr_storage ss;
	socklen_t sl;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct attr_desc *d = &desc[i];
		uint64_t v = vals->num[d->type];

		if (d->hidden || !ATTR_HAS(vals, d->type))
			continue;
		switch (d->kind) {
		case AK_SOCKADDR:
			sockaddr_str((const struct sockaddr *)&vals->remote,
				     vals->remote_len, buf, sizeof(buf));
			break;
		case AK_IPV4:
		case AK_IPV6:
		case AK_IP:
			if (!d->port) {
				ip_addr_str(&vals->ip[d->type], buf,
					    sizeof(buf));
				break;
			}
			sl = attr_vals_sockaddr(vals, d->type, d->port, 0, &ss);
			sockaddr_str((const struct sockaddr *)&ss, sl, buf,
				     sizeof(buf));
			break;
		case AK_S32:
			snprintf(buf, sizeof(buf), "%lld", (long long)v);
			break;
		case AK_SLOT:
			name_or_num(buf, sizeof(buf), slot_name(v), v);
			break;
		case AK_CIPHER:
			name_or_num(buf, sizeof(buf), cipher_alg_name(v), v);
			break;
		default:
			snprintf(buf, sizeof(buf), "%llu",
				 (unsigned long long)v);
			break;
		}
		fprintf(f, "%s %s\n", d->name, buf);
	}
	fputc('\n', f);
}

struct get_ctx {
	const struct fam_reply *r;
	attr_vals_cb cb;
	void *arg;
};

int fam_parse_nest(struct nlattr *nest, const struct attr_desc *desc,
		   size_t n, int nest_max, const char *what,
		   struct attr_vals *vals)
{
	struct nlattr *nb[ATTR_VALS_MAX];

	memset(vals, 0, sizeof(*vals));
	if (!nest || nla_parse_nested(nb, nest_max, nest, NULL) < 0)
		return -1;
	attr_vals_parse(desc, n, nb, vals, what);
	return 0;
}

int fam_parse_reply(struct nl_msg *msg, const struct fam_reply *r,
		    struct attr_vals *vals)
{
	struct nlattr *tb[ATTR_VALS_MAX];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, r->top_max, NULL) < 0 ||
	    fam_parse_nest(tb[r->nest_type], r->desc, r->n, r->nest_max,
			   r->what, vals)) {
		fprintf(stderr, "ovpn-cli: %s without a valid %s nest\n",
			r->what, r->nest_name);
		return -1;
	}
	return 0;
}

static int get_valid(struct nl_msg *msg, void *arg)
{
	struct get_ctx *ctx = arg;
	struct attr_vals vals;

	if (fam_parse_reply(msg, ctx->r, &vals))
		return NL_SKIP;
	ctx->cb(&vals, ctx->arg);
	return NL_OK;
}

int fam_get(struct ovpn_nl *nl, struct nl_msg *msg, const struct fam_reply *r,
	    attr_vals_cb cb, void *arg, struct nlx_err *err)
{
	struct get_ctx ctx = { .r = r, .cb = cb, .arg = arg };

	if (!msg)
		return fam_no_memory(err);
	return nlx_transact(nl->sk, msg, get_valid, &ctx, err);
}

int fam_parse_top(struct nl_msg *msg, int top_max, struct nlattr **tb,
		  uint32_t *ifindex)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *a;

	*ifindex = 0;
	if (!genlmsg_valid_hdr(nlh, 0) ||
	    genlmsg_parse(nlh, 0, tb, top_max, NULL) < 0)
		return -1;
	a = tb[FAM_A_IFINDEX];
	if (a && nla_len(a) == sizeof(uint32_t))
		*ifindex = nla_get_u32(a);
	return genlmsg_hdr(nlh)->cmd;
}
