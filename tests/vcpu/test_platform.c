/* The start-up platform probe (vmm/platform.c) on whatever /dev/kvm this runs on: the
 * description is printed (as `hvtrace --platform` prints it), and for each feature the
 * probe reports, the behaviour hvtrace relies on is checked independently of the probe,
 * on a fresh address space: present features must really work, and where one is
 * reported absent, the fallback hvtrace uses instead must work. Run on both lanes
 * (`make test`: kvm_pvm; `make test-svm`: kvm_amd), so both branches get exercised. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <cmocka.h>

#include <hvtrace.h>
/* <sys/user.h> (for hvtrace.h) has its own PAGE_SIZE and PAGE_MASK: ours follow. */
#undef PAGE_SIZE
#undef PAGE_MASK

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pte.h"
#include "tests/vcpu/guest_run.h"
#include "vmm/agent_blob.h"
#include "vmm/layout.h"
#include "vmm/paging.h"
#include "vmm/platform.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define DATA_VA 0x20000ull /* a user page of the scratch address space */
#define DR6_B0 (1ull << 0)
#define DR6_BS (1ull << 14)
#define USER_CS 0x33

struct fx {
	struct hv_vm vm;
	struct vcpu *c;
	uint64_t root;
	uint64_t frame[2]; /* two data frames, holding 0x1111 and 0x2222 */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	if (!f || vm_create(&f->vm, 64ull << 20))
		fail_msg("cannot create a VM");
	assert_true(f->vm.platform.is_probed);
	assert_int_equal(vcpu_get(&f->vm, &f->c), 0);
	assert_int_equal(vm_new_address_space(&f->vm, &f->root), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(frame_alloc(&f->vm.mem, &f->frame[i]), 0);
		*(uint64_t *)gmem_ptr(&f->vm.mem, f->frame[i], 8) = 0x1111ull * (uint64_t)(i + 1);
	}
	assert_int_equal(pt_map(&f->vm.mem, f->root, DATA_VA, f->frame[0], PTE_U | PTE_NX), 0);
	assert_int_equal(vcpu_start_user(f->c, f->root, AGENT_VA(hv_agent_probe_nops), 0), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	vm_release_address_space(&f->vm, f->root, f->c);
	for (int i = 0; i < 2; i++)
		frame_put(&f->vm.mem, f->frame[i]);
	vcpu_release(f->c);
	vm_destroy(&f->vm);
	free(f);
	return 0;
}

/* Runs the agent's probe code from rip with the given RFLAGS extras until an event. */
static void run_from(struct fx *f, const char *sym, uint64_t rflags, struct vcpu_event *ev)
{
	vcpu_regs(f->c)->rip = AGENT_VA(sym);
	vcpu_regs(f->c)->rflags = RFLAGS_FIXED | RFLAGS_IF | rflags;
	vcpu_regs_changed(f->c);
	assert_int_equal(vcpu_run(f->c, ev), 0);
	if (ev->kind == VEV_FATAL)
		fail_msg("fatal guest event: %s", ev->what);
}

/* What ring-3 `mov (DATA_VA), %rax` reads. */
static uint64_t load(struct fx *f)
{
	struct vcpu_event ev;

	vcpu_regs(f->c)->rdi = DATA_VA;
	run_from(f, hv_agent_probe_load, 0, &ev);
	assert_int_equal(ev.kind, VEV_SYSCALL);
	return vcpu_regs(f->c)->rax;
}

static void test_description_is_probed_and_matches_hvtrace_platform(void **state)
{
	struct fx *f = *state;
	const struct platform *p = &f->vm.platform;
	char desc[1024], out[1024] = "";

	platform_describe(p, desc, sizeof desc);
	print_message("%s", desc);
	assert_true(p->exit_ns > 0);
	assert_non_null(strstr(desc, "syscall path:"));
	/* `hvtrace --platform` prints the same verdicts (the timings differ per run). */
	const char *bin = getenv("HVTRACE_BIN");
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "%s --platform", bin && *bin ? bin : "build/hvtrace");
	FILE *pp = popen(cmd, "r");
	assert_non_null(pp);
	size_t n = fread(out, 1, sizeof out - 1, pp);
	out[n] = 0;
	assert_int_equal(pclose(pp), 0);
	const char *tsc = strstr(desc, "guest TSC:");
	assert_non_null(tsc);
	size_t same = (size_t)(tsc - desc) + strlen("guest TSC:") + 12;
	if (strncmp(desc, out, same))
		fail_msg("hvtrace --platform says:\n%s\nthe probe here says:\n%s", out, desc);
}

