/* Guest credentials and the syscalls that read and change them (see cred.h). */
#include "kernel/cred.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "kernel/syscall.h"
#include "kernel/uaccess.h"

/* The capabilities a filesystem uid of 0 brings (Linux's CAP_FS_SET). */
#define CAP_FS_SET (CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(CAP_DAC_READ_SEARCH) | \
		    CAP_BIT(CAP_FOWNER) | CAP_BIT(CAP_FSETID) | CAP_BIT(CAP_LINUX_IMMUTABLE) | \
		    CAP_BIT(CAP_MAC_OVERRIDE) | CAP_BIT(CAP_MKNOD))

int cred_init_from_host(struct cred *c)
{
	memset(c, 0, sizeof *c);
	if (getresuid(&c->uid, &c->euid, &c->suid) || getresgid(&c->gid, &c->egid, &c->sgid))
		return -errno;
	c->fsuid = c->euid;
	c->fsgid = c->egid;
	int n = getgroups(0, NULL);
	if (n > 0) {
		if (!(c->groups = calloc((size_t)n, sizeof *c->groups)))
			return -ENOMEM;
		c->ngroups = getgroups(n, c->groups) < 0 ? 0 : n;
	}
	/* The capabilities hvtrace itself has (a container may lack some). */
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	if (syscall(SYS_capget, &h, d) == 0) {
		c->cap_effective = d[0].effective | (uint64_t)d[1].effective << 32;
		c->cap_permitted = d[0].permitted | (uint64_t)d[1].permitted << 32;
		c->cap_inheritable = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	}
	c->cap_bounding = CRED_CAP_FULL;
	for (int cap = 0; cap <= CRED_CAP_LAST; cap++)
		if (prctl(PR_CAPBSET_READ, cap) == 0)
			c->cap_bounding &= ~CAP_BIT(cap);
	return 0;
}

int cred_copy(struct cred *dst, const struct cred *src)
{
	*dst = *src;
	dst->groups = NULL;
	if (src->ngroups) {
		if (!(dst->groups = malloc((size_t)src->ngroups * sizeof *dst->groups)))
			return -ENOMEM;
		memcpy(dst->groups, src->groups, (size_t)src->ngroups * sizeof *dst->groups);
	}
	return 0;
}

void cred_release(struct cred *c)
{
	free(c->groups);
	c->groups = NULL;
	c->ngroups = 0;
}

bool cred_capable(const struct cred *c, int cap)
{
	return c->cap_effective & CAP_BIT(cap);
}

/* As Linux's cap_emulate_setxuid(): leaving uid 0 behind drops capabilities. */
static void fix_setuid(struct cred *n, const struct cred *o)
{
	bool was_root = o->uid == 0 || o->euid == 0 || o->suid == 0;
	bool is_root = n->uid == 0 || n->euid == 0 || n->suid == 0;

	if (was_root && !is_root) {
		if (!n->keep_caps)
			n->cap_permitted = n->cap_effective = 0;
		n->cap_ambient = 0;
	}
	if (o->euid == 0 && n->euid != 0)
		n->cap_effective = 0;
	if (o->euid != 0 && n->euid == 0)
		n->cap_effective = n->cap_permitted;
}

/* As Linux's cap_task_fix_setuid(LSM_SETID_FS). */
static void fix_setfsuid(struct cred *n, const struct cred *o)
{
	if (o->fsuid == 0 && n->fsuid != 0)
		n->cap_effective &= ~CAP_FS_SET;
	if (o->fsuid != 0 && n->fsuid == 0)
		n->cap_effective |= n->cap_permitted & CAP_FS_SET;
}

/* As Linux's commit_creds(): a process whose identity or capabilities change stops
 * being dumpable (suid_dumpable 0), so that it cannot be traced by its old peers.
 * Preconditions: k->mu held. */
static void commit(struct process *p, const struct cred *n)
{
	struct cred *o = &p->cred;

	if (o->euid != n->euid || o->egid != n->egid || o->fsuid != n->fsuid || o->fsgid != n->fsgid ||
	    (n->cap_permitted & ~o->cap_permitted))
		p->dumpable = false;
	gid_t *groups = o->groups;
	*o = *n;
	o->groups = groups;
}

static bool one_of(uid_t v, uid_t a, uid_t b, uid_t c)
{
	return v == a || v == b || v == c;
}

/* The four set*uid calls; what == 'u' for uids, 'g' for gids. ids[] are the new
 * real, effective and saved ids, (uid_t)-1 for "unchanged". */
