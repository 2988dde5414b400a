/* Guest-physical memory: one sparse host mapping of the whole guest RAM, and the frame
 * allocator every address space, page table and agent page is taken from. */
#ifndef HV_VMM_GUEST_MEM_H
#define HV_VMM_GUEST_MEM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_mem {
	uint8_t *host;     /* host address of guest-physical 0 */
	uint64_t size;     /* bytes of guest RAM, a multiple of the page size */
	uint64_t nframes;

	pthread_mutex_t lock; /* protects everything below */
	uint32_t *refcount;   /* per frame; 0 = free */
	uint32_t *free_stack; /* freed frames (contents dirty) */
	uint64_t free_top;
	uint64_t next_fresh; /* frames at and above this were never handed out: still zero */
	uint64_t used;       /* frames with refcount > 0 */
};

#define GMEM_CANARY 0xa5

int gmem_init(struct guest_mem *gm, uint64_t size);
/* The pages just below and above guest RAM in the host still hold GMEM_CANARY: no host
 * access meant for the guest went past its RAM. */
bool gmem_canaries_intact(const struct guest_mem *gm);
void gmem_destroy(struct guest_mem *gm);

/* Host pointer to [gpa, gpa+len) or NULL when any byte lies outside guest RAM. */
static inline void *gmem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	if (gpa >= gm->size || len > gm->size - gpa)
		return NULL;
	return gm->host + gpa;
}

/* A zeroed frame with refcount 1, or -ENOMEM when guest RAM is exhausted. */
int frame_alloc(struct guest_mem *gm, uint64_t *gpa);
void frame_get(struct guest_mem *gm, uint64_t gpa);
/* Drops one reference; the frame is free again when the last one goes. */
void frame_put(struct guest_mem *gm, uint64_t gpa);
uint32_t frame_refcount(struct guest_mem *gm, uint64_t gpa);
uint64_t frames_used(struct guest_mem *gm);

/* Parses "512M", "2G", "65536K" or a byte count; 0 on success, -EINVAL otherwise. */
int parse_mem_size(const char *s, uint64_t *out);

#endif
