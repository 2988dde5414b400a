/* struct msghdr and its control messages as strace prints them (its msghdr.c):
 * {msg_name=..., msg_namelen=..., msg_iov=[...], msg_iovlen=1, msg_control=[...],
 * msg_controllen=..., msg_flags=0}. Of the control messages, SOL_SOCKET's
 * SCM_RIGHTS, SCM_CREDENTIALS and SCM_SECURITY show their data (the ones a Unix
 * socket carries); others show their level and type only. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tools/strace/structs.h"
#include "tools/strace/sysent.h"

/* The most control data shown: strace's own cap when it cannot read the host's
 * net.core.optmem_max, 8 * (2 * IOV_MAX + 512). */
#define CONTROL_MAX (8 * (2 * 1024 + 512))
#define CMSG_HDR_LEN sizeof(struct cmsghdr)

static void print_scm_rights(struct st_dec *d, int tid, const unsigned char *data, size_t len)
{
	size_t n = len / sizeof(int);
	sb_putc(d->out, '[');
	for (size_t i = 0; i < n; i++) {
		int fd;
		if (i)
			sb_puts(d->out, ", ");
		if (i >= d->fmt->strsize) {
			sb_puts(d->out, "...");
			break;
		}
		memcpy(&fd, data + i * sizeof fd, sizeof fd);
		st_print_fd(d, tid, fd);
	}
	sb_putc(d->out, ']');
}

static void print_id(struct sbuf *b, const char *name, uint32_t id)
{
	sb_printf(b, id == (uint32_t)-1 ? "%s=%d" : "%s=%u", name, (int)id);
}

/* cmsg_type and, for the types decoded, ", cmsg_data=...". */
static void print_cmsg_type_data(struct st_dec *d, int tid, int level, int type,
				 const unsigned char *data, size_t len)
{
	static const struct st_xlat scm[] = {
		{1, "SCM_RIGHTS"}, {2, "SCM_CREDENTIALS"}, {3, "SCM_SECURITY"},
		{29, "SO_TIMESTAMP_OLD"}, {35, "SO_TIMESTAMPNS_OLD"}, {37, "SO_TIMESTAMPING_OLD"},
		{41, "SO_WIFI_STATUS"}, {54, "SCM_TIMESTAMPING_OPT_STATS"},
		{58, "SCM_TIMESTAMPING_PKTINFO"}, {61, "SO_TXTIME"}, {63, "SO_TIMESTAMP_NEW"},
		{64, "SO_TIMESTAMPNS_NEW"}, {65, "SO_TIMESTAMPING_NEW"}, {0, NULL},
	};
	struct sbuf *b = d->out;
	if (level != SOL_SOCKET) {
		sb_printf(b, "%#x", (unsigned)type);
		return;
	}
	st_print_xval(b, scm, (uint64_t)(int64_t)type, "SCM_???");
	if (type == SCM_RIGHTS && len >= sizeof(int)) {
		sb_puts(b, ", cmsg_data=");
		print_scm_rights(d, tid, data, len);
	} else if (type == SCM_CREDENTIALS && len >= sizeof(struct ucred)) {
		struct ucred uc;
		memcpy(&uc, data, sizeof uc);
		sb_printf(b, ", cmsg_data={pid=%d, ", uc.pid);
		print_id(b, "uid", uc.uid);
		sb_puts(b, ", ");
		print_id(b, "gid", uc.gid);
		sb_putc(b, '}');
	} else if (type == 3 /* SCM_SECURITY: not in glibc's headers */ && len >= 1) {
		sb_puts(b, ", cmsg_data=");
		st_quote(b, data, len, d->fmt->xflag, 0);
	}
}

/* The walk of strace's decode_msg_control, including how it ends on a short or
 * oversized message: what is left unshown is "..." with its address. */
static void print_cmsgs(struct st_dec *d, int tid, uint64_t addr, uint64_t in_len)
{
	struct sbuf *b = d->out;
	size_t control_len = in_len > CONTROL_MAX ? CONTROL_MAX : (size_t)in_len;
	size_t left = control_len, off = 0;
	unsigned char *buf = control_len < CMSG_HDR_LEN ? NULL : malloc(control_len);

	sb_puts(b, ", msg_control=");
	if (!buf || st_read(d, tid, addr, buf, control_len)) {
		st_print_ptr(b, addr);
		free(buf);
		return;
	}
	sb_putc(b, '[');
	while (left >= CMSG_HDR_LEN) {
		struct cmsghdr h;
		memcpy(&h, buf + off, sizeof h);
		if (off)
			sb_puts(b, ", ");
		sb_printf(b, "{cmsg_len=%lu, cmsg_level=", (unsigned long)h.cmsg_len);
		st_print_xval(b, st_sock_levels, (uint64_t)(int64_t)h.cmsg_level, "SOL_???");
		sb_puts(b, ", cmsg_type=");
		size_t len = h.cmsg_len > left ? left : h.cmsg_len;
		print_cmsg_type_data(d, tid, h.cmsg_level, h.cmsg_type, buf + off + CMSG_HDR_LEN,
				     len > CMSG_HDR_LEN ? len - CMSG_HDR_LEN : 0);
		sb_putc(b, '}');
		if (len < CMSG_HDR_LEN) {
			left -= CMSG_HDR_LEN;
			break;
		}
		/* The next header is 8-aligned; a length that wraps when aligned ends it. */
		uint64_t next = (h.cmsg_len + 7) & ~7ull;
		if (next < h.cmsg_len || next >= left) {
			left = 0;
			break;
		}
		off += next;
		left -= next;
	}
	if (left)
		sb_printf(b, ", ... /* %#llx */", (unsigned long long)(addr + (control_len - left)));
	else if (control_len < in_len)
		sb_puts(b, ", ...");
	sb_putc(b, ']');
	free(buf);
}

bool st_msghdr_namelen(struct st_dec *d, int tid, uint64_t addr, int *namelen)
{
	struct msghdr m;
	if (st_read(d, tid, addr, &m, sizeof m))
		return false;
	*namelen = (int)m.msg_namelen;
	return true;
}

void st_print_msghdr_at(struct st_dec *d, int tid, uint64_t addr, const int *user_namelen, long data_size)
{
	struct sbuf *b = d->out;
	struct msghdr m;
	if (st_read(d, tid, addr, &m, sizeof m)) {
		st_print_ptr(b, addr);
		return;
	}
	int namelen = (int)m.msg_namelen;
	/* The kernel may say the name was longer than the room offered: only that much
	 * was written. */
	if (user_namelen && namelen > *user_namelen)
		namelen = *user_namelen;
	sb_puts(b, "{msg_name=");
	st_print_sockaddr(d, tid, (uint64_t)(uintptr_t)m.msg_name, namelen);
	sb_puts(b, ", msg_namelen=");
	if (user_namelen && *user_namelen != (int)m.msg_namelen)
		sb_printf(b, "%d => ", *user_namelen);
	sb_printf(b, "%d, msg_iov=", (int)m.msg_namelen);
	st_print_iovec(d, tid, (uint64_t)(uintptr_t)m.msg_iov, (long)m.msg_iovlen, data_size);
	sb_printf(b, ", msg_iovlen=%lu", (unsigned long)m.msg_iovlen);
	if (m.msg_controllen)
		print_cmsgs(d, tid, (uint64_t)(uintptr_t)m.msg_control, m.msg_controllen);
	sb_printf(b, ", msg_controllen=%lu, msg_flags=", (unsigned long)m.msg_controllen);
	st_print_msg_flags(b, (uint32_t)m.msg_flags);
	sb_putc(b, '}');
}
