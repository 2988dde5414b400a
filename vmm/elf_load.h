/* ELF parsing with libelf: validates a static x86-64 executable and describes what to
 * map. Mapping it into an address space is kernel/exec.c's job. */
#ifndef HV_VMM_ELF_LOAD_H
#define HV_VMM_ELF_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 64

struct elf_segment {
	uint64_t vaddr;  /* as in the file (before the load bias) */
	uint64_t memsz;
	uint64_t filesz;
	uint64_t offset;
	int prot;        /* PROT_* from p_flags */
};

struct elf_image {
	bool is_pie;       /* ET_DYN */
	uint64_t entry;    /* before the load bias */
	uint64_t phdr_vaddr; /* AT_PHDR before the load bias; 0 if not loaded */
	uint16_t phent, phnum;
	bool has_interp;
	char interp[256];
	bool exec_stack;   /* PT_GNU_STACK with PF_X (or no PT_GNU_STACK) */
	int nseg;
	struct elf_segment seg[ELF_MAX_SEGMENTS];
	uint64_t lo, hi;   /* page-aligned span of all PT_LOAD segments */
};

enum elf_error {
	ELF_OK = 0,
	ELF_ERR_IO,          /* reading failed (errno in *sys_errno) */
	ELF_ERR_NOT_ELF,     /* bad magic / too short */
	ELF_ERR_CLASS,       /* not 64-bit little-endian */
	ELF_ERR_MACHINE,     /* not x86-64 */
	ELF_ERR_TYPE,        /* not ET_EXEC or ET_DYN */
	ELF_ERR_PHDRS,       /* program headers missing, absurd or truncated */
	ELF_ERR_SEGMENT,     /* a PT_LOAD that cannot be mapped (size, range, overlap, alignment) */
	ELF_ERR_NO_LOAD,     /* no PT_LOAD at all */
};

/* Parses the ELF file open at fd. */
enum elf_error elf_parse(int fd, struct elf_image *img, int *sys_errno);
const char *elf_strerror(enum elf_error e);

#endif
