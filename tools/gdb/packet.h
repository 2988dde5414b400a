/* The GDB remote serial protocol's framing: $payload#cs packets, acks, the 0x03
 * interrupt byte, escapes and run-length encoding, and the hex fields inside packets.
 * Pure functions over caller-owned bounded buffers (no I/O), so they are unit-tested
 * byte by byte (tests/unit/test_gdb_packet.c). */
#ifndef TOOLS_GDB_PACKET_H
#define TOOLS_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest payload we accept and the PacketSize we advertise: gdb never sends more
 * (an X of this size carries ~8K of memory). */
#define GDB_PACKET_MAX 16384

enum gdb_rx_state { GDB_RX_IDLE, GDB_RX_DATA, GDB_RX_CSUM1, GDB_RX_CSUM2 };

/* What one received byte completed. */
enum gdb_rx_result {
	GDB_RX_MORE,          /* nothing yet */
	GDB_RX_PACKET,        /* rx->buf holds rx->len payload bytes, NUL-terminated */
	GDB_RX_BAD_CHECKSUM,  /* a packet whose checksum did not match: nack it */
	GDB_RX_OVERSIZED,     /* a packet longer than GDB_PACKET_MAX: its data is lost */
	GDB_RX_INTERRUPT,     /* a 0x03 outside a packet: gdb's Ctrl-C */
	GDB_RX_ACK,           /* '+' */
	GDB_RX_NACK,          /* '-': resend the last reply */
};

struct gdb_rx {
	enum gdb_rx_state state;
	char buf[GDB_PACKET_MAX + 1];
	size_t len;
	bool is_oversized;
	uint8_t sum;      /* running checksum of the payload */
	uint8_t got_sum;  /* the checksum the sender wrote */
	bool is_bad_digit; /* its first digit was not hex */
};

void gdb_rx_init(struct gdb_rx *rx);
/* Feeds one byte of the connection; see enum gdb_rx_result. */
enum gdb_rx_result gdb_rx_feed(struct gdb_rx *rx, uint8_t c);

/* Frames payload as $...#cs into out (at most outmax bytes): '#', '$', '}' and '*' are
 * escaped (binary-safe), and with rle, runs of 4+ equal bytes are run-length encoded
 * (only sensible for hex or text replies). Returns the framed length, or -ENOSPC. */
int gdb_frame(const void *payload, size_t len, bool rle, char *out, size_t outmax);
/* The inverse of gdb_frame's escapes and run-length encoding on a payload (used for X
 * packets' binary data, and by the tests). Returns the decoded length or -EINVAL
 * (a dangling escape or a repeat with nothing before it) / -ENOSPC. */
int gdb_unescape(const char *in, size_t len, uint8_t *out, size_t outmax);
int gdb_unrle(const char *in, size_t len, char *out, size_t outmax);

int gdb_hex_digit(char c); /* 0..15, or -1 */
/* Parses 1 to 16 hex digits at *p into *v, advancing *p: -EINVAL when there are none
 * or too many. */
int gdb_parse_hex(const char **p, uint64_t *v);
/* Parses an optionally negative hex number (thread ids: -1 means all). */
int gdb_parse_shex(const char **p, int64_t *v);
/* Decodes exactly 2*n hex digits at hex into out[n]: -EINVAL on a bad digit. */
int gdb_hex_decode(const char *hex, size_t n, uint8_t *out);
/* Encodes n bytes as 2*n lowercase hex digits plus a NUL; out holds 2*n+1 bytes. */
void gdb_hex_encode(const uint8_t *in, size_t n, char *out);

/* Splits "HEX;HEX;..." (vRun's program and arguments) into at most maxf fields, each
 * hex-decoded into buf as a NUL-terminated string (an empty field is ""); fields[i]
 * points into buf. Returns the count, or -EINVAL (odd length, a bad digit, a NUL byte
 * inside a field), -E2BIG (more fields) or -ENOSPC (buf too small). */
int gdb_parse_hex_fields(const char *p, char *buf, size_t bufmax, const char **fields, int maxf);

/* Exactly n comma-separated hex numbers ("FD,COUNT,OFFSET"): 0 or -EINVAL. */
int gdb_parse_hex_list(const char *p, uint64_t *v, int n);
/* vFile:open's "HEXPATH,FLAGS,MODE": the path decoded into path (NUL-terminated, no NUL
 * inside): 0, -EINVAL or -ENAMETOOLONG. */
int gdb_parse_vfile_open(const char *p, char *path, size_t pathmax, uint64_t *flags, uint64_t *mode);

/* A thread id: pPID.TID with the multiprocess extensions, or TID. pid/tid -1 mean all,
 * 0 means any; pid 0 without a 'p' form means "the current process". */
struct gdb_ptid {
	int pid, tid;
};
/* Parses a thread id at *p, advancing *p. */
int gdb_parse_ptid(const char **p, struct gdb_ptid *t);
/* Formats t as gdb expects: with multiprocess pPID.TID, otherwise TID (hex). */
int gdb_format_ptid(char *out, size_t outmax, struct gdb_ptid t, bool multiprocess);

#endif
