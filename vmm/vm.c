#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pte.h"
#include "vmm/agent_blob.h"
#include "vmm/layout.h"
#include "vmm/log.h"
#include "vmm/paging.h"
#include "vmm/vcpu.h"

static int open_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	int e = errno;
	if (e == ENOENT || e == ENXIO || e == ENODEV)
		hv_err("/dev/kvm: %s: KVM is not available here; load the kvm_intel or kvm_amd "
		       "module (modprobe kvm_intel / kvm_amd) on a machine with virtualization enabled",
		       strerror(e));
	else if (e == EACCES || e == EPERM)
		hv_err("/dev/kvm: %s: add your user to the 'kvm' group (sudo usermod -aG kvm $USER, "
		       "then log in again) or run as root", strerror(e));
	else
		hv_err("/dev/kvm: open failed: %s", strerror(e));
	return -e;
}

static int check_capabilities(int kvm_fd)
{
	int v = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);

	if (v != KVM_API_VERSION) {
		hv_err("/dev/kvm: API version %d, need %d", v, KVM_API_VERSION);
		return -ENOTSUP;
	}
	static const struct { int cap; const char *name; } need[] = {
		{KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
		{KVM_CAP_SYNC_REGS, "KVM_CAP_SYNC_REGS"},
		{KVM_CAP_XCRS, "KVM_CAP_XCRS"},
		{KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
	};
	for (unsigned i = 0; i < sizeof need / sizeof need[0]; i++) {
		int r = ioctl(kvm_fd, KVM_CHECK_EXTENSION, need[i].cap);
		if (r <= 0) {
			hv_err("/dev/kvm: missing %s", need[i].name);
			return -ENOTSUP;
		}
		if (need[i].cap == KVM_CAP_SYNC_REGS &&
		    (r & (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) !=
			    (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) {
			hv_err("/dev/kvm: KVM_CAP_SYNC_REGS lacks REGS|SREGS (%#x)", r);
			return -ENOTSUP;
		}
	}
	return 0;
}

static int load_cpuid(struct hv_vm *vm)
{
	int n = 256;

	for (;;) {
		struct kvm_cpuid2 *c = calloc(1, sizeof *c + n * sizeof(struct kvm_cpuid_entry2));
		if (!c)
			return -ENOMEM;
		c->nent = n;
		if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			vm->cpuid = c;
			break;
		}
		int e = errno;
		free(c);
		if (e != E2BIG || n > 4096) {
			hv_err("KVM: ioctl (GET_SUPPORTED_CPUID) failed: %s", strerror(e));
			return -e;
		}
		n *= 2;
	}
	/* XCR0: the x87/SSE/AVX(/AVX-512) components the CPU offers (CPUID 0xD.0 EAX). */
	vm->xcr0 = XFEATURE_X87 | XFEATURE_SSE;
	for (unsigned i = 0; i < vm->cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &vm->cpuid->entries[i];
		if (e->function == 0xd && e->index == 0)
			vm->xcr0 = e->eax & (XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX | XFEATURE_AVX512);
	}
	if ((vm->xcr0 & XFEATURE_AVX512) != XFEATURE_AVX512)
		vm->xcr0 &= ~XFEATURE_AVX512;
	return 0;
}

static void set_gate(uint64_t *idt, unsigned vec, uint64_t handler, unsigned dpl)
{
	idt[2 * vec] = (handler & 0xffff) | ((uint64_t)SEL_KERNEL_CS << 16) |
		       ((0x8eull | (dpl << 5)) << 40) | (((handler >> 16) & 0xffff) << 48);
	idt[2 * vec + 1] = handler >> 32;
}

static int alloc_zeroed(struct hv_vm *vm, uint64_t *gpa, void **host)
{
	int r = frame_alloc(&vm->mem, gpa);

	if (r)
		return r;
	*host = gmem_ptr(&vm->mem, *gpa, PAGE_SIZE);
	return 0;
}

/* The shared kernel half: slot 273 maps all RAM (2 MiB pages), slot 511 the agent. */
static int build_kernel_half(struct hv_vm *vm)
{
	uint64_t pdpt_gpa, gpa;
	uint64_t *pdpt, *pd, *pt;
	int r;

	if ((r = alloc_zeroed(vm, &pdpt_gpa, (void **)&pdpt)))
		return r;
	for (uint64_t gib = 0; gib * (1ull << 30) < vm->mem.size; gib++) {
		if ((r = alloc_zeroed(vm, &gpa, (void **)&pd)))
			return r;
		pdpt[gib] = gpa | PTE_P | PTE_W;
		for (unsigned i = 0; i < PT_ENTRIES; i++) {
			uint64_t base = (gib << 30) + ((uint64_t)i << 21);
			if (base >= vm->mem.size)
				break;
			pd[i] = base | PTE_P | PTE_W | PTE_PS | PTE_NX;
		}
	}
	vm->kernel_pml4[PHYSMAP_SLOT - 256] = pdpt_gpa | PTE_P | PTE_W;

	/* Slot 511 -> PDPT[510] -> PD[8] -> PT: agent text, trampoline, probe code. */
	if ((r = alloc_zeroed(vm, &pdpt_gpa, (void **)&pdpt)))
		return r;
	if ((r = alloc_zeroed(vm, &gpa, (void **)&pd)))
		return r;
	pdpt[pt_index(AGENT_TEXT_VA, 3)] = gpa | PTE_P | PTE_W | PTE_U;
	if ((r = alloc_zeroed(vm, &gpa, (void **)&pt)))
		return r;
	pd[pt_index(AGENT_TEXT_VA, 2)] = gpa | PTE_P | PTE_W | PTE_U;

	void *blob[AGENT_BLOB_PAGES];
	uint64_t blob_gpa[AGENT_BLOB_PAGES];
	for (int i = 0; i < AGENT_BLOB_PAGES; i++) {
		if ((r = alloc_zeroed(vm, &blob_gpa[i], &blob[i])))
			return r;
		memcpy(blob[i], hv_agent_start + i * PAGE_SIZE, PAGE_SIZE);
	}
	vm->xl_variant_gpa[0] = blob_gpa[AGENT_XL3_PAGE];
	vm->xl_variant_gpa[1] = blob_gpa[AGENT_XL0_PAGE];
	pt[pt_index(AGENT_TEXT_VA, 1)] = blob_gpa[0] | PTE_P;
	pt[pt_index(TRAMPOLINE_VA, 1)] = blob_gpa[1] | PTE_P | PTE_U;
	/* The probe code is harmless user code (nops, a load, syscall); it stays mapped. */
	pt[pt_index(PROBE_CODE_VA, 1)] = blob_gpa[2] | PTE_P | PTE_U;
	vm->kernel_pml4[AGENT_SLOT - 256] = pdpt_gpa | PTE_P | PTE_W | PTE_U;

	uint64_t *idt;
	if ((r = alloc_zeroed(vm, &vm->idt_gpa, (void **)&idt)))
		return r;
	for (unsigned v = 0; v < VEC_COUNT; v++)
		set_gate(idt, v, AGENT_TEXT_VA + AGENT_STUB_SIZE * v,
			 (v == VEC_BP || v == VEC_OF) ? 3 : 0); /* int3/into are user instructions */
	return 0;
}

int vm_new_address_space(struct hv_vm *vm, uint64_t *root)
{
	pthread_mutex_lock(&vm->retired_lock);
	bool pooled = vm->nroots > 0;
	if (pooled)
		*root = vm->roots[--vm->nroots];
	pthread_mutex_unlock(&vm->retired_lock);
	if (pooled)
		return 0; /* scrubbed user half, the kernel half and its XL_SLOT tables */
	int r = frame_alloc(&vm->mem, root);

	if (r)
		return r;
	uint64_t *pml4 = gmem_ptr(&vm->mem, *root, PAGE_SIZE);
	memcpy(pml4 + 256, vm->kernel_pml4, sizeof vm->kernel_pml4);
	return 0;
}

extern const char hv_vdso_start[], hv_vdso_end[];

static int setup_vdso(struct hv_vm *vm)
{
	void *vvar, *image;
	int r;

	if ((r = alloc_zeroed(vm, &vm->vvar_gpa, &vvar)) || (r = alloc_zeroed(vm, &vm->vdso_gpa, &image)))
		return r;
	if (hv_vdso_end - hv_vdso_start > (long)PAGE_SIZE)
		return -EINVAL;
	memcpy(image, hv_vdso_start, (size_t)(hv_vdso_end - hv_vdso_start));
	return timekeeper_start(&vm->timekeeper, vm, vvar);
}

int vm_create(struct hv_vm *vm, uint64_t mem_size)
{
	int r;

	memset(vm, 0, sizeof *vm);
	vm->kvm_fd = vm->vm_fd = -1;
	pthread_mutex_init(&vm->vcpu_lock, NULL);
	pthread_mutex_init(&vm->retired_lock, NULL);
	if (hv_agent_end - hv_agent_start != AGENT_BLOB_PAGES * (long)PAGE_SIZE) {
		hv_err("internal: agent blob is %ld bytes", (long)(hv_agent_end - hv_agent_start));
		return -EINVAL;
	}
	if ((r = open_kvm()) < 0)
		return r;
	vm->kvm_fd = r;
	if ((r = check_capabilities(vm->kvm_fd)))
		goto fail;
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		r = -errno;
		hv_err("KVM: ioctl (CREATE_VM) failed: %s", strerror(errno));
		goto fail;
	}
	vm->vcpu_mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->vcpu_mmap_size < (int)sizeof(struct kvm_run)) {
		r = -errno;
		hv_err("KVM: ioctl (GET_VCPU_MMAP_SIZE) failed: %s", strerror(errno));
		goto fail;
	}
	if ((r = gmem_init(&vm->mem, mem_size))) {
		hv_err("guest memory: cannot reserve %llu bytes: %s",
		       (unsigned long long)mem_size, strerror(-r));
		goto fail;
	}
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = vm->mem.size,
		.userspace_addr = (uint64_t)(uintptr_t)vm->mem.host,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		r = -errno;
		hv_err("KVM: ioctl (SET_USER_MEMORY_REGION, %llu bytes) failed: %s",
		       (unsigned long long)vm->mem.size, strerror(errno));
		goto fail;
	}
	if ((r = load_cpuid(vm)))
		goto fail;
	if ((r = build_kernel_half(vm)) || (r = vm_new_address_space(vm, &vm->scratch_root))) {
		hv_err("guest memory: too small for the agent and kernel tables");
		goto fail;
	}
	if ((r = platform_probe(vm)))
		goto fail;
	if ((r = setup_vdso(vm)))
		goto fail;
	return 0;
