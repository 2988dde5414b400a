/* Keeps the guest's time page (guest-agent/vvar.h) current: every 50 ms a host thread
 * re-anchors the TSC-to-nanoseconds line to the host clocks. The line is continuous
 * (each new one starts where the old one is now) and its slope absorbs the error over
 * the next interval, so guest time never steps back and stays within microseconds of
 * the host's. The host answers clock syscalls from the same line, so the vDSO and the
 * syscall agree exactly. */
#ifndef HV_VMM_TIMEKEEPER_H
#define HV_VMM_TIMEKEEPER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct hv_vm;
struct hv_vvar;

struct timekeeper {
	struct hv_vvar *vv;  /* in guest RAM */
	bool is_tsc_based;   /* else the guest makes syscalls and the host asks its clocks */
	int64_t tsc_offset;  /* guest TSC - host TSC */
	pthread_mutex_t lock; /* serializes updates (the thread, and reads of a consistent line) */
	pthread_t thread;
	bool has_thread;
	_Atomic bool stop;
	/* the previous sample, for the measured rate */
	uint64_t prev_tsc;
	int64_t prev_mono;
	int64_t offset[3]; /* REALTIME, BOOTTIME, TAI minus MONOTONIC, as published */
};

int timekeeper_start(struct timekeeper *tk, struct hv_vm *vm, struct hv_vvar *vv);
void timekeeper_stop(struct timekeeper *tk);
/* Nanoseconds of a clock (CLOCK_REALTIME, _MONOTONIC, _BOOTTIME, _TAI and the coarse
 * ones) as the guest's vDSO computes it now; false when not TSC-based. */
bool timekeeper_now(struct timekeeper *tk, int clk, int64_t *ns);

#endif
