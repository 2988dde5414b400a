/* The one description of what the hypervisor under us does. Filled by probing at VM
 * start-up (vmm/platform.c); no other code asks which hypervisor it runs on. */
#ifndef HV_VMM_PLATFORM_H
#define HV_VMM_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

struct platform {
	bool is_probed;
	/* Does `syscall` from ring 3 enter ring 0 (VMX/SVM) or stay in ring 3 (kvm_pvm)? */
	bool syscall_enters_ring0;
	/* Do guest DR0-DR3/DR7 deliver #DB for ring-3 code? */
	bool guest_debugregs_fire;
	/* Does KVM_SET_GUEST_DEBUG single-step ring-3 code? */
	bool kvm_guestdbg_singlestep;
	/* Does a host write to a present PTE become visible after the guest's INVLPG alone
	 * (EPT/NPT), or must the guest store the entry itself (shadow paging)? */
	bool host_pte_write_visible;
	/* Does an I/O exit leave RIP at the instruction (VMX/SVM: KVM completes it on the
	 * next KVM_RUN) or after it (kvm_pvm)? */
	bool io_exit_rip_at_insn;
	/* May ring-3 code read the TSC (no CR4.TSD trap), and what is the guest's TSC minus
	 * the host's? Then the vDSO computes time without a syscall. */
	bool guest_tsc_usable;
	int64_t tsc_offset;
	uint64_t tsc_khz;
	/* Does RDTSCP work in ring 3 (the vDSO's getcpu)? */
	bool guest_rdtscp_usable;
	/* Measured round trip of one trivial VM exit, ns. */
	uint64_t exit_ns;
};

struct hv_vm;
int platform_probe(struct hv_vm *vm);
/* The platform's own floors, measured on a scratch vCPU over iters round trips: a bare
 * VM exit (trampoline exit, host returns at once) and a bare `syscall` instruction to a
 * trampoline that returns at once without leaving the guest. In ns. */
int platform_measure_floors(struct hv_vm *vm, long iters, double *exit_ns, double *syscall_ns);
/* Human-readable description, for `hvtrace --platform`. */
void platform_describe(const struct platform *p, char *buf, unsigned long len);

#endif
