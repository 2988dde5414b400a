#include "kernel/mm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pte.h"
#include "kernel/page_cache.h"
#include "vmm/layout.h"
#include "vmm/log.h"
#include "vmm/paging.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

/* As Linux without ASLR (setarch -R): the stack ends at the top of the user half and
 * mmap allocates top-down below a 128 MiB gap under it. */
#define STACK_TOP USER_VA_END
#define MMAP_GAP (128ull << 20)
#define MMAP_MIN_ADDR 0x10000ull
/* Pages populated around an anonymous fault: each fault is a VM exit (tens of µs). */
#define FAULT_AROUND_PAGES 8

static int fcntl_dupfd_cloexec(int fd)
{
	int n = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	return n < 0 ? -errno : n;
}

static struct guest_mem *gmem(struct mm *mm)
{
	return &mm->vm->mem;
}

int mm_create(struct hv_vm *vm, struct page_cache *pcache, struct mm **out)
{
	struct mm *mm = calloc(1, sizeof *mm);
	int r;

	if (!mm)
		return -ENOMEM;
	mm->vm = vm;
	mm->pcache = pcache;
	if ((r = vm_new_address_space(vm, &mm->root))) {
		free(mm);
		return r;
	}
	pthread_mutex_init(&mm->lock, NULL);
	atomic_store(&mm->users, 1);
	mm->stack_top = STACK_TOP;
	mm->mmap_base = STACK_TOP - MMAP_GAP;
	*out = mm;
	return 0;
}

static void vma_free(struct vma *v)
{
	if (v->file_fd >= 0)
		close(v->file_fd);
	free(v);
}

/* The entry itself stays: the table scrub must see that it was set. */
static int put_leaf(void *arg, uint64_t va, uint64_t *pte)
{
	struct mm *mm = arg;

	(void)va;
	frame_put(gmem(mm), *pte & PTE_ADDR_MASK);
	return 0;
}

void mm_destroy(struct mm *mm, struct vcpu *scrubber)
{
	if (!mm)
		return;
	pt_walk_range(gmem(mm), mm->root, 0, USER_VA_END, put_leaf, mm);
	vm_release_address_space(mm->vm, mm->root, scrubber);
	while (mm->vmas) {
		struct vma *v = mm->vmas;
		mm->vmas = v->next;
		vma_free(v);
	}
	struct page_cache *pc = mm->pcache;
	pthread_mutex_destroy(&mm->lock);
	free(mm->put_later);
	free(mm);
	pcache_trim(pc);
}

void mm_get(struct mm *mm)
{
	atomic_fetch_add(&mm->users, 1);
}

void mm_put(struct mm *mm, struct vcpu *scrubber)
{
	if (mm && atomic_fetch_sub(&mm->users, 1) == 1)
		mm_destroy(mm, scrubber);
}

/* Ends an operation that held mm->lock: makes its changes to present entries effective
 * on every other vCPU of the address space, then frees the frames it dropped.
 * Preconditions: mm->lock held; released on return. */
static void mm_unlock(struct mm *mm)
{
	bool trim = mm->pcache_dropped;
	mm->pcache_dropped = false;
	if (!mm->need_shootdown) {
		pthread_mutex_unlock(&mm->lock);
		if (trim)
			pcache_trim(mm->pcache);
		return;
	}
	struct vcpu *list[MM_MAX_VCPUS];
	int n = mm->nvcpus;
	memcpy(list, mm->vcpus, (size_t)n * sizeof list[0]);
	uint64_t *frames = mm->put_later, nframes = mm->nput_later;
	mm->put_later = NULL;
	mm->nput_later = mm->put_later_cap = 0;
	mm->need_shootdown = false;
	pthread_mutex_unlock(&mm->lock);
	/* The vCPUs listed were attached under the lock: none is freed before it detaches,
	 * and detaching takes the lock again. A vCPU that detached meanwhile left KVM_RUN. */
	vcpu_shootdown(list, n);
	for (uint64_t i = 0; i < nframes; i++)
		frame_put(gmem(mm), frames[i]);
	free(frames);
	/* Shared file pages no mapping uses any more go back to their file. */
	if (trim)
		pcache_trim(mm->pcache);
}

/* Drops a reference to a frame that was mapped: at once when no other vCPU can hold a
 * stale translation, else after the operation's shootdown (mm_unlock).
 * Preconditions: mm->lock held. */
static void put_mapped_frame(struct mm *mm, uint64_t frame)
{
	if (mm->nvcpus > 1 || (mm->nvcpus == 1 && mm->vcpus[0] != vcpu_current())) {
		if (mm->nput_later == mm->put_later_cap) {
			uint64_t cap = mm->put_later_cap ? mm->put_later_cap * 2 : 64;
			uint64_t *n = realloc(mm->put_later, cap * sizeof *n);
			if (n) {
				mm->put_later = n;
				mm->put_later_cap = cap;
			}
		}
		if (mm->nput_later < mm->put_later_cap) {
			mm->put_later[mm->nput_later++] = frame;
			mm->need_shootdown = true;
			return;
		}
		/* Out of host memory for the list: keep the frame (a leak, never a reuse). */
		hv_err("guest frame %#llx leaked: no memory to defer its release",
		       (unsigned long long)frame);
		return;
	}
	frame_put(gmem(mm), frame);
}

static int pte_changed(struct mm *mm, uint64_t *pte, uint64_t va);
static uint64_t watch_restrict(struct mm *mm, uint64_t va, uint64_t pte);
static struct mm_watch *watch_of(struct mm *mm, uint64_t va);

int mm_attach_vcpu(struct mm *mm, struct vcpu *c)
{
	int r = -EAGAIN;

	pthread_mutex_lock(&mm->lock);
	if (mm->nvcpus < MM_MAX_VCPUS) {
		r = 0;
		/* This vCPU's exit-less trampoline and request slot, in this address space's
		 * own XL_SLOT (no other process maps them). */
		if (c->xl_code_va && mm->vm->xl_code_gpa) {
			memset(gmem_ptr(gmem(mm), c->slot_gpa, PAGE_SIZE), 0, PAGE_SIZE);
			r = pt_map(gmem(mm), mm->root, c->xl_code_va, mm->vm->xl_code_gpa, PTE_U);
			if (!r)
				r = pt_map(gmem(mm), mm->root, c->xl_code_va + PAGE_SIZE, c->slot_gpa,
					   PTE_U | PTE_W | PTE_NX);
		}
		if (!r)
			mm->vcpus[mm->nvcpus++] = c;
	}
	mm_unlock(mm);
	return r;
}

