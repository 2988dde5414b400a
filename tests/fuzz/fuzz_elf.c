/* libFuzzer target: the ELF loader's parser (vmm/elf_load.c) on any bytes. It must
 * answer with an error or a description whose segments are sane, never crash. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/elf_load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct elf_image img;
	int e;

	if (fd < 0 && (fd = memfd_create("fuzz-elf", MFD_CLOEXEC)) < 0)
		abort();
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (elf_parse(fd, &img, &e) != ELF_OK)
		return 0;
	/* What the loader maps must be what it promised. */
	if (img.nseg <= 0 || img.nseg > ELF_MAX_SEGMENTS || img.lo > img.hi)
		abort();
	for (int i = 0; i < img.nseg; i++)
		if (img.seg[i].filesz > img.seg[i].memsz || img.seg[i].vaddr < img.lo ||
		    img.seg[i].vaddr + img.seg[i].memsz > img.hi)
			abort();
	return 0;
}
