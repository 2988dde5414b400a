/* The GDB remote protocol's framing and fields (tools/gdb/packet.c): checksums, acks,
 * escapes, run-length encoding, and hostile input that must only ever yield errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tools/gdb/packet.h"

/* Feeds s and returns the last non-MORE result (MORE if none). */
static enum gdb_rx_result feed(struct gdb_rx *rx, const char *s, size_t n)
{
	enum gdb_rx_result last = GDB_RX_MORE;

	for (size_t i = 0; i < n; i++) {
		enum gdb_rx_result r = gdb_rx_feed(rx, (uint8_t)s[i]);
		if (r != GDB_RX_MORE)
			last = r;
	}
	return last;
}

static struct gdb_rx *new_rx(void)
{
	struct gdb_rx *rx = malloc(sizeof *rx);
	gdb_rx_init(rx);
	return rx;
}

static void a_packet_with_its_checksum_is_received(void **unused)
{
	(void)unused;
	struct gdb_rx *rx = new_rx();

	assert_int_equal(feed(rx, "$g#67", 5), GDB_RX_PACKET);
	assert_string_equal(rx->buf, "g");
	assert_int_equal(feed(rx, "$m4015bc,2#5a", 13), GDB_RX_PACKET);
	assert_string_equal(rx->buf, "m4015bc,2");
	/* upper-case checksum digits are fine too */
	assert_int_equal(feed(rx, "$qC#B4", 6), GDB_RX_PACKET);
	assert_int_equal(feed(rx, "$#00", 4), GDB_RX_PACKET);
	assert_int_equal(rx->len, 0);
	free(rx);
}

static void a_wrong_or_non_hex_checksum_is_rejected(void **unused)
{
	(void)unused;
	struct gdb_rx *rx = new_rx();

	assert_int_equal(feed(rx, "$g#68", 5), GDB_RX_BAD_CHECKSUM);
	assert_int_equal(feed(rx, "$g#zz", 5), GDB_RX_BAD_CHECKSUM);
	assert_int_equal(feed(rx, "$g#6z", 5), GDB_RX_BAD_CHECKSUM);
	assert_int_equal(feed(rx, "$g#z7", 5), GDB_RX_BAD_CHECKSUM);
	/* and the next good packet still gets through */
	assert_int_equal(feed(rx, "$g#67", 5), GDB_RX_PACKET);
	free(rx);
}

static void acks_interrupts_and_noise_outside_packets(void **unused)
{
	(void)unused;
	struct gdb_rx *rx = new_rx();

	assert_int_equal(gdb_rx_feed(rx, '+'), GDB_RX_ACK);
	assert_int_equal(gdb_rx_feed(rx, '-'), GDB_RX_NACK);
	assert_int_equal(gdb_rx_feed(rx, 0x03), GDB_RX_INTERRUPT);
	assert_int_equal(feed(rx, "garbage\n\r", 9), GDB_RX_MORE);
	/* 0x03 inside a packet is data (X packets carry binary) */
	char pkt[] = "$X0,1:\x03#00";
	uint8_t sum = 0;
	for (size_t i = 1; i < 7; i++)
		sum += (uint8_t)pkt[i];
	snprintf(pkt + 8, 3, "%02x", sum);
	assert_int_equal(feed(rx, pkt, 10), GDB_RX_PACKET);
	assert_int_equal(rx->len, 6);
	assert_int_equal(rx->buf[5], 0x03);
	free(rx);
}

static void a_dollar_inside_a_packet_restarts_it(void **unused)
{
	(void)unused;
	struct gdb_rx *rx = new_rx();

	assert_int_equal(feed(rx, "$garbage$g#67", 13), GDB_RX_PACKET);
	assert_string_equal(rx->buf, "g");
	free(rx);
}

