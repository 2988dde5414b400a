/* Page-table frames of a dead address space must not leak translations into the next
 * one that reuses them. On shadow-paging hypervisors (kvm_pvm) the hypervisor keeps
 * translations derived from guest tables; vm_release_address_space() has the agent
 * clear them. Without that, an unmapped address in the new address space still read
 * the old page (found while building the foundation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "arch/x86_64/cpu.h"
#include "vmm/agent_blob.h"
#include "vmm/layout.h"
#include "vmm/paging.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define VA_X 0x40000000ull
#define VA_Y 0x40200000ull /* same PD as X: the reused PT serves Y */

/* Runs the agent's probe load of va: 0 and *v, or the exception vector + 1000. */
static int guest_load(struct vcpu *c, uint64_t va, uint64_t *v)
{
	struct vcpu_event ev;

	vcpu_regs(c)->rdi = va;
	vcpu_regs(c)->rip = AGENT_VA(hv_agent_probe_load);
	vcpu_regs(c)->rflags = RFLAGS_FIXED | RFLAGS_IF;
	vcpu_regs_changed(c);
	assert_int_equal(vcpu_run(c, &ev), 0);
	if (ev.kind == VEV_SYSCALL) {
		*v = vcpu_regs(c)->rax;
		return 0;
	}
	assert_int_equal(ev.kind, VEV_EXCEPTION);
	return 1000 + (int)ev.vector;
}

static uint64_t frame_with(struct hv_vm *vm, uint64_t value)
{
	uint64_t f;

	assert_int_equal(frame_alloc(&vm->mem, &f), 0);
	*(uint64_t *)gmem_ptr(&vm->mem, f, 8) = value;
	return f;
}

static void test_reused_page_tables_do_not_keep_old_translations(void **state)
{
	struct hv_vm vm;
	struct vcpu *c;
	uint64_t root1, root2, v = 0;
	(void)state;

	assert_int_equal(vm_create(&vm, 64ull << 20), 0);
	assert_int_equal(vcpu_get(&vm, &c), 0);
	uint64_t a = frame_with(&vm, 0xaaaa), b = frame_with(&vm, 0xcccc);

	assert_int_equal(vm_new_address_space(&vm, &root1), 0);
	assert_int_equal(pt_map(&vm.mem, root1, VA_X, a, PTE_U | PTE_NX), 0);
	assert_int_equal(vcpu_start_user(c, root1, AGENT_VA(hv_agent_probe_nops), 0), 0);
	assert_int_equal(guest_load(c, VA_X, &v), 0);
	assert_int_equal(v, 0xaaaa);

	assert_int_equal(vm_release_address_space(&vm, root1, c), 0);
	assert_int_equal(vm_new_address_space(&vm, &root2), 0);
	assert_int_equal(pt_map(&vm.mem, root2, VA_Y, b, PTE_U | PTE_NX), 0);
	vcpu_sregs(c)->cr3 = root2;
	vcpu_sregs_changed(c);
	assert_int_equal(guest_load(c, VA_Y, &v), 0);
	assert_int_equal(v, 0xcccc);
	/* X is not mapped in the new address space: the load must fault. */
	assert_int_equal(guest_load(c, VA_X, &v), 1000 + VEC_PF);

	assert_int_equal(vm_release_address_space(&vm, root2, c), 0);
	vcpu_release(c);
	vm_destroy(&vm);
}

/* Address spaces that come and go cost nothing for good: the user half's tables are
 * free frames again, and the root (with its XL_SLOT tables) serves the next address
 * space as its root, never as anything else (vm_release_address_space). */
static void test_dead_address_spaces_give_their_frames_back(void **state)
{
	struct hv_vm vm;
	struct vcpu *c;
	uint64_t root, first_root = 0, used = 0;
	(void)state;

	assert_int_equal(vm_create(&vm, 64ull << 20), 0);
	assert_int_equal(vcpu_get(&vm, &c), 0);
	uint64_t a = frame_with(&vm, 0xaaaa);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(vm_new_address_space(&vm, &root), 0);
		if (i == 0)
			first_root = root;
		else
			assert_int_equal(root, first_root);
		assert_int_equal(pt_map(&vm.mem, root, VA_X + (uint64_t)i * (1ull << 30), a, PTE_U | PTE_NX), 0);
		assert_int_equal(vcpu_start_user(c, root, AGENT_VA(hv_agent_probe_nops), 0), 0);
		uint64_t v = 0;
		assert_int_equal(guest_load(c, VA_X + (uint64_t)i * (1ull << 30), &v), 0);
		assert_int_equal(v, 0xaaaa);
		if (i > 0)
			assert_int_equal(guest_load(c, VA_X + (uint64_t)(i - 1) * (1ull << 30), &v), 1000 + VEC_PF);
		assert_int_equal(vm_release_address_space(&vm, root, c), 0);
		if (i == 1)
			used = frames_used(&vm.mem);
		else if (i > 1)
			assert_int_equal(frames_used(&vm.mem), used);
	}
	vcpu_release(c);
	vm_destroy(&vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reused_page_tables_do_not_keep_old_translations),
		cmocka_unit_test(test_dead_address_spaces_give_their_frames_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