/* `syscall` reaches the trampoline from the ring the probe says, and the exit-less
 * return the probe chose (sysretq after ring 0, jmp *%rcx after ring 3) brings ring-3
 * code back to ring 3 with its registers. */
static void test_syscall_path_is_as_probed(void **state)
{
	struct fx *f = *state;
	const struct platform *p = &f->vm.platform;
	struct vcpu_event ev;

	for (int i = 0; i < 8; i++) {
		run_from(f, hv_agent_probe_nops, 0, &ev);
		assert_int_equal(ev.kind, VEV_SYSCALL);
		assert_int_equal(ev.from_ring0, p->syscall_enters_ring0);
		assert_int_equal(ev.at_insn, p->io_exit_rip_at_insn);
		/* Registers as at syscall entry: RIP after the `syscall`. */
		assert_int_equal(vcpu_regs(f->c)->rip, AGENT_VA(hv_agent_probe_nops) + 5);
		assert_int_equal(vcpu_sregs(f->c)->cs.selector, USER_CS);
	}
	assert_int_equal(vcpu_set_lstar(f->c, p->syscall_enters_ring0 ? AGENT_VA(hv_agent_probe_return_ring0)
								      : AGENT_VA(hv_agent_probe_return_ring3)),
			 0);
	vcpu_regs(f->c)->rbx = 10;
	run_from(f, hv_agent_probe_syscall_loop, 0, &ev);
	assert_int_equal(vcpu_set_lstar(f->c, TRAMPOLINE_VA), 0);
	assert_int_equal(ev.kind, VEV_EXCEPTION);
	assert_int_equal(ev.vector, VEC_UD);
	assert_int_equal(vcpu_regs(f->c)->rbx, 0);
	assert_int_equal(vcpu_regs(f->c)->rax, 4242);
	/* Ten returns, and the #UD came from ring 3 (else the agent would call it fatal). */
	assert_int_equal(vcpu_sregs(f->c)->cs.selector, USER_CS);
}

/* A data watchpoint in DR0/DR7 on a ring-3 load: a #DB trap after the load with DR6.B0
 * where the probe says the debug registers fire, no trap at all where it says they do
 * not (then hvtrace watches by page protection: checked below and in test_host_api). */
static void test_debug_register_watchpoint_fires_as_probed(void **state)
{
	struct fx *f = *state;
	const struct platform *p = &f->vm.platform;
	struct vcpu_event ev;
	uint64_t addr[4] = {DATA_VA, 0, 0, 0}, dr6 = 0;

	/* L0, read/write, 8 bytes. */
	assert_int_equal(vcpu_set_debugregs(f->c, addr, 0x1 | (3ull << 16) | (3ull << 18)), 0);
	vcpu_regs(f->c)->rdi = DATA_VA;
	vcpu_regs(f->c)->rax = 0;
	run_from(f, hv_agent_probe_load, 0, &ev);
	assert_int_equal(vcpu_take_dr6(f->c, &dr6), 0);
	memset(addr, 0, sizeof addr);
	assert_int_equal(vcpu_set_debugregs(f->c, addr, 0), 0);
	if (p->guest_debugregs_fire) {
		if (ev.kind != VEV_EXCEPTION || ev.vector != VEC_DB)
			fail_msg("the probe says DR0-DR3 fire in ring 3, but a watched load gave event %d vector %u",
				 ev.kind, ev.vector);
		assert_true(dr6 & DR6_B0);
		/* A trap: the load is done, RIP is after it (mov (%rdi),%rax: 3 bytes). */
		assert_int_equal(vcpu_regs(f->c)->rax, 0x1111);
		assert_int_equal(vcpu_regs(f->c)->rip, AGENT_VA(hv_agent_probe_load) + 3);
	} else {
		if (ev.kind != VEV_SYSCALL)
			fail_msg("the probe says DR0-DR3 do not fire in ring 3, but a watched load gave event %d vector %u",
				 ev.kind, ev.vector);
		assert_int_equal(vcpu_regs(f->c)->rax, 0x1111);
		print_message("debug registers do not fire here: hvtrace's page-protection fallback is used\n");
	}
}

