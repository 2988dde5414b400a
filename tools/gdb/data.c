/* The packets that read and write a stopped process: registers (g G p P), memory
 * (m M X) and breakpoints/watchpoints (Z z). They act on the Hg thread. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/gdb/regs.h"
#include "tools/gdb/stub.h"

/* Large enough for any CPU's XSAVE image (AVX-512 is 2.7K). */
#define XSTATE_MAX 8192

static int load_regs(struct gdb_stub *st, int tid, struct gdb_regs *r)
{
	uint8_t *xs = malloc(XSTATE_MAX);
	int n;

	if (!xs)
		return -ENOMEM;
	memset(r, 0, sizeof *r);
	if ((n = hvt_get_regs(st->s, tid, &r->gpr)) < 0 || (n = hvt_get_fpregs(st->s, tid, &r->fp)) < 0)
		goto out;
	n = hvt_get_xstate(st->s, tid, xs, XSTATE_MAX);
	/* No XSAVE (or no AVX) is not an error: the upper halves read as zero. */
	gdb_regs_set_xstate(r, xs, n > 0 ? (size_t)n : 0);
	n = 0;
out:
	free(xs);
	return n;
}

/* Writes back the register sets whose values changed. */
static int store_regs(struct gdb_stub *st, int tid, const struct gdb_regs *old, const struct gdb_regs *r)
{
	int err;

	if (memcmp(&old->gpr, &r->gpr, sizeof r->gpr) && (err = hvt_set_regs(st->s, tid, &r->gpr)) < 0)
		return err;
	if (memcmp(&old->fp, &r->fp, sizeof r->fp) && (err = hvt_set_fpregs(st->s, tid, &r->fp)) < 0)
		return err;
	if (!memcmp(old->ymmh, r->ymmh, sizeof r->ymmh))
		return 0;
	/* The AVX upper halves: into the XSAVE image, marked in use (XSTATE_BV bit 2). */
	uint8_t *xs = malloc(XSTATE_MAX);
	if (!xs)
		return -ENOMEM;
	int n = hvt_get_xstate(st->s, tid, xs, XSTATE_MAX);
	if (n >= 0 && (size_t)n < 576 + sizeof r->ymmh)
		n = -EINVAL; /* no AVX state on this CPU */
	if (n >= 0) {
		memcpy(xs + 576, r->ymmh, sizeof r->ymmh);
		xs[512] |= 4;
		n = hvt_set_xstate(st->s, tid, xs, (size_t)n);
	}
	free(xs);
	return n < 0 ? n : 0;
}

void gdb_cmd_read_regs(struct gdb_stub *st, const char *pkt)
{
	struct gdb_thread *t = gdb_general_thread(st);
	struct gdb_regs r;
	uint8_t v[GDB_REG_MAX];
	int err;

	(void)pkt;
	if (!t)
		return gdb_reply_error(st, ESRCH);
	if ((err = load_regs(st, t->tid, &r)))
		return gdb_reply_error(st, err);
	for (int i = 0; i < GDB_NREGS; i++) {
		int n = gdb_reg_read(&r, i, v);
		gdb_reply_hex(st, v, (size_t)n);
	}
}

void gdb_cmd_write_regs(struct gdb_stub *st, const char *pkt)
{
	struct gdb_thread *t = gdb_general_thread(st);
	struct gdb_regs old, r;
	const char *p = pkt + 1;
	size_t left = strlen(p);
	uint8_t v[GDB_REG_MAX];
	int err;

	if (!t)
		return gdb_reply_error(st, ESRCH);
	if ((err = load_regs(st, t->tid, &old)))
		return gdb_reply_error(st, err);
	r = old;
	/* gdb may send fewer registers than we describe: the rest keep their values. */
	for (int i = 0; i < GDB_NREGS && left; i++) {
		size_t n = gdb_reg_info(i)->size;
		if (left < 2 * n || gdb_hex_decode(p, n, v))
			return gdb_reply_error(st, EINVAL);
		gdb_reg_write(&r, i, v);
		p += 2 * n;
		left -= 2 * n;
	}
	if (left)
		return gdb_reply_error(st, EINVAL);
	if ((err = store_regs(st, t->tid, &old, &r)))
		return gdb_reply_error(st, err);
	gdb_reply(st, "OK");
}

void gdb_cmd_read_reg(struct gdb_stub *st, const char *pkt)
{
	struct gdb_thread *t = gdb_general_thread(st);
	const char *p = pkt + 1;
	uint64_t regno;
	struct gdb_regs r;
	uint8_t v[GDB_REG_MAX];
	int err;

	if (gdb_parse_hex(&p, &regno) || *p)
		return gdb_reply_error(st, EINVAL);
	if (regno >= GDB_NREGS)
		return gdb_reply_error(st, EINVAL);
	if (!t)
		return gdb_reply_error(st, ESRCH);
	if ((err = load_regs(st, t->tid, &r)))
		return gdb_reply_error(st, err);
	gdb_reply_hex(st, v, (size_t)gdb_reg_read(&r, (int)regno, v));
}