void mm_detach_vcpu(struct mm *mm, struct vcpu *c)
{
	pthread_mutex_lock(&mm->lock);
	for (int i = 0; i < mm->nvcpus; i++)
		if (mm->vcpus[i] == c) {
			mm->vcpus[i] = mm->vcpus[--mm->nvcpus];
			break;
		}
	/* The slot frame moves on with the vCPU: no one left here may keep reaching it. */
	for (uint64_t off = 0; c->xl_code_va && off < 2 * PAGE_SIZE; off += PAGE_SIZE) {
		int err;
		uint64_t *pte = pt_entry(gmem(mm), mm->root, c->xl_code_va + off, false, 0, &err);
		if (pte && (*pte & PTE_P)) {
			*pte = 0;
			pte_changed(mm, pte, c->xl_code_va + off);
		}
	}
	mm_unlock(mm);
}

static uint64_t prot_to_pte(int prot)
{
	uint64_t f = PTE_P | PTE_U;

	if (prot & PROT_WRITE)
		f |= PTE_W;
	if (!(prot & PROT_EXEC))
		f |= PTE_NX;
	return f;
}

/* A present entry changed: every vCPU on this address space must re-store it.
 * Preconditions: mm->lock held. */
/* The watch on the page of va, or NULL. Preconditions: mm->lock held. */
static struct mm_watch *watch_of(struct mm *mm, uint64_t va)
{
	uint64_t page = PAGE_ALIGN_DOWN(va);

	for (int i = 0; i < mm->nwatch; i++)
		if (mm->watch[i].page == page)
			return &mm->watch[i];
	return NULL;
}

/* An entry for a watched page keeps the watched accesses faulting: no write for a
 * write watch, no user access at all for an access watch. */
static uint64_t watch_restrict(struct mm *mm, uint64_t va, uint64_t pte)
{
	struct mm_watch *w = watch_of(mm, va);

	if (!w || w->suspended || !(pte & PTE_P))
		return pte;
	if (w->execs)
		pte |= PTE_NX;
	if (w->accesses)
		return pte & ~PTE_U;
	return w->writes ? pte & ~PTE_W : pte;
}

static int pte_changed(struct mm *mm, uint64_t *pte, uint64_t va)
{
	*pte = watch_restrict(mm, va, *pte);
	uint64_t pte_gpa = (uint64_t)((uint8_t *)pte - gmem(mm)->host);
	int r = 0;

	for (int i = 0; i < mm->nvcpus && !r; i++) {
		r = vcpu_queue_pte_flush(mm->vcpus[i], physmap_va(pte_gpa), va);
		if (mm->vcpus[i] != vcpu_current())
			mm->need_shootdown = true;
	}
	return r;
}

/* Preconditions: mm->lock held. */
static struct vma *vma_find(struct mm *mm, uint64_t va)
{
	for (struct vma *v = mm->vmas; v; v = v->next)
		if (va < v->end)
			return va >= v->start ? v : NULL;
	return NULL;
}

/* Preconditions: mm->lock held. */
static void vma_insert(struct mm *mm, struct vma *n)
{
	struct vma **p = &mm->vmas;

	while (*p && (*p)->start < n->start)
		p = &(*p)->next;
	n->next = *p;
	*p = n;
}

/* Splits v at addr (strictly inside it); the upper part follows v in the list.
 * Preconditions: mm->lock held. */
static int vma_split(struct vma *v, uint64_t addr)
{
	struct vma *hi = malloc(sizeof *hi);

	if (!hi)
		return -ENOMEM;
	*hi = *v;
	hi->start = addr;
	if (v->file_fd >= 0) {
		hi->file_fd = dup(v->file_fd);
		if (hi->file_fd < 0) {
			free(hi);
			return -errno;
		}
		hi->file_off = v->file_off + (addr - v->start);
	}
	v->end = addr;
	v->next = hi;
	return 0;
}

/* As Linux's vma_merge(): neighbouring anonymous areas with the same rights and flags
 * become one, so that e.g. mprotect back and forth leaves one area for mremap.
 * Preconditions: mm->lock held. */
static void vma_merge_all(struct mm *mm)
{
	for (struct vma *v = mm->vmas; v && v->next;) {
		struct vma *n = v->next;
		if (v->end == n->start && v->file_fd < 0 && n->file_fd < 0 && v->prot == n->prot &&
		    v->flags == n->flags) {
			v->end = n->end;
			v->next = n->next;
			vma_free(n);
			continue;
		}
		v = n;
	}
}

/* Preconditions: mm->lock held. */
static int drop_pages(struct mm *mm, uint64_t start, uint64_t end);

struct drop_ctx {
	struct mm *mm;
	int err;
};

static int drop_leaf(void *arg, uint64_t va, uint64_t *pte)
{
	struct drop_ctx *d = arg;

	uint64_t frame = *pte & PTE_ADDR_MASK;
	*pte = 0;
	d->err = pte_changed(d->mm, pte, va);
	put_mapped_frame(d->mm, frame);
	return d->err;
}

static int drop_pages(struct mm *mm, uint64_t start, uint64_t end)
{
	struct drop_ctx d = {mm, 0};

	pt_walk_range(gmem(mm), mm->root, start, end, drop_leaf, &d);
	return d.err;
}

/* Removes [start, end) from the VMA list and the page tables.
 * Preconditions: mm->lock held. */
static int unmap_locked(struct mm *mm, uint64_t start, uint64_t end)
{
	int r;

	for (struct vma **p = &mm->vmas; *p;) {
		struct vma *v = *p;
		if (v->end <= start) {
			p = &v->next;
			continue;
		}
		if (v->start >= end)
			break;
		if (v->start < start) {
			if ((r = vma_split(v, start)))
				return r;
			p = &v->next;
			continue;
		}
		if (v->end > end && (r = vma_split(v, end)))
			return r;
		*p = v->next;
		if (v->file_fd >= 0 && (v->flags & VMA_SHARED))
			mm->pcache_dropped = true;
		vma_free(v);
	}
	return drop_pages(mm, start, end);
}

static bool range_ok(uint64_t addr, uint64_t len)
{
	return len && addr < USER_VA_END && len <= USER_VA_END - addr;
}

/* Lowest-risk free range of len bytes, searched top-down below mmap_base.
 * Preconditions: mm->lock held. */
static uint64_t find_free(struct mm *mm, uint64_t len)
{
	uint64_t top = mm->mmap_base;

	for (;;) {
		if (top < len || top - len < MMAP_MIN_ADDR)
			return 0;
		uint64_t cand = top - len;
		struct vma *clash = NULL;
		for (struct vma *v = mm->vmas; v; v = v->next)
			if (v->start < cand + len && v->end > cand)
				clash = v; /* keep the highest clash */
		if (!clash)
			return cand;
		top = clash->start;
	}
}

static bool is_free(struct mm *mm, uint64_t start, uint64_t end)
{
	for (struct vma *v = mm->vmas; v; v = v->next)
		if (v->start < end && v->end > start)
			return false;
	return true;
}

/* Shared anonymous memory is a file of its own, as Linux's shmem: its pages are shared
 * through the page cache, so a fork that happens before they are touched still shares
 * them. */
