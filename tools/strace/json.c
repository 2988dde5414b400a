/* --json: one object per event, for programs rather than people. The arguments are
 * the strings the text lines show, one per argument. */
#include <string.h>
#include <sys/wait.h>

#include "tools/strace/session.h"

static void json_str(struct sbuf *b, const char *s, size_t n)
{
	sb_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			sb_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			sb_printf(b, "\\u%04x", c);
		else
			sb_putc(b, (char)c);
	}
	sb_putc(b, '"');
}

static void json_time(struct sbuf *b, const char *key, const struct timespec *ts)
{
	sb_printf(b, ", \"%s\": %ld.%06ld", key, (long)ts->tv_sec, ts->tv_nsec / 1000);
}

void st_split_args(const char *s, size_t n, void (*fn)(void *ctx, const char *arg, size_t len), void *ctx)
{
	int depth = 0;
	bool is_quoted = false, is_comment = false;
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (is_quoted) {
			if (c == '\\')
				i++;
			else if (c == '"')
				is_quoted = false;
		} else if (is_comment) {
			if (c == '*' && i + 1 < n && s[i + 1] == '/')
				is_comment = false;
		} else if (c == '"') {
			is_quoted = true;
		} else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
			is_comment = true;
		} else if (c == '[' || c == '{' || c == '(') {
			depth++;
		} else if (c == ']' || c == '}' || c == ')') {
			depth--;
		} else if (c == ',' && depth == 0 && i + 1 < n && s[i + 1] == ' ') {
			fn(ctx, s + start, i - start);
			start = i + 2;
			i++;
		}
	}
	if (n > start)
		fn(ctx, s + start, n - start);
}

struct arg_list {
	struct sbuf *b;
	bool is_first;
};

static void add_arg(void *ctx, const char *arg, size_t len)
{
	struct arg_list *l = ctx;
	if (!l->is_first)
		sb_puts(l->b, ", ");
	json_str(l->b, arg, len);
	l->is_first = false;
}

static void head(struct sbuf *b, const struct st_task *t, const char *type)
{
	sb_printf(b, "{\"type\": \"%s\", \"pid\": %d, \"tid\": %d", type, t->pid, t->tid);
}

void st_json_syscall(struct sbuf *b, const struct st_task *t, const char *name,
		     const char *ret_text, const struct timespec *now)
{
	head(b, t, "syscall");
	sb_puts(b, ", \"syscall\": ");
	json_str(b, name, strlen(name));
	sb_puts(b, ", \"args\": [");
	struct arg_list l = {b, true};
	st_split_args(t->args.s ? t->args.s : "", t->args.len, add_arg, &l);
	sb_putc(b, ']');
	long ret = t->call.ret;
	if (ret_text && !strcmp(ret_text, "= ?")) {
		sb_puts(b, ", \"ret\": null, \"retval\": \"?\", \"errno\": null");
	} else if (!ret_text) {
		sb_puts(b, ", \"ret\": null, \"unfinished\": true");
	} else {
		bool is_error = ret < 0 && ret >= -4095;
		sb_printf(b, ", \"ret\": %ld", is_error ? -1L : ret);
		const char *shown = !strncmp(ret_text, "= ", 2) ? ret_text + 2 : ret_text;
		sb_puts(b, ", \"retval\": ");
		json_str(b, shown, strlen(shown));
		const char *err = is_error ? st_errno_name((int)-ret) : NULL;
		if (err) {
			sb_printf(b, ", \"errno\": \"%s\", \"error\": ", err);
			const char *msg = st_errno_string((int)-ret);
			json_str(b, msg, strlen(msg));
		} else {
			sb_puts(b, ", \"errno\": null");
		}
	}
	json_time(b, "time", &t->entry_time);
	if (now) {
		json_time(b, "exit_time", now);
		long us = (now->tv_sec - t->entry_time.tv_sec) * 1000000L +
			  (now->tv_nsec - t->entry_time.tv_nsec) / 1000;
		sb_printf(b, ", \"duration\": %ld.%06ld", us / 1000000, us % 1000000);
	}
	sb_putc(b, '}');
}

void st_json_signal(struct sbuf *b, const struct st_task *t, const siginfo_t *si,
		    const struct timespec *now)
{
	struct sbuf info;
	sb_init(&info);
	st_print_siginfo(&info, si);
	head(b, t, "signal");
	const char *name = st_signal_name(si->si_signo);
	if (name)
		sb_printf(b, ", \"signal\": \"%s\"", name);
	else
		sb_printf(b, ", \"signal\": %d", si->si_signo);
	sb_puts(b, ", \"siginfo\": ");
	json_str(b, info.s ? info.s : "", info.len);
	json_time(b, "time", now);
	sb_putc(b, '}');
	sb_free(&info);
}

void st_json_exit(struct sbuf *b, const struct st_task *t, int status, const struct timespec *now)
{
	head(b, t, "exit");
	if (WIFSIGNALED(status)) {
		const char *name = st_signal_name(WTERMSIG(status));
		sb_printf(b, ", \"killed_by\": \"%s\", \"core_dumped\": %s", name ? name : "?",
			  WCOREDUMP(status) ? "true" : "false");
	} else {
		sb_printf(b, ", \"exit_code\": %d", WEXITSTATUS(status));
	}
	json_time(b, "time", now);
	sb_putc(b, '}');
}
