/* elf_parse on ELF files written by the test into a temporary directory: a minimal valid
 * executable and its variants, then corrupted inputs, each of which must give the right
 * enum elf_error without crashing. */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm/elf_load.h"

#define BASE 0x400000ull
#define FILE_MAX (80 * 4096)

static char tmpdir[] = "/tmp/hvtrace-elf-XXXXXX";

/* An ELF file under construction: the header at 0, program headers at 64. */
struct elf_buf {
	uint8_t b[FILE_MAX];
	size_t size;
};

static Elf64_Ehdr *eh(struct elf_buf *f)
{
	return (Elf64_Ehdr *)f->b;
}

static Elf64_Phdr *ph(struct elf_buf *f, int i)
{
	return (Elf64_Phdr *)(f->b + sizeof(Elf64_Ehdr)) + i;
}

/* A minimal static ET_EXEC with one R+X PT_LOAD covering the whole 8 KiB file. */
static void make_exec(struct elf_buf *f)
{
	memset(f, 0, sizeof *f);
	f->size = 2 * 4096;
	Elf64_Ehdr *e = eh(f);
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_ident[EI_OSABI] = ELFOSABI_SYSV;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = BASE + 0x1000;
	e->e_phoff = sizeof(Elf64_Ehdr);
	e->e_shoff = 0;
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = 1;
	*ph(f, 0) = (Elf64_Phdr){
		.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0, .p_vaddr = BASE,
		.p_paddr = BASE, .p_filesz = f->size, .p_memsz = f->size, .p_align = 4096};
	/* Something recognisable at the entry point. */
	f->b[0x1000] = 0xf4; /* hlt */
}

/* Appends a program header (the table must still fit before offset 0x1000). */
static Elf64_Phdr *add_ph(struct elf_buf *f, Elf64_Phdr p)
{
	int i = eh(f)->e_phnum++;

	assert_true(sizeof(Elf64_Ehdr) + (i + 1) * sizeof(Elf64_Phdr) <= 0x1000);
	*ph(f, i) = p;
	return ph(f, i);
}

static enum elf_error parse_bytes(const void *bytes, size_t len, struct elf_image *img,
				  int *sys_errno)
{
	char path[sizeof tmpdir + 32];
	snprintf(path, sizeof path, "%s/elf-XXXXXX", tmpdir);
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(unlink(path), 0);
	if (len)
		assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	enum elf_error r = elf_parse(fd, img, sys_errno);
	close(fd);
	return r;
}

static enum elf_error parse(struct elf_buf *f, struct elf_image *img)
{
	int sys_errno = -1;
	enum elf_error r = parse_bytes(f->b, f->size, img, &sys_errno);

	if (r != ELF_ERR_IO)
		assert_int_equal(sys_errno, 0);
	return r;
}

#define assert_elf_error(got, want)                                                        \
	do {                                                                               \
		enum elf_error g_ = (got), w_ = (want);                                    \
		if (g_ != w_)                                                              \
			fail_msg("elf_parse gave %d (%s), want %d (%s)", g_, elf_strerror(g_), \
				 w_, elf_strerror(w_));                                    \
	} while (0)

static int group_setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	rmdir(tmpdir);
	return 0;
}

static struct elf_buf *new_exec(void)
{
	static struct elf_buf f; /* big: not on the stack */

	make_exec(&f);
	return &f;
}

/* Valid files ----------------------------------------------------------------------- */

static void test_minimal_static_executable_parses(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	assert_elf_error(parse(f, &img), ELF_OK);
	assert_false(img.is_pie);
	assert_int_equal(img.entry, BASE + 0x1000);
	assert_int_equal(img.phnum, 1);
	assert_int_equal(img.phent, sizeof(Elf64_Phdr));
	assert_false(img.has_interp);
	assert_true(img.exec_stack); /* no PT_GNU_STACK: executable, as Linux on x86-64 */
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.seg[0].vaddr, BASE);
	assert_int_equal(img.seg[0].offset, 0);
	assert_int_equal(img.seg[0].filesz, 0x2000);
	assert_int_equal(img.seg[0].memsz, 0x2000);
	assert_int_equal(img.seg[0].prot, PROT_READ | PROT_EXEC);
	/* The segment holding e_phoff maps the program headers. */
	assert_int_equal(img.phdr_vaddr, BASE + sizeof(Elf64_Ehdr));
	assert_int_equal(img.lo, BASE);
	assert_int_equal(img.hi, BASE + 0x2000);
}

