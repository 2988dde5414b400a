#include "kernel/exec.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/x86_64/pte.h"
#include "kernel/exec_stack.h"
#include "kernel/kernel.h"
#include "kernel/path.h"
#include "vmm/elf_load.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define ELF_ET_DYN_BASE 0x555555554000ull /* where Linux puts PIEs without ASLR */
#define HWCAP2_FSGSBASE (1u << 1)

static uint32_t cpuid_edx1(struct hv_vm *vm)
{
	for (unsigned i = 0; i < vm->cpuid->nent; i++)
		if (vm->cpuid->entries[i].function == 1)
			return vm->cpuid->entries[i].edx;
	return 0;
}

/* As Linux's elf_map() + padzero(): each segment's file part is a private file mapping
 * (populated on demand), the rest of its last file page is zeroed, and the remainder of
 * p_memsz (bss) is anonymous. */
static int map_segments(struct mm *mm, int fd, const struct elf_image *img, uint64_t bias)
{
	uint64_t out;
	int r;

	for (int i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];
		uint64_t start = PAGE_ALIGN_DOWN(s->vaddr + bias);
		uint64_t end = PAGE_ALIGN_UP(s->vaddr + bias + s->memsz);
		uint64_t file_end = s->vaddr + bias + s->filesz;
		uint64_t anon_from = start;
		if (s->filesz) {
			uint64_t head = (s->vaddr + bias) - start;
			uint64_t mapped_end = PAGE_ALIGN_UP(file_end);
			r = mm_map(mm, start, mapped_end - start, s->prot, MAP_PRIVATE | MAP_FIXED, fd,
				   s->offset - head, &out);
			if (r)
				return r;
			if (s->memsz > s->filesz && file_end < mapped_end) {
				static const uint8_t zero[PAGE_SIZE];
				if ((r = mm_poke_force(mm, file_end, zero, mapped_end - file_end)))
					return r;
			}
			anon_from = mapped_end;
		}
		if (anon_from < end &&
		    (r = mm_map(mm, anon_from, end - anon_from, s->prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				-1, 0, &out)))
			return r;
	}
	return 0;
}

static int fill_auxv(struct task *t, struct stack_spec *sp, const struct elf_image *img, uint64_t bias,
		     uint64_t vdso, uint64_t interp_base)
{
	struct auxv_entry *a = sp->auxv;
	int n = 0;

#define AUX(type, val) (a[n++] = (struct auxv_entry){(type), (val)})
	AUX(AT_SYSINFO_EHDR, vdso); /* as Linux's ARCH_DLINFO: first */
	AUX(AT_HWCAP, cpuid_edx1(t->vm));
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PHDR, img->phdr_vaddr ? img->phdr_vaddr + bias : 0);
	AUX(AT_PHENT, img->phent);
	AUX(AT_PHNUM, img->phnum);
	AUX(AT_BASE, interp_base);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, img->entry + bias);
	AUX(AT_UID, t->proc->cred.uid);
	AUX(AT_EUID, t->proc->cred.euid);
	AUX(AT_GID, t->proc->cred.gid);
	AUX(AT_EGID, t->proc->cred.egid);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, 0);
	AUX(AT_HWCAP2, HWCAP2_FSGSBASE);
	AUX(AT_EXECFN, 0);
	AUX(AT_PLATFORM, 0);
#undef AUX
	sp->nauxv = n;
	return 0;
}

