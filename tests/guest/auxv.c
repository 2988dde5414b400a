// auxv: auxiliary vector entries seen through getauxval().
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#ifndef AT_EXECFN
#define AT_EXECFN 31
#endif

static const char *yesno(int b) { return b ? "yes" : "no"; }

int main(int argc, char **argv)
{
    (void)argc;
    printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
    printf("AT_PHENT=%lu\n", getauxval(AT_PHENT));
    printf("AT_CLKTCK=%lu\n", getauxval(AT_CLKTCK));
    printf("AT_UID==getuid: %s\n", yesno(getauxval(AT_UID) == (unsigned long)getuid()));
    printf("AT_EUID==geteuid: %s\n", yesno(getauxval(AT_EUID) == (unsigned long)geteuid()));
    printf("AT_GID==getgid: %s\n", yesno(getauxval(AT_GID) == (unsigned long)getgid()));
    printf("AT_EGID==getegid: %s\n", yesno(getauxval(AT_EGID) == (unsigned long)getegid()));
    printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));

    const char *plat = (const char *)getauxval(AT_PLATFORM);
    printf("AT_PLATFORM=%s\n", plat ? plat : "(null)");

    const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
    unsigned sum = 0;
    if (rnd)
        for (int i = 0; i < 16; i++)
            sum += rnd[i];           /* faults if not readable */
    printf("AT_RANDOM non-zero: %s\n", yesno(rnd != NULL));
    printf("AT_RANDOM 16 bytes readable: %s\n", yesno(rnd != NULL && sum < 16 * 256));

    printf("AT_ENTRY non-zero: %s\n", yesno(getauxval(AT_ENTRY) != 0));

    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    unsigned long phnum = getauxval(AT_PHNUM);
    int loads = 0, has_phdr_self = 0;
    if (ph && getauxval(AT_PHENT) == sizeof(ElfW(Phdr)))
        for (unsigned long i = 0; i < phnum; i++) {
            if (ph[i].p_type == PT_LOAD)
                loads++;
            if (ph[i].p_type == PT_PHDR)
                has_phdr_self = 1;
        }
    printf("AT_PHDR readable, PT_LOAD count > 0: %s\n", yesno(loads > 0));
    printf("AT_PHNUM > 0: %s\n", yesno(phnum > 0));

    /* AT_ENTRY must lie inside an executable PT_LOAD segment.  The load
       bias is derived from PT_PHDR when present (static-pie), else 0. */
    unsigned long bias = 0;
    for (unsigned long i = 0; ph && i < phnum; i++)
        if (ph[i].p_type == PT_PHDR)
            bias = (unsigned long)ph - ph[i].p_vaddr;
    printf("PT_PHDR present: %s\n", yesno(has_phdr_self));
    int entry_in_load = 0;
    unsigned long entry = getauxval(AT_ENTRY);
    for (unsigned long i = 0; ph && i < phnum; i++)
        if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X)) {
            unsigned long lo = bias + ph[i].p_vaddr, hi = lo + ph[i].p_memsz;
            if (entry >= lo && entry < hi)
                entry_in_load = 1;
        }
    printf("AT_ENTRY inside executable PT_LOAD: %s\n", yesno(entry_in_load));

    const char *execfn = (const char *)getauxval(AT_EXECFN);
    printf("AT_EXECFN==argv[0]: %s\n", yesno(execfn && strcmp(execfn, argv[0]) == 0));
    return 0;
}
