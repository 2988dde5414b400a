#include "vmm/vcpu.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pte.h"
#include "arch/x86_64/tls_desc.h"
#include "vmm/agent_blob.h"
#include "vmm/layout.h"
#include "vmm/log.h"
#include "vmm/paging.h"
#include "vmm/vm.h"

#define CPU_PAGE_TSS_OFF 0x800
#define TSS_IOMAP_OFF 0x68
#define TSS_IOMAP_BYTES 32 /* ports 0..255 */
#define TSS_LIMIT (TSS_IOMAP_OFF + TSS_IOMAP_BYTES)

#define IOCTL_OR_FAIL(fd, req, arg, name)                                            \
	do {                                                                         \
		if (ioctl((fd), (req), (arg)) < 0) {                                 \
			int e_ = errno;                                              \
			hv_err("KVM: ioctl (%s) failed: %s", (name), strerror(e_));  \
			return -e_;                                                  \
		}                                                                    \
	} while (0)

static void fill_gdt_and_tss(struct vcpu *c)
{
	uint8_t *page = gmem_ptr(&c->vm->mem, c->cpu_gpa, PAGE_SIZE);
	uint64_t *gdt = (uint64_t *)page;
	uint8_t *tss = page + CPU_PAGE_TSS_OFF;
	uint64_t tss_va = physmap_va(c->cpu_gpa + CPU_PAGE_TSS_OFF);

	memset(page, 0, PAGE_SIZE);
	gdt[SEL_KERNEL_CS / 8] = 0x00af9b000000ffffull;
	gdt[SEL_KERNEL_DS / 8] = 0x00cf93000000ffffull;
	gdt[SEL_USER_CS32 / 8] = 0x00cffb000000ffffull;
	gdt[SEL_USER_DS / 8] = 0x00cff3000000ffffull;
	gdt[SEL_USER_CS / 8] = 0x00affb000000ffffull;
	gdt[SEL_TSS / 8] = (TSS_LIMIT & 0xffff) | ((tss_va & 0xffffff) << 16) | (0x89ull << 40) |
			   (((tss_va >> 24) & 0xff) << 56);
	gdt[SEL_TSS / 8 + 1] = tss_va >> 32;

	uint64_t rsp0 = physmap_va(c->kstack_gpa) + PAGE_SIZE;
	memcpy(tss + 4, &rsp0, 8);
	uint16_t iomap = TSS_IOMAP_OFF;
	memcpy(tss + 0x66, &iomap, 2);
	/* Only the syscall port is open to ring 3; everything else raises #GP as on Linux. */
	memset(tss + TSS_IOMAP_OFF, 0xff, TSS_IOMAP_BYTES + 1);
	tss[TSS_IOMAP_OFF + PORT_SYSCALL / 8] &= (uint8_t)~(1u << (PORT_SYSCALL % 8));
}

static void seg_user(struct kvm_segment *s, uint16_t sel, bool code)
{
	memset(s, 0, sizeof *s);
	s->selector = sel;
	s->limit = 0xffffffff;
	s->g = 1;
	s->present = 1;
	s->s = 1;
	s->dpl = sel & 3;
	if (code) {
		s->type = 0xb;
		s->l = 1;
	} else {
		s->type = 0x3;
		s->db = 1;
	}
}

static void seg_null(struct kvm_segment *s)
{
	memset(s, 0, sizeof *s);
	s->unusable = 1;
}

static int set_msrs(struct vcpu *c)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e[7];
	} m;
	uint64_t lstar = TRAMPOLINE_VA;

	memset(&m, 0, sizeof m);
	m.h.nmsrs = 7;
	m.e[0] = (struct kvm_msr_entry){.index = MSR_STAR,
					.data = ((uint64_t)SEL_USER_CS32 << 48) | ((uint64_t)SEL_KERNEL_CS << 32)};
	m.e[1] = (struct kvm_msr_entry){.index = MSR_LSTAR, .data = lstar};
	m.e[2] = (struct kvm_msr_entry){.index = MSR_CSTAR, .data = lstar};
	/* As Linux: TF, DF, IF, IOPL, AC and NT are cleared on entry. */
	m.e[3] = (struct kvm_msr_entry){.index = MSR_SYSCALL_MASK,
					.data = RFLAGS_TF | RFLAGS_DF | RFLAGS_IF | RFLAGS_IOPL | RFLAGS_AC | RFLAGS_NT};
	m.e[4] = (struct kvm_msr_entry){.index = MSR_FS_BASE, .data = 0};
	m.e[5] = (struct kvm_msr_entry){.index = MSR_GS_BASE, .data = 0};
	m.e[6] = (struct kvm_msr_entry){.index = MSR_KERNEL_GS_BASE, .data = 0};
	int r = ioctl(c->fd, KVM_SET_MSRS, &m);
	if (r != 7) {
		hv_err("KVM: ioctl (SET_MSRS) set %d of 7 MSRs: %s", r, r < 0 ? strerror(errno) : "refused");
		return r < 0 ? -errno : -EINVAL;
	}
	return 0;
}

