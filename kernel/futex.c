/* futex(2): WAIT/WAKE (and _BITSET), REQUEUE, CMP_REQUEUE, WAKE_OP, robust lists.
 * Waiters queue in the kernel's futex list (protected by k->mu) and sleep on their
 * task's condition variable, so signals and SIGKILL interrupt them like any sleep. */
#include "kernel/futex.h"

#include <errno.h>
#include <linux/futex.h>
#include <limits.h>
#include <string.h>
#include <time.h>

#include "kernel/kernel.h"
#include "kernel/sig_send.h"
#include "kernel/syscall.h"
#include "kernel/uaccess.h"
#include "vmm/log.h"
#include "vmm/vm.h"

struct futex_waiter {
	struct futex_key key;
	uint32_t bitset;
	struct task *task;
	bool woken;
	struct futex_waiter *next;
};

static bool key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->mm == b->mm && a->addr == b->addr && a->mm_shared == b->mm_shared;
}

/* Preconditions: k->mu held. */
static int wake_key(struct kernel *k, const struct futex_key *key, int n, uint32_t bitset)
{
	int woken = 0;

	for (struct futex_waiter **pp = &k->futex_waiters; *pp && woken < n;) {
		struct futex_waiter *w = *pp;
		if (key_eq(&w->key, key) && (w->bitset & bitset)) {
			*pp = w->next;
			w->woken = true;
			pthread_cond_signal(&w->task->wake);
			woken++;
			continue;
		}
		pp = &w->next;
	}
	return woken;
}

/* The key of the word at va, and a host pointer to it. With keep, the frame stays
 * referenced (release with frame_put) so that writes through the pointer can never
 * reach a frame a concurrent munmap freed; reads only ever see guest RAM. */
static int get_key(struct task *t, uint64_t va, bool write, bool private_hint, uint32_t **word,
		   struct futex_key *key, uint64_t *keep)
{
	uint64_t frame;
	int r = mm_futex_word(t->proc->mm, va, write, private_hint, word, &frame, key);

	if (r)
		return r;
	if (keep)
		*keep = frame;
	else
		frame_put(&t->vm->mem, frame);
	return 0;
}

void futex_wake_addr(struct task *t, uint64_t va, int n)
{
	struct futex_key key;
	uint32_t *word;

	if (get_key(t, va, false, false, &word, &key, NULL))
		return;
	pthread_mutex_lock(&t->k->mu);
	wake_key(t->k, &key, n, FUTEX_BITSET_MATCH_ANY);
	pthread_mutex_unlock(&t->k->mu);
}

static void timespec_add(struct timespec *a, const struct timespec *b)
{
	a->tv_sec += b->tv_sec;
	a->tv_nsec += b->tv_nsec;
	if (a->tv_nsec >= 1000000000L) {
		a->tv_sec++;
		a->tv_nsec -= 1000000000L;
	}
}

/* The CLOCK_MONOTONIC deadline for a FUTEX_WAIT timeout. */
static long futex_deadline(struct task *t, uint64_t uts, bool absolute, bool realtime, struct timespec *out)
{
	struct timespec ts, now;
	long r;

	if ((r = get_user(t, &ts, uts, sizeof ts)))
		return r;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!absolute) {
		*out = now;
		timespec_add(out, &ts);
		return 0;
	}
	if (realtime) {
		struct timespec rt;
		clock_gettime(CLOCK_REALTIME, &rt);
		int64_t delta = (ts.tv_sec - rt.tv_sec) * 1000000000LL + (ts.tv_nsec - rt.tv_nsec);
		if (delta < 0)
			delta = 0;
		struct timespec d = {delta / 1000000000LL, delta % 1000000000LL};
		*out = now;
		timespec_add(out, &d);
		return 0;
	}
	*out = ts;
	return 0;
}