fail:
	vm_destroy(vm);
	return r;
}

void vm_destroy(struct hv_vm *vm)
{
	if (vm->vvar_gpa)
		timekeeper_stop(&vm->timekeeper);
	vm->vvar_gpa = 0;
	while (vm->vcpu_pool) {
		struct vcpu *c = vm->vcpu_pool;
		vm->vcpu_pool = c->pool_next;
		vcpu_destroy(c);
	}
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->mem.host && !gmem_canaries_intact(&vm->mem)) {
		/* Host memory next to guest RAM changed: a bug that let a guest reach host
		 * memory. Nothing after this can be trusted; stop here, loudly. */
		hv_err("the canary pages around guest RAM were overwritten: a hvtrace bug, please report it");
		abort();
	}
	gmem_destroy(&vm->mem);
	free(vm->cpuid);
	free(vm->retired);
	vm->retired = NULL;
	free(vm->roots);
	vm->roots = NULL;
	pthread_mutex_destroy(&vm->vcpu_lock);
	pthread_mutex_destroy(&vm->retired_lock);
	vm->vm_fd = vm->kvm_fd = -1;
	vm->cpuid = NULL;
}

/* The table holding the leaf entries of XL_SLOT (every vCPU's trampoline and request
 * slot: XL_MAX_VCPUS * XL_STRIDE is one table's 2 MiB), or 0 when there is none yet. */
