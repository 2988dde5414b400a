/* Socket calls whose address arguments are read at entry and written by the call:
 * accept, accept4, getsockname, getpeername, recvfrom, and sendmsg/recvmsg with their
 * struct msghdr (msghdr.c). As strace's net.c: the length the program offered is
 * read at entry and kept (c->saved); at exit the address shows with the length the
 * kernel returned, "[110 => 2]" when the two differ, and a failed call shows the
 * address and "[offered]". c->next_arg says whether the entry left arguments for the
 * exit part (1) or printed them all (the syscall's argument count). */
#include "tools/strace/sysent.h"

static int nargs_of(const struct st_call *c)
{
	const struct st_sysent *e = st_sysent(c->nr);
	return e ? e->nargs : 6;
}

/* The offered length of a (addr, lenp) pair: false when either pointer is NULL or the
 * length cannot be read, as strace's fetch_socklen. */
static bool fetch_socklen(struct st_dec *d, const struct st_call *c, uint64_t addr, uint64_t lenp, int *len)
{
	return addr && lenp && !st_read(d, c->tid, lenp, len, sizeof *len);
}

/* The address the call wrote and "[offered => returned]". */
static void print_addr_out(struct st_dec *d, const struct st_call *c, uint64_t addr, uint64_t lenp)
{
	int ulen = (int)c->saved, rlen;
	if (c->ret < 0 || st_read(d, c->tid, lenp, &rlen, sizeof rlen)) {
		st_print_ptr(d->out, addr);
		sb_printf(d->out, ", [%d]", ulen);
		return;
	}
	st_print_sockaddr(d, c->tid, addr, ulen > rlen ? rlen : ulen);
	if (ulen != rlen)
		sb_printf(d->out, ", [%d => %d]", ulen, rlen);
	else
		sb_printf(d->out, ", [%d]", rlen);
}

/* accept(fd, addr, lenp), accept4(..., flags), getsockname and getpeername(fd, addr,
 * lenp). Without a length to read, everything is known at entry. */
void st_dec_sockname(struct st_dec *d, struct st_call *c)
{
	int n = nargs_of(c), ulen;
	if (!c->is_exit) {
		st_print_fd(d, c->tid, (long)c->args[0]);
		sb_puts(d->out, ", ");
		if (fetch_socklen(d, c, c->args[1], c->args[2], &ulen)) {
			c->saved = ulen;
			c->next_arg = 1;
			return;
		}
		st_print_ptr(d->out, c->args[1]);
		sb_puts(d->out, ", ");
		st_print_ptr(d->out, c->args[2]);
	} else {
		if (c->next_arg != 1)
			return;
		print_addr_out(d, c, c->args[1], c->args[2]);
	}
	if (n == 4) {
		sb_puts(d->out, ", ");
		st_print_accept_flags(d->out, c->args[3]);
	}
	c->next_arg = n;
}

/* recvfrom(fd, buf, len, flags, src_addr, lenp): all but the descriptor at exit. */
void st_dec_recvfrom(struct st_dec *d, struct st_call *c)
{
	int ulen = 0;
	if (!c->is_exit) {
		st_print_fd(d, c->tid, (long)c->args[0]);
		sb_puts(d->out, ", ");
		if (fetch_socklen(d, c, c->args[4], c->args[5], &ulen))
			c->saved = ulen;
		c->next_arg = 1;
		return;
	}
	if (c->ret < 0) {
		st_print_ptr(d->out, c->args[1]);
	} else {
		uint64_t n = (uint64_t)c->ret < c->args[2] ? (uint64_t)c->ret : c->args[2];
		st_print_buf(d, c->tid, c->args[1], (long)n, 0);
	}
	sb_printf(d->out, ", %lu, ", (unsigned long)c->args[2]);
	st_print_msg_flags(d->out, c->args[3]);
	sb_puts(d->out, ", ");
	/* Read again at exit: a length no longer readable shows both pointers. */
	if (!fetch_socklen(d, c, c->args[4], c->args[5], &ulen)) {
		st_print_ptr(d->out, c->args[4]);
		sb_puts(d->out, ", ");
		st_print_ptr(d->out, c->args[5]);
	} else {
		print_addr_out(d, c, c->args[4], c->args[5]);
	}
	c->next_arg = 6;
}

/* sendmsg(fd, msg, flags): everything is input. */
void st_dec_sendmsg(struct st_dec *d, struct st_call *c)
{
	if (c->is_exit)
		return;
	st_print_fd(d, c->tid, (long)c->args[0]);
	sb_puts(d->out, ", ");
	st_print_msghdr_at(d, c->tid, c->args[1], NULL, -1);
	sb_puts(d->out, ", ");
	st_print_msg_flags(d->out, c->args[2]);
	c->next_arg = 3;
}

/* recvmsg(fd, msg, flags): the header at exit, with msg_namelen "offered => returned";
 * a failed call shows only the length offered, {msg_namelen=110}. */
void st_dec_recvmsg(struct st_dec *d, struct st_call *c)
{
	if (!c->is_exit) {
		int namelen;
		st_print_fd(d, c->tid, (long)c->args[0]);
		sb_puts(d->out, ", ");
		if (st_msghdr_namelen(d, c->tid, c->args[1], &namelen)) {
			c->saved = namelen;
			c->next_arg = 1;
			return;
		}
		st_print_ptr(d->out, c->args[1]);
	} else {
		if (c->next_arg != 1)
			return;
		int namelen = (int)c->saved;
		if (c->ret < 0)
			sb_printf(d->out, "{msg_namelen=%d}", namelen);
		else
			st_print_msghdr_at(d, c->tid, c->args[1], &namelen, c->ret);
	}
	sb_puts(d->out, ", ");
	st_print_msg_flags(d->out, c->args[2]);
	c->next_arg = 3;
}
