/* Start-up probe of the hypervisor's behaviour (platform.md lists why each item matters).
 * Each question is answered by running a few ring-3 instructions of the agent's probe
 * page on a scratch address space and looking at what comes back. */
#include "vmm/platform.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pte.h"
#include "vmm/agent_blob.h"
#include "vmm/layout.h"
#include "vmm/log.h"
#include "vmm/paging.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define PROBE_DATA_VA 0x10000ull
#define EXIT_SAMPLES 64

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* Runs the probe code from rip until the next event. */
static int run_from(struct vcpu *c, uint64_t rip, struct vcpu_event *ev)
{
	vcpu_regs(c)->rip = rip;
	vcpu_regs(c)->rflags = RFLAGS_FIXED | RFLAGS_IF;
	vcpu_regs_changed(c);
	return vcpu_run(c, ev);
}

static int probe_syscall(struct vcpu *c, struct platform *p)
{
	struct vcpu_event ev;
	int r = vcpu_run(c, &ev);

	if (r)
		return r;
	if (ev.kind != VEV_SYSCALL) {
		hv_err("platform probe: the syscall trampoline does not work here (%s%s)",
		       ev.kind == VEV_FATAL ? "fatal: " : "event ", ev.what);
		return -ENOTSUP;
	}
	p->syscall_enters_ring0 = ev.from_ring0;
	p->io_exit_rip_at_insn = ev.at_insn;
	uint64_t t0 = now_ns();
	for (int i = 0; i < EXIT_SAMPLES; i++) {
		if ((r = run_from(c, AGENT_VA(hv_agent_probe_nops) + 3, &ev)))
			return r;
		if (ev.kind != VEV_SYSCALL) {
			hv_err("platform probe: syscall %d did not come back (%s)", i, ev.what);
			return -ENOTSUP;
		}
	}
	p->exit_ns = (now_ns() - t0) / EXIT_SAMPLES;
	return 0;
}

static int probe_debugregs(struct vcpu *c, struct platform *p)
{
	struct kvm_debugregs d;
	struct vcpu_event ev;
	int r;

	memset(&d, 0, sizeof d);
	d.db[0] = AGENT_VA(hv_agent_probe_nops) + 1;
	d.dr7 = 0x400 | 0x1; /* L0, execute, length 1 */
	d.dr6 = 0xffff0ff0;
	if (ioctl(c->fd, KVM_SET_DEBUGREGS, &d) < 0) {
		p->guest_debugregs_fire = false;
		return 0;
	}
	if ((r = run_from(c, AGENT_VA(hv_agent_probe_nops), &ev)))
		return r;
	p->guest_debugregs_fire = ev.kind == VEV_EXCEPTION && ev.vector == VEC_DB;
	memset(&d, 0, sizeof d);
	d.dr7 = 0x400;
	d.dr6 = 0xffff0ff0;
	if (ioctl(c->fd, KVM_SET_DEBUGREGS, &d) < 0) {
		hv_err("KVM: ioctl (SET_DEBUGREGS) failed: %s", strerror(errno));
		return -errno;
	}
	if (ev.kind != VEV_SYSCALL && ev.kind != VEV_EXCEPTION) {
		hv_err("platform probe: debug-register test ended with %s", ev.what);
		return -ENOTSUP;
	}
	return 0;
}

static int probe_guestdbg(struct vcpu *c, struct platform *p)
{
	struct kvm_guest_debug g;
	struct vcpu_event ev;
	int r;

	memset(&g, 0, sizeof g);
	g.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
	if (ioctl(c->fd, KVM_SET_GUEST_DEBUG, &g) < 0) {
		p->kvm_guestdbg_singlestep = false;
		return 0;
	}
	r = run_from(c, AGENT_VA(hv_agent_probe_nops), &ev);
	p->kvm_guestdbg_singlestep = !r && ev.kind == VEV_DEBUG;
	memset(&g, 0, sizeof g);
	if (ioctl(c->fd, KVM_SET_GUEST_DEBUG, &g) < 0) {
		hv_err("KVM: ioctl (SET_GUEST_DEBUG off) failed: %s", strerror(errno));
		return -errno;
	}
	return r;
}

static int load_probe_value(struct vcpu *c, uint64_t *value)
{
	struct vcpu_event ev;
	int r;

	vcpu_regs(c)->rdi = PROBE_DATA_VA;
	if ((r = run_from(c, AGENT_VA(hv_agent_probe_load), &ev)))
		return r;
	if (ev.kind != VEV_SYSCALL) {
		hv_err("platform probe: load test ended with %s (vector %u)", ev.what, ev.vector);
		return -ENOTSUP;
	}
	*value = vcpu_regs(c)->rax;
	return 0;
}

/* The guest's TSC: readable from ring 3, and how it relates to the host's. The offset
 * comes from reading MSR_IA32_TSC between two host reads, and must agree with what
 * ring-3 RDTSC returned between the host reads around KVM_RUN. Timing noise (a loaded
 * host, an emulated CPU, the first VM after the module loads) can make one round
 * disagree: a few rounds are tried before the vDSO is told to make syscalls. */
