// SPDX-License-Identifier: GPL-2.0
/*
 * A module the static call core must refuse to load.  Its site table,
 * written here by hand (objtool does not run on this file), lists a
 * genuine call to sc_wb_shared's trampoline and, for sc_wb_refused, a
 * "site" that holds a MOV.  The table is sorted by key, so whichever key
 * comes first, the core has taken note of one key's run when it finds
 * the MOV: loading must fail with nothing written and no run left
 * behind, which static_call_x86_module_kunit checks afterwards.
 */
#include <linux/module.h>
#include <linux/static_call.h>

#include "static_call_x86_kunit.h"

asm(".pushsection .text, \"ax\"\n"
	"1:	call " STATIC_CALL_TRAMP_STR(sc_wb_shared) "\n"
	"2:	movl $42, %eax\n"
	"	int3\n"
	".popsection\n"
	".pushsection .static_call_sites, \"aw\"\n"
	"	.long 1b - ., " STATIC_CALL_KEY_STR(sc_wb_shared) " - .\n"
	"	.long 2b - ., " STATIC_CALL_KEY_STR(sc_wb_refused) " - .\n"
	".popsection\n");

MODULE_DESCRIPTION("Static call site table with a site that is no call");
MODULE_LICENSE("GPL");
