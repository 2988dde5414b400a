/* The target description gdb reads with qXfer:features:read:target.xml. */
#ifndef TOOLS_GDB_TARGET_XML_H
#define TOOLS_GDB_TARGET_XML_H

#include <stddef.h>

/* Room for the whole document. */
#define GDB_TARGET_XML_MAX 16384

/* Writes the document into buf: its length, or -ENOSPC. */
int gdb_target_xml(char *buf, size_t len);

#endif
