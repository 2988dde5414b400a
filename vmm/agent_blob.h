/* Symbols of the guest agent (guest-agent/agent.S), linked into hvtrace as data. */
#ifndef HV_VMM_AGENT_BLOB_H
#define HV_VMM_AGENT_BLOB_H

extern const char hv_agent_start[], hv_agent_flush[], hv_agent_trampoline[];
extern const char hv_agent_probe_nops[], hv_agent_probe_load[], hv_agent_end[];
extern const char hv_agent_probe_syscall_loop[], hv_agent_probe_return_ring3[];
extern const char hv_agent_probe_return_ring0[];
extern const char hv_agent_probe_rdtsc[], hv_agent_probe_rdtscp[];
extern const char hv_agent_xl3[], hv_agent_xl3_out[], hv_agent_xl0[], hv_agent_xl0_out[];

/* Guest VA of an agent symbol. */
#define AGENT_VA(sym) (AGENT_TEXT_VA + (uint64_t)((sym) - hv_agent_start))

#endif