static uint64_t xl_leaf_table(struct guest_mem *gm, uint64_t root)
{
	int err;
	uint64_t *pte = pt_entry(gm, root, XL_BASE, false, 0, &err);

	return pte ? (uint64_t)((uint8_t *)pte - gm->host) & PAGE_MASK : 0;
}

/* What a scrub does, by host writes, where the hypervisor sees them. */
static void clear_on_host(struct guest_mem *gm, const uint64_t *frames, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t *t = gmem_ptr(gm, frames[i] & ~SCRUB_TAGS, PAGE_SIZE);
		if (t)
			memset(t, 0, scrub_end(frames[i]) * sizeof *t);
	}
}

int vm_release_address_space(struct hv_vm *vm, uint64_t root, struct vcpu *scrubber)
{
	uint64_t *list = NULL, n = 0, cap = 0;
	int r = pt_collect_tables(&vm->mem, root, 0, KERNEL_HALF_FIRST_SLOT - 1, &list, &n, &cap);

	if (r) {
		free(list);
		hv_err("releasing an address space: %s (its tables stay allocated)", strerror(-r));
		return r;
	}
	uint64_t xl = xl_leaf_table(&vm->mem, root);
	/* Until the probe says otherwise, assume shadow paging. */
	bool needs_scrub = !vm->platform.is_probed || !vm->platform.host_pte_write_visible;

	pthread_mutex_lock(&vm->retired_lock);
	for (uint64_t i = 0; i < n && !r; i++)
		r = pt_push_frame(&vm->retired, &vm->nretired, &vm->retired_cap, list[i]);
	if (!r && xl)
		r = pt_push_frame(&vm->retired, &vm->nretired, &vm->retired_cap, xl | SCRUB_KEEP);
	if (!r)
		r = pt_push_frame(&vm->retired, &vm->nretired, &vm->retired_cap, root | SCRUB_ROOT);
	free(list);
	uint64_t *take = NULL, ntake = 0;
	if (!needs_scrub || scrubber) {
		take = vm->retired;
		ntake = vm->nretired;
		vm->retired = NULL;
		vm->nretired = vm->retired_cap = 0;
	}
	pthread_mutex_unlock(&vm->retired_lock);
	if (!take)
		return r;
	if (!needs_scrub) {
		clear_on_host(&vm->mem, take, ntake);
	} else if ((r = vcpu_scrub_tables(scrubber, take, ntake))) {
		/* Never hand out frames the hypervisor may still translate through. */
		hv_err("scrubbing %llu page-table frames failed: %s; they stay allocated",
		       (unsigned long long)ntake, strerror(-r));
		free(take);
		return r;
	}
	pthread_mutex_lock(&vm->retired_lock);
	for (uint64_t i = 0; i < ntake; i++) {
		if (take[i] & SCRUB_KEEP)
			continue;
		if (!(take[i] & SCRUB_ROOT)) {
			frame_put(&vm->mem, take[i]);
		} else if (pt_push_frame(&vm->roots, &vm->nroots, &vm->roots_cap, take[i] & ~SCRUB_TAGS)) {
			/* Kept out of use (a leak of one frame, never a reuse in another role). */
			hv_err("a page-table root stays allocated: no host memory to pool it");
		}
	}
	pthread_mutex_unlock(&vm->retired_lock);
	free(take);
	return r;
}