static long set_ids(struct task *t, char what, uid_t r, uid_t e, uid_t s, bool setreuid_rule, bool set_all)
{
	struct kernel *k = t->k;
	struct process *p = t->proc;
	long ret = 0;

	pthread_mutex_lock(&k->mu);
	struct cred n = p->cred;
	uid_t *cr = what == 'u' ? &n.uid : &n.gid, *ce = what == 'u' ? &n.euid : &n.egid;
	uid_t *cs = what == 'u' ? &n.suid : &n.sgid, *cf = what == 'u' ? &n.fsuid : &n.fsgid;
	uid_t or = *cr, oe = *ce, os = *cs;
	bool priv = cred_capable(&p->cred, what == 'u' ? CAP_SETUID : CAP_SETGID);

	if (set_all) {
		/* setuid(2)/setgid(2): everything when privileged, else the effective id to
		 * the real or saved one. */
		if (priv) {
			*cr = *ce = *cs = e;
		} else if (e == or || e == os) {
			*ce = e;
		} else {
			ret = -EPERM;
			goto out;
		}
	} else if (setreuid_rule) {
		if (r != (uid_t)-1) {
			if (!priv && r != or && r != oe) {
				ret = -EPERM;
				goto out;
			}
			*cr = r;
		}
		if (e != (uid_t)-1) {
			if (!priv && !one_of(e, or, oe, os)) {
				ret = -EPERM;
				goto out;
			}
			*ce = e;
		}
		/* As Linux: the saved id follows a changed real id, or an effective id that
		 * differs from the old real one. */
		if (r != (uid_t)-1 || (e != (uid_t)-1 && e != or))
			*cs = *ce;
	} else {
		if (!priv && ((r != (uid_t)-1 && !one_of(r, or, oe, os)) ||
			      (e != (uid_t)-1 && !one_of(e, or, oe, os)) ||
			      (s != (uid_t)-1 && !one_of(s, or, oe, os)))) {
			ret = -EPERM;
			goto out;
		}
		if (r != (uid_t)-1)
			*cr = r;
		if (e != (uid_t)-1)
			*ce = e;
		if (s != (uid_t)-1)
			*cs = s;
	}
	*cf = *ce;
	if (what == 'u') {
		fix_setuid(&n, &p->cred);
		fix_setfsuid(&n, &p->cred);
	}
	commit(p, &n);
out:
	pthread_mutex_unlock(&k->mu);
	return ret;
}

SYSCALL(getuid) { (void)a; return t->proc->cred.uid; }
SYSCALL(geteuid) { (void)a; return t->proc->cred.euid; }
SYSCALL(getgid) { (void)a; return t->proc->cred.gid; }
SYSCALL(getegid) { (void)a; return t->proc->cred.egid; }

SYSCALL(setuid) { return set_ids(t, 'u', -1, (uid_t)a[0], -1, false, true); }
SYSCALL(setgid) { return set_ids(t, 'g', -1, (gid_t)a[0], -1, false, true); }
SYSCALL(setreuid) { return set_ids(t, 'u', (uid_t)a[0], (uid_t)a[1], -1, true, false); }
SYSCALL(setregid) { return set_ids(t, 'g', (gid_t)a[0], (gid_t)a[1], -1, true, false); }
SYSCALL(setresuid) { return set_ids(t, 'u', (uid_t)a[0], (uid_t)a[1], (uid_t)a[2], false, false); }
SYSCALL(setresgid) { return set_ids(t, 'g', (gid_t)a[0], (gid_t)a[1], (gid_t)a[2], false, false); }

static long get_res(struct task *t, const uint64_t *a, bool uids)
{
	const struct cred *c = &t->proc->cred;
	uid_t v[3] = {uids ? c->uid : c->gid, uids ? c->euid : c->egid, uids ? c->suid : c->sgid};

	for (int i = 0; i < 3; i++)
		if (put_user(t, a[i], &v[i], sizeof v[i]))
			return -EFAULT;
	return 0;
}

SYSCALL(getresuid) { return get_res(t, a, true); }
SYSCALL(getresgid) { return get_res(t, a, false); }

/* setfsuid/setfsgid: always the old value; the new one only when allowed. */
static long set_fs_id(struct task *t, uid_t id, bool uids)
{
	struct process *p = t->proc;

	pthread_mutex_lock(&t->k->mu);
	struct cred n = p->cred;
	uid_t old = uids ? n.fsuid : n.fsgid;
	bool ok = uids ? one_of(id, n.uid, n.euid, n.suid) || id == n.fsuid
		       : one_of(id, n.gid, n.egid, n.sgid) || id == n.fsgid;
	if (id != (uid_t)-1 && (ok || cred_capable(&n, uids ? CAP_SETUID : CAP_SETGID))) {
		if (uids) {
			n.fsuid = id;
			fix_setfsuid(&n, &p->cred);
		} else {
			n.fsgid = id;
		}
		commit(p, &n);
	}
	pthread_mutex_unlock(&t->k->mu);
	return old;
}

