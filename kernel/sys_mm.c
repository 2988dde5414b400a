/* Memory syscalls, on kernel/mm.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>

#include "arch/x86_64/pte.h"
#include "kernel/syscall.h"
#include "kernel/uaccess.h"
#include "vmm/log.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

SYSCALL(brk)
{
	return (long)mm_brk(t->proc->mm, a[0]);
}

#define MAP_KNOWN (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN | \
		   MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | \
		   MAP_NONBLOCK | MAP_STACK | MAP_FIXED_NOREPLACE | MAP_32BIT | MAP_HUGETLB)

SYSCALL(mmap)
{
	uint64_t addr = a[0], len = a[1], off = a[5];
	int prot = (int)a[2], flags = (int)a[3], fd = (int)a[4];
	int type = flags & MAP_SHARED_VALIDATE;
	uint64_t out;

	if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE && (flags & ~MAP_KNOWN & ~MAP_SHARED_VALIDATE))
		return -EOPNOTSUPP;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (!len || (off & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (flags & MAP_HUGETLB)
		return -EINVAL; /* no huge pages are reserved for guests */
	if (flags & MAP_32BIT) {
		hv_info("pid %d: mmap MAP_32BIT not implemented -> ENOMEM", t->proc->pid);
		return -ENOMEM;
	}
	int h = -1;
	if (!(flags & MAP_ANONYMOUS)) {
		h = fdt_host_fd(t->proc->files, fd);
		if (h < 0)
			return -EBADF;
		int fl = fcntl(h, F_GETFL);
		if (fl < 0)
			return -errno;
		if ((fl & O_ACCMODE) == O_WRONLY || (fl & O_PATH))
			return -EACCES;
		if (type != MAP_PRIVATE && (prot & PROT_WRITE) && (fl & O_ACCMODE) != O_RDWR)
			return -EACCES;
	}
	long r = mm_map(t->proc->mm, addr, len, prot, flags, h, off, &out);
	return r ? r : (long)out;
}

SYSCALL(msync)
{
	return mm_sync(t->proc->mm, a[0], a[1], (int)a[2]);
}

SYSCALL(munmap)
{
	return mm_unmap(t->proc->mm, a[0], a[1]);
}

SYSCALL(mprotect)
{
	return mm_protect(t->proc->mm, a[0], a[1], (int)a[2]);
}

SYSCALL(mremap)
{
	uint64_t out;
	long r = mm_remap(t->proc->mm, a[0], a[1], a[2], (int)a[3], a[4], &out);

	return r ? r : (long)out;
}

SYSCALL(madvise)
{
	uint64_t addr = a[0], len = a[1];
	int advice = (int)a[2];

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_FREE:
		/* MADV_FREE may drop the pages at any time; dropping them now is allowed. */
		return mm_discard(t->proc->mm, addr, len);
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_COLD:
	case MADV_PAGEOUT:
		return 0; /* hints: no observable effect on contents */
	default:
		hv_info("pid %d: madvise advice %d not implemented -> EINVAL", t->proc->pid, advice);
		return -EINVAL;
	}
}
