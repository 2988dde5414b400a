/* Assembling trace lines as strace does: the pid prefix, timestamps, the "=" column,
 * and the "<unfinished ...>" / "<... NAME resumed>" pairs when tasks interleave. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tools/strace/session.h"

/* strace aligns results at this column. */
#define RESULT_COLUMN 40

static void put(struct st_stream *s, const char *text, size_t n)
{
	fwrite(text, 1, n, s->f);
	const char *nl = memrchr(text, '\n', n);
	s->column = nl ? n - (size_t)(nl + 1 - text) : s->column + n;
}

static void put_sb(struct st_stream *s, const struct sbuf *b)
{
	if (b->len)
		put(s, b->s, b->len);
}

static const char *name_of(const struct st_task *t, char *buf, size_t len)
{
	const char *name = st_syscall_name(t->call.nr);
	if (name)
		return name;
	snprintf(buf, len, "syscall_%#lx", t->call.nr);
	return buf;
}

/* Another task's open line ends here, to be resumed later. */
static void close_open_line(struct st_stream *s, int tid)
{
	if (s->open_tid && s->open_tid != tid) {
		put(s, " <unfinished ...>\n", 18);
		s->open_tid = 0;
	}
}

static long ts_diff_us(const struct timespec *a, const struct timespec *b)
{
	return (a->tv_sec - b->tv_sec) * 1000000L + (a->tv_nsec - b->tv_nsec) / 1000;
}

/* "[pid  N] " or "N  " and the timestamp, as strace chooses them: a bare pid column
 * when -f writes one file, brackets on stderr once more than one task is traced. */
static void prefix(struct st_out *out, const struct st_task *t, const struct timespec *now, struct sbuf *b)
{
	const struct st_opts *o = out->o;
	if (o->follow != 2 || !o->outname) {
		if (o->outname && o->follow == 1)
			sb_printf(b, "%-5d ", t->tid);
		else if (!o->outname && out->live_tasks > 1)
			sb_printf(b, "[pid %5d] ", t->tid);
	}
	if (o->timestamps == 1 || o->timestamps == 2) {
		struct tm tm;
		char hms[16];
		time_t sec = now->tv_sec;
		localtime_r(&sec, &tm);
		strftime(hms, sizeof hms, "%H:%M:%S", &tm);
		if (o->timestamps == 1)
			sb_printf(b, "%s ", hms);
		else
			sb_printf(b, "%s.%06ld ", hms, now->tv_nsec / 1000);
	} else if (o->timestamps == 3) {
		sb_printf(b, "%ld.%06ld ", (long)now->tv_sec, now->tv_nsec / 1000);
	}
	if (o->is_relative) {
		long us = out->last_time.tv_sec ? ts_diff_us(now, &out->last_time) : 0;
		if (us < 0)
			us = 0;
		sb_printf(b, "%6ld.%06ld ", us / 1000000, us % 1000000);
		out->last_time = *now;
	}
}

static bool is_text_shown(const struct st_out *out)
{
	return out->o->summary != 1;
}

void st_out_entry(struct st_out *out, struct st_task *t)
{
	struct st_stream *s = t->stream;
	char nbuf[32];
	struct sbuf b;

	if (!is_text_shown(out) || out->o->is_deferred)
		return;
	sb_init(&b);
	close_open_line(s, t->tid);
	prefix(out, t, &t->entry_time, &b);
	sb_printf(&b, "%s(", name_of(t, nbuf, sizeof nbuf));
	sb_put(&b, t->args.s, t->entry_len);
	put_sb(s, &b);
	sb_free(&b);
	s->open_tid = t->tid;
	t->is_printed = true;
}

/* The rest of a line after its arguments: ")", the padding, the result. */
static void finish_line(struct st_out *out, struct st_task *t, struct sbuf *b, const char *ret,
			const struct timespec *now)
{
	struct st_stream *s = t->stream;
	size_t col = (s->open_tid == t->tid ? s->column : 0) + b->len + 1;
	sb_putc(b, ')');
	if (col < RESULT_COLUMN)
		sb_printf(b, "%*s", (int)(RESULT_COLUMN - col), "");
	else
		sb_putc(b, ' ');
	sb_puts(b, ret);
	if (out->o->show_durations && now) {
		long us = ts_diff_us(now, &t->entry_time);
		if (us < 0)
			us = 0;
		sb_printf(b, " <%ld.%06ld>", us / 1000000, us % 1000000);
	}
	sb_putc(b, '\n');
	put_sb(s, b);
	s->open_tid = 0;
}

static void emit_json(struct st_task *t, const char *ret, const struct timespec *now)
{
	struct sbuf b;
	char nbuf[32];
	sb_init(&b);
	st_json_syscall(&b, t, name_of(t, nbuf, sizeof nbuf), ret, now);
	sb_putc(&b, '\n');
	put_sb(t->stream, &b);
	sb_free(&b);
}