static void test_text_and_data_segments_parse_with_prot_and_span(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	f->size = 0x3000;
	ph(f, 0)->p_filesz = ph(f, 0)->p_memsz = 0x1800;
	/* Data: file bytes 0x2010..0x2800 at 0x402010, plus bss up to 0x405000 (unaligned end). */
	add_ph(f, (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0x2010,
			       .p_vaddr = BASE + 0x2010, .p_filesz = 0x7f0, .p_memsz = 0x2f00,
			       .p_align = 4096});
	add_ph(f, (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0x2000,
			       .p_vaddr = BASE + 0x10000, .p_filesz = 0x10, .p_memsz = 0x10,
			       .p_align = 4096});
	assert_elf_error(parse(f, &img), ELF_OK);
	assert_int_equal(img.phnum, 3);
	assert_int_equal(img.nseg, 3);
	assert_int_equal(img.seg[0].prot, PROT_READ | PROT_EXEC);
	assert_int_equal(img.seg[1].vaddr, BASE + 0x2010);
	assert_int_equal(img.seg[1].offset, 0x2010);
	assert_int_equal(img.seg[1].filesz, 0x7f0);
	assert_int_equal(img.seg[1].memsz, 0x2f00);
	assert_int_equal(img.seg[1].prot, PROT_READ | PROT_WRITE);
	assert_int_equal(img.seg[2].prot, PROT_READ);
	assert_int_equal(img.lo, BASE);
	assert_int_equal(img.hi, BASE + 0x11000);
}

static void test_segment_flags_map_to_prot(void **state)
{
	static const struct { uint32_t flags; int prot; } cases[] = {
		{0, PROT_NONE},
		{PF_R, PROT_READ},
		{PF_W, PROT_WRITE},
		{PF_X, PROT_EXEC},
		{PF_R | PF_W | PF_X, PROT_READ | PROT_WRITE | PROT_EXEC},
	};
	struct elf_image img;
	(void)state;

	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct elf_buf *f = new_exec();
		ph(f, 0)->p_flags = cases[i].flags;
		assert_elf_error(parse(f, &img), ELF_OK);
		assert_int_equal(img.seg[0].prot, cases[i].prot);
	}
}

static void test_gnu_stack_without_pf_x_gives_non_executable_stack(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	add_ph(f, (Elf64_Phdr){.p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W});
	assert_elf_error(parse(f, &img), ELF_OK);
	assert_false(img.exec_stack);
	assert_int_equal(img.phnum, 2);
	assert_int_equal(img.nseg, 1);
}

static void test_gnu_stack_with_pf_x_gives_executable_stack(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	add_ph(f, (Elf64_Phdr){.p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W | PF_X});
	assert_elf_error(parse(f, &img), ELF_OK);
	assert_true(img.exec_stack);
}

static void test_pt_phdr_gives_phdr_vaddr(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	add_ph(f, (Elf64_Phdr){.p_type = PT_PHDR, .p_flags = PF_R, .p_offset = 64,
			       .p_vaddr = 0x400040, .p_filesz = 2 * sizeof(Elf64_Phdr),
			       .p_memsz = 2 * sizeof(Elf64_Phdr)});
	assert_elf_error(parse(f, &img), ELF_OK);
	assert_int_equal(img.phdr_vaddr, 0x400040);
}

static void test_phdr_vaddr_derived_from_segment_holding_phoff(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	/* The headers live in the second segment (file 0x1000.. mapped at 0x500000). */
	f->size = 0x2000;
	ph(f, 0)->p_offset = 0;
	ph(f, 0)->p_filesz = ph(f, 0)->p_memsz = 0x1000;
	eh(f)->e_phoff = 0x1100;
	memcpy(f->b + 0x1100, ph(f, 0), sizeof(Elf64_Phdr));
	Elf64_Phdr *p = (Elf64_Phdr *)(f->b + 0x1100) + 1;
	*p = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0x1000,
			  .p_vaddr = 0x500000, .p_filesz = 0x1000, .p_memsz = 0x1000};
	eh(f)->e_phnum = 2;
	assert_elf_error(parse(f, &img), ELF_OK);
	assert_int_equal(img.nseg, 2);
	assert_int_equal(img.phdr_vaddr, 0x500100);
}