SYSCALL(setfsuid) { return set_fs_id(t, (uid_t)a[0], true); }
SYSCALL(setfsgid) { return set_fs_id(t, (gid_t)a[0], false); }

SYSCALL(getgroups)
{
	const struct cred *c = &t->proc->cred;
	int size = (int)a[0];

	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return c->ngroups;
	if (size < c->ngroups)
		return -EINVAL;
	if (c->ngroups && put_user(t, a[1], c->groups, (uint64_t)c->ngroups * sizeof c->groups[0]))
		return -EFAULT;
	return c->ngroups;
}

SYSCALL(setgroups)
{
	int n = (int)a[0];

	if (n < 0 || n > CRED_NGROUPS_MAX)
		return -EINVAL;
	if (!cred_capable(&t->proc->cred, CAP_SETGID))
		return -EPERM;
	gid_t *g = n ? malloc((size_t)n * sizeof *g) : NULL;
	if (n && !g)
		return -ENOMEM;
	if (n && get_user(t, g, a[1], (uint64_t)n * sizeof *g)) {
		free(g);
		return -EFAULT;
	}
	pthread_mutex_lock(&t->k->mu);
	free(t->proc->cred.groups);
	t->proc->cred.groups = g;
	t->proc->cred.ngroups = n;
	pthread_mutex_unlock(&t->k->mu);
	return 0;
}

/* As Linux's cap_validate_magic(): the number of 32-bit data words of the version,
 * or -EINVAL after telling the caller the version we speak. */
static long cap_words(struct task *t, uint64_t header, int *pid)
{
	struct __user_cap_header_struct h;

	if (get_user(t, &h, header, sizeof h))
		return -EFAULT;
	*pid = h.pid;
	switch (h.version) {
	case _LINUX_CAPABILITY_VERSION_1:
		return _LINUX_CAPABILITY_U32S_1;
	case _LINUX_CAPABILITY_VERSION_2:
	case _LINUX_CAPABILITY_VERSION_3:
		return _LINUX_CAPABILITY_U32S_3;
	}
	uint32_t v = _LINUX_CAPABILITY_VERSION_3;
	if (put_user(t, header, &v, sizeof v))
		return -EFAULT;
	return -EINVAL;
}

SYSCALL(capget)
{
	int pid;
	long words = cap_words(t, a[0], &pid);

	if (!a[1] || words < 0)
		return !a[1] && words == -EINVAL ? 0 : (words < 0 ? words : 0);
	if (pid < 0)
		return -EINVAL;
	struct cred c;
	pthread_mutex_lock(&t->k->mu);
	struct task *x = pid ? kernel_find_task(t->k, pid) : t;
	if (x)
		c = x->proc->cred;
	pthread_mutex_unlock(&t->k->mu);
	if (!x)
		return -ESRCH;
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	for (int i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(c.cap_effective >> (32 * i));
		d[i].permitted = (uint32_t)(c.cap_permitted >> (32 * i));
		d[i].inheritable = (uint32_t)(c.cap_inheritable >> (32 * i));
	}
	return put_user(t, a[1], d, (uint64_t)words * sizeof d[0]);
}

static uint64_t join(const struct __user_cap_data_struct *d, long words, int which)
{
	uint64_t v = 0;

	for (long i = 0; i < words; i++) {
		uint32_t w = which == 0 ? d[i].effective : which == 1 ? d[i].permitted : d[i].inheritable;
		v |= (uint64_t)w << (32 * i);
	}
	return v & CRED_CAP_FULL;
}

SYSCALL(capset)
{
	int pid;
	long words = cap_words(t, a[0], &pid);

	if (words < 0)
		return words;
	if (pid != 0 && pid != t->tid)
		return -EPERM;
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	if (get_user(t, d, a[1], (uint64_t)words * sizeof d[0]))
		return -EFAULT;
	uint64_t eff = join(d, words, 0), perm = join(d, words, 1), inh = join(d, words, 2);
	struct process *p = t->proc;
	long r = 0;

	pthread_mutex_lock(&t->k->mu);
	struct cred n = p->cred;
	/* As Linux's cap_capset(). */
	if ((!cred_capable(&n, CAP_SETPCAP) && (inh & ~(n.cap_inheritable | n.cap_permitted))) ||
	    (inh & ~(n.cap_inheritable | n.cap_bounding)) || (perm & ~n.cap_permitted) || (eff & ~perm)) {
		r = -EPERM;
	} else {
		n.cap_effective = eff;
		n.cap_permitted = perm;
		n.cap_inheritable = inh;
		n.cap_ambient &= perm & inh;
		commit(p, &n);
	}
	pthread_mutex_unlock(&t->k->mu);
	return r;
}