static int vcpu_create(struct hv_vm *vm, struct vcpu **out)
{
	struct vcpu *c = calloc(1, sizeof *c);
	int r;

	if (!c)
		return -ENOMEM;
	c->vm = vm;
	c->fd = -1;
	pthread_mutex_init(&c->flush_lock, NULL);
	pthread_mutex_lock(&vm->vcpu_lock);
	c->id = vm->next_vcpu_id++;
	pthread_mutex_unlock(&vm->vcpu_lock);
	c->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, c->id);
	if (c->fd < 0) {
		r = -errno;
		hv_err("KVM: ioctl (CREATE_VCPU %d) failed: %s", c->id, strerror(errno));
		goto fail;
	}
	c->run = mmap(NULL, vm->vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->run == MAP_FAILED) {
		c->run = NULL;
		r = -errno;
		hv_err("KVM: mmap of vCPU %d run area failed: %s", c->id, strerror(errno));
		goto fail;
	}
	if ((r = frame_alloc(&vm->mem, &c->cpu_gpa)) || (r = frame_alloc(&vm->mem, &c->kstack_gpa)) ||
	    (r = frame_alloc(&vm->mem, &c->mailbox_gpa)) || (r = frame_alloc(&vm->mem, &c->slot_gpa))) {
		hv_err("guest memory exhausted creating vCPU %d", c->id);
		goto fail;
	}
	fill_gdt_and_tss(c);
	c->xl_code_va = c->id < XL_MAX_VCPUS ? XL_BASE + (uint64_t)c->id * XL_STRIDE : 0;
	if (ioctl(c->fd, KVM_SET_CPUID2, vm->cpuid) < 0) {
		r = -errno;
		hv_err("KVM: ioctl (SET_CPUID2) failed: %s", strerror(errno));
		goto fail;
	}
	if ((r = set_msrs(c)))
		goto fail;
	struct kvm_xcrs x = {.nr_xcrs = 1, .xcrs = {{.xcr = 0, .value = vm->xcr0}}};
	if (ioctl(c->fd, KVM_SET_XCRS, &x) < 0) {
		r = -errno;
		hv_err("KVM: ioctl (SET_XCRS, xcr0=%#llx) failed: %s", (unsigned long long)vm->xcr0,
		       strerror(errno));
		goto fail;
	}
	c->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	*out = c;
	return 0;
fail:
	vcpu_destroy(c);
	return r;
}

/* Forgets queued PTE re-stores: the vCPU starts over on another address space (or
 * none), where they mean nothing. */
static void drop_flushes(struct vcpu *c)
{
	pthread_mutex_lock(&c->flush_lock);
	c->flush_len = c->flush_done = 0;
	atomic_store(&c->flush_taken, atomic_load(&c->flush_queued));
	pthread_mutex_unlock(&c->flush_lock);
}

int vcpu_get(struct hv_vm *vm, struct vcpu **out)
{
	pthread_mutex_lock(&vm->vcpu_lock);
	struct vcpu *c = vm->vcpu_pool;
	if (c)
		vm->vcpu_pool = c->pool_next;
	pthread_mutex_unlock(&vm->vcpu_lock);
	if (c) {
		c->pool_next = NULL;
		drop_flushes(c);
		c->has_owner = false;
		*out = c;
		return 0;
	}
	return vcpu_create(vm, out);
}

void vcpu_release(struct vcpu *c)
{
	struct hv_vm *vm = c->vm;

	pthread_mutex_lock(&vm->vcpu_lock);
	c->pool_next = vm->vcpu_pool;
	vm->vcpu_pool = c;
	pthread_mutex_unlock(&vm->vcpu_lock);
}

void vcpu_destroy(struct vcpu *c)
{
	if (c->run)
		munmap(c->run, c->vm->vcpu_mmap_size);
	if (c->fd >= 0)
		close(c->fd);
	free(c->flush);
	pthread_mutex_destroy(&c->flush_lock);
	free(c);
}

/* This vCPU's own GDT, IDT and TSS (per-vCPU pages; the IDT is the VM's). */
static void set_system_tables(struct vcpu *c, struct kvm_sregs *s)
{
	s->gdt.base = physmap_va(c->cpu_gpa);
	s->gdt.limit = GDT_ENTRIES * 8 - 1;
	s->idt.base = physmap_va(c->vm->idt_gpa);
	s->idt.limit = VEC_COUNT * 16 - 1;
	memset(&s->tr, 0, sizeof s->tr);
	s->tr.selector = SEL_TSS;
	s->tr.base = physmap_va(c->cpu_gpa + CPU_PAGE_TSS_OFF);
	s->tr.limit = TSS_LIMIT;
	s->tr.type = 11;
	s->tr.present = 1;
}