static void test_phdr_vaddr_zero_when_no_segment_holds_phoff(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	ph(f, 0)->p_offset = 0x1000;
	ph(f, 0)->p_vaddr = BASE + 0x1000;
	ph(f, 0)->p_filesz = ph(f, 0)->p_memsz = 0x1000;
	assert_elf_error(parse(f, &img), ELF_OK);
	assert_int_equal(img.phdr_vaddr, 0);
	assert_int_equal(img.lo, BASE + 0x1000);
}

static void test_et_dyn_is_pie(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	eh(f)->e_type = ET_DYN;
	eh(f)->e_entry = 0x1000;
	ph(f, 0)->p_vaddr = 0;
	assert_elf_error(parse(f, &img), ELF_OK);
	assert_true(img.is_pie);
	assert_int_equal(img.entry, 0x1000);
	assert_int_equal(img.seg[0].vaddr, 0);
	assert_int_equal(img.phdr_vaddr, 64);
	assert_int_equal(img.lo, 0);
	assert_int_equal(img.hi, 0x2000);
}

static void test_pt_interp_gives_interpreter_path(void **state)
{
	static const char interp[] = "/lib64/ld-linux-x86-64.so.2";
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	memcpy(f->b + 0x800, interp, sizeof interp);
	add_ph(f, (Elf64_Phdr){.p_type = PT_INTERP, .p_flags = PF_R, .p_offset = 0x800,
			       .p_vaddr = BASE + 0x800, .p_filesz = sizeof interp,
			       .p_memsz = sizeof interp});
	assert_elf_error(parse(f, &img), ELF_OK);
	assert_true(img.has_interp);
	assert_string_equal(img.interp, interp);
}

static void test_pt_interp_without_terminator_is_terminated(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	memcpy(f->b + 0x800, "/ld.soXXXX", 10);
	add_ph(f, (Elf64_Phdr){.p_type = PT_INTERP, .p_offset = 0x800, .p_filesz = 6,
			       .p_memsz = 6});
	assert_elf_error(parse(f, &img), ELF_OK);
	assert_true(img.has_interp);
	assert_string_equal(img.interp, "/ld.so");
}

static void test_pt_interp_too_long_is_truncated_to_buffer(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	memset(f->b + 0x1000, 'a', 0x800);
	add_ph(f, (Elf64_Phdr){.p_type = PT_INTERP, .p_offset = 0x1000, .p_filesz = 0x800,
			       .p_memsz = 0x800});
	assert_elf_error(parse(f, &img), ELF_OK);
	assert_true(img.has_interp);
	assert_int_equal(strlen(img.interp), sizeof img.interp - 1);
}

static void test_pt_interp_past_end_of_file_gives_empty_path(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	add_ph(f, (Elf64_Phdr){.p_type = PT_INTERP, .p_offset = 0x1ff0, .p_filesz = 0x100,
			       .p_memsz = 0x100});
	assert_elf_error(parse(f, &img), ELF_OK);
	assert_true(img.has_interp);
	assert_string_equal(img.interp, "");

	f = new_exec();
	add_ph(f, (Elf64_Phdr){.p_type = PT_INTERP, .p_offset = ~0ull - 4, .p_filesz = 16,
			       .p_memsz = 16});
	assert_elf_error(parse(f, &img), ELF_OK);
	assert_true(img.has_interp);
	assert_string_equal(img.interp, "");
}

static void test_empty_pt_load_is_ignored(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	/* memsz 0: skipped, even with a nonsense address. */
	add_ph(f, (Elf64_Phdr){.p_type = PT_LOAD, .p_offset = 0x123, .p_vaddr = 0x10,
			       .p_filesz = 0, .p_memsz = 0});
	assert_elf_error(parse(f, &img), ELF_OK);
	assert_int_equal(img.nseg, 1);
	assert_int_equal(img.phnum, 2);
}

