#include "vmm/timekeeper.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "arch/x86_64/cpu.h"
#include "guest-agent/vvar.h"
#include "vmm/log.h"
#include "vmm/vm.h"

#define UPDATE_NS 50000000ll

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000ll + t->tv_nsec;
}

struct sample {
	uint64_t tsc; /* guest TSC */
	int64_t mono, real, boot, tai;
};

/* Host clocks and TSC read as close together as we can manage (best of a few). */
static void take_sample(const struct timekeeper *tk, struct sample *s)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 5; i++) {
		struct timespec m, r, b, t;
		uint64_t t0 = rdtsc_ordered();
		clock_gettime(CLOCK_MONOTONIC, &m);
		uint64_t t1 = rdtsc_ordered();
		clock_gettime(CLOCK_REALTIME, &r);
		clock_gettime(CLOCK_BOOTTIME, &b);
		clock_gettime(CLOCK_TAI, &t);
		if (t1 - t0 < best) {
			best = t1 - t0;
			s->tsc = t0 + (t1 - t0) / 2 + (uint64_t)tk->tsc_offset;
			s->mono = ts_ns(&m);
			s->real = ts_ns(&r) - s->mono;
			s->boot = ts_ns(&b) - s->mono;
			s->tai = ts_ns(&t) - s->mono;
		}
	}
	s->real += s->mono;
	s->boot += s->mono;
	s->tai += s->mono;
}

static int64_t line_at(const struct hv_vvar *v, int64_t base, uint64_t tsc)
{
	uint64_t d = tsc > v->tsc_base ? tsc - v->tsc_base : 0;

	return base + (int64_t)(((unsigned __int128)d * v->mult) >> v->shift);
}

/* Preconditions: tk->lock held. */
static void publish(struct timekeeper *tk, uint64_t tsc, int64_t mono, int64_t real, int64_t boot,
		    int64_t tai, uint64_t mult, uint32_t shift)
{
	struct hv_vvar *v = tk->vv;

	v->seq++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	v->tsc_base = tsc;
	v->mono_base = mono;
	v->real_base = real;
	v->boot_base = boot;
	v->tai_base = tai;
	v->mult = (uint32_t)mult;
	v->shift = shift;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	v->seq++;
}

/* Preconditions: tk->lock held. */
static void update(struct timekeeper *tk)
{
	struct hv_vvar *v = tk->vv;
	struct sample s;

	take_sample(tk, &s);
	uint64_t dt = s.tsc - tk->prev_tsc;
	int64_t dn = s.mono - tk->prev_mono;
	if (dt == 0 || dn <= 0)
		return;
	/* Continue the current line, and aim at the host clock one interval ahead. */
	int64_t cur = line_at(v, v->mono_base, s.tsc);
	int64_t err = s.mono - cur;
	if (err > UPDATE_NS / 2)
		err = UPDATE_NS / 2;
	if (err < -UPDATE_NS / 2)
		err = -UPDATE_NS / 2;
	/* ns per tick measured over the last interval, scaled to absorb err. */
	unsigned __int128 num = (unsigned __int128)(uint64_t)(dn + err) << v->shift;
	uint64_t mult = (uint64_t)(num / dt);
	if (mult == 0 || mult > UINT32_MAX)
		mult = v->mult;
	/* The host's REALTIME/BOOTTIME/TAI keep a fixed distance to MONOTONIC except when
	 * stepped; sampling jitter must not make the guest's REALTIME step back. */
	int64_t off[3] = {s.real - s.mono, s.boot - s.mono, s.tai - s.mono};
	for (int i = 0; i < 3; i++) {
		int64_t d = off[i] - tk->offset[i];
		if (d > 1000000 || d < -1000000)
			tk->offset[i] = off[i];
	}
	publish(tk, s.tsc, cur, cur + tk->offset[0], cur + tk->offset[1], cur + tk->offset[2], mult, v->shift);
	tk->prev_tsc = s.tsc;
	tk->prev_mono = s.mono;
}

static void *timekeeper_main(void *arg)
{
	struct timekeeper *tk = arg;
	struct timespec ts = {0, UPDATE_NS};

	while (!atomic_load(&tk->stop)) {
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&tk->lock);
		update(tk);
		pthread_mutex_unlock(&tk->lock);
	}
	return NULL;
}

int timekeeper_start(struct timekeeper *tk, struct hv_vm *vm, struct hv_vvar *vv)
{
	memset(tk, 0, sizeof *tk);
	tk->vv = vv;
	pthread_mutex_init(&tk->lock, NULL);
	memset(vv, 0, sizeof *vv);
	if (!vm->platform.guest_tsc_usable || !vm->platform.tsc_khz)
		return 0; /* the vDSO falls back to syscalls */
	tk->tsc_offset = vm->platform.tsc_offset;
	/* Nominal ns per tick from the TSC frequency; the updates correct it. */
	uint32_t shift = 32;
	uint64_t mult = (1000000ull << 32) / vm->platform.tsc_khz;
	while (mult > UINT32_MAX && shift > 0) {
		shift--;
		mult >>= 1;
	}
	struct sample s;
	take_sample(tk, &s);
	pthread_mutex_lock(&tk->lock);
	publish(tk, s.tsc, s.mono, s.real, s.boot, s.tai, mult, shift);
	vv->flags = VVAR_TSC_OK | (vm->platform.guest_rdtscp_usable ? VVAR_RDTSCP_OK : 0);
	tk->prev_tsc = s.tsc;
	tk->prev_mono = s.mono;
	tk->offset[0] = s.real - s.mono;
	tk->offset[1] = s.boot - s.mono;
	tk->offset[2] = s.tai - s.mono;
	tk->is_tsc_based = true;
	pthread_mutex_unlock(&tk->lock);
	int r = pthread_create(&tk->thread, NULL, timekeeper_main, tk);
	if (r) {
		hv_err("timekeeper thread: %s; the guest's vDSO makes syscalls", strerror(r));
		vv->flags = 0;
		tk->is_tsc_based = false;
		return 0;
	}
	tk->has_thread = true;
	return 0;
}

void timekeeper_stop(struct timekeeper *tk)
{
	if (tk->has_thread) {
		atomic_store(&tk->stop, true);
		pthread_join(tk->thread, NULL);
		tk->has_thread = false;
	}
	pthread_mutex_destroy(&tk->lock);
}

bool timekeeper_now(struct timekeeper *tk, int clk, int64_t *ns)
{
	if (!tk->is_tsc_based)
		return false;
	const struct hv_vvar *v = tk->vv;
	int64_t base;

	pthread_mutex_lock(&tk->lock);
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE: base = v->real_base; break;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_COARSE: base = v->mono_base; break;
	case CLOCK_BOOTTIME: base = v->boot_base; break;
	case CLOCK_TAI: base = v->tai_base; break;
	default:
		pthread_mutex_unlock(&tk->lock);
		return false;
	}
	*ns = line_at(v, base, rdtsc_ordered() + (uint64_t)tk->tsc_offset);
	pthread_mutex_unlock(&tk->lock);
	return true;
}
