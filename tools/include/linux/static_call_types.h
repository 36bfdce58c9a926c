/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The small part of the static call interface that headers need in order
 * to declare and call a static call, and that objtool needs in order to
 * emit the site table.  objtool builds with a copy under tools/include,
 * which must stay identical (tools/objtool/sync-check.sh checks it).
 */
#ifndef _STATIC_CALL_TYPES_H
#define _STATIC_CALL_TYPES_H

#include <linux/types.h>
#include <linux/stringify.h>
#include <linux/compiler.h>

/*
 * A key is the variable __SCK__<name>; a trampoline is the function
 * __SCT__<name>.  objtool finds a site's key by swapping the prefix of
 * the trampoline it calls for the key's.
 */
#define STATIC_CALL_KEY_PREFIX		__SCK__
#define STATIC_CALL_TRAMP_PREFIX	__SCT__
#define STATIC_CALL_KEY_PREFIX_STR	__stringify(STATIC_CALL_KEY_PREFIX)
#define STATIC_CALL_TRAMP_PREFIX_STR	__stringify(STATIC_CALL_TRAMP_PREFIX)
#define STATIC_CALL_KEY_PREFIX_LEN	(sizeof(STATIC_CALL_KEY_PREFIX_STR) - 1)
#define STATIC_CALL_TRAMP_PREFIX_LEN	(sizeof(STATIC_CALL_TRAMP_PREFIX_STR) - 1)

#define STATIC_CALL_KEY(name)		__PASTE(STATIC_CALL_KEY_PREFIX, name)
#define STATIC_CALL_TRAMP(name)		__PASTE(STATIC_CALL_TRAMP_PREFIX, name)
#define STATIC_CALL_KEY_STR(name)	__stringify(STATIC_CALL_KEY(name))
#define STATIC_CALL_TRAMP_STR(name)	__stringify(STATIC_CALL_TRAMP(name))

/*
 * One entry of .static_call_sites, written by objtool (or, without it,
 * scripts/static_call_sites) for every call or jump to a trampoline.
 * Both fields hold the distance from the field itself to what it names,
 * so the table is position independent and eight bytes a site on 32-bit
 * and 64-bit kernels alike.
 *
 * Keys are at least 4-byte aligned, which leaves the low bits of the key
 * distance for flags; the build sets TAIL.  A module site may name the
 * trampoline instead of the key (when only the trampoline is exported to
 * it): the kernel resolves that through .static_call_tramp_key when the
 * module loads.
 */
struct static_call_site {
	s32 addr;
	s32 key;
};

#define STATIC_CALL_SITE_TAIL	1UL	/* a jump: the site is a tail call */
#define STATIC_CALL_SITE_FLAGS	STATIC_CALL_SITE_TAIL

/*
 * One entry of .static_call_keys: with modules, every DEFINE_STATIC_CALL*()
 * adds one, in vmlinux and in modules, so that the kernel can find every
 * key.  When a module goes away, a key still aimed at it is retargeted
 * and named (see Documentation/core-api/static-calls.rst): by @tramp,
 * text that kallsyms names after the static call, or where there are no
 * trampolines by @name, the static call's.  kallsyms cannot name a key:
 * it is data, unknown without CONFIG_KALLSYMS_ALL.  Here, not in
 * static_call.h, because struct module points at its module's entries.
 */
struct static_call_key_entry {
	struct static_call_key *key;
#ifdef CONFIG_HAVE_STATIC_CALL
	void *tramp;
#else
	const char *name;
#endif
};

#define DECLARE_STATIC_CALL(name, func)					\
	extern struct static_call_key STATIC_CALL_KEY(name);		\
	extern typeof(func) STATIC_CALL_TRAMP(name)

#ifdef CONFIG_HAVE_STATIC_CALL

/*
 * With HAVE_STATIC_CALL_INLINE the key also finds its sites: its run of
 * the (sorted) vmlinux table, and one run per loaded module.
 */
struct static_call_key {
	void *func;
#ifdef CONFIG_HAVE_STATIC_CALL_INLINE
	struct static_call_site *sites;
	struct static_call_mod *mods;
#endif
};

#define __raw_static_call(name)	(&STATIC_CALL_TRAMP(name))

#ifdef CONFIG_HAVE_STATIC_CALL_INLINE
/*
 * Reference the key from every call site, so that it is in the object's
 * symbol table when objtool looks for it.
 */
#define __STATIC_CALL_ADDRESSABLE(name) __ADDRESSABLE(STATIC_CALL_KEY(name))

#define __static_call(name)						\
({									\
	__STATIC_CALL_ADDRESSABLE(name);				\
	__raw_static_call(name);					\
})
#else
/* Out of line, a call is a call to the trampoline and nothing else. */
#define __static_call(name)	__raw_static_call(name)
#endif

/*
 * Modules given only the trampoline (EXPORT_STATIC_CALL_TRAMP) must not
 * reference the key; built-in code may.  Assembly calling a trampoline
 * uses __STATIC_CALL_MOD_ADDRESSABLE() for the same reason: where the
 * key must not (or need not) be referenced, it only takes the address
 * of the trampoline the assembly calls, which costs nothing.
 */
#if defined(CONFIG_HAVE_STATIC_CALL_INLINE) && !defined(MODULE)
#define static_call_mod(name)	__static_call(name)
#define __STATIC_CALL_MOD_ADDRESSABLE(name) __STATIC_CALL_ADDRESSABLE(name)
#else
#define static_call_mod(name)	__raw_static_call(name)
#define __STATIC_CALL_MOD_ADDRESSABLE(name) ((void)__raw_static_call(name))
#endif

#else /* !CONFIG_HAVE_STATIC_CALL: a plain function pointer */

struct static_call_key {
	void *func;
};

#define __static_call(name)						\
	((typeof(STATIC_CALL_TRAMP(name)) *)(STATIC_CALL_KEY(name).func))

#define static_call_mod(name)	__static_call(name)

#endif /* CONFIG_HAVE_STATIC_CALL */

#define static_call(name)	__static_call(name)

#endif /* _STATIC_CALL_TYPES_H */
