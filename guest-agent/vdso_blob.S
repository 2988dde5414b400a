/* The built vDSO image (guest-agent/vdso.c), embedded in hvtrace as data. */
	.section .rodata.hv_vdso, "a"
	.balign 4096
	.globl hv_vdso_start, hv_vdso_end
hv_vdso_start:
	.incbin VDSO_SO
hv_vdso_end:
	.section .note.GNU-stack, "", @progbits
