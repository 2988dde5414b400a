/* Address spaces: the virtual memory areas of a process and the page tables behind them.
 * Pages are populated on demand from the #PF path (or by user-memory copies), and every
 * change to a present entry is handed to the vCPUs using the address space (design
 * decision 3). */
#ifndef HV_KERNEL_MM_H
#define HV_KERNEL_MM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/uio.h>

struct hv_vm;
struct page_cache;
struct vcpu;

#define VMA_SHARED 1u
#define VMA_GROWSDOWN 2u
#define VMA_STACK 4u
#define VMA_HEAP 8u
#define VMA_SPECIAL 16u /* fixed frames shared by every process (vDSO, its time page) */
#define VMA_MAYWRITE 32u /* a shared file area whose fd allows writing (mprotect may add it) */
#define VMA_SHMEM 64u /* shared anonymous memory: file_fd is its own memfd */
#define VMA_NORESERVE 128u /* MAP_NORESERVE: never charged against guest RAM (mm_map) */

struct vma {
	uint64_t start, end; /* page aligned, [start, end) */
	int prot;            /* PROT_* */
	unsigned flags;      /* VMA_* */
	int file_fd;         /* host fd of a file mapping (owned), -1 for anonymous */
	uint64_t file_off;   /* file offset of start */
	dev_t file_dev;      /* the file's identity, for shared pages (kernel/page_cache.h) */
	ino_t file_ino;
	struct vma *next;    /* sorted by start */
};

#define MM_MAX_VCPUS 1024 /* KVM_CAP_MAX_VCPUS here; past it, clone is EAGAIN */
#define MM_MAX_WATCH 8
#define MM_MAX_INT3 16

/* An int3 a tracer's execute breakpoint put into the text (ptrace/hwbp.c). */
struct mm_int3 {
	uint64_t va;
	uint8_t orig; /* the byte the tracer sees (PEEKTEXT) */
	int refs;     /* breakpoints at va (of the threads sharing the address space) */
	bool lifted;  /* the original byte is back for one step */
};

/* A page a tracer's watchpoint covers (ptrace/hwbp.c): user accesses of the watched
 * kind fault into mm_fault's MM_FAULT_WATCH while it is not suspended. An execute
 * watch (a debug register's execute breakpoint) makes the page non-executable for the
 * guest, so that its text stays as it is for every read. */
enum mm_watch_mode { MM_WATCH_WRITE = 1, MM_WATCH_ACCESS = 2, MM_WATCH_EXEC = 3 };
struct mm_watch {
	uint64_t page;
	int writes, accesses, execs; /* watchpoints of each kind on the page */
	bool suspended;       /* one instruction is let through (a step is under way) */
};

struct mm {
	struct hv_vm *vm;
	struct page_cache *pcache; /* the guest's shared file pages (not owned) */
	uint64_t root; /* PML4 */
	_Atomic int users; /* processes using it (CLONE_VM shares it) */

	pthread_mutex_t lock; /* protects every field below and the user half of the tables */
	struct vma *vmas;
	uint64_t brk_start, brk;
	uint64_t mmap_base; /* top-down mmap search starts below this */
	uint64_t stack_top;
	uint64_t arg_start, arg_end, env_start, env_end; /* set by exec, for /proc */
	uint64_t auxv_start, auxv_len; /* the auxiliary vector on the initial stack */
	struct vcpu *vcpus[MM_MAX_VCPUS]; /* vCPUs running on this address space */
	int nvcpus;
	/* Set while an operation holds the lock and changed present entries: before it
	 * returns, the other vCPUs must leave the guest once (vcpu_shootdown), and only then
	 * may the frames it dropped (put_later) be freed: until then a running vCPU could
	 * still reach them through a stale translation. */
	struct mm_watch watch[MM_MAX_WATCH];
	int nwatch;
	struct mm_int3 int3[MM_MAX_INT3];
	int nint3;
	bool need_shootdown;
	bool pcache_dropped; /* the operation unmapped shared file pages: trim the cache */
	uint64_t *put_later;
	uint64_t nput_later, put_later_cap;
};

int mm_create(struct hv_vm *vm, struct page_cache *pcache, struct mm **out);
/* fork(2): a copy of parent that shares every frame copy-on-write (MAP_SHARED areas
 * stay shared). */
int mm_fork(struct mm *parent, struct mm **out);
/* CLONE_VM: one more user; mm_put drops one and destroys the address space with the
 * last (scrubber as for mm_destroy). */
void mm_get(struct mm *mm);
void mm_put(struct mm *mm, struct vcpu *scrubber);
/* Frees the address space. scrubber: a vCPU the guest agent may run on to clear the
 * hypervisor's view of the tables (see vm_release_address_space), or NULL. */
void mm_destroy(struct mm *mm, struct vcpu *scrubber);
int mm_attach_vcpu(struct mm *mm, struct vcpu *c);
void mm_detach_vcpu(struct mm *mm, struct vcpu *c);

