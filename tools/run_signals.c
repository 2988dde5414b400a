#include "tools/run_signals.h"

#include <errno.h>
#include <stdbool.h>

#include "kernel/sig_send.h"

static void *forwarder(void *arg)
{
	struct run_signals *rs = arg;

	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&rs->set, &si);
		if (sig < 0)
			continue; /* EINTR: the kick signal's handler ran on this thread */
		pthread_mutex_lock(&rs->mu);
		if (rs->k) {
			sig_send_from_host(rs->k, sig, sig != SIGTERM);
			pthread_mutex_unlock(&rs->mu);
			continue;
		}
		pthread_mutex_unlock(&rs->mu);
		if (sigismember(&rs->ignored, sig))
			continue;
		/* No guest to take it: hvtrace dies of it, as an unblocked signal would. */
		signal(sig, SIG_DFL);
		sigset_t one;
		sigemptyset(&one);
		sigaddset(&one, sig);
		pthread_sigmask(SIG_UNBLOCK, &one, NULL);
		raise(sig);
	}
	return NULL;
}

int run_signals_start(struct run_signals *rs)
{
	/* Not SIGQUIT: kvm_pvm needs it unblocked while a guest runs (vcpu_set_owner),
	 * where it would reach a vCPU thread instead of the forwarder. Ctrl-\ ends hvtrace
	 * and its guest by SIGQUIT's default action instead, so a guest's own SIGQUIT
	 * handler does not run. */
	static const int forwarded[] = {SIGINT, SIGHUP, SIGTERM};
	int r;

	rs->k = NULL;
	if ((r = pthread_mutex_init(&rs->mu, NULL)))
		return -r;
	sigemptyset(&rs->set);
	sigemptyset(&rs->ignored);
	for (unsigned i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) {
		/* Ignored ones too (a shell starts background jobs with SIGINT and SIGQUIT
		 * ignored): the guest starts with them ignored (hv_run_options'
		 * ignored_signals) but may set a handler, as natively. */
		struct sigaction old;
		if (sigaction(forwarded[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			sigaddset(&rs->ignored, forwarded[i]);
		sigaddset(&rs->set, forwarded[i]);
	}
	if ((r = pthread_sigmask(SIG_BLOCK, &rs->set, NULL)))
		return -r;
	pthread_attr_t attr;
	if ((r = pthread_attr_init(&attr)))
		return -r;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&rs->thread, &attr, forwarder, rs);
	pthread_attr_destroy(&attr);
	if (r) {
		pthread_sigmask(SIG_UNBLOCK, &rs->set, NULL);
		return -r;
	}
	return 0;
}

void run_signals_guest(struct run_signals *rs, struct kernel *k)
{
	pthread_mutex_lock(&rs->mu);
	rs->k = k;
	pthread_mutex_unlock(&rs->mu);
}
