/* Guest credentials: real/effective/saved/filesystem uids and gids, supplementary
 * groups and capabilities, as Linux's struct cred, with the set*id(2) and capset(2)
 * rules of kernel/sys.c and commoncap.c. The guest starts with hvtrace's own ids, and
 * every capability when that is root.
 *
 * They decide what the guest's own checks decide (ptrace access, signals' si_uid,
 * getuid & co.); files are still reached with hvtrace's credentials on the host
 * (README, "Security model"). Held per process: Linux keeps them per thread, but
 * glibc and musl change every thread's together. Preconditions: k->mu held to read or
 * change another process's; a process reads its own without it. */
#ifndef HV_KERNEL_CRED_H
#define HV_KERNEL_CRED_H

#include <linux/capability.h> /* CAP_* numbers */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define CRED_NGROUPS_MAX 65536
/* Linux's CAP_LAST_CAP (40, CAP_CHECKPOINT_RESTORE) */
#define CRED_CAP_LAST 40
#define CRED_CAP_FULL ((1ull << (CRED_CAP_LAST + 1)) - 1)
#define CAP_BIT(c) (1ull << (c))

struct cred {
	uid_t uid, euid, suid, fsuid;
	gid_t gid, egid, sgid, fsgid;
	gid_t *groups; /* owned */
	int ngroups;
	uint64_t cap_inheritable, cap_permitted, cap_effective, cap_bounding, cap_ambient;
	bool keep_caps; /* PR_SET_KEEPCAPS */
};

struct process;
struct task;

/* hvtrace's own credentials. 0 or -ENOMEM. */
int cred_init_from_host(struct cred *c);
/* fork(2): a copy. 0 or -ENOMEM. */
int cred_copy(struct cred *dst, const struct cred *src);
void cred_release(struct cred *c);
bool cred_capable(const struct cred *c, int cap);

#endif
