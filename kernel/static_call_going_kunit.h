/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KERNEL_STATIC_CALL_GOING_KUNIT_H
#define _KERNEL_STATIC_CALL_GOING_KUNIT_H

/*
 * Keys of static_call_going_kunit that static_call_going_fixture aims at
 * its own functions before it is unloaded.
 */

#include <linux/static_call.h>

#include "../lib/static_call_kunit.h"

/* Only its type matters: the key starts NULL. */
void sc_going_cond_type(long x);

DECLARE_STATIC_CALL(sc_going_key, sc_test_target_a);
DECLARE_STATIC_CALL(sc_going_cond, sc_going_cond_type);
/* Aimed at the fixture's init code, which is freed once it is live. */
DECLARE_STATIC_CALL(sc_going_init_key, sc_test_target_a);

#define SC_GOING_FIXTURE	"static_call_going_fixture"

#endif /* _KERNEL_STATIC_CALL_GOING_KUNIT_H */
