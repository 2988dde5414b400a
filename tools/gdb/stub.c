/* One gdb connection: framing on the socket, acks, the packet dispatch table and the
 * query packets (q/Q/v/H/T/?). Registers, memory and breakpoints are in data.c;
 * resuming, events and stop replies in resume.c. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/gdb/stub.h"
#include "tools/gdb/target_xml.h"

int gdb_stub_init(struct gdb_stub *st)
{
	memset(st, 0, sizeof *st);
	/* HVTRACE_GDB_DEBUG=1: every packet, reply and event on stderr. */
	st->is_debug = getenv("HVTRACE_GDB_DEBUG") != NULL;
	st->fd = -1;
	st->is_guest_gone = true; /* nothing to wait for until there is a target */
	for (int i = 0; i < GDB_MAX_FILES; i++)
		st->files[i] = -1;
	st->g_thread = (struct gdb_ptid){0, 0};
	st->c_thread = (struct gdb_ptid){-1, -1};
	gdb_rx_init(&st->rx);
	st->target_xml = malloc(GDB_TARGET_XML_MAX);
	if (!st->target_xml)
		return -ENOMEM;
	st->target_xml_len = gdb_target_xml(st->target_xml, GDB_TARGET_XML_MAX);
	return st->target_xml_len < 0 ? st->target_xml_len : 0;
}

void gdb_stub_free(struct gdb_stub *st)
{
	gdb_files_close_all(st);
	gdb_free_argv(st->run_argv);
	st->run_argv = NULL;
	free(st->target_xml);
	free(st->threads);
	st->target_xml = NULL;
	st->threads = NULL;
}

/* Reply building ---------------------------------------------------------------------
 * A reply that would not fit becomes an error reply: never a truncated one. */

void gdb_reply(struct gdb_stub *st, const char *fmt, ...)
{
	size_t room = sizeof st->reply - st->reply_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(st->reply + st->reply_len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		gdb_reply_error(st, ENOSPC);
	else
		st->reply_len += (size_t)n;
}

void gdb_reply_bytes(struct gdb_stub *st, const void *data, size_t len)
{
	if (len > sizeof st->reply - st->reply_len) {
		gdb_reply_error(st, ENOSPC);
		return;
	}
	memcpy(st->reply + st->reply_len, data, len);
	st->reply_len += len;
}

void gdb_reply_hex(struct gdb_stub *st, const void *data, size_t len)
{
	if (2 * len + 1 > sizeof st->reply - st->reply_len) {
		gdb_reply_error(st, ENOSPC);
		return;
	}
	gdb_hex_encode(data, len, st->reply + st->reply_len);
	st->reply_len += 2 * len;
}

/* Errors are "Exx" with the errno in hex, as gdbserver's. */
void gdb_reply_error(struct gdb_stub *st, int err)
{
	if (err < 0)
		err = -err;
	st->reply_len = (size_t)snprintf(st->reply, sizeof st->reply, "E%02x", err & 0xff);
}

void gdb_reply_ptid(struct gdb_stub *st, int pid, int tid)
{
	char buf[32];

	if (gdb_format_ptid(buf, sizeof buf, (struct gdb_ptid){pid, tid}, st->multiprocess) > 0)
		gdb_reply(st, "%s", buf);
}

/* The connection ---------------------------------------------------------------------- */

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pf = {fd, POLLOUT, 0};
			poll(&pf, 1, 1000);
			continue;
		}
		if (n <= 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Frames and sends st->reply; hex replies are run-length encoded (g and m replies are
 * full of zeros), binary ones (qXfer's l/m, vFile's F) only escaped. */
static int send_reply(struct gdb_stub *st)
{
	bool rle = st->reply_len && st->reply[0] != 'l' && st->reply[0] != 'm' && st->reply[0] != 'F';
	int n = gdb_frame(st->reply, st->reply_len, rle, st->frame, sizeof st->frame);

	st->reply_len = 0;
	if (n < 0) {
		n = gdb_frame("E1c", 3, false, st->frame, sizeof st->frame);
		if (n < 0)
			return n;
	}
	st->frame_len = (size_t)n;
	if (st->is_debug)
		fprintf(stderr, "gdb <- %.*s\n", n > 200 ? 200 : n, st->frame);
	return write_all(st->fd, st->frame, st->frame_len);
}

/* Queries ------------------------------------------------------------------------------ */

static bool has_feature(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p; p = strchr(p, ';'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, n) && p[n] == '+')
			return true;
	return false;
}

