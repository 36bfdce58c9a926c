/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_STATIC_CALL_KUNIT_H
#define _LINUX_STATIC_CALL_KUNIT_H

/*
 * What the core of inline static calls shows its KUnit tests, and
 * nothing else: with CONFIG_KUNIT off these symbols do not exist.
 */

#include <linux/static_call.h>

#if IS_ENABLED(CONFIG_KUNIT) && defined(CONFIG_HAVE_STATIC_CALL_INLINE)

int static_call_visit_sites(struct static_call_key *key,
			    int (*fn)(void *addr, bool tail, void *arg),
			    void *arg);

#endif

#endif /* _LINUX_STATIC_CALL_KUNIT_H */
