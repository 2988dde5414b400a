/* The GDB remote protocol's framing and field syntax (see packet.h). Every write is
 * bounded by the caller's buffer size: a hostile or broken client can only get errors. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tools/gdb/packet.h"

void gdb_rx_init(struct gdb_rx *rx)
{
	rx->state = GDB_RX_IDLE;
	rx->len = 0;
	rx->is_oversized = false;
	rx->sum = 0;
	rx->got_sum = 0;
	rx->is_bad_digit = false;
	rx->buf[0] = 0;
}

enum gdb_rx_result gdb_rx_feed(struct gdb_rx *rx, uint8_t c)
{
	int d;

	switch (rx->state) {
	case GDB_RX_IDLE:
		if (c == '$') {
			rx->state = GDB_RX_DATA;
			rx->len = 0;
			rx->sum = 0;
			rx->is_oversized = false;
			return GDB_RX_MORE;
		}
		if (c == 0x03)
			return GDB_RX_INTERRUPT;
		if (c == '+')
			return GDB_RX_ACK;
		if (c == '-')
			return GDB_RX_NACK;
		return GDB_RX_MORE; /* line noise between packets is ignored, as gdbserver */
	case GDB_RX_DATA:
		if (c == '#') {
			rx->state = GDB_RX_CSUM1;
			return GDB_RX_MORE;
		}
		/* A '$' inside a packet means the sender gave up on the previous one and
		 * started again (the protocol forbids a raw '$' in data). */
		if (c == '$') {
			rx->len = 0;
			rx->sum = 0;
			rx->is_oversized = false;
			return GDB_RX_MORE;
		}
		rx->sum += c;
		if (rx->len < GDB_PACKET_MAX)
			rx->buf[rx->len++] = (char)c;
		else
			rx->is_oversized = true;
		return GDB_RX_MORE;
	case GDB_RX_CSUM1:
		d = gdb_hex_digit((char)c);
		rx->got_sum = (uint8_t)(d < 0 ? 0 : d << 4);
		rx->is_bad_digit = d < 0;
		rx->state = GDB_RX_CSUM2;
		return GDB_RX_MORE;
	case GDB_RX_CSUM2:
		d = gdb_hex_digit((char)c);
		rx->state = GDB_RX_IDLE;
		rx->buf[rx->len] = 0;
		if (d < 0 || rx->is_bad_digit || (uint8_t)(rx->got_sum | d) != rx->sum)
			return GDB_RX_BAD_CHECKSUM;
		return rx->is_oversized ? GDB_RX_OVERSIZED : GDB_RX_PACKET;
	}
	return GDB_RX_MORE;
}

static bool needs_escape(uint8_t c)
{
	return c == '#' || c == '$' || c == '}' || c == '*';
}

int gdb_frame(const void *payload, size_t len, bool rle, char *out, size_t outmax)
{
	const uint8_t *p = payload;
	size_t o = 0, i = 0;
	uint8_t sum = 0;

	if (outmax < 4)
		return -ENOSPC;
	out[o++] = '$';
	while (i < len) {
		uint8_t c = p[i];
		if (needs_escape(c)) {
			if (o + 2 > outmax - 3)
				return -ENOSPC;
			out[o++] = '}';
			out[o++] = (char)(c ^ 0x20);
			sum += '}' + (c ^ 0x20);
			i++;
			continue;
		}
		size_t run = 1;
		while (rle && i + run < len && p[i + run] == c && run < 98)
			run++;
		/* A repeat count n (extra copies) is sent as the byte n+29; it must be
		 * printable and not '#' or '$', so 6 and 7 extra copies are sent as 5. */
		size_t extra = run - 1;
		if (extra == 6 || extra == 7)
			extra = 5;
		if (extra < 3)
			extra = 0;
		if (o + (extra ? 3 : 1) > outmax - 3)
			return -ENOSPC;
		out[o++] = (char)c;
		sum += c;
		if (extra) {
			out[o++] = '*';
			out[o++] = (char)(extra + 29);
			sum += '*' + (uint8_t)(extra + 29);
		}
		i += 1 + extra;
	}
	if (o + 3 > outmax)
		return -ENOSPC;
	snprintf(out + o, 4, "#%02x", sum);
	return (int)(o + 3);
}

int gdb_unescape(const char *in, size_t len, uint8_t *out, size_t outmax)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)in[i];
		if (c == '}') {
			if (++i >= len)
				return -EINVAL;
			c = (uint8_t)in[i] ^ 0x20;
		}
		if (o >= outmax)
			return -ENOSPC;
		out[o++] = c;
	}
	return (int)o;
}