static void q_supported(struct gdb_stub *st, const char *args)
{
	st->multiprocess = has_feature(args, "multiprocess");
	st->swbreak = has_feature(args, "swbreak");
	st->hwbreak = has_feature(args, "hwbreak");
	st->fork_events = has_feature(args, "fork-events");
	st->vfork_events = has_feature(args, "vfork-events");
	st->exec_events = has_feature(args, "exec-events");
	gdb_reply(st, "PacketSize=%x;QStartNoAckMode+;qXfer:features:read+;qXfer:auxv:read+;"
		  "qXfer:exec-file:read+;qXfer:threads:read+;qXfer:siginfo:read+;QPassSignals+;"
		  "vContSupported+",
		  GDB_PACKET_MAX);
	if (st->multiprocess)
		gdb_reply(st, ";multiprocess+");
	if (st->swbreak)
		gdb_reply(st, ";swbreak+");
	if (st->hwbreak)
		gdb_reply(st, ";hwbreak+");
	if (st->fork_events)
		gdb_reply(st, ";fork-events+");
	if (st->vfork_events)
		gdb_reply(st, ";vfork-events+");
	if (st->exec_events)
		gdb_reply(st, ";exec-events+");
}

/* qXfer replies: 'm' and a slice when more follows, 'l' and the rest otherwise. */
static void xfer_slice(struct gdb_stub *st, const void *data, size_t size, uint64_t off, uint64_t len)
{
	if (len > GDB_PACKET_MAX - 1)
		len = GDB_PACKET_MAX - 1;
	if (off >= size) {
		gdb_reply(st, "l");
		return;
	}
	size_t n = size - off < len ? size - off : len;
	gdb_reply(st, "%c", off + n < size ? 'm' : 'l');
	gdb_reply_bytes(st, (const char *)data + off, n);
}

/* "OFF,LEN" at the end of a qXfer read. */
static int parse_off_len(const char *p, uint64_t *off, uint64_t *len)
{
	if (gdb_parse_hex(&p, off) || *p++ != ',' || gdb_parse_hex(&p, len) || *p)
		return -EINVAL;
	return 0;
}

