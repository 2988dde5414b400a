/* prctl(2): the options programs commonly use. Others are EINVAL, as Linux answers
 * options it does not know (and logged with --verbose). */
#include <errno.h>
#include <linux/prctl.h>
#include <signal.h>
#include <string.h>

#include "kernel/kernel.h"
#include "kernel/syscall.h"
#include "kernel/uaccess.h"
#include "vmm/log.h"

SYSCALL(prctl)
{
	int option = (int)a[0];
	struct process *p = t->proc;
	long r = 0;

	switch (option) {
	case PR_SET_NAME: {
		char name[16];
		long n = mm_strncpy_from_user(p->mm, name, a[1], sizeof name);
		if (n == -EFAULT)
			return -EFAULT;
		name[sizeof name - 1] = 0; /* longer names are cut, as Linux */
		if (n < 0) {
			/* Cut at 15: copy what fits. */
			if (get_user(t, name, a[1], sizeof name - 1))
				return -EFAULT;
			name[sizeof name - 1] = 0;
		}
		pthread_mutex_lock(&t->k->mu);
		memcpy(p->comm, name, sizeof name);
		pthread_mutex_unlock(&t->k->mu);
		return 0;
	}
	case PR_GET_NAME: {
		char name[16];
		pthread_mutex_lock(&t->k->mu);
		memcpy(name, p->comm, sizeof name);
		pthread_mutex_unlock(&t->k->mu);
		return put_user(t, a[1], name, sizeof name);
	}
	case PR_SET_PDEATHSIG:
		if (a[1] > HV_NSIG)
			return -EINVAL;
		pthread_mutex_lock(&t->k->mu);
		p->pdeath_signal = (int)a[1];
		pthread_mutex_unlock(&t->k->mu);
		return 0;
	case PR_GET_PDEATHSIG: {
		int sig;
		pthread_mutex_lock(&t->k->mu);
		sig = p->pdeath_signal;
		pthread_mutex_unlock(&t->k->mu);
		return put_user(t, a[1], &sig, sizeof sig);
	}
	case PR_SET_CHILD_SUBREAPER:
		pthread_mutex_lock(&t->k->mu);
		p->is_subreaper = a[1] != 0;
		pthread_mutex_unlock(&t->k->mu);
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		int v;
		pthread_mutex_lock(&t->k->mu);
		v = p->is_subreaper;
		pthread_mutex_unlock(&t->k->mu);
		return put_user(t, a[1], &v, sizeof v);
	}
	case PR_SET_DUMPABLE:
		if (a[1] > 1)
			return -EINVAL; /* SUID_DUMP_ROOT is not settable */
		pthread_mutex_lock(&t->k->mu);
		p->dumpable = a[1] == 1;
		pthread_mutex_unlock(&t->k->mu);
		return 0;
	case PR_GET_DUMPABLE:
		pthread_mutex_lock(&t->k->mu);
		r = p->dumpable;
		pthread_mutex_unlock(&t->k->mu);
		return r;
	case PR_SET_PTRACER:
		if (a[1] != (uint64_t)PR_SET_PTRACER_ANY && (int64_t)a[1] < 0)
			return -EINVAL;
		pthread_mutex_lock(&t->k->mu);
		if (a[1] == (uint64_t)PR_SET_PTRACER_ANY)
			p->ptracer = -1;
		else if (a[1] == 0 || kernel_find_process(t->k, (int)a[1]))
			p->ptracer = (int)a[1];
		else
			r = -EINVAL;
		pthread_mutex_unlock(&t->k->mu);
		return r;
	case PR_SET_KEEPCAPS:
		if (a[1] > 1)
			return -EINVAL;
		p->cred.keep_caps = a[1];
		return 0;
	case PR_GET_KEEPCAPS:
		return p->cred.keep_caps;
	case PR_CAPBSET_READ:
		if (a[1] > CRED_CAP_LAST)
			return -EINVAL;
		return (p->cred.cap_bounding >> a[1]) & 1;
	case PR_SET_SECCOMP:
		return seccomp_prctl_set(t, a[1], a[2]);
	case PR_GET_SECCOMP:
		return seccomp_prctl_get(t);
	case PR_SET_NO_NEW_PRIVS:
		if (a[1] != 1 || a[2] || a[3] || a[4])
			return -EINVAL;
		p->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a[1] || a[2] || a[3] || a[4])
			return -EINVAL;
		return p->no_new_privs;
	default:
		hv_info("pid %d: prctl option %d not supported -> EINVAL", p->pid, option);
		return -EINVAL;
	}
}