static void test_segment_ending_exactly_at_user_va_end_is_accepted(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	ph(f, 0)->p_vaddr = 0x7ffffffff000ull - 0x2000;
	assert_elf_error(parse(f, &img), ELF_OK);
	assert_int_equal(img.hi, 0x7ffffffff000ull);
}

static void test_sixty_four_segments_are_accepted(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	eh(f)->e_phnum = 0;
	for (int i = 0; i < ELF_MAX_SEGMENTS; i++)
		add_ph(f, (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0,
				       .p_vaddr = BASE + (uint64_t)i * 0x1000, .p_filesz = 0x100,
				       .p_memsz = 0x100});
	assert_elf_error(parse(f, &img), ELF_OK);
	assert_int_equal(img.nseg, ELF_MAX_SEGMENTS);
	assert_int_equal(img.seg[63].vaddr, BASE + 63 * 0x1000);
}

static void test_real_static_binaries_parse(void **state)
{
	const char *dir = getenv("HVTRACE_GUESTS");
	(void)state;

	if (!dir || !*dir)
		skip();
	DIR *d = opendir(dir);
	if (!d)
		skip();
	int parsed = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		int fd = openat(dirfd(d), de->d_name, O_RDONLY);
		if (fd < 0)
			continue;
		unsigned char magic[4];
		if (pread(fd, magic, 4, 0) != 4 || memcmp(magic, ELFMAG, SELFMAG)) {
			close(fd);
			continue;
		}
		struct elf_image img;
		int sys_errno;
		enum elf_error r = elf_parse(fd, &img, &sys_errno);
		close(fd);
		if (r != ELF_OK)
			fail_msg("%s/%s: %s", dir, de->d_name, elf_strerror(r));
		assert_true(img.nseg >= 1);
		assert_false(img.has_interp);
		assert_true(img.entry >= img.lo && img.entry < img.hi);
		parsed++;
	}
	closedir(d);
	if (!parsed)
		skip();
}

/* Not an ELF file at all ---------------------------------------------------------- */

static void test_empty_file_is_not_elf(void **state)
{
	struct elf_image img;
	int e = -1;
	(void)state;

	assert_elf_error(parse_bytes("", 0, &img, &e), ELF_ERR_NOT_ELF);
}

static void test_truncated_header_is_not_elf(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	f->size = 10;
	assert_elf_error(parse(f, &img), ELF_ERR_NOT_ELF);
	/* A full e_ident but not a full header. */
	f->size = 40;
	assert_elf_error(parse(f, &img), ELF_ERR_NOT_ELF);
	f->size = sizeof(Elf64_Ehdr) - 1;
	assert_elf_error(parse(f, &img), ELF_ERR_NOT_ELF);
}

static void test_bad_magic_is_not_elf(void **state)
{
	struct elf_image img;
	(void)state;

	for (int i = 0; i < SELFMAG; i++) {
		struct elf_buf *f = new_exec();
		f->b[i] ^= 0x20;
		assert_elf_error(parse(f, &img), ELF_ERR_NOT_ELF);
	}
	static const char script[] = "#!/bin/sh\necho hello world, this is not an ELF file\n"
				     "# padding padding padding padding padding\n";
	assert_elf_error(parse_bytes(script, sizeof script - 1, &img, &(int){0}), ELF_ERR_NOT_ELF);
}

static void test_32_bit_class_is_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	f->b[EI_CLASS] = ELFCLASS32;
	assert_elf_error(parse(f, &img), ELF_ERR_CLASS);
	f->b[EI_CLASS] = ELFCLASSNONE;
	assert_elf_error(parse(f, &img), ELF_ERR_CLASS);
}

static void test_big_endian_is_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	f->b[EI_DATA] = ELFDATA2MSB;
	assert_elf_error(parse(f, &img), ELF_ERR_CLASS);
	f->b[EI_DATA] = ELFDATANONE;
	assert_elf_error(parse(f, &img), ELF_ERR_CLASS);
}

static void test_aarch64_machine_is_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	eh(f)->e_machine = EM_AARCH64;
	assert_elf_error(parse(f, &img), ELF_ERR_MACHINE);
	eh(f)->e_machine = EM_386;
	assert_elf_error(parse(f, &img), ELF_ERR_MACHINE);
}