#define TSC_ROUNDS 3

static int probe_tsc_round(struct vcpu *c, struct platform *p, int khz, bool *ok)
{
	struct vcpu_event ev;
	int r;

	*ok = false;
	uint64_t h0 = rdtsc_ordered();
	if ((r = run_from(c, AGENT_VA(hv_agent_probe_rdtsc), &ev)))
		return r;
	uint64_t h1 = rdtsc_ordered();
	if (ev.kind != VEV_SYSCALL)
		return 0;
	uint64_t g = (vcpu_regs(c)->rdx << 32) | (uint32_t)vcpu_regs(c)->rax;
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m;
	memset(&m, 0, sizeof m);
	m.h.nmsrs = 1;
	m.e.index = 0x10; /* MSR_IA32_TSC */
	/* The offset is good to half the time the MSR read took: the best of several
	 * reads, since one that was preempted (or, under emulation, slow) would leave the
	 * vDSO's clock and the host's answers to clock syscalls that far apart (the
	 * timekeeper computes both from one line, with this offset on the host side). */
	int64_t off = 0;
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < 8; i++) {
		uint64_t m0 = rdtsc_ordered();
		if (ioctl(c->fd, KVM_GET_MSRS, &m) != 1)
			return 0;
		uint64_t m1 = rdtsc_ordered();
		if (m1 - m0 < best) {
			best = m1 - m0;
			off = (int64_t)(m.e.data - (m0 + (m1 - m0) / 2));
		}
	}
	/* When the ring-3 read is consistent with no offset at all (kvm_pvm runs ring 3 on
	 * the host's own TSC), that is the answer. */
	if ((int64_t)(g - h0) >= 0 && (int64_t)(g - h1) <= 0)
		off = 0;
	if ((int64_t)(g - h0) < off || (int64_t)(g - h1) > off)
		return 0;
	p->tsc_offset = off;
	p->tsc_khz = (uint64_t)khz;
	*ok = true;
	return 0;
}

static int probe_tsc(struct vcpu *c, struct platform *p)
{
	struct vcpu_event ev;
	bool ok = false;
	int r;

	p->guest_tsc_usable = false;
	int khz = ioctl(c->fd, KVM_GET_TSC_KHZ, 0);
	if (khz <= 0)
		return 0;
	for (int i = 0; i < TSC_ROUNDS && !ok; i++)
		if ((r = probe_tsc_round(c, p, khz, &ok)))
			return r;
	if (!ok)
		return 0;
	p->guest_tsc_usable = true;
	if ((r = run_from(c, AGENT_VA(hv_agent_probe_rdtscp), &ev)))
		return r;
	p->guest_rdtscp_usable = ev.kind == VEV_SYSCALL;
	return 0;
}

/* Host writes a present PTE; is INVLPG alone enough? And does the agent re-store work? */
static int probe_pte_update(struct hv_vm *vm, struct vcpu *c, uint64_t root, struct platform *p)
{
	uint64_t a, b, v;
	int r, err;

	if ((r = frame_alloc(&vm->mem, &a)))
		return r;
	if ((r = frame_alloc(&vm->mem, &b)))
		goto out_a;
	*(uint64_t *)gmem_ptr(&vm->mem, a, 8) = 0x1111;
	*(uint64_t *)gmem_ptr(&vm->mem, b, 8) = 0x2222;
	if ((r = pt_map(&vm->mem, root, PROBE_DATA_VA, a, PTE_U | PTE_NX)))
		goto out_b;
	if ((r = load_probe_value(c, &v)))
		goto out_b;
	if (v != 0x1111) {
		hv_err("platform probe: a fresh user mapping reads %#llx", (unsigned long long)v);
		r = -ENOTSUP;
		goto out_b;
	}
	uint64_t *pte = pt_entry(&vm->mem, root, PROBE_DATA_VA, false, 0, &err);
	*pte = b | PTE_P | PTE_U | PTE_NX;
	if ((r = vcpu_queue_pte_flush(c, 0, PROBE_DATA_VA)) || (r = load_probe_value(c, &v)))
		goto out_b;
	p->host_pte_write_visible = v == 0x2222;
	/* The mechanism every PTE change relies on must work on every platform. */
	*pte = a | PTE_P | PTE_U | PTE_NX;
	uint64_t pte_va = physmap_va((uint64_t)((uint8_t *)pte - vm->mem.host));
	if ((r = vcpu_queue_pte_flush(c, pte_va, PROBE_DATA_VA)) || (r = load_probe_value(c, &v)))
		goto out_b;
	if (v != 0x1111) {
		hv_err("platform probe: the agent's PTE re-store is not seen by the guest (%#llx)",
		       (unsigned long long)v);
		r = -ENOTSUP;
	}
out_b:
	frame_put(&vm->mem, b);
out_a:
	frame_put(&vm->mem, a);
	return r;
}

