/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the built-in white-box arm64 static call suite shares with its
 * test module: a key that module sites call, and the decoders that check
 * what a site or a trampoline holds.
 */
#ifndef _ARM64_KERNEL_STATIC_CALL_ARM64_KUNIT_H
#define _ARM64_KERNEL_STATIC_CALL_ARM64_KUNIT_H

#include <kunit/test.h>
#include <linux/static_call.h>

long sc_a64_shared_default(long x);

/* sc_a64_shared has one site in vmlinux, in this function, and more in modules. */
DECLARE_STATIC_CALL(sc_a64_shared, sc_a64_shared_default);

long sc_a64_shared_vmlinux_site(long x);

bool static_call_arm64_kunit_in_range(const void *pc, const void *dest);
void static_call_arm64_kunit_expect_site(struct kunit *test, void *site,
					 bool tail, void *tramp, void *func);
void static_call_arm64_kunit_expect_tramp(struct kunit *test, void *tramp,
					  void *func);

#endif /* _ARM64_KERNEL_STATIC_CALL_ARM64_KUNIT_H */
