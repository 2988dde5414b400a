/* Branch recognition for software block stepping (see blockstep.h). */
#include "ptrace/blockstep.h"

#define MAX_INSN 15

static bool legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0xf0: case 0xf2: case 0xf3: case 0x2e: case 0x36: case 0x3e: case 0x26:
	case 0x64: case 0x65: case 0x66: case 0x67:
		return true;
	}
	return false;
}

bool blockstep_branch_taken(const uint8_t *code, unsigned n, uint64_t from, uint64_t to)
{
	unsigned i = 0;

	while (i < n && i < MAX_INSN && legacy_prefix(code[i]))
		i++;
	if (i < n && (code[i] & 0xf0) == 0x40)
		i++; /* REX */
	if (i >= n)
		return true;
	uint8_t op = code[i];
	/* Conditional: taken when rip is not just past the instruction. */
	if ((op >= 0x70 && op <= 0x7f) || (op >= 0xe0 && op <= 0xe3))
		return to != from + i + 2;
	if (op == 0x0f && i + 1 < n && code[i + 1] >= 0x80 && code[i + 1] <= 0x8f)
		return to != from + i + 6;
	switch (op) {
	case 0xe8: case 0xe9: case 0xeb:             /* call, jmp */
	case 0xc2: case 0xc3: case 0xca: case 0xcb:  /* ret, lret */
	case 0xcf: case 0xcd: case 0xcc:             /* iret, int n, int3 */
		return true;
	case 0xff:
		if (i + 1 < n) {
			unsigned reg = (code[i + 1] >> 3) & 7;
			if (reg >= 2 && reg <= 5)
				return true; /* indirect call or jmp, near or far */
		}
		return false;
	}
	/* Anything else runs on to the next instruction; a rip further away than any
	 * instruction's length means an exception or an interrupt came in between. */
	return to <= from || to > from + MAX_INSN;
}