int vcpu_start_user(struct vcpu *c, uint64_t cr3, uint64_t rip, uint64_t rsp)
{
	struct kvm_sregs s;

	IOCTL_OR_FAIL(c->fd, KVM_GET_SREGS, &s, "GET_SREGS");
	s.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	s.cr3 = cr3;
	s.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_FSGSBASE | CR4_OSXSAVE;
	s.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	set_system_tables(c, &s);
	seg_user(&s.cs, SEL_USER_CS, true);
	seg_user(&s.ss, SEL_USER_DS, false);
	seg_null(&s.ds);
	seg_null(&s.es);
	seg_null(&s.fs);
	seg_null(&s.gs);
	seg_null(&s.ldt);
	IOCTL_OR_FAIL(c->fd, KVM_SET_SREGS, &s, "SET_SREGS");

	/* As Linux's ELF entry: every general register zero, IF set. */
	struct kvm_regs r;
	memset(&r, 0, sizeof r);
	r.rip = rip;
	r.rsp = rsp;
	r.rflags = RFLAGS_FIXED | RFLAGS_IF;
	IOCTL_OR_FAIL(c->fd, KVM_SET_REGS, &r, "SET_REGS");
	/* The sync area now mirrors the vCPU, so it may be edited before the first run. */
	c->run->s.regs.regs = r;
	c->run->s.regs.sregs = s;
	c->run->kvm_dirty_regs = 0;
	drop_flushes(c);
	return 0;
}

void vcpu_set_tls(struct vcpu *c, const uint64_t tls[3])
{
	uint64_t *gdt = gmem_ptr(&c->vm->mem, c->cpu_gpa, PAGE_SIZE);

	memcpy(&gdt[GDT_ENTRY_TLS_MIN], tls, GDT_ENTRY_TLS_ENTRIES * sizeof tls[0]);
}

int vcpu_clone_user(struct vcpu *c, struct vcpu *from, uint64_t cr3)
{
	struct kvm_sregs s = *vcpu_sregs(from);
	struct kvm_xsave x;

	/* The descriptor tables and the TSS are per vCPU. */
	set_system_tables(c, &s);
	s.cr3 = cr3;
	IOCTL_OR_FAIL(c->fd, KVM_SET_SREGS, &s, "SET_SREGS");
	struct kvm_regs r = *vcpu_regs(from);
	IOCTL_OR_FAIL(c->fd, KVM_SET_REGS, &r, "SET_REGS");
	IOCTL_OR_FAIL(from->fd, KVM_GET_XSAVE, &x, "GET_XSAVE");
	IOCTL_OR_FAIL(c->fd, KVM_SET_XSAVE, &x, "SET_XSAVE");
	c->run->s.regs.regs = r;
	c->run->s.regs.sregs = s;
	c->run->kvm_dirty_regs = 0;
	drop_flushes(c);
	return 0;
}

int vcpu_queue_pte_flush(struct vcpu *c, uint64_t pte_va, uint64_t user_va)
{
	int r = 0;

	pthread_mutex_lock(&c->flush_lock);
	if (c->flush_len == c->flush_cap) {
		uint64_t cap = c->flush_cap ? c->flush_cap * 2 : 64;
		struct pte_flush_entry *n = realloc(c->flush, cap * sizeof *n);
		if (!n) {
			r = -ENOMEM;
			goto out;
		}
		c->flush = n;
		c->flush_cap = cap;
	}
	c->flush[c->flush_len++] = (struct pte_flush_entry){pte_va, user_va};
	atomic_fetch_add(&c->flush_queued, 1);
out:
	pthread_mutex_unlock(&c->flush_lock);
	return r;
}

bool vcpu_flush_blocked(struct vcpu *c)
{
	return (vcpu_sregs(c)->cs.selector & 3) == 0 && vcpu_flush_pending(c);
}

bool vcpu_flush_pending(struct vcpu *c)
{
	/* Lock-free: queued and taken advance together with flush_len and flush_done. */
	return atomic_load(&c->flush_queued) != atomic_load(&c->flush_taken);
}

static int kick_signo;
static __thread struct vcpu *current_vcpu;

void vcpu_set_kick_signal(int signo)
{
	kick_signo = signo;
}

struct vcpu *vcpu_current(void)
{
	return current_vcpu;
}

void vcpu_set_current(struct vcpu *c)
{
	current_vcpu = c;
}

