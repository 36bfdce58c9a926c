// SPDX-License-Identifier: GPL-2.0
/*
 * What every static call implementation has: __static_call_return0(),
 * and, for out-of-line static calls, the update of a trampoline.
 * Inline static calls add kernel/static_call_inline.c.
 */
#include <linux/bug.h>
#include <linux/cpu.h>
#include <linux/export.h>
#include <linux/memory.h>
#include <linux/static_call.h>

/*
 * Built for every architecture, so that the function has one address
 * that static_call_query() can be compared with, even where static
 * calls are plain function pointers.
 */
long __static_call_return0(void)
{
	return 0;
}
EXPORT_SYMBOL_GPL(__static_call_return0);

#if defined(CONFIG_HAVE_STATIC_CALL) && !defined(CONFIG_HAVE_STATIC_CALL_INLINE)

/* Trampolines can be rewritten at any time: nothing waits for an init. */
int static_call_initialized = 1;

static DEFINE_MUTEX(static_call_tramp_mutex);

/**
 * __static_call_update - retarget a key's trampoline
 * @key: the key
 * @tramp: its trampoline
 * @func: the new target, or NULL
 *
 * Use static_call_update(), which passes the right @key and @tramp.  A
 * trampoline that does not hold what this code last wrote there is left
 * alone, and so is the key.
 */
void __static_call_update(struct static_call_key *key, void *tramp,
			  void *func)
{
	bool early = system_state == SYSTEM_BOOTING;

	cpus_read_lock();
	mutex_lock(&static_call_tramp_mutex);
	mutex_lock(&text_mutex);
	if (key->func != func &&
	    !arch_static_call_validate(tramp, tramp, key->func, true)) {
		arch_static_call_queue(tramp, tramp, func, true, early);
		arch_static_call_flush();
		WRITE_ONCE(key->func, func);
	}
	mutex_unlock(&text_mutex);
	mutex_unlock(&static_call_tramp_mutex);
	cpus_read_unlock();
}
EXPORT_SYMBOL_GPL(__static_call_update);

#endif
