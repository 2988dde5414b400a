/* Ends by SIGKILL sent to itself: the trace ends with "+++ killed by SIGKILL +++". */
#include <signal.h>
#include <unistd.h>

int main(void)
{
	write(1, "dying\n", 6);
	kill(getpid(), SIGKILL);
	pause();
	return 0;
}
