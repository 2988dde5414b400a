/* futex(2): WAIT/WAKE (and _BITSET), REQUEUE, CMP_REQUEUE, WAKE_OP, the PI operations
 * (LOCK_PI, LOCK_PI2, TRYLOCK_PI, UNLOCK_PI, WAIT_REQUEUE_PI, CMP_REQUEUE_PI), robust
 * lists. Waiters queue in the kernel's futex list (protected by k->mu) and sleep on their
 * task's condition variable, so signals and SIGKILL interrupt them like any sleep.
 *
 * PI futexes follow Linux's ownership protocol (kernel/futex/pi.c) without priorities:
 * while a PI futex has waiters in the kernel, the kernel's record of its owner (struct
 * futex_pi) is the authority and the word keeps FUTEX_WAITERS set, so the owner's
 * unlock must come to the kernel, which hands the futex to the first queued waiter. */
#include "kernel/futex.h"

#include <errno.h>
#include <linux/futex.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/kernel.h"
#include "kernel/sig_send.h"
#include "kernel/syscall.h"
#include "kernel/uaccess.h"
#include "vmm/log.h"
#include "vmm/vm.h"

/* Linux's futex_pi_state: the owner of a PI futex that has waiters in the kernel. It
 * lives as long as some waiter points to it (refs), and is found through them.
 * Preconditions for every field: k->mu held. */
struct futex_pi {
	struct task *owner; /* never NULL; an exiting owner hands it on (futex_exit_release) */
	int refs;
	/* The owner got it from a dead owner and has yet to write its tid in the word:
	 * the dying task could not write a word it may not even have mapped. */
	bool fixup;
};

/* Preconditions for every field once queued: k->mu held. */
struct futex_waiter {
	struct futex_key key;
	uint32_t bitset;
	struct task *task;
	/* Plain waiter: woken and unlinked by the waker. PI waiter: the futex was handed to
	 * it (pi->owner == task); it stays queued until it unlinks itself. */
	bool woken;
	struct futex_pi *pi; /* waits to own this PI futex (LOCK_PI, or requeued to one) */
	/* FUTEX_WAIT_REQUEUE_PI: only CMP_REQUEUE_PI may move it, and only to key2. Stays
	 * set after the move, as Linux's rt_waiter, so plain wakes keep refusing it. */
	bool requeue_pi;
	struct futex_key key2;
	struct futex_waiter *next;
};

static bool key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->mm == b->mm && a->addr == b->addr && a->mm_shared == b->mm_shared;
}

/* Wakes up to n plain waiters; -EINVAL, as Linux, on meeting a PI one (the word is a
 * PI futex's, which only UNLOCK_PI may hand on). Preconditions: k->mu held. */
