/* Shared file pages (see page_cache.h). Files are few: a list. Their pages can be many
 * (a shared anonymous area of 64 MiB is 16k pages): a hash table per file. */
#include "kernel/page_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/x86_64/pte.h"
#include "vmm/guest_mem.h"
#include "vmm/log.h"

struct pc_page {
	uint64_t pgoff, frame; /* the cache holds one reference to frame */
	struct pc_page *next;
};

struct pc_file {
	dev_t dev;
	ino_t ino;
	int rfd; /* for reading pages in (owned) */
	int wfd; /* for write-back, once a writable mapping used the file (owned), or -1 */
	struct pc_page **buckets; /* by pgoff; nbuckets is a power of two */
	unsigned long nbuckets, npages;
	struct pc_file *next;
};

struct page_cache {
	struct guest_mem *gm;
	pthread_mutex_t lock; /* protects files and every list below it */
	struct pc_file *files;
	_Atomic unsigned long npages; /* read without the lock by pcache_active */
};

int pcache_create(struct guest_mem *gm, struct page_cache **out)
{
	struct page_cache *pc = calloc(1, sizeof *pc);

	if (!pc)
		return -ENOMEM;
	pc->gm = gm;
	pthread_mutex_init(&pc->lock, NULL);
	*out = pc;
	return 0;
}