int exec_load(struct task *t, int dirfd, const char *path, int argc, char *const argv[], int envc,
	      char *const envp[], bool need_x, struct exec_ctx *out, char *why, size_t why_len)
{
	struct process *p = t->proc;
	struct elf_image img;
	struct stat st;
	int sys_errno, r;

	why[0] = 0;
	/* An empty path: the file open on dirfd itself (execveat AT_EMPTY_PATH, fexecve). */
	int fd = path[0] ? path_open(p, dirfd, path, O_RDONLY, 0) : path_dup_guest_fd(p, dirfd);
	if (fd < 0) {
		snprintf(why, why_len, "%s: %s", path, strerror(-fd));
		return fd;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, why_len, "%s: %s", path, S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
		close(fd);
		return -EACCES;
	}
	if (need_x && !(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
		snprintf(why, why_len, "%s: not executable", path);
		close(fd);
		return -EACCES;
	}
	enum elf_error ee = elf_parse(fd, &img, &sys_errno);
	if (ee) {
		snprintf(why, why_len, "%s: %s%s%s", path, elf_strerror(ee), sys_errno ? ": " : "",
			 sys_errno ? strerror(sys_errno) : "");
		close(fd);
		return ee == ELF_ERR_IO ? -(sys_errno ? sys_errno : EIO) : -ENOEXEC;
	}
	/* A dynamically linked program: its interpreter (the dynamic loader) is loaded
	 * beside it and started first, as Linux's load_elf_binary() does. */
	int ifd = -1;
	struct elf_image iimg;
	if (img.has_interp) {
		ifd = path_open(p, AT_FDCWD, img.interp, O_RDONLY, 0);
		if (ifd < 0) {
			snprintf(why, why_len, "%s: program interpreter %s: %s", path, img.interp,
				 strerror(-ifd));
			close(fd);
			return ifd == -ENOENT ? -ENOENT : ifd;
		}
		ee = elf_parse(ifd, &iimg, &sys_errno);
		if (ee || iimg.has_interp) {
			snprintf(why, why_len, "%s: program interpreter %s: %s", path, img.interp,
				 ee ? elf_strerror(ee) : "has an interpreter itself");
			close(ifd);
			close(fd);
			return -ELIBBAD;
		}
	}
	uint64_t bias = img.is_pie ? ELF_ET_DYN_BASE - img.lo : 0;

	struct mm *mm;
	if ((r = mm_create(t->vm, t->k->pcache, &mm))) {
		snprintf(why, why_len, "%s: out of guest memory", path);
		close(fd);
		if (ifd >= 0)
			close(ifd);
		return r;
	}
	if ((r = map_segments(mm, fd, &img, bias))) {
		snprintf(why, why_len, "%s: loading segments: %s", path, strerror(-r));
		goto fail;
	}
	mm->brk_start = mm->brk = PAGE_ALIGN_UP(img.hi + bias);

	uint64_t stack_size = p->rlim[RLIMIT_STACK].rlim_cur;
	if (stack_size == RLIM_INFINITY || stack_size > (1ull << 30))
		stack_size = 1ull << 30;
	if (stack_size < (128u << 10))
		stack_size = 128u << 10;
	stack_size = PAGE_ALIGN_UP(stack_size);
	uint64_t stack_lo;
	int sprot = PROT_READ | PROT_WRITE | (img.exec_stack ? PROT_EXEC : 0);
	if ((r = mm_map(mm, mm->stack_top - stack_size, stack_size, sprot,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, -1, 0, &stack_lo))) {
		snprintf(why, why_len, "%s: mapping the stack: %s", path, strerror(-r));
		goto fail;
	}
	/* As Linux's mmap_base(): at least 128 MiB, and the whole stack limit, below the top
	 * (plus Linux's 1 MiB stack guard gap). */
	if (stack_lo - (1ull << 20) < mm->mmap_base)
		mm->mmap_base = stack_lo - (1ull << 20);

	struct stack_spec spec;
	memset(&spec, 0, sizeof spec);
	spec.stack_top = mm->stack_top;
	spec.argc = argc;
	spec.argv = argv;
	spec.envc = envc;
	spec.envp = envp;
	spec.execfn = path;
	spec.platform = "x86_64";
	spec.max_bytes = stack_size / 4;
	if (getrandom(spec.random, sizeof spec.random, 0) != sizeof spec.random) {
		r = -EIO;
		snprintf(why, why_len, "getrandom for AT_RANDOM failed");
		goto fail;
	}
	uint64_t entry = img.entry + bias, interp_base = 0;
	if (ifd >= 0) {
		/* Below the stack gap, top-down, as Linux's elf_map() of the interpreter: the
		 * whole span reserved first, then each segment in place. */
		uint64_t span = iimg.hi - iimg.lo, at;
		if ((r = mm_map(mm, 0, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &at)) ||
		    (r = map_segments(mm, ifd, &iimg, at - iimg.lo))) {
			snprintf(why, why_len, "%s: loading the interpreter %s: %s", path, img.interp,
				 strerror(-r));
			goto fail;
		}
		interp_base = at;
		entry = iimg.entry + (at - iimg.lo);
		close(ifd);
		ifd = -1;
	}
	/* The vDSO below the stack gap, as Linux: its time page, then its image. */
	uint64_t special[2] = {t->vm->vvar_gpa, t->vm->vdso_gpa}, vvar_va;
	int sprots[2] = {PROT_READ, PROT_READ | PROT_EXEC};
	if ((r = mm_map_special(mm, special, sprots, 2, &vvar_va))) {
		snprintf(why, why_len, "%s: mapping the vDSO: %s", path, strerror(-r));
		goto fail;
	}
	fill_auxv(t, &spec, &img, bias, vvar_va + PAGE_SIZE, interp_base);
	struct stack_image si;
	if ((r = exec_build_stack(&spec, &si))) {
		snprintf(why, why_len, "%s: %s", path, r == -E2BIG ? "argument list too long" : strerror(-r));
		goto fail;
	}
	r = mm_poke_force(mm, si.sp, si.bytes, si.size);
	free(si.bytes);
	mm->arg_start = si.arg_start;
	mm->arg_end = si.arg_end;
	mm->env_start = si.env_start;
	mm->env_end = si.env_end;
	/* argc, argv[] and NULL, envp[] and NULL, then the pairs up to AT_NULL's. */
	mm->auxv_start = si.sp + 8 * (1 + (uint64_t)spec.argc + 1 + (uint64_t)spec.envc + 1);
	mm->auxv_len = 16 * ((uint64_t)spec.nauxv + 1);
	if (r) {
		snprintf(why, why_len, "%s: writing the initial stack failed", path);
		goto fail;
	}

	char abs[GUEST_PATH_MAX];
	out->exe = NULL;
	if (path_of_host_fd(p, fd, abs, sizeof abs) == 0)
		out->exe = strdup(abs);
	if (!out->exe)
		out->exe = strdup(path);
	close(fd);
	out->mm = mm;
	out->entry = entry;
	out->sp = si.sp;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	if (ifd >= 0)
		close(ifd);
	mm_destroy(mm, NULL);
	return r;
}

int exec_commit(struct task *t, struct exec_ctx *ctx)
{
	struct process *p = t->proc;
	int r;

	if (p->mm) {
		mm_detach_vcpu(p->mm, t->vcpu);
		mm_put(p->mm, t->vcpu);
	}
	p->mm = ctx->mm;
	ctx->mm = NULL;
	free(p->exe_path);
	p->exe_path = ctx->exe;
	ctx->exe = NULL;
	const char *base = strrchr(p->exe_path, '/');
	snprintf(p->comm, sizeof p->comm, "%s", base ? base + 1 : p->exe_path);
	if ((r = mm_attach_vcpu(p->mm, t->vcpu)))
		return r;
	if ((r = vcpu_start_user(t->vcpu, p->mm->root, ctx->entry, ctx->sp)))
		return r;
	/* As Linux's fpu__clear_user_states(): a new image starts with the init FPU state. */
	static uint8_t init_fpu[4096];
	uint16_t fcw = 0x37f;
	uint32_t mxcsr = 0x1f80;
	memcpy(init_fpu, &fcw, 2);
	memcpy(init_fpu + 24, &mxcsr, 4);
	return vcpu_set_xsave(t->vcpu, init_fpu);
}

void exec_abort(struct exec_ctx *ctx)
{
	if (ctx->mm)
		mm_destroy(ctx->mm, NULL);
	free(ctx->exe);
	ctx->mm = NULL;
	ctx->exe = NULL;
}

int exec_image(struct task *t, const char *path, int argc, char *const argv[], int envc,
	       char *const envp[], char *why, size_t why_len)
{
	struct exec_ctx ctx;
	int r = exec_load(t, AT_FDCWD, path, argc, argv, envc, envp, false, &ctx, why, why_len);

	if (r)
		return r;
	if ((r = exec_commit(t, &ctx))) {
		snprintf(why, why_len, "%s: starting the image: %s", path, strerror(-r));
		exec_abort(&ctx);
	}
	return r;
}