static long futex_wait(struct task *t, uint64_t uaddr, uint32_t val, const struct timespec *deadline,
		       uint32_t bitset, bool private_hint)
{
	struct kernel *k = t->k;
	struct futex_waiter w = {.bitset = bitset, .task = t};
	uint32_t *word;
	long r;

	if ((r = get_key(t, uaddr, false, private_hint, &word, &w.key, NULL)))
		return r;
	pthread_mutex_lock(&k->mu);
	/* The value check and the queueing happen under k->mu, and every waker takes it:
	 * no wake-up between the check and the sleep is lost. */
	if (__atomic_load_n(word, __ATOMIC_SEQ_CST) != val) {
		pthread_mutex_unlock(&k->mu);
		return -EAGAIN;
	}
	w.next = k->futex_waiters;
	k->futex_waiters = &w;
	for (;;) {
		int s = task_sleep(t, deadline);
		if (w.woken) {
			r = 0;
			break;
		}
		if (s == -ETIMEDOUT) {
			r = -ETIMEDOUT;
			break;
		}
		if (s == -EINTR) {
			r = deadline ? -ERESTART_RESTARTBLOCK : -ERESTARTSYS;
			break;
		}
	}
	if (!w.woken) {
		for (struct futex_waiter **pp = &k->futex_waiters; *pp; pp = &(*pp)->next)
			if (*pp == &w) {
				*pp = w.next;
				break;
			}
	}
	pthread_mutex_unlock(&k->mu);
	/* A wake-up that raced with the signal wins, as Linux. */
	return w.woken ? 0 : r;
}

static long futex_requeue(struct task *t, uint64_t u1, uint64_t u2, int nwake, int nrequeue,
			  bool cmp, uint32_t val3, bool private_hint)
{
	struct kernel *k = t->k;
	struct futex_key k1, k2;
	uint32_t *w1, *w2;
	long r;

	if (nwake < 0 || nrequeue < 0)
		return -EINVAL;
	if ((r = get_key(t, u1, false, private_hint, &w1, &k1, NULL)) ||
	    (r = get_key(t, u2, false, private_hint, &w2, &k2, NULL)))
		return r;
	pthread_mutex_lock(&k->mu);
	if (cmp && __atomic_load_n(w1, __ATOMIC_SEQ_CST) != val3) {
		pthread_mutex_unlock(&k->mu);
		return -EAGAIN;
	}
	int done = wake_key(k, &k1, nwake, FUTEX_BITSET_MATCH_ANY);
	int moved = 0;
	for (struct futex_waiter *w = k->futex_waiters; w && moved < nrequeue; w = w->next)
		if (key_eq(&w->key, &k1)) {
			w->key = k2;
			moved++;
		}
	pthread_mutex_unlock(&k->mu);
	/* As Linux: CMP_REQUEUE returns woken + requeued, REQUEUE only the woken. */
	return cmp ? done + moved : done;
}

static long futex_wake_op(struct task *t, uint64_t u1, uint64_t u2, int n1, int n2, uint32_t op,
			  bool private_hint)
{
	struct kernel *k = t->k;
	struct futex_key k1, k2;
	uint32_t *w1, *w2;
	long r;

	int opcode = (op >> 28) & 7, cmp = (op >> 24) & 15;
	uint32_t oparg = (op >> 12) & 0xfff, cmparg = op & 0xfff;
	if (op & ((uint32_t)FUTEX_OP_OPARG_SHIFT << 28)) {
		if (oparg > 31)
			return -EINVAL; /* as Linux (after a warning) */
		oparg = 1u << oparg;
	}
	/* Sign-extend the 12-bit fields, as Linux. */
	if (oparg & 0x800 && !(op & ((uint32_t)FUTEX_OP_OPARG_SHIFT << 28)))
		oparg |= 0xfffff000u;
	if (cmparg & 0x800)
		cmparg |= 0xfffff000u;
	if (opcode > FUTEX_OP_XOR || cmp > FUTEX_OP_CMP_GE)
		return -ENOSYS;
	uint64_t frame2;
	if ((r = get_key(t, u1, false, private_hint, &w1, &k1, NULL)) ||
	    (r = get_key(t, u2, true, private_hint, &w2, &k2, &frame2)))
		return r;
	pthread_mutex_lock(&k->mu);
	uint32_t old;
	switch (opcode) {
	case FUTEX_OP_SET: old = __atomic_exchange_n(w2, oparg, __ATOMIC_SEQ_CST); break;
	case FUTEX_OP_ADD: old = __atomic_fetch_add(w2, oparg, __ATOMIC_SEQ_CST); break;
	case FUTEX_OP_OR: old = __atomic_fetch_or(w2, oparg, __ATOMIC_SEQ_CST); break;
	case FUTEX_OP_ANDN: old = __atomic_fetch_and(w2, ~oparg, __ATOMIC_SEQ_CST); break;
	default: old = __atomic_fetch_xor(w2, oparg, __ATOMIC_SEQ_CST); break;
	}
	int ret = wake_key(k, &k1, n1, FUTEX_BITSET_MATCH_ANY);
	bool hit;
	int32_t so = (int32_t)old, sa = (int32_t)cmparg;
	switch (cmp) {
	case FUTEX_OP_CMP_EQ: hit = so == sa; break;
	case FUTEX_OP_CMP_NE: hit = so != sa; break;
	case FUTEX_OP_CMP_LT: hit = so < sa; break;
	case FUTEX_OP_CMP_LE: hit = so <= sa; break;
	case FUTEX_OP_CMP_GT: hit = so > sa; break;
	default: hit = so >= sa; break;
	}
	if (hit)
		ret += wake_key(k, &k2, n2, FUTEX_BITSET_MATCH_ANY);
	pthread_mutex_unlock(&k->mu);
	frame_put(&t->vm->mem, frame2);
	return ret;
}

