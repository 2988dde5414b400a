#include "vmm/elf_load.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/x86_64/pte.h"

#define ELF_MAX_PHNUM 512 /* Linux refuses more than 64 KiB of program headers */

const char *elf_strerror(enum elf_error e)
{
	switch (e) {
	case ELF_OK: return "ok";
	case ELF_ERR_IO: return "cannot read the file";
	case ELF_ERR_NOT_ELF: return "not an ELF file";
	case ELF_ERR_CLASS: return "not a 64-bit little-endian ELF file";
	case ELF_ERR_MACHINE: return "not an x86-64 program";
	case ELF_ERR_TYPE: return "not an executable (ELF type is neither EXEC nor DYN)";
	case ELF_ERR_PHDRS: return "bad program headers";
	case ELF_ERR_SEGMENT: return "a loadable segment cannot be mapped";
	case ELF_ERR_NO_LOAD: return "no loadable segment";
	}
	return "unknown ELF error";
}

static int pflags_to_prot(uint32_t f)
{
	return ((f & PF_R) ? PROT_READ : 0) | ((f & PF_W) ? PROT_WRITE : 0) |
	       ((f & PF_X) ? PROT_EXEC : 0);
}

static enum elf_error check_header(int fd, uint64_t fsize, int *sys_errno)
{
	unsigned char id[EI_NIDENT];
	ssize_t n = pread(fd, id, sizeof id, 0);

	if (n < 0) {
		*sys_errno = errno;
		return ELF_ERR_IO;
	}
	if ((size_t)n < sizeof id || memcmp(id, ELFMAG, SELFMAG))
		return ELF_ERR_NOT_ELF;
	if (id[EI_CLASS] != ELFCLASS64 || id[EI_DATA] != ELFDATA2LSB)
		return ELF_ERR_CLASS;
	if (fsize < sizeof(Elf64_Ehdr))
		return ELF_ERR_NOT_ELF;
	return ELF_OK;
}

static enum elf_error read_phdrs(Elf *e, uint64_t fsize, struct elf_image *img)
{
	size_t phnum;

	if (elf_getphdrnum(e, &phnum) != 0 || phnum == 0 || phnum > ELF_MAX_PHNUM)
		return ELF_ERR_PHDRS;
	img->phnum = (uint16_t)phnum;
	img->exec_stack = true; /* as Linux on x86-64 without PT_GNU_STACK */
	uint64_t prev_end = 0;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph))
			return ELF_ERR_PHDRS;
		switch (ph.p_type) {
		case PT_LOAD: {
			if (ph.p_memsz == 0)
				continue;
			if (img->nseg == ELF_MAX_SEGMENTS || ph.p_filesz > ph.p_memsz ||
			    ph.p_offset > fsize || ph.p_filesz > fsize - ph.p_offset ||
			    ph.p_vaddr + ph.p_memsz < ph.p_vaddr || ph.p_vaddr + ph.p_memsz > USER_VA_END ||
			    (ph.p_vaddr & (PAGE_SIZE - 1)) != (ph.p_offset & (PAGE_SIZE - 1)))
				return ELF_ERR_SEGMENT;
			/* As Linux: segments must come in ascending, non-overlapping order. */
			if (PAGE_ALIGN_DOWN(ph.p_vaddr) < prev_end)
				return ELF_ERR_SEGMENT;
			prev_end = PAGE_ALIGN_UP(ph.p_vaddr + ph.p_memsz);
			img->seg[img->nseg++] = (struct elf_segment){
				.vaddr = ph.p_vaddr, .memsz = ph.p_memsz, .filesz = ph.p_filesz,
				.offset = ph.p_offset, .prot = pflags_to_prot(ph.p_flags)};
			break;
		}
		case PT_INTERP: {
			img->has_interp = true;
			size_t len = ph.p_filesz < sizeof img->interp - 1 ? ph.p_filesz : sizeof img->interp - 1;
			img->interp[0] = 0;
			if (ph.p_offset <= fsize && len <= fsize - ph.p_offset) {
				size_t got = 0;
				char *raw = elf_rawfile(e, &got);
				if (raw && ph.p_offset + len <= got)
					memcpy(img->interp, raw + ph.p_offset, len);
				img->interp[len] = 0;
			}
			break;
		}
		case PT_GNU_STACK:
			img->exec_stack = (ph.p_flags & PF_X) != 0;
			break;
		case PT_PHDR:
			img->phdr_vaddr = ph.p_vaddr;
			break;
		default:
			break;
		}
	}
	if (img->nseg == 0)
		return ELF_ERR_NO_LOAD;
	img->lo = PAGE_ALIGN_DOWN(img->seg[0].vaddr);
	img->hi = prev_end;
	return ELF_OK;
}

enum elf_error elf_parse(int fd, struct elf_image *img, int *sys_errno)
{
	struct stat st;
	enum elf_error err;

	memset(img, 0, sizeof *img);
	*sys_errno = 0;
	if (fstat(fd, &st) < 0) {
		*sys_errno = errno;
		return ELF_ERR_IO;
	}
	if ((err = check_header(fd, (uint64_t)st.st_size, sys_errno)))
		return err;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return ELF_ERR_IO;
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e)
		return ELF_ERR_NOT_ELF;
	GElf_Ehdr eh;
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		err = ELF_ERR_NOT_ELF;
		goto out;
	}
	if (eh.e_machine != EM_X86_64) {
		err = ELF_ERR_MACHINE;
		goto out;
	}
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		err = ELF_ERR_TYPE;
		goto out;
	}
	if (eh.e_phentsize != sizeof(Elf64_Phdr)) {
		err = ELF_ERR_PHDRS;
		goto out;
	}
	img->is_pie = eh.e_type == ET_DYN;
	img->entry = eh.e_entry;
	img->phent = eh.e_phentsize;
	if ((err = read_phdrs(e, (uint64_t)st.st_size, img)))
		goto out;
	if (!img->phdr_vaddr) {
		/* As Linux: the program headers' address is where the segment holding
		 * e_phoff maps it. */
		for (int i = 0; i < img->nseg; i++) {
			struct elf_segment *s = &img->seg[i];
			if (eh.e_phoff >= s->offset && eh.e_phoff < s->offset + s->filesz) {
				img->phdr_vaddr = s->vaddr + (eh.e_phoff - s->offset);
				break;
			}
		}
	}
out:
	elf_end(e);
	return err;
}