static int shmem_setup(struct vma *v, uint64_t len)
{
	struct stat st;
	int fd = memfd_create("dev/zero", MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)len) || fstat(fd, &st)) {
		int e = errno;
		close(fd);
		return -e;
	}
	v->file_fd = fd;
	v->file_off = 0;
	v->file_dev = st.st_dev;
	v->file_ino = st.st_ino;
	v->flags |= VMA_SHARED | VMA_MAYWRITE | VMA_SHMEM;
	return 0;
}

/* Linux's default overcommit (vm.overcommit_memory=0, __vm_enough_memory's
 * OVERCOMMIT_GUESS): one request for more memory than the machine has, here guest RAM,
 * is ENOMEM; anything smaller is granted and only touching it can run out (mm_fault's
 * -ENOMEM, the OOM kill in task_loop). Only memory that may need private frames is
 * charged, as Linux's accountable_mapping(): private writable areas and shared
 * anonymous ones, never MAP_NORESERVE ones. */
static bool overcommit_refused(struct mm *mm, uint64_t bytes)
{
	return bytes / PAGE_SIZE > gmem(mm)->nframes;
}

static bool vma_charged(const struct vma *v)
{
	if (v->flags & (VMA_NORESERVE | VMA_SPECIAL))
		return false;
	if (v->flags & VMA_SHARED)
		return v->flags & VMA_SHMEM;
	return v->prot & PROT_WRITE;
}

int mm_map(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags, int host_fd,
	   uint64_t off, uint64_t *out)
{
	int r;

	if (!len)
		return -EINVAL;
	if (off & (PAGE_SIZE - 1))
		return -EINVAL;
	if (len > USER_VA_END)
		return -ENOMEM;
	len = PAGE_ALIGN_UP(len);
	if (!(flags & MAP_ANONYMOUS) && off + len < off)
		return -EOVERFLOW;

	struct vma *n = calloc(1, sizeof *n);
	if (!n)
		return -ENOMEM;
	n->prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
	n->flags = (flags & MAP_SHARED) ? VMA_SHARED : 0;
	if (flags & MAP_GROWSDOWN)
		n->flags |= VMA_GROWSDOWN;
	if (flags & MAP_NORESERVE)
		n->flags |= VMA_NORESERVE;
	n->file_fd = -1;
	bool shmem = (flags & MAP_SHARED) && (flags & MAP_ANONYMOUS);
	if (vma_charged(&(struct vma){.prot = n->prot, .flags = n->flags | (shmem ? VMA_SHMEM : 0)}) &&
	    overcommit_refused(mm, len)) {
		free(n);
		return -ENOMEM;
	}
	if (!(flags & MAP_ANONYMOUS)) {
		n->file_fd = fcntl_dupfd_cloexec(host_fd);
		if (n->file_fd < 0) {
			r = n->file_fd;
			free(n);
			return r;
		}
		n->file_off = off;
		struct stat st;
		if (fstat(n->file_fd, &st)) {
			r = -errno;
			vma_free(n);
			return r;
		}
		n->file_dev = st.st_dev;
		n->file_ino = st.st_ino;
		if ((flags & MAP_SHARED) && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 5)) {
			/* /dev/zero shared is shared anonymous memory, as Linux's shmem_zero_setup. */
			close(n->file_fd);
			n->file_fd = -1;
			shmem = true;
		} else if (flags & MAP_SHARED) {
			/* Only regular files have pages to share (memfds are regular files). */
			if (!S_ISREG(st.st_mode)) {
				vma_free(n);
				return -ENODEV;
			}
			int fl = fcntl(n->file_fd, F_GETFL);
			if (fl >= 0 && (fl & O_ACCMODE) == O_RDWR)
				n->flags |= VMA_MAYWRITE;
		}
	}

	if (shmem && (r = shmem_setup(n, len))) {
		vma_free(n);
		return r;
	}

	pthread_mutex_lock(&mm->lock);
	uint64_t start;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr & (PAGE_SIZE - 1)) {
			r = -EINVAL;
			goto fail;
		}
		if (!range_ok(addr, len) || addr < MMAP_MIN_ADDR) {
			r = (flags & MAP_FIXED_NOREPLACE) || addr < MMAP_MIN_ADDR ? -EPERM : -ENOMEM;
			if (addr >= MMAP_MIN_ADDR)
				r = -ENOMEM;
			goto fail;
		}
		if ((flags & MAP_FIXED_NOREPLACE) && !is_free(mm, addr, addr + len)) {
			r = -EEXIST;
			goto fail;
		}
		start = addr;
		if ((r = unmap_locked(mm, start, start + len)))
			goto fail;
	} else {
		addr = PAGE_ALIGN_DOWN(addr);
		if (addr >= MMAP_MIN_ADDR && range_ok(addr, len) && is_free(mm, addr, addr + len))
			start = addr;
		else if (!(start = find_free(mm, len))) {
			r = -ENOMEM;
			goto fail;
		}
	}
	n->start = start;
	n->end = start + len;
	vma_insert(mm, n);
	vma_merge_all(mm);
	mm_unlock(mm);
	*out = start;
	return 0;
fail:
	mm_unlock(mm);
	vma_free(n);
	return r;
}

int mm_map_special(struct mm *mm, const uint64_t *frames, const int *prots, unsigned n, uint64_t *out)
{
	int r = 0, err;

	pthread_mutex_lock(&mm->lock);
	uint64_t start = find_free(mm, (uint64_t)n * PAGE_SIZE);
	if (!start) {
		mm_unlock(mm);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n && !r; i++) {
		uint64_t va = start + (uint64_t)i * PAGE_SIZE;
		struct vma *v = calloc(1, sizeof *v);
		uint64_t *pte = pt_entry(gmem(mm), mm->root, va, true, PTE_W | PTE_U, &err);
		if (!v || !pte) {
			free(v);
			r = -ENOMEM;
			break;
		}
		*v = (struct vma){.start = va, .end = va + PAGE_SIZE, .prot = prots[i] & ~PROT_WRITE,
				  .flags = VMA_SPECIAL, .file_fd = -1};
		vma_insert(mm, v);
		frame_get(gmem(mm), frames[i]);
		*pte = frames[i] | prot_to_pte(v->prot);
	}
	mm_unlock(mm);
	*out = start;
	return r;
}

int mm_unmap(struct mm *mm, uint64_t addr, uint64_t len)
{
	int r;

	if ((addr & (PAGE_SIZE - 1)) || !len)
		return -EINVAL;
	len = PAGE_ALIGN_UP(len);
	if (!range_ok(addr, len))
		return -EINVAL;
	pthread_mutex_lock(&mm->lock);
	r = unmap_locked(mm, addr, addr + len);
	mm_unlock(mm);
	return r;
}

struct prot_ctx {
	struct mm *mm;
	uint64_t flags;
	bool private_area;
	int err;
};

