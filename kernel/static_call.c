// SPDX-License-Identifier: GPL-2.0
/*
 * What every static call implementation has: __static_call_return0(),
 * and, for out-of-line static calls, the update of a trampoline.
 * Inline static calls add kernel/static_call_inline.c.
 */
#include <linux/bug.h>
#include <linux/cpu.h>
#include <linux/export.h>
#include <linux/init.h>
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

#ifdef CONFIG_HAVE_STATIC_CALL
/**
 * static_call_tramp_text_reserved - does a range of text hold a trampoline?
 * @start: first byte of the range
 * @end: last byte of the range
 *
 * A kprobe's breakpoint in a trampoline would hide, from the next update,
 * which target the trampoline reaches.  Architectures that keep their
 * trampolines in .static_call.text say so with
 * ARCH_STATIC_CALL_TEXT_SECTION.
 *
 * Return: whether [@start, @end] overlaps vmlinux's trampolines.
 */
bool static_call_tramp_text_reserved(void *start, void *end)
{
#ifdef ARCH_STATIC_CALL_TEXT_SECTION
	return start < (void *)__static_call_text_end &&
	       end >= (void *)__static_call_text_start;
#else
	return false;
#endif
}
#endif

#if defined(CONFIG_HAVE_STATIC_CALL) && !defined(CONFIG_HAVE_STATIC_CALL_INLINE)

/*
 * Out of line there are no sites to find: static_call_init() only ends
 * the time when static_call_update_early() may write a trampoline
 * without taking a lock.
 */
int static_call_initialized;

static DEFINE_MUTEX(static_call_tramp_mutex);

/**
 * static_call_init - allow locked updates from now on
 *
 * Called from setup_arch() or start_kernel(), once the locks an update
 * takes can be taken.
 *
 * Return: 0
 */
int __init static_call_init(void)
{
	static_call_initialized = 1;
	return 0;
}

/**
 * __static_call_update - retarget a key's trampoline
 * @key: the key
 * @tramp: its trampoline
 * @func: the new target, or NULL
 *
 * Use static_call_update(), which passes the right @key and @tramp.  A
 * trampoline that holds neither what this code last wrote there nor
 * what the compiler emitted reaches nothing the key targeted: it is left
 * as found, with a warning (which taints the kernel), and the key takes
 * @func all the same.
 */
void __static_call_update(struct static_call_key *key, void *tramp,
			  void *func)
{
	bool early = system_state == SYSTEM_BOOTING;

	cpus_read_lock();
	mutex_lock(&static_call_tramp_mutex);
	mutex_lock(&text_mutex);
	if (key->func != func) {
		if (!arch_static_call_validate(tramp, tramp, key->func, true))
			arch_static_call_queue(tramp, tramp, func, true, early);
		else
			WARN(1, "static_call: %ps: trampoline %pS left as found, not retargeted from %ps to %ps\n",
			     key, tramp, key->func, func);
		arch_static_call_flush();
		WRITE_ONCE(key->func, func);
	}
	mutex_unlock(&text_mutex);
	mutex_unlock(&static_call_tramp_mutex);
	cpus_read_unlock();
}
EXPORT_SYMBOL_GPL(__static_call_update);

/**
 * static_call_text_reserved - does a range of text hold a trampoline?
 * @start: first byte of the range
 * @end: last byte of the range
 *
 * For kprobes.  Out of line, trampolines are the only code rewritten.
 *
 * Return: 1 if [@start, @end] overlaps a trampoline, else 0.
 */
int static_call_text_reserved(void *start, void *end)
{
	return static_call_tramp_text_reserved(start, end);
}

#endif
