#include "symbol.h"

#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Where the program was loaded: AT_ENTRY minus the file's own entry point. */
static uint64_t load_bias(hvt_session *s, int tid, uint64_t file_entry)
{
	uint64_t auxv[2 * 64];
	ssize_t n = hvt_read_auxv(s, tid, auxv, sizeof auxv);

	for (ssize_t i = 0; i + 1 < n / 8; i += 2)
		if (auxv[i] == AT_ENTRY)
			return auxv[i + 1] - file_entry;
	return 0;
}

uint64_t symbol_address(hvt_session *s, int tid, const char *path, const char *name)
{
	uint64_t addr = 0, entry = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE) {
		perror(path);
		return 0;
	}
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	GElf_Ehdr eh;
	if (e && gelf_getehdr(e, &eh))
		entry = eh.e_entry;
	for (Elf_Scn *scn = NULL; e && !addr && (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *sn;
			if (gelf_getsym(d, (int)i, &sym) && GELF_ST_TYPE(sym.st_info) == STT_FUNC &&
			    (sn = elf_strptr(e, sh.sh_link, sym.st_name)) && !strcmp(sn, name)) {
				addr = sym.st_value;
				break;
			}
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	if (!addr) {
		fprintf(stderr, "%s: no function %s in its symbol table\n", path, name);
		return 0;
	}
	return addr + load_bias(s, tid, entry);
}