static void xfer_threads(struct gdb_stub *st, uint64_t off, uint64_t len)
{
	struct hvt_task_info info[256];
	int n = st->s ? hvt_tasks(st->s, info, 256) : 0;
	size_t cap = 128 + (size_t)st->nthreads * 96, used = 0;
	char *doc = malloc(cap);

	if (!doc) {
		gdb_reply_error(st, ENOMEM);
		return;
	}
	used += (size_t)snprintf(doc, cap, "<?xml version=\"1.0\"?>\n<threads>\n");
	for (int i = 0; i < st->nthreads && used < cap; i++) {
		const struct gdb_thread *t = &st->threads[i];
		char id[32], name[48] = "";
		if (t->is_hidden)
			continue;
		gdb_format_ptid(id, sizeof id, (struct gdb_ptid){t->pid, t->tid}, st->multiprocess);
		for (int j = 0; j < n && j < 256; j++) {
			if (info[j].tid != t->tid)
				continue;
			/* comm is the guest's: keep it to characters that need no XML escape */
			size_t k = 0;
			for (const char *c = info[j].comm; *c && k < 15 && c < info[j].comm + 16; c++)
				if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
				    (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' || *c == '.')
					name[k++] = *c;
			name[k] = 0;
		}
		used += (size_t)snprintf(doc + used, cap - used, "<thread id=\"%s\" name=\"%s\"/>\n", id, name);
	}
	if (used < cap)
		used += (size_t)snprintf(doc + used, cap - used, "</threads>\n");
	if (used >= cap)
		gdb_reply_error(st, ENOSPC);
	else
		xfer_slice(st, doc, used, off, len);
	free(doc);
}

static void q_xfer(struct gdb_stub *st, const char *args)
{
	static const char feat[] = "features:read:target.xml:";
	static const char auxv[] = "auxv:read::";
	static const char exe[] = "exec-file:read:";
	static const char thr[] = "threads:read::";
	static const char sig[] = "siginfo:read::";
	uint64_t off, len;
	struct gdb_thread *t = gdb_general_thread(st);

	if (!strncmp(args, feat, sizeof feat - 1)) {
		if (parse_off_len(args + sizeof feat - 1, &off, &len))
			return gdb_reply_error(st, EINVAL);
		return xfer_slice(st, st->target_xml, (size_t)st->target_xml_len, off, len);
	}
	if (!strncmp(args, "features:read:", 14))
		return gdb_reply_error(st, ENOENT); /* we describe everything in one file */
	if (!strncmp(args, thr, sizeof thr - 1)) {
		if (parse_off_len(args + sizeof thr - 1, &off, &len))
			return gdb_reply_error(st, EINVAL);
		return xfer_threads(st, off, len);
	}
	if (!strncmp(args, sig, sizeof sig - 1)) {
		/* Linux's 128-byte siginfo_t, as PTRACE_GETSIGINFO gives it (gdb's $_siginfo):
		 * of the stop reported for the thread, none for one only stopped with the
		 * others. */
		if (parse_off_len(args + sizeof sig - 1, &off, &len))
			return gdb_reply_error(st, EINVAL);
		if (!t)
			return gdb_reply_error(st, ESRCH);
		if (!t->has_siginfo)
			return gdb_reply_error(st, ENODATA);
		return xfer_slice(st, &t->siginfo, sizeof t->siginfo, off, len);
	}
	if (!strncmp(args, auxv, sizeof auxv - 1)) {
		uint8_t buf[4096];
		if (parse_off_len(args + sizeof auxv - 1, &off, &len))
			return gdb_reply_error(st, EINVAL);
		if (!t)
			return gdb_reply_error(st, ESRCH);
		ssize_t n = hvt_read_auxv(st->s, t->tid, buf, sizeof buf);
		if (n < 0)
			return gdb_reply_error(st, (int)n);
		return xfer_slice(st, buf, (size_t)n, off, len);
	}
	if (!strncmp(args, exe, sizeof exe - 1)) {
		const char *p = args + sizeof exe - 1;
		char path[4096];
		uint64_t pid = 0;
		if (*p != ':' && gdb_parse_hex(&p, &pid))
			return gdb_reply_error(st, EINVAL);
		if (*p++ != ':' || parse_off_len(p, &off, &len))
			return gdb_reply_error(st, EINVAL);
		if (pid)
			t = gdb_match_thread(st, (struct gdb_ptid){(int)pid, -1});
		if (!t)
			return gdb_reply_error(st, ESRCH);
		int r = hvt_exe_path(st->s, t->tid, path, sizeof path);
		if (r < 0)
			return gdb_reply_error(st, r);
		return xfer_slice(st, path, strlen(path), off, len);
	}
	/* An object we do not know: empty, so gdb knows it is unsupported. */
}

static void thread_list(struct gdb_stub *st, bool first)
{
	if (first)
		st->thread_cursor = 0;
	if (st->thread_cursor >= st->nthreads) {
		gdb_reply(st, "l");
		return;
	}
	gdb_reply(st, "m");
	for (int n = 0; st->thread_cursor < st->nthreads && n < 256; st->thread_cursor++) {
		const struct gdb_thread *t = &st->threads[st->thread_cursor];
		if (t->is_hidden)
			continue;
		if (n++)
			gdb_reply(st, ",");
		gdb_reply_ptid(st, t->pid, t->tid);
	}
	if (st->reply_len == 1)
		st->reply[0] = 'l'; /* only hidden ones were left */
}

static void q_fthreadinfo(struct gdb_stub *st, const char *args)
{
	(void)args;
	thread_list(st, true);
}

static void q_sthreadinfo(struct gdb_stub *st, const char *args)
{
	(void)args;
	thread_list(st, false);
}

static void q_current(struct gdb_stub *st, const char *args)
{
	(void)args;
	struct gdb_thread *t = gdb_general_thread(st);
	if (!t)
		return gdb_reply_error(st, ESRCH);
	gdb_reply(st, "QC");
	gdb_reply_ptid(st, t->pid, t->tid);
}

static void q_attached(struct gdb_stub *st, const char *args)
{
	(void)args;
	gdb_reply(st, st->is_attached ? "1" : "0");
}

static void q_symbol(struct gdb_stub *st, const char *args)
{
	(void)args;
	gdb_reply(st, "OK"); /* no symbols wanted */
}

static void q_start_no_ack(struct gdb_stub *st, const char *args)
{
	(void)args;
	gdb_reply(st, "OK");
	/* Takes effect after this reply's own ack, see dispatch(). */
}

/* "QPassSignals:sig;sig..." in gdb numbers: the signals delivered without a stop. */
static void q_pass_signals(struct gdb_stub *st, const char *args)
{
	uint8_t set[sizeof st->pass_signals] = {0};
	const char *p = args;
	uint64_t sig;

	while (*p) {
		if (gdb_parse_hex(&p, &sig) || sig >= GDB_SIGNAL_LAST || (*p && *p++ != ';'))
			return gdb_reply_error(st, EINVAL);
		set[sig / 8] |= (uint8_t)(1u << (sig % 8));
	}
	memcpy(st->pass_signals, set, sizeof set);
	gdb_reply(st, "OK");
}

static void v_cont_query(struct gdb_stub *st, const char *args)
{
	(void)args;
	gdb_reply(st, "vCont;c;C;s;S");
}

static void v_cont(struct gdb_stub *st, const char *args)
{
	gdb_cmd_vcont(st, args);
}

static void v_kill(struct gdb_stub *st, const char *args)
{
	gdb_cmd_vkill(st, args);
}

/* Packets named by a prefix; ':', ';' or ',' ends the name, the rest is the arguments. */
static const struct {
	const char *name;
	void (*fn)(struct gdb_stub *st, const char *args);
} named[] = {
	{"qSupported", q_supported},
	{"qXfer", q_xfer},
	{"qfThreadInfo", q_fthreadinfo},
	{"qsThreadInfo", q_sthreadinfo},
	{"qC", q_current},
	{"qAttached", q_attached},
	{"qSymbol", q_symbol},
	{"QStartNoAckMode", q_start_no_ack},
	{"QPassSignals", q_pass_signals},
	{"vCont?", v_cont_query},
	{"vCont", v_cont},
	{"vKill", v_kill},
	{"vRun", gdb_cmd_vrun},
	{"vAttach", gdb_cmd_vattach},
	{"qRcmd", gdb_cmd_monitor},
	{"vFile", gdb_cmd_vfile},
};

static void named_packet(struct gdb_stub *st, const char *pkt)
{
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
		size_t n = strlen(named[i].name);
		if (strncmp(pkt, named[i].name, n) || (pkt[n] && pkt[n] != ':' && pkt[n] != ';' && pkt[n] != ','))
			continue;
		named[i].fn(st, pkt[n] ? pkt + n + 1 : pkt + n);
		return;
	}
	/* Unknown: the empty reply (vMustReplyEmpty, qTStatus, vFile... land here). */
}