static int protect_leaf(void *arg, uint64_t va, uint64_t *pte)
{
	struct prot_ctx *p = arg;
	uint64_t frame = *pte & PTE_ADDR_MASK;
	uint64_t nv = frame | p->flags;

	/* A private frame fork still shares stays read-only: the write fault copies it. */
	if (p->private_area && (nv & PTE_W) && frame_refcount(gmem(p->mm), frame) > 1)
		nv &= ~PTE_W;
	if (nv == *pte)
		return 0;
	*pte = nv;
	p->err = pte_changed(p->mm, pte, va);
	return p->err;
}

int mm_protect(struct mm *mm, uint64_t addr, uint64_t len, int prot)
{
	int r = 0;

	if ((addr & (PAGE_SIZE - 1)) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP)))
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN_UP(len);
	if (!range_ok(addr, len))
		return -ENOMEM;
	prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
	uint64_t end = addr + len;

	pthread_mutex_lock(&mm->lock);
	/* As Linux: the whole range must be mapped, else ENOMEM and nothing changes. */
	uint64_t cur = addr;
	for (struct vma *v = mm->vmas; v && cur < end; v = v->next) {
		if (v->end <= cur)
			continue;
		if (v->start > cur)
			break;
		cur = v->end;
	}
	if (cur < end) {
		r = -ENOMEM;
		goto out;
	}
	/* As Linux's mprotect_fixup(): private memory becoming writable is charged. */
	uint64_t newly_charged = 0;
	for (struct vma *v = mm->vmas; v; v = v->next)
		if (v->end > addr && v->start < end && (prot & PROT_WRITE) && !vma_charged(v) &&
		    !(v->flags & (VMA_SHARED | VMA_NORESERVE | VMA_SPECIAL)))
			newly_charged += (v->end < end ? v->end : end) - (v->start > addr ? v->start : addr);
	if (overcommit_refused(mm, newly_charged)) {
		r = -ENOMEM;
		goto out;
	}
	/* As Linux's VM_MAYWRITE: a shared file area opened read-only never becomes
	 * writable. */
	for (struct vma *v = mm->vmas; v; v = v->next)
		if (v->end > addr && v->start < end && (prot & PROT_WRITE) && v->file_fd >= 0 &&
		    (v->flags & VMA_SHARED) && !(v->flags & VMA_MAYWRITE)) {
			r = -EACCES;
			goto out;
		}
	for (struct vma *v = mm->vmas; v; v = v->next) {
		if (v->end <= addr || v->start >= end)
			continue;
		if (v->start < addr) {
			if ((r = vma_split(v, addr)))
				goto out;
			continue; /* the upper part comes next */
		}
		if (v->end > end && (r = vma_split(v, end)))
			goto out;
		v->prot = prot;
	}
	/* PROT_NONE keeps the contents, as Linux: the frame stays mapped supervisor-only,
	 * so every user access faults and mm_fault answers SEGV_ACCERR. */
	struct prot_ctx pc = {mm, prot ? prot_to_pte(prot) : PTE_P | PTE_NX, false, 0};
	for (struct vma *v = mm->vmas; v && !pc.err; v = v->next) {
		if (v->end <= addr || v->start >= end)
			continue;
		pc.private_area = !(v->flags & (VMA_SHARED | VMA_SPECIAL));
		pt_walk_range(gmem(mm), mm->root, v->start < addr ? addr : v->start,
			      v->end > end ? end : v->end, protect_leaf, &pc);
	}
	r = pc.err;
	vma_merge_all(mm);
out:
	mm_unlock(mm);
	return r;
}