static void test_relocatable_and_core_types_are_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	eh(f)->e_type = ET_REL;
	assert_elf_error(parse(f, &img), ELF_ERR_TYPE);
	eh(f)->e_type = ET_CORE;
	assert_elf_error(parse(f, &img), ELF_ERR_TYPE);
	eh(f)->e_type = ET_NONE;
	assert_elf_error(parse(f, &img), ELF_ERR_TYPE);
}

/* Program headers ------------------------------------------------------------------- */

static void test_wrong_phentsize_is_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	eh(f)->e_phentsize = sizeof(Elf32_Phdr);
	assert_elf_error(parse(f, &img), ELF_ERR_PHDRS);
	eh(f)->e_phentsize = sizeof(Elf64_Phdr) + 8;
	assert_elf_error(parse(f, &img), ELF_ERR_PHDRS);
	eh(f)->e_phentsize = 0;
	assert_elf_error(parse(f, &img), ELF_ERR_PHDRS);
}

static void test_zero_phnum_is_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	eh(f)->e_phnum = 0;
	assert_elf_error(parse(f, &img), ELF_ERR_PHDRS);
	f = new_exec();
	eh(f)->e_phoff = 0;
	assert_elf_error(parse(f, &img), ELF_ERR_PHDRS);
}

static void test_absurd_phnum_is_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	/* 60000 headers would need 3.3 MB; the file has 8 KiB. */
	eh(f)->e_phnum = 60000;
	assert_elf_error(parse(f, &img), ELF_ERR_PHDRS);
}

static void test_phnum_above_limit_is_rejected_even_when_file_holds_them(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	/* 1200 headers fit in the 80-page buffer; only the first is a PT_LOAD, the rest are
	 * PT_NULL. Linux refuses more than 64 KiB of headers. */
	eh(f)->e_phnum = 1200;
	f->size = FILE_MAX;
	ph(f, 0)->p_filesz = ph(f, 0)->p_memsz = 0x1000;
	assert_true(64 + 1200 * sizeof(Elf64_Phdr) <= f->size);
	assert_elf_error(parse(f, &img), ELF_ERR_PHDRS);
}

static void test_phoff_past_end_of_file_is_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	eh(f)->e_phoff = f->size + 0x1000;
	assert_elf_error(parse(f, &img), ELF_ERR_PHDRS);
	eh(f)->e_phoff = ~0ull - 8;
	assert_elf_error(parse(f, &img), ELF_ERR_PHDRS);
}

static void test_program_header_table_running_past_end_of_file_is_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	/* Two headers declared, the file ends in the middle of the second. */
	add_ph(f, (Elf64_Phdr){.p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W});
	f->size = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 20;
	ph(f, 0)->p_filesz = ph(f, 0)->p_memsz = f->size;
	assert_elf_error(parse(f, &img), ELF_ERR_PHDRS);
}

static void test_phnum_pointing_past_end_of_file_is_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	/* The table starts inside the file, but 100 headers reach beyond its end. */
	eh(f)->e_phoff = f->size - sizeof(Elf64_Phdr);
	memcpy(f->b + eh(f)->e_phoff, ph(f, 0), sizeof(Elf64_Phdr));
	eh(f)->e_phnum = 100;
	assert_elf_error(parse(f, &img), ELF_ERR_PHDRS);
}

/* Segments -------------------------------------------------------------------------- */

static void test_filesz_larger_than_memsz_is_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	ph(f, 0)->p_memsz = ph(f, 0)->p_filesz - 1;
	assert_elf_error(parse(f, &img), ELF_ERR_SEGMENT);
}