void gdb_cmd_write_reg(struct gdb_stub *st, const char *pkt)
{
	struct gdb_thread *t = gdb_general_thread(st);
	const char *p = pkt + 1;
	uint64_t regno;
	struct gdb_regs old, r;
	uint8_t v[GDB_REG_MAX];
	int err;

	if (gdb_parse_hex(&p, &regno) || *p++ != '=' || regno >= GDB_NREGS)
		return gdb_reply_error(st, EINVAL);
	size_t n = gdb_reg_info((int)regno)->size;
	if (strlen(p) != 2 * n || gdb_hex_decode(p, n, v))
		return gdb_reply_error(st, EINVAL);
	if (!t)
		return gdb_reply_error(st, ESRCH);
	if ((err = load_regs(st, t->tid, &old)))
		return gdb_reply_error(st, err);
	r = old;
	if ((err = gdb_reg_write(&r, (int)regno, v)) < 0)
		return gdb_reply_error(st, err);
	if ((err = store_regs(st, t->tid, &old, &r)))
		return gdb_reply_error(st, err);
	gdb_reply(st, "OK");
}

/* "ADDR,LEN" then sep: the common head of m, M and X. */
static int parse_addr_len(const char **p, char sep, uint64_t *addr, uint64_t *len)
{
	if (gdb_parse_hex(p, addr) || *(*p)++ != ',' || gdb_parse_hex(p, len))
		return -EINVAL;
	if (sep ? *(*p)++ != sep : **p != 0)
		return -EINVAL;
	return 0;
}

void gdb_cmd_read_mem(struct gdb_stub *st, const char *pkt)
{
	struct gdb_thread *t = gdb_general_thread(st);
	const char *p = pkt + 1;
	uint64_t addr, len;
	uint8_t buf[GDB_PACKET_MAX / 2];

	if (parse_addr_len(&p, 0, &addr, &len))
		return gdb_reply_error(st, EINVAL);
	if (!t)
		return gdb_reply_error(st, ESRCH);
	if (len > sizeof buf)
		len = sizeof buf; /* gdb takes a short read and asks for the rest */
	if (len == 0)
		return;
	ssize_t n = hvt_read_mem(st->s, t->tid, addr, buf, len);
	if (n <= 0)
		return gdb_reply_error(st, n ? (int)n : EFAULT);
	gdb_reply_hex(st, buf, (size_t)n);
}

static void write_mem(struct gdb_stub *st, uint64_t addr, const uint8_t *buf, size_t len)
{
	struct gdb_thread *t = gdb_general_thread(st);

	if (!t)
		return gdb_reply_error(st, ESRCH);
	if (len == 0) {
		gdb_reply(st, "OK"); /* gdb's probe for X */
		return;
	}
	ssize_t n = hvt_write_mem(st->s, t->tid, addr, buf, len);
	if (n < 0 || (size_t)n != len)
		return gdb_reply_error(st, n < 0 ? (int)n : EFAULT);
	gdb_reply(st, "OK");
}

void gdb_cmd_write_mem(struct gdb_stub *st, const char *pkt)
{
	const char *p = pkt + 1;
	uint64_t addr, len;
	uint8_t buf[GDB_PACKET_MAX / 2];

	if (parse_addr_len(&p, ':', &addr, &len) || len > sizeof buf || strlen(p) != 2 * len ||
	    gdb_hex_decode(p, len, buf))
		return gdb_reply_error(st, EINVAL);
	write_mem(st, addr, buf, len);
}

void gdb_cmd_write_mem_binary(struct gdb_stub *st, const char *pkt, size_t pktlen)
{
	const char *p = pkt + 1;
	uint64_t addr, len;
	uint8_t buf[GDB_PACKET_MAX];

	/* The binary data may hold NULs: its extent is the packet's length. */
	if (parse_addr_len(&p, ':', &addr, &len) || len > sizeof buf)
		return gdb_reply_error(st, EINVAL);
	int n = gdb_unescape(p, pktlen - (size_t)(p - pkt), buf, sizeof buf);
	if (n < 0 || (uint64_t)n != len)
		return gdb_reply_error(st, EINVAL);
	write_mem(st, addr, buf, len);
}

/* Breakpoints ------------------------------------------------------------------------ */

static const enum hvt_bp_type z_types[] = {HVT_BP_SW, HVT_BP_HW, HVT_BP_WRITE, HVT_BP_READ, HVT_BP_ACCESS};

static struct gdb_bp *find_exact(struct gdb_stub *st, int pid, enum hvt_bp_type type, uint64_t addr, size_t len)
{
	for (int i = 0; i < st->nbps; i++) {
		struct gdb_bp *b = &st->bps[i];
		if (b->pid == pid && b->type == type && b->addr == addr && b->len == len)
			return b;
	}
	return NULL;
}

struct gdb_bp *gdb_find_bp(struct gdb_stub *st, int pid, bool is_exec, uint64_t addr)
{
	for (int i = 0; i < st->nbps; i++) {
		struct gdb_bp *b = &st->bps[i];
		bool exec = b->type == HVT_BP_SW || b->type == HVT_BP_HW;
		if (b->pid == pid && exec == is_exec && addr >= b->addr && addr < b->addr + b->len)
			return b;
	}
	return NULL;
}

