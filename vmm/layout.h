/* Where hvtrace puts its own things in every guest address space and in guest-physical
 * memory. The guest agent (guest-agent/agent.S) and the host agree on these numbers. */
#ifndef HV_VMM_LAYOUT_H
#define HV_VMM_LAYOUT_H

/* The kernel half (PML4 slots 256..511) is shared by every address space.
 * Slot 256 is unusable on kvm_pvm (platform.md); we use 273 and 511 only. */
#define PHYSMAP_BASE 0xffff888000000000ull /* all guest RAM, supervisor RW NX, 2 MiB pages */
#define PHYSMAP_SLOT 273u
#define AGENT_SLOT 511u
#define AGENT_TEXT_VA 0xffffffff81000000ull /* agent page: supervisor, read-only, executable */
#define TRAMPOLINE_VA 0xffffffff81001000ull /* MSR_LSTAR target: user-executable, read-only */
#define PROBE_CODE_VA 0xffffffff81002000ull /* start-up probe code: user-executable, only while probing */
#define KERNEL_HALF_FIRST_SLOT 256u
/* PML4 slot 510 belongs to each address space alone: the exit-less trampoline and
 * request slot of every vCPU running on it, at XL_BASE + id * XL_STRIDE (code page,
 * then slot page). A process can never reach another process's slots. */
#define XL_SLOT 510u
#define XL_BASE 0xffffff0000000000ull
#define XL_STRIDE 8192ull
#define XL_MAX_VCPUS 256

/* I/O ports of the agent protocol (design decision 4). */
#define PORT_SYSCALL 0x10      /* the trampoline: a ring-3 or ring-0 `out` (TSS I/O bitmap allows it) */
#define PORT_FLUSH_MORE 0x11   /* the PTE mailbox wants a refill */
#define PORT_EXCEPTION 0x80    /* + vector: ring-0 IDT stub */

/* Offsets inside the agent blob (checked against the assembly at start-up). */
#define AGENT_STUB_SIZE 16
#define AGENT_BLOB_PAGES 5
#define AGENT_XL3_PAGE 3
#define AGENT_XL0_PAGE 4

/* Per-vCPU mailbox of PTE re-stores: a header then (pte kernel VA, user VA) pairs. */
#define MAILBOX_CAPACITY ((4096 - 16) / 16)

#endif