int vcpu_set_owner(struct vcpu *c)
{
	sigset_t cur;
	struct {
		struct kvm_signal_mask h;
		uint64_t set;
	} m;

	c->owner = pthread_self();
	c->has_owner = true;
	current_vcpu = c;
	if (!kick_signo)
		return 0;
	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	sigdelset(&cur, kick_signo);
	/* kvm_pvm: with SIGQUIT in this mask, KVM_RUN no longer returns for the kick
	 * (measured: every other signal from 1 to 64 blocked alone is harmless), so a
	 * caller that blocks SIGQUIT would hang its guests. It stays deliverable while the
	 * guest runs, on every platform. */
	sigdelset(&cur, SIGQUIT);
	m.h.len = 8; /* the kernel's sigset_t */
	memcpy(&m.set, &cur, 8);
	IOCTL_OR_FAIL(c->fd, KVM_SET_SIGNAL_MASK, &m, "SET_SIGNAL_MASK");
	return 0;
}

/* KVM_RUN returned EINTR for a kick: the kick signal stays pending (it is blocked
 * outside KVM_RUN) and would end every later KVM_RUN at once; take it. */
static void drain_kick(void)
{
	sigset_t set;
	struct timespec zero = {0, 0};

	if (!kick_signo)
		return;
	sigemptyset(&set);
	sigaddset(&set, kick_signo);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
}

/* A kick can end KVM_RUN while KVM is delivering an exception: a fault, or the trap of
 * a single step. KVM still holds it, and rewriting the registers now would lose it (a
 * pending step trap: the step runs a second instruction, found as gdb's `next` skipping
 * a line) or deliver it on top of the new state (an injected user page fault entering
 * the agent's flush routine: "exception 14 in the guest agent", the guest killed). So
 * the vCPU runs on, unchanged, until the exception reaches the agent's stub and exits;
 * the kick's work waits for that exit. One ioctl, after kicks only. */
static bool exception_in_flight(struct vcpu *c)
{
	struct kvm_vcpu_events e;

	if (ioctl(c->fd, KVM_GET_VCPU_EVENTS, &e) < 0) {
		hv_err("KVM: ioctl (GET_VCPU_EVENTS) on vCPU %d failed: %s", c->id, strerror(errno));
		return false;
	}
	return e.exception.injected || e.exception.pending;
}

void vcpu_shootdown(struct vcpu *const *list, int n)
{
	struct vcpu *self = current_vcpu;

	for (int i = 0; i < n; i++) {
		struct vcpu *c = list[i];
		if (c == self || !c->has_owner)
			continue;
		/* Everything queued so far, ours included, must reach the agent before the
		 * vCPU runs user code again. Outside KVM_RUN it will be, on entry. */
		uint64_t target = atomic_load(&c->flush_queued);
		for (unsigned spins = 0; atomic_load(&c->in_guest) && atomic_load(&c->flush_taken) < target; spins++) {
			/* Kick again now and then: a kick that found the vCPU in the agent (ring
			 * 0) only makes it re-enter there; its thread retries soon after. */
			if (spins % 64 == 0)
				pthread_kill(c->owner, kick_signo);
			if (spins < 64) {
				sched_yield();
			} else {
				struct timespec ts = {0, 20000};
				nanosleep(&ts, NULL);
			}
		}
	}
}

/* Copies the next batch of queued re-stores into the guest mailbox.
 * Preconditions: c->flush_lock held. */
static void fill_mailbox(struct vcpu *c)
{
	uint64_t *mb = gmem_ptr(&c->vm->mem, c->mailbox_gpa, PAGE_SIZE);
	uint64_t n = c->flush_len - c->flush_done;

	if (n > MAILBOX_CAPACITY)
		n = MAILBOX_CAPACITY;
	mb[0] = n;
	memcpy(&mb[2], &c->flush[c->flush_done], n * sizeof(struct pte_flush_entry));
	c->flush_done += n;
	atomic_fetch_add(&c->flush_taken, n);
	mb[1] = c->flush_done < c->flush_len;
	if (!mb[1])
		c->flush_len = c->flush_done = 0;
}

/* Detours the return to ring 3 through the agent's PTE re-store routine, which ends
 * in iretq to the user state now in the sync registers. */
static void enter_agent_flush(struct vcpu *c)
{
	struct kvm_regs *r = vcpu_regs(c);
	struct kvm_sregs *s = vcpu_sregs(c);
	uint64_t *stack = gmem_ptr(&c->vm->mem, c->kstack_gpa, PAGE_SIZE);
	uint64_t *frame = stack + PAGE_SIZE / 8 - 6;

	fill_mailbox(c);
	frame[0] = physmap_va(c->mailbox_gpa);
	frame[1] = r->rip;
	frame[2] = SEL_USER_CS; /* only ever entered from ring 3 (run_inner) */
	frame[3] = r->rflags;
	frame[4] = r->rsp;
	frame[5] = SEL_USER_DS;
	r->rip = AGENT_VA(hv_agent_flush);
	r->rsp = physmap_va(c->kstack_gpa) + PAGE_SIZE - 6 * 8;
	r->rflags = RFLAGS_FIXED;
	s->cs.selector = SEL_KERNEL_CS;
	s->cs.dpl = 0;
	s->ss.selector = SEL_KERNEL_DS;
	s->ss.dpl = 0;
	s->ss.type = 0x3;
	c->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
}

