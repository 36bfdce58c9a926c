/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the built-in white-box static call suite shares with its test
 * modules: keys that module sites call, and the decoder that checks what
 * a site holds.
 */
#ifndef _X86_KERNEL_STATIC_CALL_X86_KUNIT_H
#define _X86_KERNEL_STATIC_CALL_X86_KUNIT_H

#include <kunit/test.h>
#include <linux/static_call.h>

long sc_wb_shared_default(long x);
long sc_wb_refused_default(long x);

/* sc_wb_shared has one site in vmlinux, in this function, and more in modules. */
DECLARE_STATIC_CALL(sc_wb_shared, sc_wb_shared_default);
/* sc_wb_refused has no site but in modules the kernel must refuse. */
DECLARE_STATIC_CALL(sc_wb_refused, sc_wb_refused_default);

long sc_wb_shared_vmlinux_site(long x);

/* Conditional tail calls, in assembly: if (x) static_call(sc_wb_cond)(x). */
void wb_jcc_low(long x);
void wb_jcc_high(long x);

void static_call_kunit_expect_site(struct kunit *test, u8 *site, bool tail,
				   void *func);

#endif /* _X86_KERNEL_STATIC_CALL_X86_KUNIT_H */