static void an_oversized_packet_is_reported_not_overflowed(void **unused)
{
	(void)unused;
	struct gdb_rx *rx = new_rx();
	size_t n = GDB_PACKET_MAX + 1000;
	char *big = malloc(n + 4);
	uint8_t sum = 0;

	big[0] = '$';
	for (size_t i = 1; i < n; i++) {
		big[i] = 'a';
		sum += 'a';
	}
	snprintf(big + n, 4, "#%02x", sum);
	assert_int_equal(feed(rx, big, n + 3), GDB_RX_OVERSIZED);
	assert_true(rx->len <= GDB_PACKET_MAX);
	/* exactly the limit still fits */
	n = GDB_PACKET_MAX + 1;
	sum = (uint8_t)(GDB_PACKET_MAX * 'a');
	snprintf(big + n, 4, "#%02x", sum);
	assert_int_equal(feed(rx, big, n + 3), GDB_RX_PACKET);
	assert_int_equal(rx->len, GDB_PACKET_MAX);
	free(big);
	free(rx);
}

static void framing_computes_the_checksum(void **unused)
{
	(void)unused;
	char out[64];

	assert_int_equal(gdb_frame("OK", 2, false, out, sizeof out), 6);
	assert_memory_equal(out, "$OK#9a", 6);
	assert_int_equal(gdb_frame("", 0, false, out, sizeof out), 4);
	assert_memory_equal(out, "$#00", 4);
}

static void framing_escapes_special_bytes(void **unused)
{
	(void)unused;
	char out[64];
	uint8_t raw[] = {'#', '$', '}', '*', 0, 0xff};
	uint8_t back[16];
	int n = gdb_frame(raw, sizeof raw, false, out, sizeof out);

	assert_int_equal(n, 1 + 4 * 2 + 2 + 3);
	assert_memory_equal(out, "$}\x03}\x04}]}\x0a", 9);
	/* and unescaping the payload gives the bytes back */
	assert_int_equal(gdb_unescape(out + 1, (size_t)n - 4, back, sizeof back), (int)sizeof raw);
	assert_memory_equal(back, raw, sizeof raw);
	/* the framed packet is received as sent, checksum included */
	struct gdb_rx *rx = new_rx();
	assert_int_equal(feed(rx, out, (size_t)n), GDB_RX_PACKET);
	free(rx);
}

static void run_length_encoding_round_trips(void **unused)
{
	(void)unused;
	static const size_t lens[] = {1, 3, 4, 5, 7, 8, 9, 10, 50, 97, 98, 99, 200, 1000};
	char in[1100], out[2300], back[1100];

	for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
		size_t len = lens[k];
		memset(in, '0', len);
		in[len] = 0;
		int n = gdb_frame(in, len, true, out, sizeof out);
		assert_true(n > 0);
		for (int i = 1; i < n - 3; i++) {
			/* never '#' or '$' as a count, nothing unprintable */
			assert_true(out[i] != '#' && out[i] != '$');
			assert_true(out[i] >= 32 && out[i] <= 126);
		}
		assert_int_equal(gdb_unrle(out + 1, (size_t)n - 4, back, sizeof back), (int)len);
		assert_memory_equal(back, in, len);
		if (len >= 4)
			assert_true((size_t)n < len + 4); /* it did compress */
	}
	/* "0* " is four zeros, as the protocol's own example */
	assert_int_equal(gdb_unrle("0* ", 3, back, sizeof back), 4);
	assert_memory_equal(back, "0000", 4);
	/* a repeat with nothing to repeat, or a bad count, is an error */
	assert_int_equal(gdb_unrle("*!", 2, back, sizeof back), -EINVAL);
	assert_int_equal(gdb_unrle("0*", 2, back, sizeof back), -EINVAL);
	assert_int_equal(gdb_unrle("0*\x10", 3, back, sizeof back), -EINVAL);
	assert_int_equal(gdb_unrle("0*~", 3, back, 10), -ENOSPC);
}

static void framing_never_overflows_its_buffer(void **unused)
{
	(void)unused;
	char out[16];
	char big[100];

	memset(big, '#', sizeof big); /* every byte doubles when escaped */
	assert_int_equal(gdb_frame(big, sizeof big, false, out, sizeof out), -ENOSPC);
	assert_int_equal(gdb_frame("OK", 2, false, out, 5), -ENOSPC);
	assert_int_equal(gdb_frame("OK", 2, false, out, 6), 6);
	assert_int_equal(gdb_unescape("}", 1, (uint8_t *)out, sizeof out), -EINVAL);
	assert_int_equal(gdb_unescape("abc", 3, (uint8_t *)out, 2), -ENOSPC);
}