static void test_segment_file_range_beyond_file_size_is_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	ph(f, 0)->p_filesz = f->size + 1;
	ph(f, 0)->p_memsz = f->size + 0x1000;
	assert_elf_error(parse(f, &img), ELF_ERR_SEGMENT);

	f = new_exec();
	ph(f, 0)->p_offset = 0x1000;
	ph(f, 0)->p_vaddr = BASE + 0x1000;
	ph(f, 0)->p_filesz = 0x1001;
	assert_elf_error(parse(f, &img), ELF_ERR_SEGMENT);

	/* Offset past the end, and an offset + size that wraps around. */
	f = new_exec();
	ph(f, 0)->p_offset = 0x10000;
	ph(f, 0)->p_vaddr = BASE + 0x10000;
	ph(f, 0)->p_filesz = 0x10;
	assert_elf_error(parse(f, &img), ELF_ERR_SEGMENT);
	f = new_exec();
	ph(f, 0)->p_offset = 0xfffffffffffff000ull;
	ph(f, 0)->p_filesz = 0x2000;
	assert_elf_error(parse(f, &img), ELF_ERR_SEGMENT);
}

static void test_segment_address_range_overflow_is_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	ph(f, 0)->p_vaddr = 0xfffffffffffff000ull;
	ph(f, 0)->p_memsz = 0x2000;
	assert_elf_error(parse(f, &img), ELF_ERR_SEGMENT);
	f = new_exec();
	ph(f, 0)->p_memsz = ~0ull;
	assert_elf_error(parse(f, &img), ELF_ERR_SEGMENT);
}

static void test_segment_above_user_va_end_is_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	ph(f, 0)->p_vaddr = 0x7ffffffff000ull - 0x1000;
	assert_elf_error(parse(f, &img), ELF_ERR_SEGMENT);
	f = new_exec();
	ph(f, 0)->p_vaddr = 0xffff800000000000ull;
	assert_elf_error(parse(f, &img), ELF_ERR_SEGMENT);
}

static void test_vaddr_misaligned_with_offset_is_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	ph(f, 0)->p_vaddr = BASE + 0x10;
	assert_elf_error(parse(f, &img), ELF_ERR_SEGMENT);
	f = new_exec();
	ph(f, 0)->p_offset = 0x800;
	ph(f, 0)->p_filesz = ph(f, 0)->p_memsz = 0x800;
	assert_elf_error(parse(f, &img), ELF_ERR_SEGMENT);
}

static void test_overlapping_segments_are_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	add_ph(f, (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0x1000,
			       .p_vaddr = BASE + 0x1000, .p_filesz = 0x100, .p_memsz = 0x100});
	assert_elf_error(parse(f, &img), ELF_ERR_SEGMENT);

	/* Sharing a page is overlapping too. */
	f = new_exec();
	ph(f, 0)->p_filesz = ph(f, 0)->p_memsz = 0x1800;
	add_ph(f, (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0x1900,
			       .p_vaddr = BASE + 0x1900, .p_filesz = 0x100, .p_memsz = 0x100});
	assert_elf_error(parse(f, &img), ELF_ERR_SEGMENT);
}

static void test_descending_segments_are_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	ph(f, 0)->p_vaddr = BASE + 0x10000;
	add_ph(f, (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0x1000,
			       .p_vaddr = BASE + 0x1000, .p_filesz = 0x100, .p_memsz = 0x100});
	assert_elf_error(parse(f, &img), ELF_ERR_SEGMENT);
}

static void test_more_than_sixty_four_segments_is_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	eh(f)->e_phnum = 0;
	for (int i = 0; i < ELF_MAX_SEGMENTS + 1; i++)
		add_ph(f, (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0,
				       .p_vaddr = BASE + (uint64_t)i * 0x1000, .p_filesz = 0x100,
				       .p_memsz = 0x100});
	assert_elf_error(parse(f, &img), ELF_ERR_SEGMENT);
}

static void test_no_pt_load_is_rejected(void **state)
{
	struct elf_buf *f = new_exec();
	struct elf_image img;
	(void)state;

	ph(f, 0)->p_type = PT_NOTE;
	add_ph(f, (Elf64_Phdr){.p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W});
	assert_elf_error(parse(f, &img), ELF_ERR_NO_LOAD);

	f = new_exec();
	ph(f, 0)->p_memsz = ph(f, 0)->p_filesz = 0;
	assert_elf_error(parse(f, &img), ELF_ERR_NO_LOAD);
}

/* I/O errors and messages ----------------------------------------------------------- */

