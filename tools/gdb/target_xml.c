/* Our own description of gdb's standard x86-64 Linux features (org.gnu.gdb.i386.core,
 * .sse, .linux, .segments, .avx): gdb recognises them by feature and register names and
 * then knows the amd64 ABI, the x87/SSE/AVX views (ymm pseudo registers from xmm plus
 * ymmNh) and Linux's orig_rax. The registers come from regs.c's table with explicit
 * regnums, the numbers of our g/p packets. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "tools/gdb/regs.h"
#include "tools/gdb/target_xml.h"

static const char *const feature_names[GDB_NFEATURES] = {
	[GDB_FEAT_CORE] = "org.gnu.gdb.i386.core",
	[GDB_FEAT_SSE] = "org.gnu.gdb.i386.sse",
	[GDB_FEAT_LINUX] = "org.gnu.gdb.i386.linux",
	[GDB_FEAT_SEGMENTS] = "org.gnu.gdb.i386.segments",
	[GDB_FEAT_AVX] = "org.gnu.gdb.i386.avx",
};

/* The types the core and sse registers name: eflags and mxcsr as flag fields (so `info
 * registers` shows [ ZF PF ]), xmm as the usual union of vector views. */
static const char core_types[] =
	"<flags id=\"i386_eflags\" size=\"4\">"
	"<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>"
	"<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>"
	"<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>"
	"<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>"
	"<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>"
	"<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>"
	"<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>"
	"<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>"
	"<field name=\"ID\" start=\"21\" end=\"21\"/></flags>\n";

static const char sse_types[] =
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
	"<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/>"
	"<field name=\"v2_double\" type=\"v2d\"/><field name=\"v16_int8\" type=\"v16i8\"/>"
	"<field name=\"v8_int16\" type=\"v8i16\"/><field name=\"v4_int32\" type=\"v4i32\"/>"
	"<field name=\"v2_int64\" type=\"v2i64\"/><field name=\"uint128\" type=\"uint128\"/>"
	"</union>\n"
	"<flags id=\"i386_mxcsr\" size=\"4\">"
	"<field name=\"IE\" start=\"0\" end=\"0\"/><field name=\"DE\" start=\"1\" end=\"1\"/>"
	"<field name=\"ZE\" start=\"2\" end=\"2\"/><field name=\"OE\" start=\"3\" end=\"3\"/>"
	"<field name=\"UE\" start=\"4\" end=\"4\"/><field name=\"PE\" start=\"5\" end=\"5\"/>"
	"<field name=\"DAZ\" start=\"6\" end=\"6\"/><field name=\"IM\" start=\"7\" end=\"7\"/>"
	"<field name=\"DM\" start=\"8\" end=\"8\"/><field name=\"ZM\" start=\"9\" end=\"9\"/>"
	"<field name=\"OM\" start=\"10\" end=\"10\"/><field name=\"UM\" start=\"11\" end=\"11\"/>"
	"<field name=\"PM\" start=\"12\" end=\"12\"/><field name=\"FZ\" start=\"15\" end=\"15\"/>"
	"</flags>\n";

struct out {
	char *buf;
	size_t len, used;
	int err;
};

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->used)
		o->err = -ENOSPC;
	else
		o->used += (size_t)n;
}

int gdb_target_xml(char *buf, size_t len)
{
	struct out o = {buf, len, 0, 0};

	if (len == 0)
		return -ENOSPC;
	put(&o, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
		"<target version=\"1.0\">\n<architecture>i386:x86-64</architecture>\n"
		"<osabi>GNU/Linux</osabi>\n");
	for (int f = 0; f < GDB_NFEATURES; f++) {
		put(&o, "<feature name=\"%s\">\n", feature_names[f]);
		if (f == GDB_FEAT_CORE)
			put(&o, "%s", core_types);
		if (f == GDB_FEAT_SSE)
			put(&o, "%s", sse_types);
		for (int r = 0; r < GDB_NREGS; r++) {
			const struct gdb_reg_info *ri = gdb_reg_info(r);
			if ((int)ri->feature != f)
				continue;
			put(&o, "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" regnum=\"%d\"", ri->name,
			    ri->size * 8, ri->type, r);
			if (ri->group)
				put(&o, " group=\"%s\"", ri->group);
			put(&o, "/>\n");
		}
		put(&o, "</feature>\n");
	}
	put(&o, "</target>\n");
	return o.err ? o.err : (int)o.used;
}
