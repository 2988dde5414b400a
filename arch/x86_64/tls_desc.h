/* The TLS slots of the GDT (entries 12-14, as Linux's GDT_ENTRY_TLS_MIN..MAX) and the
 * struct user_desc of set_thread_area(2): encoding, decoding and Linux's validation
 * (arch/x86/kernel/tls.c). Pure. */
#ifndef HV_ARCH_TLS_DESC_H
#define HV_ARCH_TLS_DESC_H

#include <asm/ldt.h>
#include <stdbool.h>
#include <stdint.h>

#define GDT_ENTRY_TLS_MIN 12
#define GDT_ENTRY_TLS_ENTRIES 3
#define GDT_ENTRY_TLS_MAX (GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES - 1)

/* Would Linux accept it in the TLS array (tls_desc_okay)? */
bool tls_desc_ok(const struct user_desc *u);
/* The GDT descriptor for u (0 for the "empty" and all-zero forms, as Linux). */
uint64_t tls_desc_encode(const struct user_desc *u);
/* The user_desc Linux reports for GDT entry idx holding desc. */
void tls_desc_decode(uint64_t desc, unsigned idx, struct user_desc *u);

#endif