static void read_page(struct page_cache *pc, int fd, uint64_t pgoff, uint64_t frame)
{
	uint8_t *dst = gmem_ptr(pc->gm, frame, PAGE_SIZE);
	uint64_t got = 0;

	while (got < PAGE_SIZE) {
		ssize_t n = pread(fd, dst + got, PAGE_SIZE - got, (off_t)(pgoff * PAGE_SIZE + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (uint64_t)n;
	}
	memset(dst + got, 0, PAGE_SIZE - got); /* past EOF reads as zero, as Linux */
}

/* Never extends the file: the part of a page past EOF is not file data.
 * Preconditions: pc->lock held; f->wfd >= 0. */
static void write_page(struct page_cache *pc, struct pc_file *f, struct pc_page *pg, off_t size)
{
	off_t off = (off_t)(pg->pgoff * PAGE_SIZE);

	if (off >= size)
		return;
	size_t len = size - off < (off_t)PAGE_SIZE ? (size_t)(size - off) : PAGE_SIZE;
	const uint8_t *src = gmem_ptr(pc->gm, pg->frame, PAGE_SIZE);
	size_t done = 0;
	while (done < len) {
		ssize_t n = pwrite(f->wfd, src + done, len - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			hv_info("page cache: write-back of a shared page failed: %s",
				n < 0 ? strerror(errno) : "short write");
			return;
		}
		done += (size_t)n;
	}
}

static off_t file_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_size;
}

/* Preconditions: pc->lock held. */
static struct pc_file *find_file(struct page_cache *pc, dev_t dev, ino_t ino)
{
	for (struct pc_file *f = pc->files; f; f = f->next)
		if (f->dev == dev && f->ino == ino)
			return f;
	return NULL;
}

static struct pc_page **bucket(struct pc_file *f, uint64_t pgoff)
{
	return &f->buckets[(pgoff * 0x9e3779b97f4a7c15ull >> 20) & (f->nbuckets - 1)];
}

static struct pc_page *find_page(struct pc_file *f, uint64_t pgoff)
{
	if (!f->nbuckets)
		return NULL;
	for (struct pc_page *p = *bucket(f, pgoff); p; p = p->next)
		if (p->pgoff == pgoff)
			return p;
	return NULL;
}

/* Keeps chains short: doubles the table when pages outnumber buckets. */
static int add_page(struct pc_file *f, struct pc_page *pg)
{
	if (f->npages >= f->nbuckets) {
		unsigned long n = f->nbuckets ? 2 * f->nbuckets : 64;
		struct pc_page **nb = calloc(n, sizeof *nb), **old = f->buckets;
		unsigned long oldn = f->nbuckets;
		if (!nb)
			return -ENOMEM;
		f->buckets = nb;
		f->nbuckets = n;
		for (unsigned long i = 0; i < oldn; i++)
			for (struct pc_page *p = old[i], *next; p; p = next) {
				next = p->next;
				struct pc_page **b = bucket(f, p->pgoff);
				p->next = *b;
				*b = p;
			}
		free(old);
	}
	struct pc_page **b = bucket(f, pg->pgoff);
	pg->next = *b;
	*b = pg;
	f->npages++;
	return 0;
}

#define FOR_EACH_PAGE(f, pg)                                          \
	for (unsigned long i_ = 0; i_ < (f)->nbuckets; i_++)          \
		for (struct pc_page *pg = (f)->buckets[i_]; pg; pg = pg->next)

static int dup_cloexec(int fd)
{
	int n = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	return n < 0 ? -errno : n;
}

int pcache_get(struct page_cache *pc, int fd, dev_t dev, ino_t ino, uint64_t pgoff,
	       bool writable, uint64_t *frame)
{
	int r = 0;

	pthread_mutex_lock(&pc->lock);
	struct pc_file *f = find_file(pc, dev, ino);
	if (!f) {
		if (!(f = calloc(1, sizeof *f))) {
			r = -ENOMEM;
			goto out;
		}
		f->dev = dev;
		f->ino = ino;
		f->wfd = -1;
		if ((f->rfd = dup_cloexec(fd)) < 0) {
			r = f->rfd;
			free(f);
			goto out;
		}
		f->next = pc->files;
		pc->files = f;
	}
	if (writable && f->wfd < 0 && (f->wfd = dup_cloexec(fd)) < 0) {
		r = f->wfd;
		f->wfd = -1;
		goto out;
	}
	struct pc_page *pg = find_page(f, pgoff);
	if (!pg) {
		if (!(pg = calloc(1, sizeof *pg))) {
			r = -ENOMEM;
			goto out;
		}
		if ((r = frame_alloc(pc->gm, &pg->frame))) {
			free(pg);
			goto out;
		}
		pg->pgoff = pgoff;
		if ((r = add_page(f, pg))) {
			frame_put(pc->gm, pg->frame);
			free(pg);
			goto out;
		}
		read_page(pc, f->rfd, pgoff, pg->frame);
		atomic_fetch_add(&pc->npages, 1);
	}
	frame_get(pc->gm, pg->frame);
	*frame = pg->frame;
out:
	pthread_mutex_unlock(&pc->lock);
	return r;
}

bool pcache_peek(struct page_cache *pc, dev_t dev, ino_t ino, uint64_t pgoff, void *dst)
{
	bool found = false;

	if (!pcache_active(pc))
		return false;
	pthread_mutex_lock(&pc->lock);
	struct pc_file *f = find_file(pc, dev, ino);
	struct pc_page *pg = f ? find_page(f, pgoff) : NULL;
	if (pg) {
		memcpy(dst, gmem_ptr(pc->gm, pg->frame, PAGE_SIZE), PAGE_SIZE);
		found = true;
	}
	pthread_mutex_unlock(&pc->lock);
	return found;
}

static bool overlaps(const struct pc_page *pg, uint64_t off, uint64_t len)
{
	uint64_t lo = pg->pgoff * PAGE_SIZE;

	return !len || (lo < off + len && off < lo + PAGE_SIZE);
}

/* Preconditions: pc->lock held. */
static void writeback_locked(struct page_cache *pc, struct pc_file *f, uint64_t off, uint64_t len)
{
	if (f->wfd < 0)
		return; /* no writable mapping ever used it: nothing can differ */
	off_t size = file_size(f->wfd);
	FOR_EACH_PAGE(f, pg)
		if (overlaps(pg, off, len))
			write_page(pc, f, pg, size);
}

void pcache_writeback(struct page_cache *pc, dev_t dev, ino_t ino, uint64_t off, uint64_t len)
{
	pthread_mutex_lock(&pc->lock);
	struct pc_file *f = find_file(pc, dev, ino);
	if (f)
		writeback_locked(pc, f, off, len);
	pthread_mutex_unlock(&pc->lock);
}

static void file_free(struct pc_file *f)
{
	close(f->rfd);
	if (f->wfd >= 0)
		close(f->wfd);
	free(f->buckets);
	free(f);
}

void pcache_trim(struct page_cache *pc)
{
	if (!pcache_active(pc))
		return;
	pthread_mutex_lock(&pc->lock);
	for (struct pc_file **fp = &pc->files; *fp;) {
		struct pc_file *f = *fp;
		off_t size = f->wfd >= 0 ? file_size(f->wfd) : 0;
		for (unsigned long i = 0; i < f->nbuckets; i++) {
			for (struct pc_page **pp = &f->buckets[i]; *pp;) {
				struct pc_page *pg = *pp;
				/* Only the cache's own reference left: no mapping can change it. */
				if (frame_refcount(pc->gm, pg->frame) > 1) {
					pp = &pg->next;
					continue;
				}
				if (f->wfd >= 0)
					write_page(pc, f, pg, size);
				*pp = pg->next;
				frame_put(pc->gm, pg->frame);
				free(pg);
				f->npages--;
				atomic_fetch_sub(&pc->npages, 1);
			}
		}
		if (f->npages) {
			fp = &f->next;
			continue;
		}
		*fp = f->next;
		file_free(f);
	}
	pthread_mutex_unlock(&pc->lock);
}

void pcache_destroy(struct page_cache *pc)
{
	if (!pc)
		return;
	pthread_mutex_lock(&pc->lock);
	while (pc->files) {
		struct pc_file *f = pc->files;
		pc->files = f->next;
		writeback_locked(pc, f, 0, 0);
		for (unsigned long i = 0; i < f->nbuckets; i++)
			for (struct pc_page *pg = f->buckets[i], *next; pg; pg = next) {
				next = pg->next;
				frame_put(pc->gm, pg->frame);
				free(pg);
			}
		file_free(f);
	}
	pthread_mutex_unlock(&pc->lock);
	pthread_mutex_destroy(&pc->lock);
	free(pc);
}

bool pcache_active(struct page_cache *pc)
{
	return pc && atomic_load(&pc->npages) > 0;
}

/* The cached file behind a host fd. Preconditions: pc->lock held. */
static struct pc_file *file_of_fd(struct page_cache *pc, int host_fd)
{
	struct stat st;

	if (fstat(host_fd, &st) || !S_ISREG(st.st_mode))
		return NULL;
	return find_file(pc, st.st_dev, st.st_ino);
}

void pcache_before_io(struct page_cache *pc, int host_fd)
{
	if (!pcache_active(pc))
		return;
	pthread_mutex_lock(&pc->lock);
	struct pc_file *f = file_of_fd(pc, host_fd);
	if (f)
		writeback_locked(pc, f, 0, 0);
	pthread_mutex_unlock(&pc->lock);
}

void pcache_after_write(struct page_cache *pc, int host_fd, int64_t off, uint64_t len)
{
	if (!pcache_active(pc))
		return;
	pthread_mutex_lock(&pc->lock);
	struct pc_file *f = file_of_fd(pc, host_fd);
	if (f)
		FOR_EACH_PAGE(f, pg)
			if (off < 0 || overlaps(pg, (uint64_t)off, len ? len : 1))
				read_page(pc, f->rfd, pg->pgoff, pg->frame);
	pthread_mutex_unlock(&pc->lock);
}