/* "Hg ptid" / "Hc ptid": which thread later packets mean. */
static void cmd_set_thread(struct gdb_stub *st, const char *pkt)
{
	struct gdb_ptid p;
	const char *s = pkt + 2;

	if ((pkt[1] != 'g' && pkt[1] != 'c') || gdb_parse_ptid(&s, &p) || *s)
		return gdb_reply_error(st, EINVAL);
	if (p.tid > 0 && !gdb_match_thread(st, p))
		return gdb_reply_error(st, ESRCH);
	if (pkt[1] == 'g')
		st->g_thread = p;
	else
		st->c_thread = p;
	gdb_reply(st, "OK");
}

static void cmd_thread_alive(struct gdb_stub *st, const char *pkt)
{
	struct gdb_ptid p;
	const char *s = pkt + 1;

	if (gdb_parse_ptid(&s, &p) || *s)
		return gdb_reply_error(st, EINVAL);
	if (!gdb_match_thread(st, p))
		return gdb_reply_error(st, ESRCH);
	gdb_reply(st, "OK");
}

/* Handles one packet; returns whether a reply is due now (resuming packets answer
 * later with a stop reply, 'k' never). */
static bool dispatch(struct gdb_stub *st, const char *pkt, size_t len)
{
	st->reply_len = 0;
	switch (pkt[0]) {
	case '?': gdb_cmd_status(st); break;
	case '!': st->extended = true; gdb_reply(st, "OK"); break;
	case 'g': gdb_cmd_read_regs(st, pkt); break;
	case 'G': gdb_cmd_write_regs(st, pkt); break;
	case 'p': gdb_cmd_read_reg(st, pkt); break;
	case 'P': gdb_cmd_write_reg(st, pkt); break;
	case 'm': gdb_cmd_read_mem(st, pkt); break;
	case 'M': gdb_cmd_write_mem(st, pkt); break;
	case 'X': gdb_cmd_write_mem_binary(st, pkt, len); break;
	case 'Z': case 'z': gdb_cmd_breakpoint(st, pkt); break;
	case 'H': cmd_set_thread(st, pkt); break;
	case 'T': cmd_thread_alive(st, pkt); break;
	case 'D': gdb_cmd_detach(st, pkt); break;
	case 'k': gdb_cmd_kill(st, pkt); return false;
	case 'c': case 'C': case 's': case 'S':
		gdb_cmd_continue(st, pkt);
		break;
	case 'q': case 'Q': case 'v': named_packet(st, pkt); break;
	default: break; /* unknown: the empty reply */
	}
	/* A resume answers later, unless it failed at once (an error reply). */
	return !st->is_running || st->reply_len;
}