/* RFLAGS.TF single-steps ring 3 everywhere (hvtrace's stepping); KVM's own guest-debug
 * single-step does only where the probe says so. */
static void test_single_step_is_as_probed(void **state)
{
	struct fx *f = *state;
	const struct platform *p = &f->vm.platform;
	struct vcpu_event ev;
	uint64_t dr6 = 0;

	run_from(f, hv_agent_probe_nops, RFLAGS_TF, &ev);
	assert_int_equal(ev.kind, VEV_EXCEPTION);
	assert_int_equal(ev.vector, VEC_DB);
	assert_int_equal(vcpu_regs(f->c)->rip, AGENT_VA(hv_agent_probe_nops) + 1);
	assert_int_equal(vcpu_take_dr6(f->c, &dr6), 0);
	assert_true(dr6 & DR6_BS);

	struct kvm_guest_debug g;
	memset(&g, 0, sizeof g);
	g.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
	int set = ioctl(f->c->fd, KVM_SET_GUEST_DEBUG, &g);
	if (set == 0)
		run_from(f, hv_agent_probe_nops, 0, &ev);
	memset(&g, 0, sizeof g);
	assert_int_equal(ioctl(f->c->fd, KVM_SET_GUEST_DEBUG, &g), 0);
	bool stepped = set == 0 && ev.kind == VEV_DEBUG;
	if (stepped != p->kvm_guestdbg_singlestep)
		fail_msg("KVM guest-debug single-step: probe says %d, here it %s", p->kvm_guestdbg_singlestep,
			 stepped ? "stepped" : "did not step");
}

/* A host write to a present PTE plus the agent's INVLPG is seen where the probe says
 * so; the agent's re-store of the entry (what hvtrace always does) is seen everywhere. */
static void test_pte_update_is_as_probed(void **state)
{
	struct fx *f = *state;
	const struct platform *p = &f->vm.platform;
	int err = 0;

	assert_int_equal(load(f), 0x1111);
	uint64_t *pte = pt_entry(&f->vm.mem, f->root, DATA_VA, false, 0, &err);
	assert_non_null(pte);
	*pte = f->frame[1] | PTE_P | PTE_U | PTE_NX;
	assert_int_equal(vcpu_queue_pte_flush(f->c, 0, DATA_VA), 0);
	uint64_t v = load(f);
	if (p->host_pte_write_visible)
		assert_int_equal(v, 0x2222);
	else if (v != 0x1111)
		fail_msg("the probe says host PTE writes are not seen (shadow paging), but the guest read %#llx",
			 (unsigned long long)v);
	/* The agent's re-store, both ways. */
	uint64_t pte_va = physmap_va((uint64_t)((uint8_t *)pte - f->vm.mem.host));
	*pte = f->frame[0] | PTE_P | PTE_U | PTE_NX;
	assert_int_equal(vcpu_queue_pte_flush(f->c, pte_va, DATA_VA), 0);
	assert_int_equal(load(f), 0x1111);
	*pte = f->frame[1] | PTE_P | PTE_U | PTE_NX;
	assert_int_equal(vcpu_queue_pte_flush(f->c, pte_va, DATA_VA), 0);
	assert_int_equal(load(f), 0x2222);
}

/* Where the guest TSC is usable, ring-3 RDTSC minus the probed offset lies between two
 * host reads (with a few ms of slack for the offset's measurement) and advances; RDTSCP
 * works where the probe says so. Where it is not usable, the vDSO's syscall fallback is
 * what test_vdso checks. */
