/* Shared file pages: the one frame behind each page of a regular file that some process
 * maps MAP_SHARED, so that every process of the guest mapping the file sees the same
 * memory (Linux's page cache, for shared mappings only).
 *
 * The host file stays the truth for everything else. Pages are written back to it on
 * msync and fsync, before a guest read or write of the file goes to the host (so the
 * syscall sees what the mappings hold), and when the last mapping of a page goes; a
 * guest write reloads the cached pages it covered. A page lives here only while some
 * address space maps it. */
#ifndef HV_KERNEL_PAGE_CACHE_H
#define HV_KERNEL_PAGE_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct guest_mem;
struct page_cache;

int pcache_create(struct guest_mem *gm, struct page_cache **out);
/* Writes every page back and frees the cache (after the last address space). */
void pcache_destroy(struct page_cache *pc);

/* The frame of page pgoff of the file (dev, ino), read from fd when it is not cached
 * yet, with one more reference for the caller's mapping. writable: the mapping may
 * write it; fd is then open for writing and is used for write-back. 0 or -errno. */
int pcache_get(struct page_cache *pc, int fd, dev_t dev, ino_t ino, uint64_t pgoff,
	       bool writable, uint64_t *frame);
/* Copies the cached page pgoff of the file to dst if it is cached (a private mapping
 * reads what shared mappings wrote). */
bool pcache_peek(struct page_cache *pc, dev_t dev, ino_t ino, uint64_t pgoff, void *dst);
/* Writes the cached pages of the file that overlap [off, off+len) back (len 0: all). */
void pcache_writeback(struct page_cache *pc, dev_t dev, ino_t ino, uint64_t off, uint64_t len);
/* Drops the pages no mapping uses any more, writing them back first. Call after
 * address spaces released frames. */
void pcache_trim(struct page_cache *pc);

/* Hooks for file I/O on a host fd. Cheap when nothing is cached. */
bool pcache_active(struct page_cache *pc);
/* Before the host reads or writes the file: the mappings' contents reach the file. */
void pcache_before_io(struct page_cache *pc, int host_fd);
/* After a write of [off, off+len) (off < 0: unknown, all pages) reached the file. */
void pcache_after_write(struct page_cache *pc, int host_fd, int64_t off, uint64_t len);

#endif
