/* Prints the platform's floors measured on a scratch VM: "EXIT_NS SYSCALL_NS". */
#include <stdio.h>
#include <stdlib.h>

#include "vmm/platform.h"
#include "vmm/vm.h"

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 20000;
	struct hv_vm vm;
	double exit_ns, syscall_ns;

	if (vm_create(&vm, 64ull << 20))
		return 1;
	int r = platform_measure_floors(&vm, iters, &exit_ns, &syscall_ns);
	vm_destroy(&vm);
	if (r) {
		fprintf(stderr, "floors: measurement failed (%d)\n", r);
		return 1;
	}
	printf("%.1f %.1f\n", exit_ns, syscall_ns);
	return 0;
}
