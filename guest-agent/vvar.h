/* The time page the host keeps current for the guest's vDSO (guest-agent/vdso.c) and
 * updates from vmm/timekeeper.c. Mapped read-only one page below the vDSO image. */
#ifndef HV_GUEST_AGENT_VVAR_H
#define HV_GUEST_AGENT_VVAR_H

#include <stdint.h>

#define VVAR_TSC_OK 1u    /* the guest may read the TSC: compute time in the guest */
#define VVAR_RDTSCP_OK 2u /* RDTSCP works in ring 3: getcpu from TSC_AUX */

struct hv_vvar {
	volatile uint32_t seq; /* odd while the host writes */
	uint32_t flags;
	/* ns(clock) = base(clock) + ((tsc - tsc_base) * mult) >> shift */
	uint64_t tsc_base;
	int64_t mono_base;
	int64_t real_base;
	int64_t boot_base;
	int64_t tai_base;
	uint32_t mult;
	uint32_t shift;
};

#endif