/* mmap(2) on the host side: flags are MAP_*; host_fd is borrowed (dup'd when kept).
 * Returns 0 and *out, or a negative errno. */
int mm_map(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags, int host_fd,
	   uint64_t off, uint64_t *out);
int mm_unmap(struct mm *mm, uint64_t addr, uint64_t len);
/* Maps n given frames (each referenced once more) read-only at a free place, each page
 * its own VMA_SPECIAL area with prots[i]; *out is the first page. */
int mm_map_special(struct mm *mm, const uint64_t *frames, const int *prots, unsigned n, uint64_t *out);
int mm_protect(struct mm *mm, uint64_t addr, uint64_t len, int prot);
/* brk(2): returns the new (or unchanged) break. */
uint64_t mm_brk(struct mm *mm, uint64_t newbrk);
int mm_remap(struct mm *mm, uint64_t old, uint64_t old_len, uint64_t new_len, int flags,
	     uint64_t new_addr, uint64_t *out);
/* msync(2): MAP_SHARED file pages in [addr, addr+len) reach the file. */
int mm_sync(struct mm *mm, uint64_t addr, uint64_t len, int flags);
/* MADV_DONTNEED: private pages read back as zero (or file contents) afterwards. */
int mm_discard(struct mm *mm, uint64_t addr, uint64_t len);

/* Writes /proc/PID/maps of the address space to f (Linux's format). */
void mm_write_maps(struct mm *mm, FILE *f);

/* Resolves a user-mode #PF. 0: resolved, retry the instruction; -EFAULT: no mapping
 * (SEGV_MAPERR); -EACCES: mapping forbids the access (SEGV_ACCERR); -ENOMEM;
 * MM_FAULT_WATCH: the access hit a watched page (nothing changed). */
#define MM_FAULT_WATCH 1
int mm_fault(struct mm *mm, uint64_t va, uint32_t pf_error);
/* Adds (add) or drops one watchpoint of mode on page. 0, -ENOSPC. */
int mm_watch(struct mm *mm, uint64_t page, enum mm_watch_mode mode, bool add);
/* Lets accesses to a watched page through (for one instruction) or not. */
void mm_watch_suspend(struct mm *mm, uint64_t page, bool suspended);
/* Adds or drops one execute breakpoint's int3 at va. 0, -ENOSPC, -EFAULT. */
int mm_int3(struct mm *mm, uint64_t va, bool add);
/* Puts the original byte back at va for one step (lift) or the int3 again. */
void mm_int3_lift(struct mm *mm, uint64_t va, bool lift);
/* Is there an int3 of a breakpoint at va? */
bool mm_int3_at(struct mm *mm, uint64_t va);

/* Copies to and from user memory as the user could access it; -EFAULT otherwise. */
int mm_copy_from_user(struct mm *mm, void *dst, uint64_t va, uint64_t len);
int mm_copy_to_user(struct mm *mm, uint64_t va, const void *src, uint64_t len);
/* Copies a NUL-terminated string of at most max bytes (NUL included). Returns its
 * length, -EFAULT, or -ENAMETOOLONG. */
long mm_strncpy_from_user(struct mm *mm, char *dst, uint64_t va, uint64_t max);
/* Writes into user memory regardless of protection (the ELF loader, the initial stack). */
int mm_poke_force(struct mm *mm, uint64_t va, const void *src, uint64_t len);
/* Reads user memory regardless of protection (ptrace's PEEKDATA, FOLL_FORCE). */
int mm_peek_force(struct mm *mm, void *dst, uint64_t va, uint64_t len);

/* Host iovecs covering [va, va+len) of user memory, faulting pages in. Each frame
 * is referenced until mm_iov_release, so that a concurrent munmap cannot hand it to
 * someone else during host I/O. Fills at most max entries; *covered says how many
 * bytes they cover (short when max is reached). */
struct mm_iov {
	struct iovec iov[64];
	uint64_t frames[64];
	int niov, nframes;
	uint64_t covered;
	bool faulted; /* it stopped short at a page the task may not access */
};
int mm_user_iov(struct mm *mm, uint64_t va, uint64_t len, bool write, struct mm_iov *out);
void mm_iov_release(struct mm *mm, struct mm_iov *io);

/* A 32-bit user word for futexes: its host pointer (frame referenced: release with
 * frame_put on *frame) and its key: the frame's address for MAP_SHARED areas (shared
 * between processes), else the address space and the VA (as Linux's get_futex_key).
 * write: the word must be writable (COW broken). 0, -EFAULT or -EINVAL (misaligned). */
struct futex_key {
	const void *mm; /* NULL for a shared key */
	uint64_t addr;  /* VA, or guest-physical address when mm is NULL */
	int mm_shared;  /* a non-PRIVATE op on private memory: as Linux's FUT_OFF_MMSHARED,
			 * it never matches a FUTEX_PRIVATE_FLAG op on the same word */
};
int mm_futex_word(struct mm *mm, uint64_t va, bool write, bool private_hint, uint32_t **word,
		  uint64_t *frame, struct futex_key *key);

#endif