/* Makes the sync registers describe ring 3 again after an exit taken in ring 0. */
static void set_user_segments(struct vcpu *c)
{
	struct kvm_sregs *s = vcpu_sregs(c);

	seg_user(&s->cs, SEL_USER_CS, true);
	seg_user(&s->ss, SEL_USER_DS, false);
	vcpu_sregs_changed(c);
}

static int exit_fatal(struct vcpu_event *ev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int exit_fatal(struct vcpu_event *ev, const char *fmt, ...)
{
	va_list ap;

	ev->kind = VEV_FATAL;
	va_start(ap, fmt);
	vsnprintf(ev->what, sizeof ev->what, fmt, ap);
	va_end(ap);
	return 0;
}

/* Reads n bytes of user-executable memory at va through the current page tables. */
static int read_user_code(struct vcpu *c, uint64_t va, uint8_t *buf, unsigned n)
{
	uint64_t root = vcpu_sregs(c)->cr3 & PTE_ADDR_MASK;

	for (unsigned i = 0; i < n; i++) {
		uint64_t pa;
		if (pt_translate(&c->vm->mem, root, va + i, PT_ACCESS_USER, &pa, NULL))
			return -EFAULT;
		buf[i] = *(uint8_t *)gmem_ptr(&c->vm->mem, pa, 1);
	}
	return 0;
}

/* Is the instruction at va a port I/O instruction (in, out, ins, outs, any prefix)? */
static bool is_io_insn_at(struct vcpu *c, uint64_t va)
{
	uint8_t b[6];

	if (read_user_code(c, va, b, sizeof b))
		return false;
	for (unsigned i = 0; i < sizeof b; i++) {
		uint8_t x = b[i];
		bool prefix = x == 0x66 || x == 0x67 || x == 0xf2 || x == 0xf3 || x == 0x26 || x == 0x2e ||
			      x == 0x36 || x == 0x3e || x == 0x64 || x == 0x65 || (x >= 0x40 && x <= 0x4f);
		if (prefix)
			continue;
		return (x >= 0x6c && x <= 0x6f) || (x >= 0xe4 && x <= 0xe7) || (x >= 0xec && x <= 0xef);
	}
	return false;
}

static int decode_exception(struct vcpu *c, unsigned vec, struct vcpu_event *ev)
{
	struct kvm_regs *r = vcpu_regs(c);
	uint64_t kstack_va = physmap_va(c->kstack_gpa);

	if (r->rsp < kstack_va || r->rsp > kstack_va + PAGE_SIZE - 40)
		return exit_fatal(ev, "exception %u with ring-0 rsp %#llx outside the agent stack", vec,
				  (unsigned long long)r->rsp);
	uint64_t *f = gmem_ptr(&c->vm->mem, c->kstack_gpa + (r->rsp - kstack_va), 48);
	bool has_err = vector_has_error_code(vec);
	if (!f || (has_err && r->rsp > kstack_va + PAGE_SIZE - 48))
		return exit_fatal(ev, "exception %u: bad frame", vec);
	ev->error_code = has_err ? f[0] : 0;
	f += has_err;
	if ((f[1] & 3) != 3)
		return exit_fatal(ev, "exception %u (error %#llx) in the guest agent at rip %#llx, cr2 %#llx",
				  vec, (unsigned long long)ev->error_code, (unsigned long long)f[0],
				  (unsigned long long)vcpu_sregs(c)->cr2);
	ev->kind = VEV_EXCEPTION;
	ev->vector = vec;
	ev->cr2 = vcpu_sregs(c)->cr2;
	r->rip = f[0];
	r->rflags = f[2];
	r->rsp = f[3];
	vcpu_regs_changed(c);
	set_user_segments(c);
	/* The syscall port is open to ring 3, so a string I/O instruction on it can fault
	 * on its memory operand; on Linux it is #GP before any access. Traps (#BP, #OF)
	 * leave rip after their instruction: the bytes there are not what faulted (an
	 * int3 before "45 ec", REX + IN, is still an int3). */
	if (vec != VEC_GP && vec != VEC_DB && vec != VEC_BP && vec != VEC_OF && is_io_insn_at(c, r->rip)) {
		ev->vector = VEC_GP;
		ev->error_code = 0;
	}
	return 0;
}

/* Start of the user I/O instruction behind an I/O exit. String forms always leave RIP
 * at the instruction; the others do too on VMX/SVM (KVM advances RIP only when the
 * port access completes) but not on kvm_pvm, which the probe records. */
static uint64_t user_io_insn_start(struct vcpu *c)
{
	uint64_t rip = vcpu_regs(c)->rip;
	uint8_t b[3];

	if (c->vm->platform.io_exit_rip_at_insn || is_io_insn_at(c, rip))
		return rip;
	if (!read_user_code(c, rip - 3, b, 3)) {
		uint64_t start = rip;
		if (b[2] >= 0xec && b[2] <= 0xef)
			start = rip - 1;
		else if (b[1] >= 0xe4 && b[1] <= 0xe7 && b[2] == PORT_SYSCALL)
			start = rip - 2;
		if (start != rip && start - 1 >= rip - 3 && b[2 - (rip - start)] == 0x66)
			start--;
		return start;
	}
	return rip;
}

/* The exit-less trampoline's fallback `out`: RIP after it (kvm_pvm) or at it (VMX/SVM). */
static bool is_xl_out(struct vcpu *c)
{
	struct kvm_run *run = c->run;
	uint64_t rip = vcpu_regs(c)->rip, out = c->xl_code_va + c->vm->xl_out_off;

	return c->xl_code_va && run->io.direction == KVM_EXIT_IO_OUT && run->io.port == PORT_SYSCALL &&
	       run->io.size == 1 && run->io.count == 1 && (rip == out + 2 || rip == out);
}

static bool is_trampoline_out(struct vcpu *c)
{
	struct kvm_run *run = c->run;
	uint64_t rip = vcpu_regs(c)->rip;

	/* RIP is after the `out` on kvm_pvm and at it on VMX/SVM: both are the trampoline's
	 * own instruction (nothing user-executable ends at TRAMPOLINE_VA). */
	return run->io.direction == KVM_EXIT_IO_OUT && run->io.port == PORT_SYSCALL &&
	       run->io.size == 1 && run->io.count == 1 &&
	       (rip == TRAMPOLINE_VA + 2 || rip == TRAMPOLINE_VA);
}

static int decode_io(struct vcpu *c, struct vcpu_event *ev, bool *again)
{
	struct kvm_run *run = c->run;
	struct kvm_regs *r = vcpu_regs(c);
	unsigned port = run->io.port;
	bool ring0 = (vcpu_sregs(c)->cs.selector & 3) == 0;

	if (is_xl_out(c)) {
		ev->kind = VEV_SYSCALL_SLOT;
		ev->from_ring0 = ring0;
		return 0;
	}
	if (is_trampoline_out(c)) {
		/* The user's state at `syscall`: RCX is the next RIP, R11 the RFLAGS. Only flags
		 * a user may hold come back (R11 is user-controlled when the trampoline is
		 * jumped into directly: no IOPL, no VM flag). */
		ev->kind = VEV_SYSCALL;
		ev->from_ring0 = ring0;
		ev->at_insn = r->rip == TRAMPOLINE_VA;
		r->rip = r->rcx;
		r->rflags = (r->r11 & RFLAGS_USER_MASK) | RFLAGS_FIXED | RFLAGS_IF;
		vcpu_regs_changed(c);
		if (ring0)
			set_user_segments(c);
		return 0;
	}
	if (!ring0) {
		/* Any other user port I/O: as Linux (IOPL 0, no ioperm), #GP at the instruction. */
		ev->kind = VEV_EXCEPTION;
		ev->vector = VEC_GP;
		ev->error_code = 0;
		ev->cr2 = vcpu_sregs(c)->cr2;
		r->rip = user_io_insn_start(c);
		vcpu_regs_changed(c);
		return 0;
	}
	if (run->io.direction == KVM_EXIT_IO_OUT && port == PORT_FLUSH_MORE) {
		pthread_mutex_lock(&c->flush_lock);
		bool more = c->flush_done < c->flush_len;
		if (more)
			fill_mailbox(c);
		pthread_mutex_unlock(&c->flush_lock);
		if (more) {
			*again = true;
			return 0;
		}
	}
	if (run->io.direction == KVM_EXIT_IO_OUT && port >= PORT_EXCEPTION && port < PORT_EXCEPTION + VEC_COUNT)
		return decode_exception(c, port - PORT_EXCEPTION, ev);
	return exit_fatal(ev, "unexpected port %#x access from ring 0 at rip %#llx", port,
			  (unsigned long long)r->rip);
}

static int run_inner(struct vcpu *c, struct vcpu_event *ev);

int vcpu_run(struct vcpu *c, struct vcpu_event *ev)
{
	/* Before the flush queue is looked at: see struct vcpu. */
	atomic_store(&c->in_guest, 1);
	int r = run_inner(c, ev);
	atomic_store(&c->in_guest, 0);
	return r;
}

static int run_inner(struct vcpu *c, struct vcpu_event *ev)
{
	struct kvm_run *run = c->run;

	memset(ev, 0, offsetof(struct vcpu_event, what));
	ev->what[0] = 0;
	uint64_t rip = vcpu_regs(c)->rip;
	if ((vcpu_sregs(c)->cs.selector & 3) == 3 && (uint64_t)((int64_t)(rip << 16) >> 16) != rip) {
		/* As Linux returning to a non-canonical RIP: #GP, never a failed VM entry. */
		ev->kind = VEV_EXCEPTION;
		ev->vector = VEC_GP;
		return 0;
	}
	/* Only from ring 3. A kick can interrupt the agent in ring 0 (an exception stub
	 * between its frame push and its `out`, the flush routine itself, the ring-0
	 * exit-less trampoline); a flush frame built there would bury the state the agent
	 * is about to report. The caller retries once the vCPU is back in ring 3
	 * (vcpu_flush_blocked). */
	if (vcpu_flush_pending(c) && (vcpu_sregs(c)->cs.selector & 3) == 3) {
		pthread_mutex_lock(&c->flush_lock);
		if (c->flush_len > c->flush_done)
			enter_agent_flush(c);
		pthread_mutex_unlock(&c->flush_lock);
	}
	for (;;) {
		if (ioctl(c->fd, KVM_RUN, 0) < 0) {
			int e = errno;
			run->kvm_dirty_regs = 0;
			if (e == EINTR || e == EAGAIN) {
				if (e == EINTR)
					drain_kick();
				if (e == EINTR && exception_in_flight(c))
					continue;
				ev->kind = VEV_INTERRUPTED;
				return 0;
			}
			hv_err("KVM: ioctl (RUN) on vCPU %d failed: %s", c->id, strerror(e));
			return exit_fatal(ev, "KVM_RUN failed: %s", strerror(e));
		}
		run->kvm_dirty_regs = 0;
		bool again = false;
		switch (run->exit_reason) {
		case KVM_EXIT_IO: {
			int r = decode_io(c, ev, &again);
			if (r || !again)
				return r;
			continue;
		}
		case KVM_EXIT_SHUTDOWN:
			return exit_fatal(ev, "triple fault");
		case KVM_EXIT_HLT:
			return exit_fatal(ev, "hlt in ring 0");
		case KVM_EXIT_DEBUG:
			ev->kind = VEV_DEBUG;
			ev->vector = run->debug.arch.exception;
			ev->error_code = run->debug.arch.dr6;
			return 0;
		case KVM_EXIT_INTR:
			ev->kind = VEV_INTERRUPTED;
			return 0;
		case KVM_EXIT_FAIL_ENTRY:
			return exit_fatal(ev, "VM entry failed (hardware reason %#llx)",
					  (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		case KVM_EXIT_INTERNAL_ERROR:
			return exit_fatal(ev, "KVM internal error, suberror %u", run->internal.suberror);
		case KVM_EXIT_MMIO:
			return exit_fatal(ev, "access to guest-physical %#llx outside RAM",
					  (unsigned long long)run->mmio.phys_addr);
		default:
			return exit_fatal(ev, "unexpected VM exit %u", run->exit_reason);
		}
	}
}

void vcpu_describe_state(struct vcpu *c, char *buf, unsigned long len)
{
	struct kvm_regs *r = vcpu_regs(c);
	struct kvm_sregs *s = vcpu_sregs(c);

	snprintf(buf, len,
		 "rip=%#llx rsp=%#llx rflags=%#llx cs=%#x ss=%#x cr2=%#llx cr3=%#llx rax=%#llx "
		 "rbx=%#llx rcx=%#llx rdx=%#llx rsi=%#llx rdi=%#llx rbp=%#llx",
		 r->rip, r->rsp, r->rflags, s->cs.selector, s->ss.selector, s->cr2, s->cr3, r->rax,
		 r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp);
}

unsigned scrub_end(uint64_t tagged)
{
	return (tagged & SCRUB_ROOT) ? KERNEL_HALF_FIRST_SLOT : PT_ENTRIES;
}

int vcpu_scrub_tables(struct vcpu *c, const uint64_t *frames, uint64_t n)
{
	struct guest_mem *gm = &c->vm->mem;
	struct vcpu_event ev;
	int r;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t base = frames[i] & ~SCRUB_TAGS;
		uint64_t *t = gmem_ptr(gm, base, PAGE_SIZE);
		for (unsigned e = 0; t && e < scrub_end(frames[i]); e++) {
			if (!t[e])
				continue;
			t[e] = 0;
			if ((r = vcpu_queue_pte_flush(c, physmap_va(base + 8ull * e), 0)))
				return r;
		}
	}
	if ((r = vcpu_queue_pte_flush(c, 0, ~0ull)))
		return r;
	/* Through the agent on a root that surely has the kernel half, then back to ring 3
	 * at the probe page's `ud2` (after nops and `syscall`), which ends the run whatever
	 * MSR_LSTAR points at. */
	struct kvm_regs *regs = vcpu_regs(c);
	regs->rip = AGENT_VA(hv_agent_probe_nops) + 5;
	regs->rsp = 0;
	regs->rflags = RFLAGS_FIXED | RFLAGS_IF;
	vcpu_regs_changed(c);
	vcpu_sregs(c)->cr3 = c->vm->scratch_root;
	set_user_segments(c);
	/* A kick meant for the task that owned this vCPU only interrupts the scrub. */
	do {
		if ((r = vcpu_run(c, &ev)))
			return r;
	} while (ev.kind == VEV_INTERRUPTED);
	if (ev.kind != VEV_EXCEPTION || ev.vector != VEC_UD) {
		hv_err("scrub on vCPU %d ended with event %d, vector %u at rip %#llx (%s)", c->id, ev.kind,
		       ev.vector, (unsigned long long)vcpu_regs(c)->rip, ev.what);
		return -EIO;
	}
	return 0;
}

int vcpu_get_xsave(struct vcpu *c, void *buf)
{
	struct kvm_xsave x;

	IOCTL_OR_FAIL(c->fd, KVM_GET_XSAVE, &x, "GET_XSAVE");
	memcpy(buf, x.region, sizeof x.region);
	return 0;
}

int vcpu_set_xsave(struct vcpu *c, const void *buf)
{
	struct kvm_xsave x;

	memcpy(x.region, buf, sizeof x.region);
	/* Refusals are the guest's doing (a bad image in a signal frame): no log. */
	return ioctl(c->fd, KVM_SET_XSAVE, &x) < 0 ? -errno : 0;
}

int vcpu_set_debugregs(struct vcpu *c, const uint64_t addr[4], uint64_t dr7)
{
	struct kvm_debugregs d;

	memset(&d, 0, sizeof d);
	memcpy(d.db, addr, sizeof d.db);
	d.dr6 = DR6_RESERVED;
	d.dr7 = dr7 | DR7_FIXED_ONE;
	IOCTL_OR_FAIL(c->fd, KVM_SET_DEBUGREGS, &d, "SET_DEBUGREGS");
	return 0;
}

int vcpu_take_dr6(struct vcpu *c, uint64_t *dr6)
{
	struct kvm_debugregs d;

	IOCTL_OR_FAIL(c->fd, KVM_GET_DEBUGREGS, &d, "GET_DEBUGREGS");
	*dr6 = d.dr6;
	/* As Linux's handler: DR6's sticky bits are cleared for the next trap. */
	d.dr6 = DR6_RESERVED;
	IOCTL_OR_FAIL(c->fd, KVM_SET_DEBUGREGS, &d, "SET_DEBUGREGS");
	return 0;
}

int vcpu_get_fpu_status(struct vcpu *c, uint16_t *fcw, uint16_t *fsw, uint32_t *mxcsr)
{
	struct kvm_xsave x;

	/* KVM_GET_FPU returns success without filling the struct on kvm_pvm (platform.md):
	 * the legacy XSAVE area has FCW at 0, FSW at 2 and MXCSR at 24 everywhere. */
	IOCTL_OR_FAIL(c->fd, KVM_GET_XSAVE, &x, "GET_XSAVE");
	memcpy(fcw, (uint8_t *)x.region + 0, 2);
	memcpy(fsw, (uint8_t *)x.region + 2, 2);
	memcpy(mxcsr, (uint8_t *)x.region + 24, 4);
	return 0;
}

void vcpu_finish_syscall_entry(struct vcpu *c)
{
	struct kvm_regs *r = vcpu_regs(c);

	r->rip = r->rcx;
	r->rflags = (r->r11 & RFLAGS_USER_MASK) | RFLAGS_FIXED | RFLAGS_IF;
	vcpu_regs_changed(c);
	if ((vcpu_sregs(c)->cs.selector & 3) == 0)
		set_user_segments(c);
}

int vcpu_set_lstar(struct vcpu *c, uint64_t va)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m;

	memset(&m, 0, sizeof m);
	m.h.nmsrs = 1;
	m.e.index = MSR_LSTAR;
	m.e.data = va;
	if (ioctl(c->fd, KVM_SET_MSRS, &m) != 1) {
		hv_err("KVM: ioctl (SET_MSRS LSTAR=%#llx) failed", (unsigned long long)va);
		return -EIO;
	}
	return 0;
}