int mm_sync(struct mm *mm, uint64_t addr, uint64_t len, int flags)
{
	if ((addr & (PAGE_SIZE - 1)) || (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	len = PAGE_ALIGN_UP(len);
	if (addr + len < addr)
		return -ENOMEM;
	uint64_t end = addr + len, cur = addr;
	int r = 0;

	pthread_mutex_lock(&mm->lock);
	for (struct vma *v = mm->vmas; v && cur < end; v = v->next) {
		if (v->end <= cur)
			continue;
		if (v->start > cur) {
			r = -ENOMEM; /* as Linux: a hole in the range, after syncing what precedes */
			break;
		}
		uint64_t hi = v->end < end ? v->end : end;
		if (v->file_fd >= 0 && (v->flags & VMA_SHARED))
			pcache_writeback(mm->pcache, v->file_dev, v->file_ino,
					 v->file_off + (cur - v->start), hi - cur);
		cur = hi;
	}
	if (!r && cur < end)
		r = -ENOMEM;
	pthread_mutex_unlock(&mm->lock);
	return r;
}

uint64_t mm_brk(struct mm *mm, uint64_t newbrk)
{
	pthread_mutex_lock(&mm->lock);
	uint64_t cur = mm->brk;
	if (newbrk < mm->brk_start || newbrk >= USER_VA_END)
		goto out;
	uint64_t old_top = PAGE_ALIGN_UP(mm->brk), new_top = PAGE_ALIGN_UP(newbrk);
	if (new_top > old_top) {
		if (!is_free(mm, old_top, new_top) || new_top > mm->mmap_base ||
		    overcommit_refused(mm, new_top - old_top))
			goto out;
		struct vma *heap = old_top > mm->brk_start ? vma_find(mm, old_top - 1) : NULL;
		if (heap && (heap->flags & VMA_HEAP) && heap->end == old_top) {
			heap->end = new_top;
		} else {
			struct vma *n = calloc(1, sizeof *n);
			if (!n)
				goto out;
			*n = (struct vma){.start = old_top, .end = new_top,
					  .prot = PROT_READ | PROT_WRITE, .flags = VMA_HEAP, .file_fd = -1};
			vma_insert(mm, n);
		}
	} else if (new_top < old_top) {
		if (unmap_locked(mm, new_top, old_top))
			goto out;
	}
	mm->brk = newbrk;
	cur = newbrk;
out:
	mm_unlock(mm);
	return cur;
}

int mm_discard(struct mm *mm, uint64_t addr, uint64_t len)
{
	int r;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN_UP(len);
	if (!range_ok(addr, len))
		return -EINVAL;
	pthread_mutex_lock(&mm->lock);
	/* Shared mappings keep their contents (the frames are the object). */
	r = 0;
	for (struct vma *v = mm->vmas; v && !r; v = v->next) {
		uint64_t s = v->start > addr ? v->start : addr;
		uint64_t e = v->end < addr + len ? v->end : addr + len;
		if (s < e && !(v->flags & (VMA_SHARED | VMA_SPECIAL)))
			r = drop_pages(mm, s, e);
	}
	mm_unlock(mm);
	return r;
}

/* Fills one page of v at va with what it should hold and maps it.
 * Preconditions: mm->lock held; the level-1 entry for va is not present. */
static int populate(struct mm *mm, struct vma *v, uint64_t va, uint64_t *pte)
{
	uint64_t frame;

	if (v->flags & VMA_SPECIAL)
		return -EFAULT; /* its fixed frames are mapped from the start */
	int r;

	if (v->file_fd >= 0 && (v->flags & VMA_SHARED)) {
		uint64_t pgoff = (v->file_off + (va - v->start)) / PAGE_SIZE;
		r = pcache_get(mm->pcache, v->file_fd, v->file_dev, v->file_ino, pgoff,
			       v->flags & VMA_MAYWRITE, &frame);
		if (r)
			return r;
		*pte = frame | prot_to_pte(v->prot);
		return 0;
	}
	if ((r = frame_alloc(gmem(mm), &frame)))
		return r;
	if (v->file_fd >= 0) {
		uint8_t *dst = gmem_ptr(gmem(mm), frame, PAGE_SIZE);
		uint64_t off = v->file_off + (va - v->start);
		uint64_t got = 0;
		/* What a shared mapping of the file wrote is the file's contents. */
		if (pcache_peek(mm->pcache, v->file_dev, v->file_ino, off / PAGE_SIZE, dst))
			got = PAGE_SIZE;
		while (got < PAGE_SIZE) {
			ssize_t n = pread(v->file_fd, dst + got, PAGE_SIZE - got, (off_t)(off + got));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break; /* past EOF: the rest stays zero */
			got += (uint64_t)n;
		}
	}
	*pte = frame | prot_to_pte(v->prot);
	return 0;
}

/* Gives this address space its own copy of the page behind *pte (or just the right to
 * write it, when no one else maps the frame any more). add_write: make it writable
 * (a write fault); otherwise the protection stays (a forced write, e.g. POKETEXT).
 * Preconditions: mm->lock held; *pte present. */
static int cow_break(struct mm *mm, uint64_t *pte, uint64_t va, bool add_write)
{
	uint64_t old = *pte & PTE_ADDR_MASK, nf;
	uint64_t w = add_write ? PTE_W : 0;

	if (frame_refcount(gmem(mm), old) == 1) {
		if (!add_write)
			return 0;
		*pte |= PTE_W;
		return pte_changed(mm, pte, va);
	}
	int r = frame_alloc(gmem(mm), &nf);
	if (r)
		return r;
	memcpy(gmem_ptr(gmem(mm), nf, PAGE_SIZE), gmem_ptr(gmem(mm), old, PAGE_SIZE), PAGE_SIZE);
	*pte = nf | (*pte & ~PTE_ADDR_MASK) | w;
	r = pte_changed(mm, pte, va);
	put_mapped_frame(mm, old);
	return r;
}

static bool vma_allows(const struct vma *v, bool write, bool exec)
{
	if (write)
		return v->prot & PROT_WRITE;
	if (exec)
		return v->prot & PROT_EXEC;
	return v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
}

/* Preconditions: mm->lock held. */
/* What the entry of a present page should be: the VMA's protection, read-only while
 * fork still shares a private frame, and a watch's restriction. */
static uint64_t entry_as_vma_says(struct mm *mm, const struct vma *v, uint64_t va, uint64_t pte)
{
	uint64_t frame = pte & PTE_ADDR_MASK;
	uint64_t want = frame | (v->prot ? prot_to_pte(v->prot) : PTE_P | PTE_NX);

	if (!(v->flags & (VMA_SHARED | VMA_SPECIAL)) && frame_refcount(gmem(mm), frame) > 1)
		want &= ~PTE_W;
	if (v->flags & VMA_SPECIAL)
		want &= ~PTE_W;
	return watch_restrict(mm, va, want);
}

/* user: the guest's own access (a #PF); else a host copy for a syscall, which a
 * watchpoint never stops (as Linux's user breakpoints exclude the kernel).
 * Preconditions: mm->lock held. */
static int fault_locked(struct mm *mm, uint64_t va, bool write, bool exec, bool user)
{
	struct vma *v = vma_find(mm, va);
	int err;

	if (!v)
		return -EFAULT;
	if (!vma_allows(v, write, exec))
		return -EACCES;
	uint64_t page = PAGE_ALIGN_DOWN(va);
	struct mm_watch *w = watch_of(mm, page);
	if (user && w && !w->suspended && (w->accesses || (write && w->writes) || (exec && w->execs)))
		return MM_FAULT_WATCH;
	uint64_t *pte = pt_entry(gmem(mm), mm->root, page, true, PTE_W | PTE_U, &err);
	if (!pte)
		return err ? err : -EFAULT;
	if (*pte & PTE_P) {
		/* A write to a private page that fork shares: copy-on-write. */
		if ((*pte & PTE_U) && write && !(*pte & PTE_W) && !(v->flags & (VMA_SHARED | VMA_SPECIAL)))
			return cow_break(mm, pte, page, true);
		/* The entry is narrower than the VMA (a stale translation on this vCPU after
		 * mprotect widened it, a watch that has gone, or a child's copy of a watched
		 * entry): make it what the VMA says. */
		uint64_t want = entry_as_vma_says(mm, v, page, *pte);
		if ((want & PTE_U) && (!write || (want & PTE_W))) {
			*pte = want;
			return pte_changed(mm, pte, page);
		}
		return -EACCES;
	}
	if ((err = populate(mm, v, page, pte)))
		return err;
	*pte = watch_restrict(mm, page, *pte);
	/* Fault-around for anonymous private memory: cheap here, an exit each otherwise. */
	if (v->file_fd < 0 && !(v->flags & VMA_SHARED)) {
		for (int i = 1; i < FAULT_AROUND_PAGES; i++) {
			uint64_t next = page + (uint64_t)i * PAGE_SIZE;
			if (next >= v->end || (next & ((2ull << 20) - 1)) == 0)
				break;
			uint64_t *np = pt_entry(gmem(mm), mm->root, next, false, 0, &err);
			if (!np || (*np & PTE_P))
				break;
			if (populate(mm, v, next, np))
				break;
		}
	}
	return 0;
}

int mm_fault(struct mm *mm, uint64_t va, uint32_t pf_error)
{
	int r;

	if (va >= USER_VA_END)
		return -EFAULT;
	pthread_mutex_lock(&mm->lock);
	r = fault_locked(mm, va, pf_error & PF_ERR_WRITE, pf_error & PF_ERR_FETCH, true);
	mm_unlock(mm);
	return r;
}

/* Host address of one user page for an access, faulting it in.
 * Preconditions: mm->lock held. */
static uint8_t *user_page(struct mm *mm, uint64_t va, bool write, bool force, uint64_t *pa_out)
{
	uint64_t pa;
	unsigned access = (write && !force ? PT_ACCESS_WRITE : 0) | PT_ACCESS_USER;

	if (va >= USER_VA_END)
		return NULL;
	/* A watched page's entry is narrowed for the guest's own accesses; a host copy
	 * allowed by the VMA goes to the frame as a forced one does. */
	if (!force && watch_of(mm, va)) {
		struct vma *v = vma_find(mm, va);
		if (!v || !vma_allows(v, write, false))
			return NULL;
		force = true;
	}
	/* A forced write always takes the slow path: the page may be present read-only
	 * yet shared copy-on-write with another process (ptrace's POKETEXT after fork). */
	if ((force && write) || pt_translate(gmem(mm), mm->root, va, access, &pa, NULL)) {
		if (force) {
			struct vma *v = vma_find(mm, va);
			int err;
			/* As Linux's check_vma_flags(): a forced write never goes through a
			 * shared mapping that is not writable (only copy-on-write ones). */
			if (!v || (write && (v->flags & VMA_SHARED) && !(v->prot & PROT_WRITE)))
				return NULL;
			uint64_t *pte = pt_entry(gmem(mm), mm->root, PAGE_ALIGN_DOWN(va), true,
						 PTE_W | PTE_U, &err);
			if (!pte || (!(*pte & PTE_P) && populate(mm, v, PAGE_ALIGN_DOWN(va), pte)))
				return NULL;
			/* A forced write never reaches a frame another mapping shares. */
			if (write && !(v->flags & VMA_SHARED) && cow_break(mm, pte, PAGE_ALIGN_DOWN(va), false))
				return NULL;
			pa = (*pte & PTE_ADDR_MASK) | (va & (PAGE_SIZE - 1));
		} else {
			if (fault_locked(mm, va, write, false, false))
				return NULL;
			if (pt_translate(gmem(mm), mm->root, va, access, &pa, NULL))
				return NULL;
		}
	}
	if (pa_out)
		*pa_out = pa;
	return gmem_ptr(gmem(mm), pa, 1);
}

static int copy_user(struct mm *mm, uint64_t va, void *buf, uint64_t len, bool to_user, bool force)
{
	uint8_t *b = buf;
	int r = 0;

	if (va + len < va)
		return -EFAULT;
	pthread_mutex_lock(&mm->lock);
	while (len) {
		uint64_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		uint8_t *p = user_page(mm, va, to_user, force, NULL);
		if (!p) {
			r = -EFAULT;
			break;
		}
		if (to_user)
			memcpy(p, b, chunk);
		else
			memcpy(b, p, chunk);
		va += chunk;
		b += chunk;
		len -= chunk;
	}
	mm_unlock(mm);
	return r;
}

int mm_copy_from_user(struct mm *mm, void *dst, uint64_t va, uint64_t len)
{
	return copy_user(mm, va, dst, len, false, false);
}

int mm_copy_to_user(struct mm *mm, uint64_t va, const void *src, uint64_t len)
{
	return copy_user(mm, va, (void *)src, len, true, false);
}

/* The int3 of a breakpoint at va, or NULL. Preconditions: mm->lock held. */
static struct mm_int3 *int3_of(struct mm *mm, uint64_t va)
{
	for (int i = 0; i < mm->nint3; i++)
		if (mm->int3[i].va == va)
			return &mm->int3[i];
	return NULL;
}

/* Writes one byte of text as a forced write. Preconditions: mm->lock held. */
static int text_byte(struct mm *mm, uint64_t va, uint8_t *byte, bool write)
{
	uint8_t *p = user_page(mm, va, write, true, NULL);

	if (!p)
		return -EFAULT;
	if (write)
		*p = *byte;
	else
		*byte = *p;
	return 0;
}

/* The tracer's view of text: the bytes breakpoints replaced, not their int3s. */
int mm_peek_force(struct mm *mm, void *dst, uint64_t va, uint64_t len)
{
	int r = copy_user(mm, va, dst, len, false, true);

	if (r || !mm->nint3)
		return r;
	pthread_mutex_lock(&mm->lock);
	for (int i = 0; i < mm->nint3; i++)
		if (mm->int3[i].va >= va && mm->int3[i].va - va < len && !mm->int3[i].lifted)
			((uint8_t *)dst)[mm->int3[i].va - va] = mm->int3[i].orig;
	pthread_mutex_unlock(&mm->lock);
	return 0;
}

/* A tracer's write over a breakpoint's byte changes the byte the int3 stands for. */
int mm_poke_force(struct mm *mm, uint64_t va, const void *src, uint64_t len)
{
	int r = copy_user(mm, va, (void *)src, len, true, true);

	if (r || !mm->nint3)
		return r;
	pthread_mutex_lock(&mm->lock);
	for (int i = 0; i < mm->nint3; i++) {
		struct mm_int3 *b = &mm->int3[i];
		if (b->va >= va && b->va - va < len && !b->lifted) {
			uint8_t cc = 0xcc;
			b->orig = ((const uint8_t *)src)[b->va - va];
			text_byte(mm, b->va, &cc, true);
		}
	}
	mm_unlock(mm);
	return 0;
}

int mm_int3(struct mm *mm, uint64_t va, bool add)
{
	int r = 0;

	pthread_mutex_lock(&mm->lock);
	struct mm_int3 *b = int3_of(mm, va);
	if (add && b) {
		b->refs++;
	} else if (add) {
		uint8_t orig, cc = 0xcc;
		if (mm->nint3 == MM_MAX_INT3)
			r = -ENOSPC;
		else if (!(r = text_byte(mm, va, &orig, false)) && !(r = text_byte(mm, va, &cc, true)))
			mm->int3[mm->nint3++] = (struct mm_int3){.va = va, .orig = orig, .refs = 1};
	} else if (b && --b->refs == 0) {
		text_byte(mm, va, &b->orig, true);
		*b = mm->int3[--mm->nint3];
	}
	mm_unlock(mm);
	return r;
}

void mm_int3_lift(struct mm *mm, uint64_t va, bool lift)
{
	pthread_mutex_lock(&mm->lock);
	struct mm_int3 *b = int3_of(mm, va);
	if (b && b->lifted != lift) {
		uint8_t cc = 0xcc;
		text_byte(mm, va, lift ? &b->orig : &cc, true);
		b->lifted = lift;
	}
	mm_unlock(mm);
}

bool mm_int3_at(struct mm *mm, uint64_t va)
{
	pthread_mutex_lock(&mm->lock);
	bool r = int3_of(mm, va) != NULL;
	pthread_mutex_unlock(&mm->lock);
	return r;
}

long mm_strncpy_from_user(struct mm *mm, char *dst, uint64_t va, uint64_t max)
{
	uint64_t n = 0;
	long r = -ENAMETOOLONG;

	pthread_mutex_lock(&mm->lock);
	while (n < max) {
		uint8_t *p = user_page(mm, va + n, false, false, NULL);
		if (!p) {
			r = -EFAULT;
			break;
		}
		uint64_t room = PAGE_SIZE - ((va + n) & (PAGE_SIZE - 1));
		bool done = false;
		for (uint64_t i = 0; i < room && n < max; i++, n++) {
			dst[n] = (char)p[i];
			if (!p[i]) {
				done = true;
				break;
			}
		}
		if (done) {
			r = (long)n;
			break;
		}
	}
	mm_unlock(mm);
	return r;
}

int mm_user_iov(struct mm *mm, uint64_t va, uint64_t len, bool write, struct mm_iov *out)
{
	int r = 0;

	out->niov = out->nframes = 0;
	out->covered = 0;
	out->faulted = false;
	if (va + len < va)
		return -EFAULT;
	pthread_mutex_lock(&mm->lock);
	while (len && out->niov < (int)(sizeof out->iov / sizeof out->iov[0])) {
		uint64_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1)), pa;
		if (chunk > len)
			chunk = len;
		uint8_t *p = user_page(mm, va, write, false, &pa);
		if (!p) {
			r = -EFAULT;
			out->faulted = true;
			break;
		}
		frame_get(gmem(mm), PAGE_ALIGN_DOWN(pa));
		out->frames[out->nframes++] = PAGE_ALIGN_DOWN(pa);
		out->iov[out->niov++] = (struct iovec){p, chunk};
		out->covered += chunk;
		va += chunk;
		len -= chunk;
	}
	mm_unlock(mm);
	if (r && out->covered)
		r = 0; /* a partial transfer up to the bad page, as Linux does */
	return r;
}

