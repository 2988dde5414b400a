/* A guest that cannot go on (here: a triple fault, provoked by taking away the IDT)
 * is reported as such, with its registers; the VMM itself carries on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86_64/cpu.h"
#include "vmm/agent_blob.h"
#include "vmm/layout.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

static void test_triple_fault_is_reported_as_fatal_with_registers(void **state)
{
	struct hv_vm vm;
	struct vcpu *c;
	struct vcpu_event ev;
	uint64_t root;
	char regs[400];
	(void)state;

	assert_int_equal(vm_create(&vm, 64ull << 20), 0);
	assert_int_equal(vcpu_get(&vm, &c), 0);
	assert_int_equal(vm_new_address_space(&vm, &root), 0);
	assert_int_equal(vcpu_start_user(c, root, AGENT_VA(hv_agent_probe_load), 0), 0);
	/* An unmapped load faults; with an empty IDT that becomes #GP, #DF, shutdown. */
	vcpu_regs(c)->rdi = 0x10000;
	vcpu_regs_changed(c);
	vcpu_sregs(c)->idt.limit = 0;
	vcpu_sregs_changed(c);
	assert_int_equal(vcpu_run(c, &ev), 0);
	assert_int_equal(ev.kind, VEV_FATAL);
	assert_non_null(strstr(ev.what, "triple fault"));
	vcpu_describe_state(c, regs, sizeof regs);
	assert_non_null(strstr(regs, "rip="));
	assert_non_null(strstr(regs, "cr3="));

	/* The VM is still usable: a fresh vCPU runs the probe code normally. */
	struct vcpu *d;
	assert_int_equal(vcpu_get(&vm, &d), 0);
	assert_int_equal(vcpu_start_user(d, root, AGENT_VA(hv_agent_probe_nops), 0), 0);
	assert_int_equal(vcpu_run(d, &ev), 0);
	assert_int_equal(ev.kind, VEV_SYSCALL);
	vcpu_release(d);
	vcpu_destroy(c); /* its state is garbage: never back to the pool */
	vm_destroy(&vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_triple_fault_is_reported_as_fatal_with_registers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