static void hex_numbers_parse_within_bounds(void **unused)
{
	(void)unused;
	const char *p;
	uint64_t v;
	int64_t sv;

	p = "4015bc,2";
	assert_int_equal(gdb_parse_hex(&p, &v), 0);
	assert_int_equal(v, 0x4015bc);
	assert_int_equal(*p, ',');
	p = "ffffffffffffffff";
	assert_int_equal(gdb_parse_hex(&p, &v), 0);
	assert_true(v == UINT64_MAX);
	p = "10000000000000000"; /* 17 digits: does not fit */
	assert_int_equal(gdb_parse_hex(&p, &v), -EINVAL);
	p = ",2";
	assert_int_equal(gdb_parse_hex(&p, &v), -EINVAL);
	p = "";
	assert_int_equal(gdb_parse_hex(&p, &v), -EINVAL);
	p = "-1";
	assert_int_equal(gdb_parse_shex(&p, &sv), 0);
	assert_int_equal(sv, -1);
	p = "-";
	assert_int_equal(gdb_parse_shex(&p, &sv), -EINVAL);
}

static void hex_data_decodes_and_encodes(void **unused)
{
	(void)unused;
	uint8_t b[4];
	char s[9];

	assert_int_equal(gdb_hex_decode("deadBEEF", 4, b), 0);
	assert_int_equal(b[0], 0xde);
	assert_int_equal(b[3], 0xef);
	gdb_hex_encode(b, 4, s);
	assert_string_equal(s, "deadbeef");
	assert_int_equal(gdb_hex_decode("de-d", 2, b), -EINVAL);
	assert_int_equal(gdb_hex_decode("d", 1, b), -EINVAL); /* a NUL is not a digit */
}

static void thread_ids_parse_in_both_forms(void **unused)
{
	(void)unused;
	struct gdb_ptid t;
	const char *p;
	char buf[32];

	p = "p2a.2b;";
	assert_int_equal(gdb_parse_ptid(&p, &t), 0);
	assert_int_equal(t.pid, 0x2a);
	assert_int_equal(t.tid, 0x2b);
	assert_int_equal(*p, ';');
	p = "p2a.-1";
	assert_int_equal(gdb_parse_ptid(&p, &t), 0);
	assert_int_equal(t.tid, -1);
	p = "p2a";
	assert_int_equal(gdb_parse_ptid(&p, &t), 0);
	assert_int_equal(t.pid, 0x2a);
	assert_int_equal(t.tid, -1);
	p = "-1";
	assert_int_equal(gdb_parse_ptid(&p, &t), 0);
	assert_int_equal(t.pid, -1);
	assert_int_equal(t.tid, -1);
	p = "0";
	assert_int_equal(gdb_parse_ptid(&p, &t), 0);
	assert_int_equal(t.tid, 0);
	p = "1f";
	assert_int_equal(gdb_parse_ptid(&p, &t), 0);
	assert_int_equal(t.pid, 0);
	assert_int_equal(t.tid, 0x1f);
	p = "p";
	assert_int_equal(gdb_parse_ptid(&p, &t), -EINVAL);
	p = "p1.";
	assert_int_equal(gdb_parse_ptid(&p, &t), -EINVAL);
	p = "-2";
	assert_int_equal(gdb_parse_ptid(&p, &t), -EINVAL);
	p = "fffffffff";
	assert_int_equal(gdb_parse_ptid(&p, &t), -EINVAL);
	assert_int_equal(gdb_format_ptid(buf, sizeof buf, (struct gdb_ptid){0x2a, 0x2b}, true), 6);
	assert_string_equal(buf, "p2a.2b");
	gdb_format_ptid(buf, sizeof buf, (struct gdb_ptid){0x2a, 0x2b}, false);
	assert_string_equal(buf, "2b");
	assert_int_equal(gdb_format_ptid(buf, 3, (struct gdb_ptid){0x2a, 0x2b}, true), -ENOSPC);
}