int platform_probe(struct hv_vm *vm)
{
	struct platform *p = &vm->platform;
	struct vcpu *c;
	uint64_t root;
	int r;

	memset(p, 0, sizeof *p);
	if ((r = vcpu_get(vm, &c)))
		return r;
	if ((r = vm_new_address_space(vm, &root)))
		goto out;
	if ((r = vcpu_start_user(c, root, AGENT_VA(hv_agent_probe_nops), 0)))
		goto out_root;
	if ((r = probe_syscall(c, p)) || (r = probe_debugregs(c, p)) || (r = probe_guestdbg(c, p)) ||
	    (r = probe_pte_update(vm, c, root, p)) || (r = probe_tsc(c, p)))
		goto out_root;
out_root:
	/* The probe's tables were live in the guest: release them with a scrub. */
	if (vm_release_address_space(vm, root, c) && !r)
		r = -EIO;
	if (!r) {
		p->is_probed = true;
		/* The exit-less trampoline must return the way `syscall` came in. */
		int ring0 = p->syscall_enters_ring0;
		vm->xl_code_gpa = vm->xl_variant_gpa[ring0];
		vm->xl_out_off = ring0 ? (uint64_t)(hv_agent_xl0_out - hv_agent_xl0)
				       : (uint64_t)(hv_agent_xl3_out - hv_agent_xl3);
	}
out:
	vcpu_release(c);
	return r;
}

void platform_describe(const struct platform *p, char *buf, unsigned long len)
{
	snprintf(buf, len,
		 "syscall path:        LSTAR trampoline, %s\n"
		 "PTE update method:   %s\n"
		 "guest debug regs:    %s\n"
		 "KVM guest debug:     %s\n"
		 "I/O exit RIP:        %s\n"
		 "guest TSC:           %s (offset %lld, %llu kHz)\n"
		 "VM exit round trip:  %llu ns\n",
		 p->syscall_enters_ring0 ? "enters ring 0 (VMX/SVM semantics)"
					 : "stays in ring 3 (paravirtual semantics)",
		 p->host_pte_write_visible ? "host write + agent INVLPG (agent re-store also used)"
					   : "agent re-stores the entry (shadow paging: host writes unseen)",
		 p->guest_debugregs_fire ? "fire in ring 3 (hardware breakpoints/watchpoints)"
					 : "do not fire in ring 3 (software fallback)",
		 p->kvm_guestdbg_singlestep ? "single-steps ring 3"
					    : "does not single-step ring 3 (RFLAGS.TF used)",
		 p->io_exit_rip_at_insn ? "at the instruction" : "after the instruction",
		 p->guest_tsc_usable ? "readable in ring 3: the vDSO computes time" : "not usable: the vDSO makes syscalls",
		 (long long)p->tsc_offset, (unsigned long long)p->tsc_khz,
		 (unsigned long long)p->exit_ns);
}

int platform_measure_floors(struct hv_vm *vm, long iters, double *exit_ns, double *syscall_ns)
{
	struct vcpu *c;
	struct vcpu_event ev;
	uint64_t root, t0;
	int r;

	if (iters < 1)
		return -EINVAL;
	if ((r = vcpu_get(vm, &c)))
		return r;
	if ((r = vm_new_address_space(vm, &root)))
		goto out;
	if ((r = vcpu_start_user(c, root, AGENT_VA(hv_agent_probe_nops) + 3, 0)) || (r = vcpu_run(c, &ev)))
		goto out_root;
	t0 = now_ns();
	for (long i = 0; i < iters; i++) {
		if ((r = run_from(c, AGENT_VA(hv_agent_probe_nops) + 3, &ev)))
			goto out_root;
		if (ev.kind != VEV_SYSCALL) {
			r = -EIO;
			goto out_root;
		}
	}
	*exit_ns = (double)(now_ns() - t0) / (double)iters;

	uint64_t ret = vm->platform.syscall_enters_ring0 ? AGENT_VA(hv_agent_probe_return_ring0)
							 : AGENT_VA(hv_agent_probe_return_ring3);
	if ((r = vcpu_set_lstar(c, ret)))
		goto out_root;
	vcpu_regs(c)->rbx = (uint64_t)iters;
	t0 = now_ns();
	r = run_from(c, AGENT_VA(hv_agent_probe_syscall_loop), &ev);
	*syscall_ns = (double)(now_ns() - t0) / (double)iters;
	if (!r && !(ev.kind == VEV_EXCEPTION && ev.vector == VEC_UD)) {
		hv_err("platform floor: syscall loop ended with event %d vector %u %s", ev.kind, ev.vector, ev.what);
		r = -EIO;
	}
	int r2 = vcpu_set_lstar(c, TRAMPOLINE_VA);
	if (!r)
		r = r2;
out_root:
	if (vm_release_address_space(vm, root, c) && !r)
		r = -EIO;
out:
	vcpu_release(c);
	return r;
}
