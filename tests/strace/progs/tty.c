/* The terminal requests a program's start-up makes, on a pseudo-terminal (the test
 * runs it under script(1)): window size, termios, bytes waiting, then stdio's own. */
#include <stdio.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int main(void)
{
	struct winsize ws;
	struct termios t;
	int n;
	ioctl(1, TIOCGWINSZ, &ws);
	tcgetattr(0, &t);
	ioctl(0, FIONREAD, &n);
	printf("tty\n");
	return 0;
}