int gdb_unrle(const char *in, size_t len, char *out, size_t outmax)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] == '*') {
			if (o == 0 || i + 1 >= len || (uint8_t)in[i + 1] < 29 + 3 ||
			    (uint8_t)in[i + 1] > 126)
				return -EINVAL;
			size_t n = (uint8_t)in[++i] - 29;
			if (o + n > outmax)
				return -ENOSPC;
			memset(out + o, out[o - 1], n);
			o += n;
			continue;
		}
		if (o >= outmax)
			return -ENOSPC;
		out[o++] = in[i];
	}
	return (int)o;
}

int gdb_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int gdb_parse_hex(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	int n = 0, d;

	while ((d = gdb_hex_digit(s[n])) >= 0) {
		if (n == 16)
			return -EINVAL;
		x = x << 4 | (uint64_t)d;
		n++;
	}
	if (n == 0)
		return -EINVAL;
	*v = x;
	*p = s + n;
	return 0;
}

int gdb_parse_shex(const char **p, int64_t *v)
{
	const char *s = *p;
	bool neg = *s == '-';
	uint64_t x;

	if (neg)
		s++;
	if (gdb_parse_hex(&s, &x) || x > INT64_MAX)
		return -EINVAL;
	*v = neg ? -(int64_t)x : (int64_t)x;
	*p = s;
	return 0;
}

int gdb_hex_decode(const char *hex, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = gdb_hex_digit(hex[2 * i]);
		int lo = hi < 0 ? -1 : gdb_hex_digit(hex[2 * i + 1]);
		if (lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void gdb_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = 0;
}

/* One id component: -1 (all), or a hex number that fits a Linux pid. */
static int parse_id(const char **p, int *id)
{
	int64_t v;

	if (gdb_parse_shex(p, &v) || v < -1 || v > 0x3fffffff)
		return -EINVAL;
	*id = (int)v;
	return 0;
}

int gdb_parse_ptid(const char **p, struct gdb_ptid *t)
{
	const char *s = *p;

	if (*s == 'p') {
		s++;
		if (parse_id(&s, &t->pid))
			return -EINVAL;
		t->tid = -1; /* "pPID" alone: every thread of PID */
		if (*s == '.') {
			s++;
			if (parse_id(&s, &t->tid))
				return -EINVAL;
		}
	} else {
		if (parse_id(&s, &t->tid))
			return -EINVAL;
		t->pid = t->tid == -1 ? -1 : 0;
	}
	*p = s;
	return 0;
}

int gdb_format_ptid(char *out, size_t outmax, struct gdb_ptid t, bool multiprocess)
{
	int n;

	if (multiprocess)
		n = snprintf(out, outmax, "p%x.%x", (unsigned)t.pid, (unsigned)t.tid);
	else
		n = snprintf(out, outmax, "%x", (unsigned)t.tid);
	return n < 0 || (size_t)n >= outmax ? -ENOSPC : n;
}

int gdb_parse_hex_fields(const char *p, char *buf, size_t bufmax, const char **fields, int maxf)
{
	size_t used = 0;
	int n = 0;

	for (;;) {
		const char *end = strchrnul(p, ';');
		size_t hex = (size_t)(end - p);
		if (hex % 2)
			return -EINVAL;
		if (n == maxf)
			return -E2BIG;
		if (hex / 2 + 1 > bufmax - used)
			return -ENOSPC;
		if (gdb_hex_decode(p, hex / 2, (uint8_t *)buf + used))
			return -EINVAL;
		if (memchr(buf + used, 0, hex / 2))
			return -EINVAL; /* a C string cannot hold it */
		buf[used + hex / 2] = 0;
		fields[n++] = buf + used;
		used += hex / 2 + 1;
		if (!*end)
			return n;
		p = end + 1;
	}
}

int gdb_parse_hex_list(const char *p, uint64_t *v, int n)
{
	for (int i = 0; i < n; i++)
		if (gdb_parse_hex(&p, &v[i]) || *p++ != (i + 1 < n ? ',' : 0))
			return -EINVAL;
	return 0;
}

int gdb_parse_vfile_open(const char *p, char *path, size_t pathmax, uint64_t *flags, uint64_t *mode)
{
	const char *comma = strchr(p, ',');
	uint64_t v[2];

	if (!comma || (comma - p) % 2 || gdb_parse_hex_list(comma + 1, v, 2))
		return -EINVAL;
	size_t n = (size_t)(comma - p) / 2;
	if (n + 1 > pathmax)
		return -ENAMETOOLONG;
	if (gdb_hex_decode(p, n, (uint8_t *)path) || memchr(path, 0, n))
		return -EINVAL;
	path[n] = 0;
	*flags = v[0];
	*mode = v[1];
	return 0;
}