static int handle_packet(struct gdb_stub *st)
{
	bool was_no_ack = st->no_ack;
	int r;

	if (!st->no_ack && write_all(st->fd, "+", 1))
		return -EPIPE;
	if (st->rx.len == 0)
		return 0; /* "$#00": nothing to do, nothing owed */
	if (st->is_debug)
		fprintf(stderr, "gdb -> %.*s\n", (int)(st->rx.len > 200 ? 200 : st->rx.len), st->rx.buf);
	if (dispatch(st, st->rx.buf, st->rx.len) && (r = send_reply(st)))
		return r;
	if (!was_no_ack && !strcmp(st->rx.buf, "QStartNoAckMode"))
		st->no_ack = true;
	return 0;
}

static int handle_input(struct gdb_stub *st, const uint8_t *buf, size_t n)
{
	int r;

	for (size_t i = 0; i < n && !st->should_quit; i++) {
		switch (gdb_rx_feed(&st->rx, buf[i])) {
		case GDB_RX_PACKET:
			if ((r = handle_packet(st)))
				return r;
			break;
		case GDB_RX_BAD_CHECKSUM:
			/* In no-ack mode there is nobody to resend: drop it, as gdbserver. */
			if (!st->no_ack && write_all(st->fd, "-", 1))
				return -EPIPE;
			break;
		case GDB_RX_OVERSIZED:
			if (!st->no_ack && write_all(st->fd, "+", 1))
				return -EPIPE;
			gdb_reply_error(st, EMSGSIZE);
			if ((r = send_reply(st)))
				return r;
			break;
		case GDB_RX_INTERRUPT:
			if (st->is_running)
				gdb_interrupt(st);
			break;
		case GDB_RX_NACK:
			if (st->frame_len && !st->no_ack && write_all(st->fd, st->frame, st->frame_len))
				return -EPIPE;
			break;
		case GDB_RX_ACK:
		case GDB_RX_MORE:
			break;
		}
	}
	return 0;
}

int gdb_stub_serve(struct gdb_stub *st, int fd)
{
	uint8_t buf[4096];

	st->fd = fd;
	while (!st->should_quit) {
		struct pollfd pf[2] = {{fd, POLLIN, 0}, {-1, POLLIN, 0}};
		if (!st->is_guest_gone)
			pf[1].fd = hvt_event_fd(st->s);
		/* The timeout only bounds how late a missed wakeup is noticed. */
		if (poll(pf, 2, 200) < 0 && errno != EINTR)
			return -errno;
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(fd, buf, sizeof buf);
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				return 0; /* gdb went away */
			int r = n > 0 ? handle_input(st, buf, (size_t)n) : 0;
			if (r)
				return r;
		}
		/* After the input too: a Ctrl-C is answered at once. */
		if (!st->should_quit && gdb_poll_events(st) && send_reply(st))
			return -EPIPE;
	}
	return 0;
}
