/* Classic BPF for seccomp filters: the checks Linux makes when a filter is installed
 * (bpf_check_classic + seccomp_check_filter) and the interpreter that runs it over a
 * struct seccomp_data. Pure: unit tests drive it directly. */
#ifndef HV_KERNEL_SECCOMP_BPF_H
#define HV_KERNEL_SECCOMP_BPF_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>

#define SECCOMP_BPF_MAX_INSNS BPF_MAXINSNS

/* 0 when prog[0..len) is a filter Linux would accept, else -EINVAL. */
int seccomp_bpf_check(const struct sock_filter *prog, unsigned len);
/* Runs a checked filter; returns its SECCOMP_RET_* value. */
uint32_t seccomp_bpf_run(const struct sock_filter *prog, unsigned len, const struct seccomp_data *d);

#endif