static void test_bad_fd_gives_io_error_with_errno(void **state)
{
	struct elf_image img;
	int e = 0;
	(void)state;

	assert_elf_error(elf_parse(-1, &img, &e), ELF_ERR_IO);
	assert_int_equal(e, EBADF);
}

static void test_directory_gives_io_error_with_errno(void **state)
{
	struct elf_image img;
	int e = 0;
	(void)state;

	int fd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_elf_error(elf_parse(fd, &img, &e), ELF_ERR_IO);
	assert_int_equal(e, EISDIR);
	close(fd);
}

static void test_every_error_has_a_distinct_message(void **state)
{
	(void)state;

	for (int a = ELF_OK; a <= ELF_ERR_NO_LOAD; a++) {
		assert_non_null(elf_strerror(a));
		for (int b = ELF_OK; b < a; b++)
			assert_string_not_equal(elf_strerror(a), elf_strerror(b));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_static_executable_parses),
		cmocka_unit_test(test_text_and_data_segments_parse_with_prot_and_span),
		cmocka_unit_test(test_segment_flags_map_to_prot),
		cmocka_unit_test(test_gnu_stack_without_pf_x_gives_non_executable_stack),
		cmocka_unit_test(test_gnu_stack_with_pf_x_gives_executable_stack),
		cmocka_unit_test(test_pt_phdr_gives_phdr_vaddr),
		cmocka_unit_test(test_phdr_vaddr_derived_from_segment_holding_phoff),
		cmocka_unit_test(test_phdr_vaddr_zero_when_no_segment_holds_phoff),
		cmocka_unit_test(test_et_dyn_is_pie),
		cmocka_unit_test(test_pt_interp_gives_interpreter_path),
		cmocka_unit_test(test_pt_interp_without_terminator_is_terminated),
		cmocka_unit_test(test_pt_interp_too_long_is_truncated_to_buffer),
		cmocka_unit_test(test_pt_interp_past_end_of_file_gives_empty_path),
		cmocka_unit_test(test_empty_pt_load_is_ignored),
		cmocka_unit_test(test_segment_ending_exactly_at_user_va_end_is_accepted),
		cmocka_unit_test(test_sixty_four_segments_are_accepted),
		cmocka_unit_test(test_real_static_binaries_parse),
		cmocka_unit_test(test_empty_file_is_not_elf),
		cmocka_unit_test(test_truncated_header_is_not_elf),
		cmocka_unit_test(test_bad_magic_is_not_elf),
		cmocka_unit_test(test_32_bit_class_is_rejected),
		cmocka_unit_test(test_big_endian_is_rejected),
		cmocka_unit_test(test_aarch64_machine_is_rejected),
		cmocka_unit_test(test_relocatable_and_core_types_are_rejected),
		cmocka_unit_test(test_wrong_phentsize_is_rejected),
		cmocka_unit_test(test_zero_phnum_is_rejected),
		cmocka_unit_test(test_absurd_phnum_is_rejected),
		cmocka_unit_test(test_phnum_above_limit_is_rejected_even_when_file_holds_them),
		cmocka_unit_test(test_phoff_past_end_of_file_is_rejected),
		cmocka_unit_test(test_program_header_table_running_past_end_of_file_is_rejected),
		cmocka_unit_test(test_phnum_pointing_past_end_of_file_is_rejected),
		cmocka_unit_test(test_filesz_larger_than_memsz_is_rejected),
		cmocka_unit_test(test_segment_file_range_beyond_file_size_is_rejected),
		cmocka_unit_test(test_segment_address_range_overflow_is_rejected),
		cmocka_unit_test(test_segment_above_user_va_end_is_rejected),
		cmocka_unit_test(test_vaddr_misaligned_with_offset_is_rejected),
		cmocka_unit_test(test_overlapping_segments_are_rejected),
		cmocka_unit_test(test_descending_segments_are_rejected),
		cmocka_unit_test(test_more_than_sixty_four_segments_is_rejected),
		cmocka_unit_test(test_no_pt_load_is_rejected),
		cmocka_unit_test(test_bad_fd_gives_io_error_with_errno),
		cmocka_unit_test(test_directory_gives_io_error_with_errno),
		cmocka_unit_test(test_every_error_has_a_distinct_message),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