SYSCALL(futex)
{
	int op = (int)a[1];
	int cmd = op & FUTEX_CMD_MASK;
	bool priv = op & FUTEX_PRIVATE_FLAG;
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	uint32_t val = (uint32_t)a[2];
	struct timespec deadline;
	long r;

	if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_LOCK_PI2 &&
	    cmd != FUTEX_WAIT_REQUEUE_PI)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET: {
		uint32_t bitset = cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : (uint32_t)a[5];
		if (!bitset)
			return -EINVAL;
		const struct timespec *dl = NULL;
		if (a[3]) {
			if ((r = futex_deadline(t, a[3], cmd == FUTEX_WAIT_BITSET, realtime, &deadline)))
				return r;
			dl = &deadline;
		}
		return futex_wait(t, a[0], val, dl, bitset, priv);
	}
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET: {
		uint32_t bitset = cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : (uint32_t)a[5];
		struct futex_key key;
		uint32_t *word;
		if (!bitset)
			return -EINVAL;
		if ((r = get_key(t, a[0], false, priv, &word, &key, NULL)))
			return r;
		pthread_mutex_lock(&t->k->mu);
		r = wake_key(t->k, &key, (int)val > 0 ? (int)val : 0, bitset);
		pthread_mutex_unlock(&t->k->mu);
		return r;
	}
	case FUTEX_REQUEUE:
		return futex_requeue(t, a[0], a[4], (int)val, (int)a[3], false, 0, priv);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(t, a[0], a[4], (int)val, (int)a[3], true, (uint32_t)a[5], priv);
	case FUTEX_WAKE_OP:
		return futex_wake_op(t, a[0], a[4], (int)val, (int)a[3], (uint32_t)a[5], priv);
	default:
		hv_info("pid %d: futex op %d not implemented -> ENOSYS", t->proc->pid, cmd);
		return -ENOSYS;
	}
}

/* Marks one robust futex of the dying thread. */
static void robust_one(struct task *t, uint64_t uaddr, bool pending)
{
	struct futex_key key;
	uint32_t *word;
	uint64_t frame;

	if (get_key(t, uaddr, true, false, &word, &key, &frame))
		return;
	uint32_t cur = __atomic_load_n(word, __ATOMIC_SEQ_CST);
	for (;;) {
		if ((cur & FUTEX_TID_MASK) != (uint32_t)t->tid) {
			/* As Linux: a pending op with no owner yet still wakes a waiter. */
			if (pending && !cur)
				futex_wake_addr(t, uaddr, 1);
			frame_put(&t->vm->mem, frame);
			return;
		}
		uint32_t nv = (cur & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
		if (__atomic_compare_exchange_n(word, &cur, nv, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
	}
	frame_put(&t->vm->mem, frame);
	if (cur & FUTEX_WAITERS)
		futex_wake_addr(t, uaddr, 1);
}

void futex_exit_robust_list(struct task *t)
{
	uint64_t head[3]; /* list, futex_offset, list_op_pending */
	uint64_t entry;

	if (t->robust_list_len != sizeof head || get_user(t, head, t->robust_list_head, sizeof head))
		return;
	int64_t off = (int64_t)head[1];
	entry = head[0];
	for (int limit = 0; entry != t->robust_list_head && limit < ROBUST_LIST_LIMIT; limit++) {
		uint64_t next;
		if (get_user(t, &next, entry & ~1ull, sizeof next))
			return;
		if ((entry & ~1ull) != head[2])
			robust_one(t, (entry & ~1ull) + (uint64_t)off, false);
		entry = next;
	}
	if (head[2])
		robust_one(t, (head[2] & ~1ull) + (uint64_t)off, true);
}
