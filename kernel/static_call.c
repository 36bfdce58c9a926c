// SPDX-License-Identifier: GPL-2.0
/*
 * What every static call implementation has: __static_call_return0();
 * and where static calls are patched, the update of a key: check each
 * place it reaches, queue the new code, flush the batch.  Out of line the
 * trampoline is the only place; inline static calls add the call sites
 * (kernel/static_call_inline.c).
 */
#include <linux/bug.h>
#include <linux/cpu.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/memory.h>
#include <linux/mutex.h>
#include <linux/static_call.h>

#ifdef CONFIG_HAVE_STATIC_CALL
#include "static_call_internal.h"
#endif

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

/*
 * Zero until static_call_init(): before that, only the lock-free
 * static_call_update_early() may write a trampoline, and inline call
 * sites still call their trampolines.
 */
int static_call_initialized;

/* Orders updates and keeps the site lists of keys stable. */
DEFINE_MUTEX(static_call_mutex);

/*
 * Lock order: cpus_read_lock(), static_call_mutex, text_mutex.  CPU
 * hotplug is held off because a CPU coming up must not miss the
 * synchronisation that ends a batch.
 */
void static_call_lock(void)
{
	cpus_read_lock();
	mutex_lock(&static_call_mutex);
	mutex_lock(&text_mutex);
}

void static_call_unlock(void)
{
	mutex_unlock(&text_mutex);
	mutex_unlock(&static_call_mutex);
	cpus_read_unlock();
}

/*
 * Retarget one place, or leave it as found.  A place that holds neither
 * what reaches the old target nor the compiler's branch to the
 * trampoline reaches nothing this key ever targeted: leaving it does not
 * keep anyone calling the old target, and writing it would overwrite
 * code we do not understand.  It is reported (the architecture has said
 * what it found and what it expected), the kernel tainted, and the rest
 * of the update goes on, so that callers who free the old target after
 * the update (tracepoint probes, BPF dispatcher images, a module's
 * functions) stay safe.
 */
void static_call_retarget_place(const struct static_call_place *place,
				const struct static_call_retarget *rt)
{
	if (!arch_static_call_validate(place, rt->old)) {
		arch_static_call_queue(place, rt->func);
		return;
	}
	WARN(1, "static_call: %ps: %s %pS left as found, not retargeted from %ps to %ps\n",
	     rt->key, place->kind == STATIC_CALL_PLACE_TRAMP ?
	     "trampoline" : "site", place->addr, rt->old, rt->func);
}

/*
 * Point the trampoline and every live site at @func, in one batch.  The
 * places are queued in ascending address order where the layout allows
 * (vmlinux's sites, its trampolines, then modules), because a batch is
 * written out early at a place below the previous one.
 */
static void retarget_key(struct static_call_key *key, void *tramp,
			 void *func)
{
	const struct static_call_retarget rt = {
		.key = key,
		.old = key->func,
		.func = func,
	};
	const struct static_call_place place = {
		.addr = tramp,
		.tramp = tramp,
		.kind = STATIC_CALL_PLACE_TRAMP,
	};

	/* Before static_call_init() the sites still call the trampoline. */
	if (static_call_initialized)
		static_call_retarget_vmlinux_sites(&rt, tramp);
	if (tramp)
		static_call_retarget_place(&place, &rt);
	if (static_call_initialized)
		static_call_retarget_module_sites(&rt, tramp);
	arch_static_call_flush();
	WRITE_ONCE(key->func, func);
}

/**
 * __static_call_update - retarget a key, its trampoline and its call sites
 * @key: the key
 * @tramp: its trampoline
 * @func: the new target, or NULL
 *
 * Use static_call_update(), which passes the right @key and @tramp.  When
 * it returns, no place that reached the old target does any more.  A
 * place that holds neither what this code last wrote there nor what the
 * compiler emitted is left as found, with a warning (which taints the
 * kernel) naming the key and the place.
 */
void __static_call_update(struct static_call_key *key, void *tramp,
			  void *func)
{
	guard(static_call)();
	if (key->func != func)
		retarget_key(key, tramp, func);
}
EXPORT_SYMBOL_GPL(__static_call_update);

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

/**
 * static_call_init - allow locked updates from now on
 *
 * Out of line there are no sites to find: this only ends the time when
 * static_call_update_early() may write a trampoline without a lock.
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