static void hex_fields_split_and_decode_within_bounds(void **unused)
{
	(void)unused;
	char buf[32];
	const char *f[4];

	/* vRun;PROG;ARG;ARG: "/a", "b c", "" */
	assert_int_equal(gdb_parse_hex_fields("2f61;622063;", buf, sizeof buf, f, 4), 3);
	assert_string_equal(f[0], "/a");
	assert_string_equal(f[1], "b c");
	assert_string_equal(f[2], "");
	assert_int_equal(gdb_parse_hex_fields("", buf, sizeof buf, f, 4), 1);
	assert_string_equal(f[0], ""); /* no program: the last one */
	assert_int_equal(gdb_parse_hex_fields("616", buf, sizeof buf, f, 4), -EINVAL);
	assert_int_equal(gdb_parse_hex_fields("zz", buf, sizeof buf, f, 4), -EINVAL);
	assert_int_equal(gdb_parse_hex_fields("6100", buf, sizeof buf, f, 4), -EINVAL);
	assert_int_equal(gdb_parse_hex_fields("61;62;63;64;65", buf, sizeof buf, f, 4), -E2BIG);
	assert_int_equal(gdb_parse_hex_fields("6161616161", buf, 5, f, 4), -ENOSPC);
	assert_int_equal(gdb_parse_hex_fields("61", buf, 0, f, 4), -ENOSPC);
}

static void vfile_arguments_parse_within_bounds(void **unused)
{
	(void)unused;
	uint64_t v[3], flags, mode;
	char path[8];

	assert_int_equal(gdb_parse_hex_list("3,4000,ba030", v, 3), 0);
	assert_true(v[0] == 3 && v[1] == 0x4000 && v[2] == 0xba030);
	assert_int_equal(gdb_parse_hex_list("3,4000", v, 3), -EINVAL);
	assert_int_equal(gdb_parse_hex_list("3,4000,1,2", v, 3), -EINVAL);
	assert_int_equal(gdb_parse_hex_list("3,,1", v, 3), -EINVAL);
	assert_int_equal(gdb_parse_vfile_open("2f61,0,1c0", path, sizeof path, &flags, &mode), 0);
	assert_string_equal(path, "/a");
	assert_true(flags == 0 && mode == 0x1c0);
	assert_int_equal(gdb_parse_vfile_open("2f6,0,0", path, sizeof path, &flags, &mode), -EINVAL);
	assert_int_equal(gdb_parse_vfile_open("2f00,0,0", path, sizeof path, &flags, &mode), -EINVAL);
	assert_int_equal(gdb_parse_vfile_open("2f61", path, sizeof path, &flags, &mode), -EINVAL);
	assert_int_equal(gdb_parse_vfile_open("2f2f2f2f2f2f2f2f,0,0", path, sizeof path, &flags, &mode),
			 -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_packet_with_its_checksum_is_received),
		cmocka_unit_test(a_wrong_or_non_hex_checksum_is_rejected),
		cmocka_unit_test(acks_interrupts_and_noise_outside_packets),
		cmocka_unit_test(a_dollar_inside_a_packet_restarts_it),
		cmocka_unit_test(an_oversized_packet_is_reported_not_overflowed),
		cmocka_unit_test(framing_computes_the_checksum),
		cmocka_unit_test(framing_escapes_special_bytes),
		cmocka_unit_test(run_length_encoding_round_trips),
		cmocka_unit_test(framing_never_overflows_its_buffer),
		cmocka_unit_test(hex_numbers_parse_within_bounds),
		cmocka_unit_test(hex_data_decodes_and_encodes),
		cmocka_unit_test(thread_ids_parse_in_both_forms),
		cmocka_unit_test(hex_fields_split_and_decode_within_bounds),
		cmocka_unit_test(vfile_arguments_parse_within_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
