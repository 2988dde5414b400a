/* Classic BPF for seccomp (see seccomp_bpf.h). The program only reads struct
 * seccomp_data, in aligned 32-bit words, and its 16 scratch words. */
#include "kernel/seccomp_bpf.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static bool alu_op_ok(uint16_t op)
{
	switch (op) {
	case BPF_ADD: case BPF_SUB: case BPF_MUL: case BPF_DIV: case BPF_OR: case BPF_AND:
	case BPF_LSH: case BPF_RSH: case BPF_NEG: case BPF_MOD: case BPF_XOR:
		return true;
	}
	return false;
}

/* One instruction, as Linux's bpf_check_classic() and seccomp_check_filter(). */
static int check_insn(const struct sock_filter *f, unsigned pc, unsigned len)
{
	uint16_t code = f->code;

	switch (BPF_CLASS(code)) {
	case BPF_LD:
		if (code == (BPF_LD | BPF_W | BPF_ABS))
			return (f->k % 4 || f->k >= sizeof(struct seccomp_data)) ? -EINVAL : 0;
		if (code == (BPF_LD | BPF_W | BPF_LEN) || code == (BPF_LD | BPF_IMM))
			return 0;
		if (code == (BPF_LD | BPF_MEM))
			return f->k < BPF_MEMWORDS ? 0 : -EINVAL;
		return -EINVAL; /* BPF_IND, BPF_B/H, BPF_MSH: no packet here */
	case BPF_LDX:
		if (code == (BPF_LDX | BPF_W | BPF_LEN) || code == (BPF_LDX | BPF_IMM))
			return 0;
		if (code == (BPF_LDX | BPF_MEM))
			return f->k < BPF_MEMWORDS ? 0 : -EINVAL;
		return -EINVAL;
	case BPF_ST:
	case BPF_STX:
		return code == BPF_CLASS(code) && f->k < BPF_MEMWORDS ? 0 : -EINVAL;
	case BPF_ALU:
		if (!alu_op_ok(BPF_OP(code)) || (code & ~(BPF_CLASS(code) | BPF_OP(code) | BPF_X)))
			return -EINVAL;
		if (BPF_OP(code) == BPF_NEG)
			return BPF_SRC(code) == BPF_K ? 0 : -EINVAL;
		if (BPF_SRC(code) == BPF_K) {
			if ((BPF_OP(code) == BPF_DIV || BPF_OP(code) == BPF_MOD) && f->k == 0)
				return -EINVAL;
			if ((BPF_OP(code) == BPF_LSH || BPF_OP(code) == BPF_RSH) && f->k >= 32)
				return -EINVAL;
		}
		return 0;
	case BPF_JMP: {
		uint16_t op = BPF_OP(code);
		if (op == BPF_JA) {
			if (code != (BPF_JMP | BPF_JA))
				return -EINVAL;
			return f->k >= len - pc - 1 ? -EINVAL : 0;
		}
		if (op != BPF_JEQ && op != BPF_JGT && op != BPF_JGE && op != BPF_JSET)
			return -EINVAL;
		if (code & ~(BPF_CLASS(code) | op | BPF_X))
			return -EINVAL;
		return (pc + 1 + f->jt >= len || pc + 1 + f->jf >= len) ? -EINVAL : 0;
	}
	case BPF_RET:
		return (code == (BPF_RET | BPF_K) || code == (BPF_RET | BPF_A)) ? 0 : -EINVAL;
	case BPF_MISC:
		return (code == (BPF_MISC | BPF_TAX) || code == (BPF_MISC | BPF_TXA)) ? 0 : -EINVAL;
	}
	return -EINVAL;
}

/* As Linux's check_load_and_stores(): a scratch word is read only after every path to
 * the read stored it. masks[pc]: the words valid on every jump into pc. */
static int check_mem(const struct sock_filter *prog, unsigned len)
{
	uint16_t masks[BPF_MAXINSNS];
	uint16_t valid = 0;

	memset(masks, 0xff, len * sizeof masks[0]);
	for (unsigned pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &prog[pc];
		valid &= masks[pc];
		switch (f->code) {
		case BPF_ST:
		case BPF_STX:
			valid |= (uint16_t)(1u << f->k);
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
			if (!(valid & (1u << f->k)))
				return -EINVAL;
			break;
		case BPF_JMP | BPF_JA:
			masks[pc + 1 + f->k] &= valid;
			valid = 0xffff;
			break;
		default:
			if (BPF_CLASS(f->code) == BPF_JMP) {
				masks[pc + 1 + f->jt] &= valid;
				masks[pc + 1 + f->jf] &= valid;
				valid = 0xffff;
			}
			break;
		}
	}
	return 0;
}

int seccomp_bpf_check(const struct sock_filter *prog, unsigned len)
{
	if (len == 0 || len > BPF_MAXINSNS)
		return -EINVAL;
	for (unsigned pc = 0; pc < len; pc++)
		if (check_insn(&prog[pc], pc, len))
			return -EINVAL;
	if (BPF_CLASS(prog[len - 1].code) != BPF_RET)
		return -EINVAL;
	return check_mem(prog, len);
}

static uint32_t load_word(const struct seccomp_data *d, uint32_t off)
{
	uint32_t w;

	memcpy(&w, (const uint8_t *)d + off, sizeof w);
	return w;
}

uint32_t seccomp_bpf_run(const struct sock_filter *prog, unsigned len, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};

	for (unsigned pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &prog[pc];
		uint32_t src = BPF_SRC(f->code) == BPF_X ? x : f->k;
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (f->code == (BPF_LD | BPF_W | BPF_ABS))
				a = load_word(d, f->k);
			else if (f->code == (BPF_LD | BPF_W | BPF_LEN))
				a = sizeof *d;
			else if (f->code == (BPF_LD | BPF_IMM))
				a = f->k;
			else
				a = mem[f->k];
			break;
		case BPF_LDX:
			if (f->code == (BPF_LDX | BPF_W | BPF_LEN))
				x = sizeof *d;
			else if (f->code == (BPF_LDX | BPF_IMM))
				x = f->k;
			else
				x = mem[f->k];
			break;
		case BPF_ST:
			mem[f->k] = a;
			break;
		case BPF_STX:
			mem[f->k] = x;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD: a += src; break;
			case BPF_SUB: a -= src; break;
			case BPF_MUL: a *= src; break;
			case BPF_DIV:
				if (!src)
					return 0; /* as Linux: the program ends with 0 (kill) */
				a /= src;
				break;
			case BPF_MOD:
				if (!src)
					return 0;
				a %= src;
				break;
			case BPF_OR: a |= src; break;
			case BPF_AND: a &= src; break;
			case BPF_XOR: a ^= src; break;
			case BPF_LSH: a = src < 32 ? a << src : 0; break;
			case BPF_RSH: a = src < 32 ? a >> src : 0; break;
			case BPF_NEG: a = -a; break;
			}
			break;
		case BPF_JMP: {
			bool taken;
			switch (BPF_OP(f->code)) {
			case BPF_JA:
				pc += f->k;
				continue;
			case BPF_JEQ: taken = a == src; break;
			case BPF_JGT: taken = a > src; break;
			case BPF_JGE: taken = a >= src; break;
			default: taken = (a & src) != 0; break; /* BPF_JSET */
			}
			pc += taken ? f->jt : f->jf;
			break;
		}
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_A ? a : f->k;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		}
	}
	return 0; /* unreachable for a checked filter: its last instruction returns */
}
