/* Diagnostics of the VMM: one line each, naming the operation and the cause. */
#ifndef HV_VMM_LOG_H
#define HV_VMM_LOG_H

#include <stdbool.h>

void hv_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hv_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* --verbose: hv_info prints only when verbose. */
void hv_set_verbose(bool on);
bool hv_is_verbose(void);

#endif
