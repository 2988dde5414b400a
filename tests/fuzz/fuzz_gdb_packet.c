/* libFuzzer target: the GDB remote protocol's packet layer (tools/gdb/packet.c): the
 * receiver fed byte by byte, and each completed payload through the parsers a packet's
 * arguments go through (escapes, run-length encoding, hex, thread ids, vRun's hex
 * fields, vFile's arguments).
// sources: tools/gdb/packet.c
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/gdb/packet.h"

static void parse_payload(const char *p, size_t n)
{
	static uint8_t bin[GDB_PACKET_MAX];
	static char text[GDB_PACKET_MAX + 1];
	static char framed[2 * GDB_PACKET_MAX + 8];
	static char fields_buf[GDB_PACKET_MAX / 2 + 1];
	const char *fields[64];

	gdb_unescape(p, n, bin, sizeof bin);
	gdb_unrle(p, n, text, sizeof text - 1);
	gdb_hex_decode(p, n / 2 < sizeof bin ? n / 2 : sizeof bin, bin);
	gdb_frame(p, n, true, framed, sizeof framed);
	/* The parsers read NUL-terminated text, as the stub hands it to them. */
	memcpy(text, p, n < GDB_PACKET_MAX ? n : GDB_PACKET_MAX);
	text[n < GDB_PACKET_MAX ? n : GDB_PACKET_MAX] = 0;
	/* vRun's fields, from where the packet's name would end */
	const char *semi = strchr(text, ';');
	gdb_parse_hex_fields(semi ? semi + 1 : text, fields_buf, sizeof fields_buf, fields, 64);
	/* vFile's arguments, after the operation's ':' */
	const char *colon = strrchr(text, ':');
	uint64_t list[3], flags, mode;
	gdb_parse_hex_list(colon ? colon + 1 : text, list, 3);
	gdb_parse_vfile_open(colon ? colon + 1 : text, fields_buf, 4096, &flags, &mode);
	for (const char *q = text; *q; q++) {
		const char *a = q, *b = q, *c = q;
		uint64_t v;
		int64_t sv;
		struct gdb_ptid t;
		gdb_parse_hex(&a, &v);
		gdb_parse_shex(&b, &sv);
		gdb_parse_ptid(&c, &t);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gdb_rx rx;
	gdb_rx_init(&rx);
	for (size_t i = 0; i < size; i++)
		if (gdb_rx_feed(&rx, data[i]) == GDB_RX_PACKET)
			parse_payload(rx.buf, rx.len);
	return 0;
}