void mm_iov_release(struct mm *mm, struct mm_iov *io)
{
	for (int i = 0; i < io->nframes; i++)
		frame_put(gmem(mm), io->frames[i]);
	io->nframes = io->niov = 0;
}

int mm_remap(struct mm *mm, uint64_t old, uint64_t old_len, uint64_t new_len, int flags,
	     uint64_t new_addr, uint64_t *out)
{
	int r = 0;

	if ((old & (PAGE_SIZE - 1)) || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (flags & MREMAP_DONTUNMAP)
		return -EINVAL; /* not supported yet; Linux allows it only for private anon */
	if (!new_len)
		return -EINVAL;
	old_len = PAGE_ALIGN_UP(old_len);
	new_len = PAGE_ALIGN_UP(new_len);
	if (!range_ok(old, old_len ? old_len : PAGE_SIZE))
		return -EFAULT;

	pthread_mutex_lock(&mm->lock);
	struct vma *v = vma_find(mm, old);
	if (!v || old + old_len > v->end || old_len == 0) {
		r = v ? -EINVAL : -EFAULT;
		goto out;
	}
	if (new_len > old_len && vma_charged(v) && overcommit_refused(mm, new_len - old_len)) {
		r = -ENOMEM;
		goto out;
	}
	if (!(flags & MREMAP_FIXED)) {
		if (new_len <= old_len) {
			if (new_len < old_len)
				r = unmap_locked(mm, old + new_len, old + old_len);
			*out = old;
			goto out;
		}
		/* Grow in place when the VMA ends at old+old_len and the room above is free. */
		if (v->end == old + old_len && range_ok(old, new_len) &&
		    is_free(mm, old + old_len, old + new_len)) {
			v->end = old + new_len;
			*out = old;
			r = 0;
			goto out;
		}
		if (!(flags & MREMAP_MAYMOVE)) {
			r = -ENOMEM;
			goto out;
		}
		new_addr = find_free(mm, new_len);
		if (!new_addr) {
			r = -ENOMEM;
			goto out;
		}
	} else {
		if ((new_addr & (PAGE_SIZE - 1)) || !range_ok(new_addr, new_len) ||
		    (new_addr < old + old_len && old < new_addr + new_len)) {
			r = -EINVAL;
			goto out;
		}
		if ((r = unmap_locked(mm, new_addr, new_addr + new_len)))
			goto out;
		v = vma_find(mm, old);
	}
	/* Move: a new VMA at new_addr takes over the frames of [old, old+min(len)). */
	struct vma *n = malloc(sizeof *n);
	if (!n) {
		r = -ENOMEM;
		goto out;
	}
	*n = *v;
	n->start = new_addr;
	n->end = new_addr + new_len;
	n->flags &= ~(VMA_HEAP | VMA_STACK);
	if (v->file_fd >= 0) {
		n->file_fd = fcntl_dupfd_cloexec(v->file_fd);
		n->file_off = v->file_off + (old - v->start);
		if (n->file_fd < 0) {
			r = n->file_fd;
			free(n);
			goto out;
		}
	}
	uint64_t move = old_len < new_len ? old_len : new_len;
	for (uint64_t off = 0; off < move && !r; off += PAGE_SIZE) {
		int err;
		uint64_t *src = pt_entry(gmem(mm), mm->root, old + off, false, 0, &err);
		if (!src || !(*src & PTE_P))
			continue;
		uint64_t *dst = pt_entry(gmem(mm), mm->root, new_addr + off, true, PTE_W | PTE_U, &err);
		if (!dst) {
			r = err ? err : -ENOMEM;
			break;
		}
		*dst = *src;
		frame_get(gmem(mm), *src & PTE_ADDR_MASK);
	}
	vma_insert(mm, n);
	if (!r)
		r = unmap_locked(mm, old, old + old_len);
	if (!r)
		*out = new_addr;
	vma_merge_all(mm);
out:
	mm_unlock(mm);
	return r;
}

int mm_futex_word(struct mm *mm, uint64_t va, bool write, bool private_hint, uint32_t **word,
		  uint64_t *frame, struct futex_key *key)
{
	uint64_t pa;
	int r = 0;

	if (va & 3)
		return -EINVAL;
	pthread_mutex_lock(&mm->lock);
	uint8_t *p = user_page(mm, va, write, false, &pa);
	if (!p) {
		r = -EFAULT;
	} else {
		struct vma *v = vma_find(mm, va);
		*word = (uint32_t *)p;
		*frame = PAGE_ALIGN_DOWN(pa);
		frame_get(gmem(mm), *frame);
		if (!private_hint && v && (v->flags & VMA_SHARED))
			*key = (struct futex_key){NULL, pa, 0};
		else
			*key = (struct futex_key){mm, va, !private_hint};
	}
	mm_unlock(mm);
	return r;
}

void mm_write_maps(struct mm *mm, FILE *f)
{
	pthread_mutex_lock(&mm->lock);
	unsigned special = 0;
	for (struct vma *v = mm->vmas; v; v = v->next) {
		unsigned long long dev_major = 0, dev_minor = 0, ino = 0;
		char name[4200] = "";
		if (v->flags & VMA_SHMEM) {
			struct stat st;
			if (fstat(v->file_fd, &st) == 0) {
				dev_major = major(st.st_dev);
				dev_minor = minor(st.st_dev);
				ino = (unsigned long long)st.st_ino;
			}
			strcpy(name, "/dev/zero (deleted)"); /* as Linux names shmem_zero_setup's file */
		} else if (v->file_fd >= 0) {
			struct stat st;
			char link[64];
			if (fstat(v->file_fd, &st) == 0) {
				dev_major = major(st.st_dev);
				dev_minor = minor(st.st_dev);
				ino = (unsigned long long)st.st_ino;
			}
			snprintf(link, sizeof link, "/proc/self/fd/%d", v->file_fd);
			ssize_t n = readlink(link, name, sizeof name - 1);
			name[n > 0 ? n : 0] = 0;
		} else if (v->flags & VMA_HEAP) {
			strcpy(name, "[heap]");
		} else if (v->flags & VMA_SPECIAL) {
			/* The vDSO's time page comes first, then its image (kernel/exec.c). */
			strcpy(name, special++ == 0 ? "[vvar]" : "[vdso]");
		} else if ((v->flags & VMA_GROWSDOWN) && v->end == mm->stack_top) {
			strcpy(name, "[stack]");
		}
		/* As Linux's show_map_vma(): the header, then the name padded to column 73. */
		int n = fprintf(f, "%08llx-%08llx %c%c%c%c %08llx %02llx:%02llx %llu ",
				(unsigned long long)v->start, (unsigned long long)v->end,
				(v->prot & PROT_READ) ? 'r' : '-', (v->prot & PROT_WRITE) ? 'w' : '-',
				(v->prot & PROT_EXEC) ? 'x' : '-', (v->flags & VMA_SHARED) ? 's' : 'p',
				(unsigned long long)(v->file_fd >= 0 ? v->file_off : 0), dev_major, dev_minor,
				ino);
		if (name[0])
			fprintf(f, "%*s%s", n < 73 ? 73 - n : 0, "", name);
		fputc('\n', f);
	}
	pthread_mutex_unlock(&mm->lock);
}

struct fork_ctx {
	struct mm *parent, *child;
	bool share; /* the area is MAP_SHARED or special: both map the same frame */
	int err;
};

static int fork_leaf(void *arg, uint64_t va, uint64_t *pte)
{
	struct fork_ctx *f = arg;
	int err;

	if (!(*pte & PTE_P))
		return 0;
	uint64_t *cp = pt_entry(gmem(f->child), f->child->root, va, true, PTE_W | PTE_U, &err);
	if (!cp) {
		f->err = err ? err : -ENOMEM;
		return f->err;
	}
	frame_get(gmem(f->parent), *pte & PTE_ADDR_MASK);
	if (!f->share && (*pte & PTE_W)) {
		/* Both sides read-only now; the first write of either copies. */
		*pte &= ~PTE_W;
		if ((f->err = pte_changed(f->parent, pte, va)))
			return f->err;
	}
	*cp = *pte;
	return 0;
}

int mm_fork(struct mm *parent, struct mm **out)
{
	struct mm *mm;
	int r;

	if ((r = mm_create(parent->vm, parent->pcache, &mm)))
		return r;
	pthread_mutex_lock(&parent->lock);
	mm->brk_start = parent->brk_start;
	mm->brk = parent->brk;
	mm->mmap_base = parent->mmap_base;
	mm->stack_top = parent->stack_top;
	/* As Linux's dup_mm: the child's /proc cmdline, environ and auxv are the parent's. */
	mm->arg_start = parent->arg_start;
	mm->arg_end = parent->arg_end;
	mm->env_start = parent->env_start;
	mm->env_end = parent->env_end;
	mm->auxv_start = parent->auxv_start;
	mm->auxv_len = parent->auxv_len;
	struct vma **tail = &mm->vmas;
	for (struct vma *v = parent->vmas; v && !r; v = v->next) {
		struct vma *n = malloc(sizeof *n);
		if (!n) {
			r = -ENOMEM;
			break;
		}
		*n = *v;
		n->next = NULL;
		if (v->file_fd >= 0 && (n->file_fd = fcntl_dupfd_cloexec(v->file_fd)) < 0) {
			r = n->file_fd;
			free(n);
			break;
		}
		*tail = n;
		tail = &n->next;
		struct fork_ctx f = {parent, mm, (v->flags & (VMA_SHARED | VMA_SPECIAL)) != 0, 0};
		pt_walk_range(gmem(mm), parent->root, v->start, v->end, fork_leaf, &f);
		r = f.err;
	}
	/* The child shares the text frames that hold a tracer's int3s: it gets the
	 * original bytes back (breakpoints are not inherited, as Linux's). */
	struct mm_int3 bps[MM_MAX_INT3];
	int nbps = parent->nint3;
	memcpy(bps, parent->int3, sizeof bps);
	mm_unlock(parent);
	for (int i = 0; i < nbps && !r; i++)
		if (!bps[i].lifted)
			r = mm_poke_force(mm, bps[i].va, &bps[i].orig, 1);
	if (r) {
		mm_destroy(mm, NULL);
		return r;
	}
	*out = mm;
	return 0;
}

/* Re-applies the entry of page after its watch changed. Preconditions: mm->lock held. */
static void watch_refresh(struct mm *mm, uint64_t page)
{
	struct vma *v = vma_find(mm, page);
	int err;
	uint64_t *pte = v ? pt_entry(gmem(mm), mm->root, page, false, 0, &err) : NULL;

	if (!pte || !(*pte & PTE_P))
		return; /* populated later, through fault_locked */
	uint64_t want = entry_as_vma_says(mm, v, page, *pte);
	if (want != *pte) {
		*pte = want;
		pte_changed(mm, pte, page);
	}
}

int mm_watch(struct mm *mm, uint64_t page, enum mm_watch_mode mode, bool add)
{
	int r = 0;

	page = PAGE_ALIGN_DOWN(page);
	pthread_mutex_lock(&mm->lock);
	struct mm_watch *w = watch_of(mm, page);
	if (!w && add) {
		if (mm->nwatch == MM_MAX_WATCH) {
			r = -ENOSPC;
			goto out;
		}
		w = &mm->watch[mm->nwatch++];
		*w = (struct mm_watch){.page = page};
	}
	if (!w)
		goto out;
	int *count = mode == MM_WATCH_ACCESS ? &w->accesses : mode == MM_WATCH_EXEC ? &w->execs : &w->writes;
	*count += add ? 1 : (*count > 0 ? -1 : 0);
	if (!w->writes && !w->accesses && !w->execs)
		*w = mm->watch[--mm->nwatch]; /* (the slot's page is refreshed below) */
	watch_refresh(mm, page);
out:
	mm_unlock(mm);
	return r;
}

void mm_watch_suspend(struct mm *mm, uint64_t page, bool suspended)
{
	pthread_mutex_lock(&mm->lock);
	struct mm_watch *w = watch_of(mm, page);
	if (w) {
		w->suspended = suspended;
		watch_refresh(mm, PAGE_ALIGN_DOWN(page));
	}
	mm_unlock(mm);
}