static int add_bp(struct gdb_stub *st, int tid, int pid, enum hvt_bp_type type, uint64_t addr, size_t len)
{
	int err;

	if (find_exact(st, pid, type, addr, len))
		return 0; /* gdb may insert a location twice: the same result */
	if (st->nbps == GDB_MAX_BPS)
		return -ENOSPC;
	if ((err = hvt_set_breakpoint(st->s, tid, type, addr, len)) < 0)
		return err;
	st->bps[st->nbps++] = (struct gdb_bp){type, addr, len, pid};
	return 0;
}

static int del_bp(struct gdb_stub *st, int tid, int pid, enum hvt_bp_type type, uint64_t addr, size_t len)
{
	struct gdb_bp *b = find_exact(st, pid, type, addr, len);
	int err;

	if (!b)
		return 0; /* removing what is not there is not an error for gdb */
	err = hvt_clear_breakpoint(st->s, tid, type, addr, len);
	*b = st->bps[--st->nbps];
	return err == -ESRCH ? 0 : err;
}

/* The aligned 1/2/4/8-byte piece of a watched range that starts at addr, as the debug
 * registers can watch: gdb asks for whole variables, hvtrace takes aligned words. */
static size_t watch_piece(uint64_t addr, uint64_t len)
{
	size_t n = 8;

	while (n > 1 && ((addr & (n - 1)) || n > len))
		n /= 2;
	return n;
}

/* "Ztype,addr,kind" and "ztype,addr,kind" (kind: the length, 1 for int3). */
void gdb_cmd_breakpoint(struct gdb_stub *st, const char *pkt)
{
	bool is_insert = pkt[0] == 'Z';
	const char *p = pkt + 1;
	uint64_t ztype, addr, len;
	struct gdb_thread *t = gdb_general_thread(st);
	int err = 0;

	if (gdb_parse_hex(&p, &ztype) || *p++ != ',' || gdb_parse_hex(&p, &addr) || *p++ != ',' ||
	    gdb_parse_hex(&p, &len) || (*p && *p != ';'))
		return gdb_reply_error(st, EINVAL);
	if (ztype > 4)
		return; /* unknown kind: the empty reply says unsupported */
	if (*p == ';')
		return gdb_reply_error(st, EINVAL); /* conditions: we never offered them */
	if (!t)
		return gdb_reply_error(st, ESRCH);
	enum hvt_bp_type type = z_types[ztype];
	if (ztype <= 1) {
		/* x86's breakpoint kind is the int3's length: 1 */
		if (len != 1)
			return gdb_reply_error(st, EINVAL);
		err = is_insert ? add_bp(st, t->tid, t->pid, type, addr, 1)
				: del_bp(st, t->tid, t->pid, type, addr, 1);
		return err ? gdb_reply_error(st, err) : gdb_reply(st, "OK");
	}
	if (len == 0 || len > 64 || addr + len < addr)
		return gdb_reply_error(st, EINVAL);
	uint64_t a = addr, left = len;
	while (left && !err) {
		size_t n = watch_piece(a, left);
		err = is_insert ? add_bp(st, t->tid, t->pid, type, a, n) : del_bp(st, t->tid, t->pid, type, a, n);
		a += n;
		left -= n;
	}
	if (err && is_insert) {
		/* all or nothing: undo the pieces that went in */
		for (uint64_t b = addr; b < a;) {
			size_t n = watch_piece(b, addr + len - b);
			del_bp(st, t->tid, t->pid, type, b, n);
			b += n;
		}
	}
	return err ? gdb_reply_error(st, err) : gdb_reply(st, "OK");
}

void gdb_drop_bps(struct gdb_stub *st, int pid, bool remove)
{
	for (int i = 0; i < st->nbps;) {
		struct gdb_bp *b = &st->bps[i];
		if (b->pid != pid) {
			i++;
			continue;
		}
		if (remove) {
			struct gdb_thread *t = gdb_match_thread(st, (struct gdb_ptid){pid, -1});
			if (t)
				hvt_clear_breakpoint(st->s, t->tid, b->type, b->addr, b->len);
		}
		*b = st->bps[--st->nbps];
	}
}

void gdb_reply_expedite(struct gdb_stub *st, int tid)
{
	static const int regs[] = {GDB_REG_RBP, GDB_REG_RSP, GDB_REG_RIP};
	struct gdb_regs r;
	uint8_t v[GDB_REG_MAX];

	memset(&r, 0, sizeof r);
	if (hvt_get_regs(st->s, tid, &r.gpr) < 0)
		return; /* optional: gdb asks with g when it is missing */
	for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
		int n = gdb_reg_read(&r, regs[i], v);
		gdb_reply(st, "%02x:", regs[i]);
		gdb_reply_hex(st, v, (size_t)n);
		gdb_reply(st, ";");
	}
}
