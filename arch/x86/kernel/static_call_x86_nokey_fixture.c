// SPDX-License-Identifier: GPL-2.0
/*
 * A module the static call core must refuse to load: it calls
 * sc_wb_refused through static_call_mod(), which names only the
 * trampoline, but the kernel exported that key with
 * EXPORT_STATIC_CALL_GPL(), not EXPORT_STATIC_CALL_TRAMP_GPL(), so no
 * table maps the trampoline back to its key.  The site cannot follow
 * updates; loading must fail rather than leave it behind.
 */
#include <linux/module.h>
#include <linux/static_call.h>

#include "static_call_x86_kunit.h"

static int __init nokey_init(void)
{
	return static_call_mod(sc_wb_refused)(1) == 31 ? 0 : -EINVAL;
}
module_init(nokey_init);

MODULE_DESCRIPTION("Static call site whose key the kernel cannot name");
MODULE_LICENSE("GPL");
