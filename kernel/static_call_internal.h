/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KERNEL_STATIC_CALL_INTERNAL_H
#define _KERNEL_STATIC_CALL_INTERNAL_H

/*
 * Shared by kernel/static_call.c, which updates trampolines, and
 * kernel/static_call_inline.c, which adds the call sites.
 */

#include <linux/cleanup.h>
#include <linux/mutex.h>
#include <linux/static_call.h>

extern struct mutex static_call_mutex;

void static_call_lock(void);
void static_call_unlock(void);
DEFINE_LOCK_GUARD_0(static_call, static_call_lock(), static_call_unlock())

/* One update: every place that reached @old is to reach @func. */
struct static_call_retarget {
	struct static_call_key *key;
	void *old;
	void *func;
};

void static_call_retarget_place(const struct static_call_place *place,
				const struct static_call_retarget *rt);

#ifdef CONFIG_HAVE_STATIC_CALL_INLINE
void static_call_retarget_vmlinux_sites(const struct static_call_retarget *rt,
					void *tramp);
void static_call_retarget_module_sites(const struct static_call_retarget *rt,
				       void *tramp);
#else
/* Out of line, the trampoline is the only place there is. */
static inline void
static_call_retarget_vmlinux_sites(const struct static_call_retarget *rt,
				   void *tramp)
{
}

static inline void
static_call_retarget_module_sites(const struct static_call_retarget *rt,
				  void *tramp)
{
}
#endif

#endif /* _KERNEL_STATIC_CALL_INTERNAL_H */
