/* Every ioctl request hvtrace strace names (tools/strace/ioctl_names.c), and unknown
 * ones, on /dev/null: they fail on both sides (ENOTTY; hvtrace serves a few), so
 * run_strace_diff.sh compares the arguments: the request's name or _IOC(...) form and
 * the argument as strace shows it, decoded from the same bytes on both sides. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* What the requests that read memory find there: every flag word has bits set. */
static unsigned char data[64];

/* Requests whose argument is a value, not an address: a small one, the same on both
 * sides (an address would differ). */
static unsigned long arg_for(unsigned long req)
{
	switch (req) {
	case 0x5409: case 0x5425: case 0x540e: return 7;        /* TCSBRK, TCSBRKP, TIOCSCTTY */
	case 0x540a: return 1;                                     /* TCXONC: TCOON */
	case 0x540b: return 2;                                     /* TCFLSH: TCIOFLUSH */
	case 0x1262: case 0x1264: return 77;                       /* BLKRASET, BLKFRASET */
	case 0x40049409: return 0;                                 /* FICLONE: a descriptor */
	}
	return (unsigned long)data;
}

int main(void)
{
	static const unsigned long requests[] = {
		/* files, block devices */
		0x1, 0x2, 0x40049409, 0x80086601, 0x40086602, 0x80087601, 0x40087602,
		0x125d, 0x125e, 0x125f, 0x1260, 0x1261, 0x1262, 0x1263, 0x1264, 0x1265, 0x1266,
		0x1267, 0x1268, 0x80081270, 0x40081271, 0x80081272, 0x1277, 0x1278, 0x1279,
		0x127a, 0x127b, 0x127c, 0x127d, 0x127e, 0x127f,
		/* terminals */
		0x5401, 0x5402, 0x5403, 0x5404, 0x5405, 0x5406, 0x5407, 0x5408, 0x5409, 0x540a,
		0x540b, 0x540c, 0x540d, 0x540e, 0x540f, 0x5410, 0x5411, 0x5412, 0x5413, 0x5414,
		0x5415, 0x5416, 0x5417, 0x5418, 0x5419, 0x541a, 0x541b, 0x541c, 0x541d, 0x541e,
		0x541f, 0x5420, 0x5421, 0x5422, 0x5423, 0x5424, 0x5425, 0x5427, 0x5428, 0x5429,
		0x802c542a, 0x402c542b, 0x402c542c, 0x402c542d, 0x542e, 0x542f, 0x80045430,
		0x40045431, 0x80045432, 0x5432, 0x5433, 0x5434, 0x5435, 0x40045436, 0x5437,
		0x80045438, 0x80045439, 0x80045440, 0x5441, 0x80285442, 0xc0285443, 0x5450,
		0x5451, 0x5452, 0x5453, 0x5454, 0x5455, 0x5456, 0x5457, 0x5458, 0x5459, 0x545a,
		0x545b, 0x545c, 0x545d, 0x5460,
		/* unknown: each direction, a gap in the terminal range, the top bits ignored */
		0x1234, 0x0, 0x5426, 0x8008f301, 0x4004f302, 0xfffff303, 0xdeadbeef,
		0x100005413,
	};
	int fd = open("/dev/null", O_RDONLY);
	if (fd < 0) {
		perror("/dev/null");
		return 1;
	}
	for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
		/* Anew each time: a request that succeeds natively (FIGETBSZ) writes here. */
		for (unsigned k = 0; k < sizeof data; k++)
			data[k] = (unsigned char)(0x5a + 37 * k);
		ioctl(fd, requests[i], arg_for(requests[i])); /* fails, as the comment says */
	}
	/* NULL arguments, where strace says NULL rather than 0. */
	ioctl(fd, TIOCSPGRP, NULL);
	ioctl(fd, TIOCSWINSZ, NULL);
	ioctl(fd, TCSETS, NULL);
	ioctl(fd, TIOCSTI, NULL);
	ioctl(fd, FIOQSIZE, NULL);
	/* A value no table names. */
	ioctl(fd, TCXONC, 9);
	close(fd);
	return 0;
}
