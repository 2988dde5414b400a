/* Memory and clock calls: mmap/mprotect/munmap/brk, time, nanosleep, uname, rlimits. */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <poll.h>

int main(void)
{
	void *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(p, 4096, PROT_READ);
	munmap(p, 8192);
	mmap(NULL, 4096, PROT_READ, MAP_SHARED, 99, 0);
	struct timespec ts = {0, 1000};
	nanosleep(&ts, NULL);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	struct utsname u;
	uname(&u);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	struct pollfd pf[2] = {{0, POLLIN, 0}, {1, POLLOUT, 0}};
	poll(pf, 2, 0);
	return 0;
}