static void test_guest_tsc_is_as_probed(void **state)
{
	struct fx *f = *state;
	const struct platform *p = &f->vm.platform;
	struct vcpu_event ev;

	if (!p->guest_tsc_usable) {
		print_message("guest TSC not usable here: the vDSO makes syscalls (test_vdso)\n");
		return;
	}
	assert_true(p->tsc_khz > 0);
	uint64_t slack = p->tsc_khz * 5; /* 5 ms */
	uint64_t prev = 0;
	for (int i = 0; i < 4; i++) {
		uint64_t h0 = rdtsc_ordered();
		run_from(f, hv_agent_probe_rdtsc, 0, &ev);
		uint64_t h1 = rdtsc_ordered();
		assert_int_equal(ev.kind, VEV_SYSCALL);
		uint64_t g = (vcpu_regs(f->c)->rdx << 32) | (uint32_t)vcpu_regs(f->c)->rax;
		int64_t lo = (int64_t)(g - p->tsc_offset - h0), hi = (int64_t)(g - p->tsc_offset - h1);
		if (lo < -(int64_t)slack || hi > (int64_t)slack)
			fail_msg("guest TSC %#llx minus offset %lld is outside host [%#llx, %#llx]",
				 (unsigned long long)g, (long long)p->tsc_offset, (unsigned long long)h0,
				 (unsigned long long)h1);
		assert_true(g > prev);
		prev = g;
	}
	run_from(f, hv_agent_probe_rdtscp, 0, &ev);
	if (p->guest_rdtscp_usable)
		assert_int_equal(ev.kind, VEV_SYSCALL);
	else
		assert_int_equal(ev.kind, VEV_EXCEPTION);
}

/* The tracer's view, whichever way the platform provides it: a write watchpoint stops
 * after each write (debug registers where they fire, page protection where not). */
static void test_watchpoint_works_on_either_path(void **state)
{
	struct fx *f = *state;
	char path[4096];
	snprintf(path, sizeof path, "%s", guest_path("api_target"));
	char *argv[] = {path, "watch", NULL};
	char *envp[] = {"HVTRACE_TEST=1", NULL};
	struct hvt_spawn_options o = {.argv = argv, .envp = envp, .stdio = {-1, -1, -1},
				      .mem_size = GUEST_TEST_MEM, .flags = HVT_STOP_AT_ENTRY};
	const char *tr = getenv("HVTRACE_TEST_TRANSPORT");
	if (tr && *tr)
		o.transport = !strcmp(tr, "exit") ? 1 : !strcmp(tr, "shared") ? 2 : 0;
	uint64_t var = guest_sym("api_target", "counter");
	hvt_session *s = NULL;
	struct hvt_event ev;

	print_message("watchpoints by %s\n", f->vm.platform.guest_debugregs_fire ? "debug registers" : "page protection");
	if (hvt_spawn(&o, &s))
		fail_msg("hvt_spawn: %s", hvt_spawn_error());
	assert_int_equal(hvt_wait(s, &ev, 20000), 0);
	assert_int_equal(ev.kind, HVT_EV_START);
	assert_int_equal(hvt_set_breakpoint(s, ev.tid, HVT_BP_WRITE, var, 8), 0);
	for (long i = 1; i <= 3; i++) {
		assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
		assert_int_equal(hvt_wait(s, &ev, 20000), 0);
		assert_int_equal(ev.kind, HVT_EV_WATCHPOINT);
		assert_int_equal(ev.addr, var);
		long v = -1;
		assert_int_equal(hvt_read_mem(s, ev.tid, var, &v, sizeof v), (ssize_t)sizeof v);
		assert_int_equal(v, i);
	}
	assert_int_equal(hvt_clear_breakpoint(s, ev.tid, HVT_BP_WRITE, var, 8), 0);
	assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	while (hvt_wait(s, &ev, 20000) == 0 && ev.kind != HVT_EV_GUEST_EXITED)
		if (ev.stopped)
			assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	assert_int_equal(ev.kind, HVT_EV_GUEST_EXITED);
	assert_int_equal(hvt_close(s), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_description_is_probed_and_matches_hvtrace_platform, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syscall_path_is_as_probed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_debug_register_watchpoint_fires_as_probed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_step_is_as_probed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pte_update_is_as_probed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_tsc_is_as_probed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchpoint_works_on_either_path, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
