/* One KVM virtual machine: the /dev/kvm handles, guest RAM, the kernel half shared by
 * every address space (physmap + agent), and the platform description. */
#ifndef HV_VMM_VM_H
#define HV_VMM_VM_H

#include <pthread.h>
#include <stdint.h>

#include "vmm/guest_mem.h"
#include "vmm/platform.h"
#include "vmm/timekeeper.h"

struct vcpu;

struct hv_vm {
	int kvm_fd;
	int vm_fd;
	int vcpu_mmap_size;
	struct guest_mem mem;
	struct platform platform;

	uint64_t idt_gpa;
	uint64_t xl_variant_gpa[2]; /* exit-less trampoline code: [0] ring 3, [1] ring 0 */
	/* Chosen by the platform probe: the code page every address space maps for its
	 * vCPUs, and the offset of its fallback `out` in that page. */
	uint64_t xl_code_gpa;
	uint64_t xl_out_off;
	/* PML4 entries 256..511 every address space starts with. */
	uint64_t kernel_pml4[256];

	/* The vDSO every process maps: its time page and its image (one page each). */
	uint64_t vvar_gpa, vdso_gpa;
	struct timekeeper timekeeper;

	struct kvm_cpuid2 *cpuid; /* what KVM supports, given to every vCPU */
	uint64_t xcr0;

	/* An address space with only the kernel half: where probes and scrubs run. */
	uint64_t scratch_root;

	/* Page-table frames of dead address spaces that still await a scrub (see
	 * vm_release_address_space), tagged as for vcpu_scrub_tables; and the roots that
	 * are scrubbed and ready to serve the next address spaces. */
	pthread_mutex_t retired_lock; /* protects retired, nretired, retired_cap, roots, nroots, roots_cap */
	uint64_t *retired;
	uint64_t nretired, retired_cap;
	uint64_t *roots;
	uint64_t nroots, roots_cap;

	pthread_mutex_t vcpu_lock; /* protects next_vcpu_id and the pool */
	int next_vcpu_id;
	struct vcpu *vcpu_pool; /* vCPUs of exited tasks, ready for reuse */
};

/* Opens /dev/kvm (with a message saying how to fix it when that fails), creates the VM
 * with mem_size bytes of RAM, the agent and the kernel half, and probes the platform. */
int vm_create(struct hv_vm *vm, uint64_t mem_size);
void vm_destroy(struct hv_vm *vm);

/* A new address space: an empty user half and the shared kernel half. */
int vm_new_address_space(struct hv_vm *vm, uint64_t *root);

/* Frees an address space's page tables. On shadow-paging hypervisors the hypervisor
 * still holds translations derived from them, so before the frames may serve again the
 * guest agent on scrubber clears every entry that was set (the hypervisor sees guest
 * writes); without a scrubber the frames wait on the retired list for the next scrub.
 * Leaf pages must already have been released by the caller; their entries are left in
 * place for the scrub to clear.
 *
 * The user half's tables become free frames. The root and the tables of its XL_SLOT
 * only ever serve again as the root and XL_SLOT tables of a later address space
 * (vm_new_address_space takes them first): on kvm_pvm, a root frame reused as anything
 * else, or an XL_SLOT table reused in the user half or as data, left processes seeing
 * stale translations (children of fork exiting with wrong codes, hangs), while in their
 * own role, with the kernel half never changing, they are sound. The pool never holds
 * more roots than address spaces once lived at the same time. */
int vm_release_address_space(struct hv_vm *vm, uint64_t root, struct vcpu *scrubber);

/* Guest VA of a guest-physical address in the physmap. */
static inline uint64_t physmap_va(uint64_t gpa)
{
	return 0xffff888000000000ull + gpa;
}

#endif