static int wake_key(struct kernel *k, const struct futex_key *key, int n, uint32_t bitset)
{
	int woken = 0;

	for (struct futex_waiter **pp = &k->futex_waiters; *pp && woken < n;) {
		struct futex_waiter *w = *pp;
		if (key_eq(&w->key, key) && (w->pi || w->requeue_pi))
			return -EINVAL;
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
	for (struct futex_waiter *w = k->futex_waiters; done >= 0 && w && moved < nrequeue; w = w->next)
		if (key_eq(&w->key, &k1)) {
			/* As Linux: PI waiters pair with CMP_REQUEUE_PI only. */
			if (w->pi || w->requeue_pi) {
				done = -EINVAL;
				break;
			}
			w->key = k2;
			moved++;
		}
	pthread_mutex_unlock(&k->mu);
	if (done < 0)
		return done;
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
	if (hit && ret >= 0) {
		int r2 = wake_key(k, &k2, n2, FUTEX_BITSET_MATCH_ANY);
		ret = r2 < 0 ? r2 : ret + r2;
	}
	pthread_mutex_unlock(&k->mu);
	frame_put(&t->vm->mem, frame2);
	return ret;
}

/* Preconditions: k->mu held. */
static void enqueue_tail(struct kernel *k, struct futex_waiter *w)
{
	struct futex_waiter **pp = &k->futex_waiters;

	while (*pp)
		pp = &(*pp)->next;
	w->next = NULL;
	*pp = w;
}

/* Preconditions: k->mu held. */
static void unqueue(struct kernel *k, struct futex_waiter *w)
{
	for (struct futex_waiter **pp = &k->futex_waiters; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return;
		}
}

/* Preconditions: k->mu held. */
static void pi_put(struct futex_pi *pi)
{
	if (pi && --pi->refs == 0)
		free(pi);
}

/* Queues w behind pi's other waiters: with no priorities, the first queued is the
 * "highest-priority" waiter that UNLOCK_PI hands the futex to. Preconditions: k->mu held. */
static void pi_attach(struct kernel *k, struct futex_waiter *w, struct futex_pi *pi)
{
	w->pi = pi;
	pi->refs++;
	enqueue_tail(k, w);
}

/* The first waiter queued on key, of whatever kind (Linux's futex_top_waiter).
 * Preconditions: k->mu held. */
static struct futex_waiter *top_waiter(struct kernel *k, const struct futex_key *key)
{
	for (struct futex_waiter *w = k->futex_waiters; w; w = w->next)
		if (key_eq(&w->key, key))
			return w;
	return NULL;
}

/* pi's next owner: its first waiter not yet handed it. Preconditions: k->mu held. */
static struct futex_waiter *pi_next_waiter(struct kernel *k, const struct futex_pi *pi)
{
	for (struct futex_waiter *w = k->futex_waiters; w; w = w->next)
		if (w->pi == pi && !w->woken)
			return w;
	return NULL;
}

/* Preconditions: k->mu held. */
static void pi_hand_to(struct futex_waiter *w)
{
	w->pi->owner = w->task;
	w->woken = true;
	pthread_cond_signal(&w->task->wake);
}

/* Would locker, by waiting for owner, close a cycle of PI waits? Linux's rt_mutex
 * chain walk answers EDEADLK rather than let the cycle sleep forever (bounded as its
 * max_lock_depth). Preconditions: k->mu held. */
static bool pi_deadlock(struct kernel *k, const struct task *locker, struct task *owner)
{
	for (int depth = 0; owner && depth < 1024; depth++) {
		if (owner == locker)
			return true;
		struct task *next = NULL;
		for (struct futex_waiter *w = k->futex_waiters; w; w = w->next)
			if (w->task == owner && w->pi && !w->woken) {
				next = w->pi->owner;
				break;
			}
		owner = next;
	}
	return false;
}

/* As Linux's futex_lock_pi_atomic(), for locker (the caller, or the waiter a requeue acts
 * for). Returns 1 when the word was free and now names locker; 0 when locker must wait,
 * *pi being the state to join or, when NULL, *owner the owner to create it for; or
 * -errno. Every kernel write to a PI word happens under k->mu, so only user space's own
 * transitions (0 -> tid, and tid -> 0 while FUTEX_WAITERS is clear) race with these
 * compare-and-swaps: a failed one means the word moved, and we look again.
 * Preconditions: k->mu held; word's frame referenced. */
static int lock_pi_atomic(struct kernel *k, uint32_t *word, const struct futex_key *key,
			  struct task *locker, bool set_waiters, struct futex_pi **pi, struct task **owner)
{
	*pi = NULL;
	*owner = NULL;
	for (;;) {
		uint32_t uval = __atomic_load_n(word, __ATOMIC_SEQ_CST);
		uint32_t tid = uval & FUTEX_TID_MASK;

		if (tid == (uint32_t)locker->tid)
			return -EDEADLK;
		struct futex_waiter *top = top_waiter(k, key);
		if (top) {
			/* The word must agree with the kernel's owner, else user space broke it
			 * (Linux's attach_to_pi_state). Tid 0 with OWNER_DIED is the window in
			 * which a dead owner's heir has yet to write its tid. */
			if (!top->pi)
				return -EINVAL;
			if (tid ? tid != (uint32_t)top->pi->owner->tid : !(uval & FUTEX_OWNER_DIED))
				return -EINVAL;
			*pi = top->pi;
			*owner = top->pi->owner;
			return 0;
		}
		if (!tid) {
			/* OWNER_DIED stays: the new owner must learn that the last one died. */
			uint32_t nv = (uval & FUTEX_OWNER_DIED) | (uint32_t)locker->tid |
				      (set_waiters ? FUTEX_WAITERS : 0);
			if (__atomic_compare_exchange_n(word, &uval, nv, false, __ATOMIC_SEQ_CST,
							__ATOMIC_SEQ_CST))
				return 1;
			continue;
		}
		/* FUTEX_WAITERS before queueing: the owner's unlock must then come to the
		 * kernel, which cannot miss us as it takes k->mu. As Linux, it stays set even
		 * if we do not queue after all. */
		uint32_t nv = uval | FUTEX_WAITERS;
		if (!__atomic_compare_exchange_n(word, &uval, nv, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			continue;
		/* An owner not yet through futex_exit_release() will hand the futex on there:
		 * setting futex_dead and handing over happen under k->mu, as this does. */
		struct task *o = kernel_find_task(k, (int)tid);
		if (!o || o->futex_dead) {
			/* Linux's handle_exit_race(): a word a dying owner marked since we read it
			 * is looked at again; one that still names nobody is ESRCH. */
			if (__atomic_load_n(word, __ATOMIC_SEQ_CST) != nv)
				continue;
			return -ESRCH;
		}
		*owner = o;
		return 0;
	}
}

/* Sleeps until w is handed its futex (0), the deadline passes (-ETIMEDOUT) or a signal
 * comes (-EINTR); a hand-over that raced with either wins, as Linux.
 * Preconditions: k->mu held (released while asleep). */
static int pi_sleep(struct task *t, struct futex_waiter *w, const struct timespec *deadline)
{
	for (;;) {
		int s = task_sleep(t, deadline);
		if (w->woken)
			return 0;
		if (s)
			return s;
	}
}

/* Unqueues a PI waiter after pi_sleep. One that was handed the futex by a dying owner
 * first writes its tid into the word: it does so before dropping its reference, so that
 * until then lockers find the kernel's state rather than a word that looks free.
 * Returns r, or -EFAULT when the word can no longer be written.
 * Preconditions: k->mu held; released on return. */
static long pi_leave(struct task *t, struct futex_waiter *w, uint64_t uaddr, bool private_hint, long r)
{
	struct kernel *k = t->k;
	struct futex_pi *pi = w->pi;
	uint64_t frame = 0;
	bool have_frame = false;

	if (w->woken && pi->fixup) {
		struct futex_key key;
		uint32_t *word;
		/* Resolved afresh, as the mapping may have changed while we slept (a fork's
		 * copy-on-write); the lock order wants it without k->mu. */
		pthread_mutex_unlock(&k->mu);
		long fr = get_key(t, uaddr, true, private_hint, &word, &key, &frame);
		pthread_mutex_lock(&k->mu);
		if (fr) {
			r = fr;
		} else {
			have_frame = true;
			/* As Linux's fixup_pi_state_owner() after exit_pi_state_list(). */
			__atomic_store_n(word, FUTEX_OWNER_DIED | FUTEX_WAITERS | (uint32_t)t->tid,
					 __ATOMIC_SEQ_CST);
			pi->fixup = false;
		}
	}
	unqueue(k, w);
	pi_put(pi);
	pthread_mutex_unlock(&k->mu);
	if (have_frame)
		frame_put(&t->vm->mem, frame);
	return r;
}

static long futex_lock_pi(struct task *t, uint64_t uaddr, const struct timespec *deadline, bool trylock,
			  bool private_hint)
{
	struct kernel *k = t->k;
	struct futex_waiter w = {.bitset = FUTEX_BITSET_MATCH_ANY, .task = t};
	struct futex_pi *pi;
	struct task *owner;
	uint32_t *word;
	uint64_t frame;
	long r;

	if ((r = get_key(t, uaddr, true, private_hint, &word, &w.key, &frame)))
		return r;
	pthread_mutex_lock(&k->mu);
	r = lock_pi_atomic(k, word, &w.key, t, false, &pi, &owner);
	if (!r && trylock)
		r = -EAGAIN; /* held by another: EWOULDBLOCK, as Linux */
	else if (!r && pi_deadlock(k, t, owner))
		r = -EDEADLK;
	else if (!r && !pi) {
		if ((pi = calloc(1, sizeof *pi)))
			pi->owner = owner;
		else
			r = -ENOMEM;
	}
	if (r) {
		pthread_mutex_unlock(&k->mu);
		frame_put(&t->vm->mem, frame);
		return r == 1 ? 0 : r;
	}
	pi_attach(k, &w, pi);
	r = pi_sleep(t, &w, deadline);
	r = pi_leave(t, &w, uaddr, private_hint, r);
	frame_put(&t->vm->mem, frame);
	/* As Linux: the deadline is absolute, so a signal restarts the wait unchanged. */
	return r == -EINTR ? -ERESTARTNOINTR : r;
}

static long futex_unlock_pi(struct task *t, uint64_t uaddr, bool private_hint)
{
	struct kernel *k = t->k;
	struct futex_key key;
	uint32_t *word, uval;
	uint64_t frame;
	long r;

	/* As Linux, a word the caller does not own is EPERM before any write access. */
	if ((r = get_user(t, &uval, uaddr, sizeof uval)))
		return r;
	if ((uval & FUTEX_TID_MASK) != (uint32_t)t->tid)
		return -EPERM;
	if ((r = get_key(t, uaddr, true, private_hint, &word, &key, &frame)))
		return r;
	pthread_mutex_lock(&k->mu);
	for (;;) {
		uval = __atomic_load_n(word, __ATOMIC_SEQ_CST);
		if ((uval & FUTEX_TID_MASK) != (uint32_t)t->tid) {
			r = -EPERM;
			break;
		}
		struct futex_waiter *top = top_waiter(k, &key);
		if (!top) {
			/* As Linux, FUTEX_WAITERS and OWNER_DIED go too; a word user space changed
			 * meanwhile is left for it to sort out (EAGAIN). */
			r = __atomic_compare_exchange_n(word, &uval, 0, false, __ATOMIC_SEQ_CST,
							__ATOMIC_SEQ_CST) ? 0 : -EAGAIN;
			break;
		}
		/* Waiters, yet the kernel's owner is not the caller: the word was forged. */
		struct futex_waiter *next = top->pi && top->pi->owner == t ? pi_next_waiter(k, top->pi) : NULL;
		if (!next) {
			r = -EINVAL;
			break;
		}
		/* As Linux's wake_futex_pi(): FUTEX_WAITERS stays while PI state exists, so
		 * the heir's unlock comes here too; OWNER_DIED goes, the heir being the owner. */
		uint32_t nv = FUTEX_WAITERS | (uint32_t)next->task->tid;
		if (!__atomic_compare_exchange_n(word, &uval, nv, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			continue;
		pi_hand_to(next);
		r = 0;
		break;
	}
	pthread_mutex_unlock(&k->mu);
	frame_put(&t->vm->mem, frame);
	return r;
}

static long futex_wait_requeue_pi(struct task *t, uint64_t uaddr, uint32_t val,
				  const struct timespec *deadline, uint64_t uaddr2, bool private_hint)
{
	struct kernel *k = t->k;
	struct futex_waiter w = {.bitset = FUTEX_BITSET_MATCH_ANY, .task = t, .requeue_pi = true};
	uint32_t *word, *word2;
	long r;

	if (uaddr == uaddr2)
		return -EINVAL;
	if ((r = get_key(t, uaddr2, true, private_hint, &word2, &w.key2, NULL)) ||
	    (r = get_key(t, uaddr, false, private_hint, &word, &w.key, NULL)))
		return r;
	pthread_mutex_lock(&k->mu);
	if (__atomic_load_n(word, __ATOMIC_SEQ_CST) != val)
		r = -EAGAIN;
	else if (key_eq(&w.key, &w.key2))
		r = -EINVAL; /* two addresses of one shared word */
	if (r) {
		pthread_mutex_unlock(&k->mu);
		return r;
	}
	enqueue_tail(k, &w);
	r = pi_sleep(t, &w, deadline);
	if (w.woken && !w.pi) {
		/* CMP_REQUEUE_PI found the PI futex free, took it for us and unqueued us. */
		pthread_mutex_unlock(&k->mu);
		return 0;
	}
	if (!w.pi) {
		/* Never requeued: as Linux, a signal restarts the whole wait. */
		unqueue(k, &w);
		pthread_mutex_unlock(&k->mu);
		return r == -EINTR ? -ERESTARTNOINTR : r;
	}
	r = pi_leave(t, &w, uaddr2, private_hint, r);
	/* Requeued: a restart would only find the condition word moved on, so Linux
	 * answers EWOULDBLOCK at once. */
	return r == -EINTR ? -EAGAIN : r;
}

static long futex_cmp_requeue_pi(struct task *t, uint64_t u1, uint64_t u2, int nwake, int nrequeue,
				 uint32_t val3, bool private_hint)
{
	struct kernel *k = t->k;
	struct futex_key k1, k2;
	uint32_t *w1, *w2;
	uint64_t frame2;
	long r;

	/* As Linux: only a waiter that the requeue itself makes owner may be woken. */
	if (nwake < 0 || nrequeue < 0 || u1 == u2 || nwake != 1)
		return -EINVAL;
	if ((r = get_key(t, u1, false, private_hint, &w1, &k1, NULL)) ||
	    (r = get_key(t, u2, true, private_hint, &w2, &k2, &frame2)))
		return r;
	/* Allocated before k->mu so that running out of memory cannot stop a requeue
	 * half-way. */
	struct futex_pi *spare = key_eq(&k1, &k2) ? NULL : calloc(1, sizeof *spare);
	if (!spare) {
		frame_put(&t->vm->mem, frame2);
		return key_eq(&k1, &k2) ? -EINVAL : -ENOMEM;
	}
	pthread_mutex_lock(&k->mu);
	struct futex_pi *pi = NULL;
	struct task *owner = NULL;
	int count = 0;
	if (__atomic_load_n(w1, __ATOMIC_SEQ_CST) != val3) {
		r = -EAGAIN;
		goto out;
	}
	struct futex_waiter *top = top_waiter(k, &k1);
	if (top) {
		if (!top->requeue_pi || top->pi || !key_eq(&top->key2, &k2)) {
			r = -EINVAL;
			goto out;
		}
		/* Linux's futex_proxy_trylock_atomic(): FUTEX_WAITERS forced when others may
		 * follow, as the new owner's unlock must then come to the kernel. */
		r = lock_pi_atomic(k, w2, &k2, top->task, nrequeue > 0, &pi, &owner);
		if (r < 0)
			goto out;
		if (r == 1) {
			unqueue(k, top);
			top->woken = true;
			pthread_cond_signal(&top->task->wake);
			owner = top->task;
			count++;
		}
		r = 0;
	}
	/* The moved waiters go behind those already queued on the PI futex, in their order. */
	struct futex_waiter *moved = NULL, **tail = &moved;
	for (struct futex_waiter **pp = &k->futex_waiters; *pp && count - 1 < nrequeue;) {
		struct futex_waiter *w = *pp;
		if (!key_eq(&w->key, &k1)) {
			pp = &w->next;
			continue;
		}
		if (!w->requeue_pi || w->pi || !key_eq(&w->key2, &k2)) {
			r = -EINVAL;
			break;
		}
		if (pi_deadlock(k, w->task, pi ? pi->owner : owner)) {
			r = -EDEADLK;
			break;
		}
		if (!pi) {
			pi = spare;
			spare = NULL;
			pi->owner = owner;
		}
		*pp = w->next;
		w->key = k2;
		w->pi = pi;
		pi->refs++;
		w->next = NULL;
		*tail = w;
		tail = &w->next;
		count++;
	}
	if (moved) {
		struct futex_waiter **pp = &k->futex_waiters;
		while (*pp)
			pp = &(*pp)->next;
		*pp = moved;
	}
out:
	pthread_mutex_unlock(&k->mu);
	free(spare);
	frame_put(&t->vm->mem, frame2);
	return r ? r : count;
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
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
	case FUTEX_WAIT_REQUEUE_PI: {
		/* Absolute deadlines; LOCK_PI's is always CLOCK_REALTIME, as Linux. */
		const struct timespec *dl = NULL;
		if (a[3]) {
			if ((r = futex_deadline(t, a[3], true, realtime || cmd == FUTEX_LOCK_PI, &deadline)))
				return r;
			dl = &deadline;
		}
		if (cmd == FUTEX_WAIT_REQUEUE_PI)
			return futex_wait_requeue_pi(t, a[0], val, dl, a[4], priv);
		return futex_lock_pi(t, a[0], dl, false, priv);
	}
	case FUTEX_TRYLOCK_PI:
		return futex_lock_pi(t, a[0], NULL, true, priv);
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(t, a[0], priv);
	case FUTEX_CMP_REQUEUE_PI:
		return futex_cmp_requeue_pi(t, a[0], a[4], (int)val, (int)a[3], (uint32_t)a[5], priv);
	default:
		hv_info("pid %d: futex op %d not implemented -> ENOSYS", t->proc->pid, cmd);
		return -ENOSYS;
	}
}

/* Marks one robust futex of the dying thread (Linux's handle_futex_death()). */
static void robust_one(struct task *t, uint64_t uaddr, bool pi, bool pending)
{
	struct futex_key key;
	uint32_t *word;
	uint64_t frame;

	if (get_key(t, uaddr, true, false, &word, &key, &frame))
		return;
	uint32_t cur = __atomic_load_n(word, __ATOMIC_SEQ_CST);
	for (;;) {
		if ((cur & FUTEX_TID_MASK) != (uint32_t)t->tid) {
			/* As Linux: a pending op with no owner yet still wakes a waiter, of a
			 * plain futex only: PI waiters are never woken but handed the futex. */
			if (pending && !pi && !(cur & FUTEX_TID_MASK))
				futex_wake_addr(t, uaddr, 1);
			frame_put(&t->vm->mem, frame);
			return;
		}
		uint32_t nv = (cur & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
		if (__atomic_compare_exchange_n(word, &cur, nv, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
	}
	frame_put(&t->vm->mem, frame);
	/* A PI futex's waiters are handed it by futex_exit_release(), after this. */
	if (!pi && (cur & FUTEX_WAITERS))
		futex_wake_addr(t, uaddr, 1);
}

static void exit_robust_list(struct task *t)
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
		/* Bit 0 of a link marks the entry it points to as a PI futex. */
		if ((entry & ~1ull) != (head[2] & ~1ull))
			robust_one(t, (entry & ~1ull) + (uint64_t)off, entry & 1, false);
		entry = next;
	}
	if (head[2])
		robust_one(t, (head[2] & ~1ull) + (uint64_t)off, head[2] & 1, true);
}

void futex_exit_release(struct task *t)
{
	struct kernel *k = t->k;

	/* Robust marks first, so that the heirs below see FUTEX_OWNER_DIED. */
	if (t->robust_list_head && t->proc->mm)
		exit_robust_list(t);
	pthread_mutex_lock(&k->mu);
	t->futex_dead = true;
	/* Linux's exit_pi_state_list(). Each futex goes to its first waiter, which writes
	 * its tid into the word when it runs (pi->fixup): the dying task may not even have
	 * the word mapped (a shared futex of another process). */
	for (struct futex_waiter *w = k->futex_waiters; w; w = w->next)
		if (w->pi && w->pi->owner == t && !w->woken) {
			w->pi->fixup = true;
			pi_hand_to(w);
		}
	pthread_mutex_unlock(&k->mu);
}