void st_out_exit(struct st_out *out, struct st_task *t, const char *ret, const struct timespec *now)
{
	struct st_stream *s = t->stream;
	char nbuf[32];
	struct sbuf b;

	if (!is_text_shown(out))
		return;
	if (out->o->is_json) {
		emit_json(t, ret, now);
		return;
	}
	sb_init(&b);
	if (!t->is_printed) {
		/* Deferred: the whole line now. */
		close_open_line(s, t->tid);
		prefix(out, t, &t->entry_time, &b);
		sb_printf(&b, "%s(", name_of(t, nbuf, sizeof nbuf));
		sb_put(&b, t->args.s, t->args.len);
	} else if (s->open_tid == t->tid) {
		sb_put(&b, t->args.s + t->entry_len, t->args.len - t->entry_len);
	} else {
		close_open_line(s, t->tid);
		prefix(out, t, now, &b);
		sb_printf(&b, "<... %s resumed>", name_of(t, nbuf, sizeof nbuf));
		sb_put(&b, t->args.s + t->entry_len, t->args.len - t->entry_len);
	}
	finish_line(out, t, &b, ret, now);
	sb_free(&b);
}

void st_out_unfinished(struct st_out *out, struct st_task *t, const struct timespec *now,
		       bool is_superseded)
{
	struct st_stream *s = t->stream;
	char nbuf[32];
	struct sbuf b;

	if (!is_text_shown(out))
		return;
	if (out->o->is_json) {
		if (out->o->filter.status & ST_UNFINISHED)
			emit_json(t, NULL, now);
		return;
	}
	sb_init(&b);
	if (!t->is_printed) {
		if (!(out->o->filter.status & ST_UNFINISHED)) {
			sb_free(&b);
			return;
		}
		close_open_line(s, t->tid);
		prefix(out, t, &t->entry_time, &b);
		sb_printf(&b, "%s(", name_of(t, nbuf, sizeof nbuf));
		sb_put(&b, t->args.s, t->entry_len);
	} else if (s->open_tid != t->tid) {
		close_open_line(s, t->tid);
		prefix(out, t, now, &b);
		sb_printf(&b, "<... %s resumed>%s", name_of(t, nbuf, sizeof nbuf),
			  is_superseded ? "" : " <unfinished ...>");
	}
	finish_line(out, t, &b, "= ?", NULL);
	sb_free(&b);
}

void st_out_noreturn(struct st_out *out, struct st_task *t)
{
	char nbuf[32];
	struct sbuf b;

	if (!is_text_shown(out) || !(out->o->filter.status & ST_UNFINISHED))
		return;
	if (out->o->is_json) {
		emit_json(t, "= ?", NULL);
		return;
	}
	sb_init(&b);
	close_open_line(t->stream, t->tid);
	prefix(out, t, &t->entry_time, &b);
	sb_printf(&b, "%s(", name_of(t, nbuf, sizeof nbuf));
	sb_put(&b, t->args.s, t->args.len);
	finish_line(out, t, &b, "= ?", NULL);
	sb_free(&b);
}

void st_out_superseded(struct st_out *out, struct st_task *t, int by, const struct timespec *now)
{
	struct sbuf b;
	if (!is_text_shown(out) || out->o->quiet >= 2 || out->o->is_json)
		return;
	sb_init(&b);
	close_open_line(t->stream, 0);
	prefix(out, t, now, &b);
	sb_printf(&b, "+++ superseded by execve in pid %d +++\n", by);
	put_sb(t->stream, &b);
	sb_free(&b);
}

void st_out_detach(struct st_out *out, struct st_task *t)
{
	struct st_stream *s = t->stream;
	if (s->open_tid == t->tid) {
		put(s, " <detached ...>\n", 16);
		s->open_tid = 0;
	}
	(void)out;
}

void st_out_signal(struct st_out *out, struct st_task *t, const siginfo_t *si, const struct timespec *now)
{
	struct sbuf b;
	if (!is_text_shown(out) || !st_filter_signal(&out->o->filter, si->si_signo))
		return;
	sb_init(&b);
	if (out->o->is_json) {
		st_json_signal(&b, t, si, now);
	} else {
		close_open_line(t->stream, 0);
		prefix(out, t, now, &b);
		sb_puts(&b, "--- ");
		st_print_signame(&b, si->si_signo);
		sb_putc(&b, ' ');
		st_print_siginfo(&b, si);
		sb_puts(&b, " ---");
	}
	sb_putc(&b, '\n');
	put_sb(t->stream, &b);
	sb_free(&b);
}

void st_out_task_exit(struct st_out *out, struct st_task *t, int status, const struct timespec *now)
{
	struct sbuf b;
	/* -qq hides exit statuses, as strace's. */
	if (!is_text_shown(out) || out->o->quiet >= 2)
		return;
	sb_init(&b);
	if (out->o->is_json) {
		st_json_exit(&b, t, status, now);
	} else {
		close_open_line(t->stream, 0);
		prefix(out, t, now, &b);
		st_print_exit(&b, status);
	}
	sb_putc(&b, '\n');
	put_sb(t->stream, &b);
	sb_free(&b);
}

int st_out_open_own(struct st_out *out, struct st_task *t)
{
	char path[4096];
	snprintf(path, sizeof path, "%s.%d", out->o->outname, t->tid);
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	t->own_stream = (struct st_stream){.f = f};
	t->stream = &t->own_stream;
	return 0;
}

void st_out_close_own(struct st_task *t)
{
	if (t->stream == &t->own_stream && t->own_stream.f) {
		fclose(t->own_stream.f);
		t->own_stream.f = NULL;
	}
}
