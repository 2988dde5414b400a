#include "vmm/guest_mem.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/x86_64/pte.h"

int gmem_init(struct guest_mem *gm, uint64_t size)
{
	memset(gm, 0, sizeof *gm);
	pthread_mutex_init(&gm->lock, NULL);
	if (size < 16 * PAGE_SIZE || size % PAGE_SIZE || size > (1ull << 39))
		return -EINVAL;
	/* Sparse: host memory is committed only for frames the guest touches. A canary
	 * page on each side (gmem_canaries_intact): host code that strays past either end
	 * of guest RAM while serving the guest hits one, and hvtrace says so at the end. */
	uint8_t *p = mmap(NULL, size + 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	memset(p, GMEM_CANARY, PAGE_SIZE);
	memset(p + PAGE_SIZE + size, GMEM_CANARY, PAGE_SIZE);
	gm->host = p + PAGE_SIZE;
	gm->size = size;
	gm->nframes = size / PAGE_SIZE;
	gm->refcount = calloc(gm->nframes, sizeof *gm->refcount);
	gm->free_stack = malloc(gm->nframes * sizeof *gm->free_stack);
	if (!gm->refcount || !gm->free_stack) {
		gmem_destroy(gm);
		return -ENOMEM;
	}
	/* Frame 0 stays unused so that a zero physical address is never valid data. */
	gm->refcount[0] = 1;
	gm->next_fresh = 1;
	gm->used = 1;
	return 0;
}

bool gmem_canaries_intact(const struct guest_mem *gm)
{
	const uint8_t *sides[2] = {gm->host - PAGE_SIZE, gm->host + gm->size};

	for (int i = 0; i < 2; i++)
		for (uint64_t j = 0; j < PAGE_SIZE; j++)
			if (sides[i][j] != GMEM_CANARY)
				return false;
	return true;
}

void gmem_destroy(struct guest_mem *gm)
{
	if (gm->host)
		munmap(gm->host - PAGE_SIZE, gm->size + 2 * PAGE_SIZE);
	free(gm->refcount);
	free(gm->free_stack);
	pthread_mutex_destroy(&gm->lock);
	memset(gm, 0, sizeof *gm);
}

/* Preconditions: gm->lock held. Takes a frame from the first source that has one. */
static bool take(struct guest_mem *gm, uint64_t *f, bool *dirty)
{
	*dirty = true;
	if (gm->free_top) {
		*f = gm->free_stack[--gm->free_top];
	} else if (gm->next_fresh < gm->nframes) {
		*f = gm->next_fresh++;
		*dirty = false;
	} else {
		return false;
	}
	return true;
}

static int alloc(struct guest_mem *gm, uint64_t *gpa)
{
	uint64_t f;
	bool dirty;

	pthread_mutex_lock(&gm->lock);
	if (!take(gm, &f, &dirty)) {
		pthread_mutex_unlock(&gm->lock);
		return -ENOMEM;
	}
	gm->refcount[f] = 1;
	gm->used++;
	pthread_mutex_unlock(&gm->lock);
	if (dirty)
		memset(gm->host + f * PAGE_SIZE, 0, PAGE_SIZE);
	*gpa = f * PAGE_SIZE;
	return 0;
}

int frame_alloc(struct guest_mem *gm, uint64_t *gpa)
{
	return alloc(gm, gpa);
}

void frame_get(struct guest_mem *gm, uint64_t gpa)
{
	pthread_mutex_lock(&gm->lock);
	gm->refcount[gpa / PAGE_SIZE]++;
	pthread_mutex_unlock(&gm->lock);
}

void frame_put(struct guest_mem *gm, uint64_t gpa)
{
	uint64_t f = gpa / PAGE_SIZE;

	pthread_mutex_lock(&gm->lock);
	if (f > 0 && f < gm->nframes && gm->refcount[f] > 0 && --gm->refcount[f] == 0) {
		gm->free_stack[gm->free_top++] = (uint32_t)f;
		gm->used--;
	}
	pthread_mutex_unlock(&gm->lock);
}

uint32_t frame_refcount(struct guest_mem *gm, uint64_t gpa)
{
	uint32_t r;

	pthread_mutex_lock(&gm->lock);
	r = gm->refcount[gpa / PAGE_SIZE];
	pthread_mutex_unlock(&gm->lock);
	return r;
}

uint64_t frames_used(struct guest_mem *gm)
{
	uint64_t u;

	pthread_mutex_lock(&gm->lock);
	u = gm->used;
	pthread_mutex_unlock(&gm->lock);
	return u;
}

int parse_mem_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	/* strtoull would skip blanks and accept signs ("-1" wraps to 2^64-1): digits only. */
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	unsigned shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case '\0': break;
	default: return -EINVAL;
	}
	if (*end == 'i' && shift)
		end++;
	if (*end == 'B' && shift)
		end++;
	if (*end || v > (~0ull >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}
