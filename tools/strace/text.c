/* Growable text buffers and strace's string quoting. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/strace/strace.h"

void sb_init(struct sbuf *b)
{
	memset(b, 0, sizeof *b);
}

void sb_free(struct sbuf *b)
{
	free(b->s);
	sb_init(b);
}

void sb_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = 0;
}

/* Room for n more bytes and the NUL; false (and is_oom) when there is none. */
static bool sb_reserve(struct sbuf *b, size_t n)
{
	if (b->is_oom)
		return false;
	if (b->len + n + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 128;
	while (cap < b->len + n + 1)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		b->is_oom = true;
		return false;
	}
	b->s = s;
	b->cap = cap;
	return true;
}

void sb_put(struct sbuf *b, const void *s, size_t n)
{
	/* An empty buffer's text may be NULL: nothing to copy (memcpy wants a pointer). */
	if (!n || !sb_reserve(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

void sb_putc(struct sbuf *b, char c)
{
	sb_put(b, &c, 1);
}

void sb_puts(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];

	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		sb_put(b, small, (size_t)n);
		return;
	}
	if (!sb_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

size_t sb_column(const struct sbuf *b)
{
	if (!b->len)
		return 0;
	const char *nl = memrchr(b->s, '\n', b->len);
	return nl ? b->len - (size_t)(nl + 1 - b->s) : b->len;
}

static bool is_print(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

static bool is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* As strace: -xx shows every byte in hex; -x does so for a string that holds anything
 * but printable text and whitespace; otherwise C escapes, and octal escapes as short as
 * the next character allows (a following octal digit forces three digits). */
void st_quote(struct sbuf *b, const unsigned char *s, size_t n, int xflag, unsigned flags)
{
	if (flags & QUOTE_NUL_ENDS) {
		const unsigned char *nul = memchr(s, 0, n);
		if (nul)
			n = (size_t)(nul - s);
	}
	bool use_hex = xflag >= 2 || (flags & QUOTE_FORCE_HEX);
	for (size_t i = 0; xflag == 1 && !use_hex && i < n; i++)
		use_hex = !is_print(s[i]) && !is_space(s[i]);

	sb_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (use_hex) {
			sb_printf(b, "\\x%02x", c);
			continue;
		}
		switch (c) {
		case '"': sb_puts(b, "\\\""); continue;
		case '\\': sb_puts(b, "\\\\"); continue;
		case '\f': sb_puts(b, "\\f"); continue;
		case '\n': sb_puts(b, "\\n"); continue;
		case '\r': sb_puts(b, "\\r"); continue;
		case '\t': sb_puts(b, "\\t"); continue;
		case '\v': sb_puts(b, "\\v"); continue;
		}
		if (is_print(c)) {
			sb_putc(b, (char)c);
		} else if (i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7') {
			sb_printf(b, "\\%03o", c);
		} else {
			sb_printf(b, "\\%o", c);
		}
	}
	sb_putc(b, '"');
}
