/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_STATIC_CALL_H
#define _LINUX_STATIC_CALL_H

/*
 * Static calls: a call through a function pointer that the kernel turns
 * into a direct call by rewriting code when the pointer changes.  They
 * serve where a pointer is read on a hot path but changes rarely, and
 * spare that path an indirect call (a retpoline, with the mitigations on).
 *
 *	DEFINE_STATIC_CALL(my_call, func_a);	the key, targeting func_a
 *	static_call(my_call)(x, y);		calls func_a(x, y)
 *	static_call_update(my_call, func_b);	from now on, func_b
 *
 * DECLARE_STATIC_CALL() makes a key usable in other files;
 * EXPORT_STATIC_CALL[_GPL]() lets modules call and update it, and
 * where static calls have trampolines, EXPORT_STATIC_CALL_TRAMP[_GPL]()
 * lets them only call it, through static_call_mod().
 *
 * A key defined with DEFINE_STATIC_CALL_NULL() has no target: call it
 * with static_call_cond(), which does nothing while the target is NULL
 * (and so is limited to functions returning void).  A key defined with
 * DEFINE_STATIC_CALL_RET0() targets __static_call_return0(), which
 * returns 0; any key may be updated to it, or to NULL, and back.
 * static_call_query() returns the current target.
 *
 * Three implementations, chosen by what the architecture selects:
 *
 * HAVE_STATIC_CALL_INLINE: objtool (without objtool,
 *	scripts/static_call_sites) lists every call and tail call of a
 *	trampoline in .static_call_sites.  static_call_init() and module
 *	loading patch each listed site to branch to the target directly,
 *	and every update patches all sites of the key (and its trampoline)
 *	in one batch.  A NULL target becomes a NOP (a return at a tail
 *	call), __static_call_return0 whatever the architecture does best.
 *
 * HAVE_STATIC_CALL: every static_call() calls the key's trampoline, and
 *	an update rewrites only the trampoline's branch.
 *
 * Neither: static_call() is an indirect call through key.func.
 *
 * Documentation/core-api/static-calls.rst describes the API and the
 * architecture interface.
 */

#include <linux/build_bug.h>
#include <linux/types.h>
#include <linux/cpu.h>
#include <linux/static_call_types.h>

#ifdef CONFIG_HAVE_STATIC_CALL
#include <asm/static_call.h>
#endif

/**
 * __static_call_return0 - a target that returns 0
 *
 * Update a key to this (cast to ``void *``) to make its calls return 0
 * without calling anything where the architecture can, and compare
 * static_call_query() with it to see whether a key was so updated.
 *
 * Return: 0
 */
long __static_call_return0(void);

#ifdef CONFIG_HAVE_STATIC_CALL

/*
 * Zero until static_call_init() has run: before that, only the
 * lock-free static_call_update_early() may retarget a key.
 */
extern int static_call_initialized;
int __init static_call_init(void);

/* Out of line: an update rewrites only the trampoline. */
#define STATIC_CALL_TRAMP_ADDR(name)	(&STATIC_CALL_TRAMP(name))

void __static_call_update(struct static_call_key *key, void *tramp,
			  void *func);

/**
 * enum static_call_place_kind - what kind of code a place holds
 * @STATIC_CALL_PLACE_TRAMP: a key's trampoline; it jumps to the target
 * @STATIC_CALL_PLACE_CALL: a call site of a trampoline (inline only)
 * @STATIC_CALL_PLACE_TAIL: a tail-call site: a jump to a trampoline,
 *	conditional or not (inline only)
 */
enum static_call_place_kind {
	STATIC_CALL_PLACE_TRAMP,
	STATIC_CALL_PLACE_CALL,
	STATIC_CALL_PLACE_TAIL,
};

/**
 * struct static_call_place - one place the core asks the architecture to
 *	check or write
 * @addr: the first byte of the place
 * @tramp: the trampoline of the place's key when the core knows it (an
 *	update is given it); NULL at boot, at module load and for kprobes,
 *	because a key does not record its trampoline
 * @kind: what the place holds
 */
struct static_call_place {
	void *addr;
	void *tramp;
	enum static_call_place_kind kind;
};

/* A trampoline, like a tail-call site, jumps: it never returns to it. */
static inline bool static_call_place_jumps(const struct static_call_place *p)
{
	return p->kind != STATIC_CALL_PLACE_CALL;
}

/*
 * The architecture interface, described in
 * Documentation/core-api/static-calls.rst.  The core calls validate,
 * queue and flush with text_mutex held, for one update at a time.
 * site_size is called for kprobes without static call locks, possibly
 * with preemption disabled: it may only read the bytes at the place.
 */
int arch_static_call_validate(const struct static_call_place *place,
			      void *old);
void arch_static_call_queue(const struct static_call_place *place,
			    void *func);
void arch_static_call_flush(void);
int arch_static_call_site_size(const struct static_call_place *place);

/*
 * For kprobes, which must not put a probe where static calls rewrite
 * code: 1 if [@start, @end] overlaps a live call site or a trampoline in
 * .static_call.text (where the architecture keeps them there), else 0.
 */
int static_call_text_reserved(void *start, void *end);
bool static_call_tramp_text_reserved(void *start, void *end);
extern char __static_call_text_start[], __static_call_text_end[];

#else /* !CONFIG_HAVE_STATIC_CALL */

#define static_call_initialized		0
/* NULL; but naming no key fails to build, as where trampolines exist. */
#define STATIC_CALL_TRAMP_ADDR(name)					\
	((void *)(0 * sizeof(STATIC_CALL_KEY(name))))

static inline int static_call_init(void) { return 0; }

static inline int static_call_text_reserved(void *start, void *end)
{
	return 0;
}

static inline void __static_call_update(struct static_call_key *key,
					void *tramp, void *func)
{
	WRITE_ONCE(key->func, func);
}

#endif /* CONFIG_HAVE_STATIC_CALL */

/**
 * static_call_update - make a static call target another function
 * @name: the static call, as given to DEFINE_STATIC_CALL()
 * @func: the new target, of the key's type, or NULL
 *
 * May sleep.  When it returns, no place that reached the old target does
 * any more; calls in progress on other CPUs finish in the old target.
 */
#define static_call_update(name, func)					\
	__static_call_update(&STATIC_CALL_KEY(name),			\
			     STATIC_CALL_TRAMP_ADDR(name),		\
			     __static_call_typed(name, func))

/* @func, once the compiler has checked it against the key's type. */
#define __static_call_typed(name, func)					\
({									\
	typeof(STATIC_CALL_TRAMP(name)) *__typed = (func);		\
	__typed;							\
})

/**
 * static_call_query - the function a static call targets now
 * @name: the static call
 *
 * Return: the current target, NULL or __static_call_return0.
 */
#define static_call_query(name)	(READ_ONCE(STATIC_CALL_KEY(name).func))

#ifdef CONFIG_HAVE_STATIC_CALL_INLINE

struct static_call_mod;

/* .static_call_tramp_key: the key of each trampoline exported alone. */
struct static_call_tramp_key {
	s32 tramp;
	s32 key;
};

/* Bounds of the tables in vmlinux, from the linker script. */
extern struct static_call_site __start_static_call_sites[];
extern struct static_call_site __stop_static_call_sites[];
extern struct static_call_tramp_key __start_static_call_tramp_key[];
extern struct static_call_tramp_key __stop_static_call_tramp_key[];

void static_call_force_reinit(void);

/*
 * Record which key an exported trampoline belongs to, so that a module
 * given only the trampoline still gets its call sites patched: the pair,
 * as two distances, in .static_call_tramp_key.  An architecture whose
 * assembler cannot say that may define its own.
 */
#ifndef ARCH_ADD_TRAMP_KEY
#define ARCH_ADD_TRAMP_KEY(name)					\
	asm(".pushsection .static_call_tramp_key, \"a\"\n\t"		\
	    ".long " STATIC_CALL_TRAMP_STR(name) " - .\n\t"		\
	    ".long " STATIC_CALL_KEY_STR(name) " - .\n\t"		\
	    ".popsection\n")
#endif

/*
 * A trampoline exported alone: the key is found through the trampoline
 * (.static_call_tramp_key), so that the module can call it, not update it.
 * @export: EXPORT_SYMBOL or EXPORT_SYMBOL_GPL.
 */
#define __EXPORT_STATIC_CALL_TRAMP(name, export)			\
	extern struct static_call_key STATIC_CALL_KEY(name);		\
	export(STATIC_CALL_TRAMP(name));				\
	ARCH_ADD_TRAMP_KEY(name)

#else

static inline void static_call_force_reinit(void) { }

#define __EXPORT_STATIC_CALL_TRAMP(name, export)			\
	export(STATIC_CALL_TRAMP(name))

#endif /* CONFIG_HAVE_STATIC_CALL_INLINE */

#ifdef CONFIG_MODULES
/*
 * What names the key in its entry: the trampoline, which kallsyms names
 * after the static call, or without trampolines the name itself.  The
 * parameter is not "name": that would replace the field designator too.
 */
#ifdef CONFIG_HAVE_STATIC_CALL
#define __STATIC_CALL_KEY_ENTRY_NAMING(_name)				\
	.tramp = &STATIC_CALL_TRAMP(_name)
#else
#define __STATIC_CALL_KEY_ENTRY_NAMING(_name)				\
	.name = __stringify(_name)
#endif

/*
 * Lists the key in .static_call_keys (struct static_call_key_entry), with
 * what names it.  The alignment is the entry's own: the compiler may
 * align an object beyond its type's alignment (gcc on x86-64 aligns a
 * 16-byte one to 16), and the padding the linker would then put between
 * entries, or before the first, would be read as entries.
 */
#define __STATIC_CALL_KEY_ENTRY(_name)					\
	static const struct static_call_key_entry __used		\
	__section(".static_call_keys")					\
	__aligned(__alignof__(struct static_call_key_entry))		\
	__PASTE(__static_call_key_entry_, _name) = {			\
		.key = &STATIC_CALL_KEY(_name),				\
		__STATIC_CALL_KEY_ENTRY_NAMING(_name) }
#else
/* Only modules going away are checked against the keys. */
#define __STATIC_CALL_KEY_ENTRY(_name)	static_assert(1)
#endif

#ifdef CONFIG_HAVE_STATIC_CALL

/* The key, initialised to @init, listed, and its trampoline @tramp. */
#define __DEFINE_STATIC_CALL(name, _func, init, tramp)			\
	DECLARE_STATIC_CALL(name, _func);				\
	struct static_call_key STATIC_CALL_KEY(name) = { .func = (init) }; \
	__STATIC_CALL_KEY_ENTRY(name);					\
	tramp

#define DEFINE_STATIC_CALL(name, _func)					\
	__DEFINE_STATIC_CALL(name, _func, _func,			\
			     ARCH_DEFINE_STATIC_CALL_TRAMP(name, _func))
#define DEFINE_STATIC_CALL_NULL(name, _func)				\
	__DEFINE_STATIC_CALL(name, _func, NULL,				\
			     ARCH_DEFINE_STATIC_CALL_NULL_TRAMP(name))
#define DEFINE_STATIC_CALL_RET0(name, _func)				\
	__DEFINE_STATIC_CALL(name, _func, __static_call_return0,	\
			     ARCH_DEFINE_STATIC_CALL_RET0_TRAMP(name))

/*
 * NULL targets are patched out: the call itself needs no test.  Only for
 * functions that return nothing: a call that was patched out returns
 * whatever the return register held, so the cast makes using a value a
 * build error.
 */
#define static_call_cond(name)	(void)__static_call(name)

/*
 * Exporting the key lets a module update it.  The key is declared here
 * too, by its type: what is exported must be a static call key.
 * @export: EXPORT_SYMBOL or EXPORT_SYMBOL_GPL.
 */
#define __EXPORT_STATIC_CALL(name, export)				\
	extern struct static_call_key STATIC_CALL_KEY(name);		\
	export(STATIC_CALL_TRAMP(name));				\
	export(STATIC_CALL_KEY(name))

#define EXPORT_STATIC_CALL(name)	__EXPORT_STATIC_CALL(name, EXPORT_SYMBOL)
#define EXPORT_STATIC_CALL_GPL(name)					\
	__EXPORT_STATIC_CALL(name, EXPORT_SYMBOL_GPL)
#define EXPORT_STATIC_CALL_TRAMP(name)					\
	__EXPORT_STATIC_CALL_TRAMP(name, EXPORT_SYMBOL)
#define EXPORT_STATIC_CALL_TRAMP_GPL(name)				\
	__EXPORT_STATIC_CALL_TRAMP(name, EXPORT_SYMBOL_GPL)

#else /* Generic: the key's function pointer is all there is. */

/* A key, listed: @first is the function it starts with. */
#define __DEFINE_STATIC_CALL(name, f, first)				\
	DECLARE_STATIC_CALL(name, f);					\
	struct static_call_key STATIC_CALL_KEY(name) = { .func = (first) }; \
	__STATIC_CALL_KEY_ENTRY(name)

#define DEFINE_STATIC_CALL(name, f)	__DEFINE_STATIC_CALL(name, f, f)
#define DEFINE_STATIC_CALL_NULL(name, f) __DEFINE_STATIC_CALL(name, f, NULL)
#define DEFINE_STATIC_CALL_RET0(name, f)				\
	__DEFINE_STATIC_CALL(name, f, __static_call_return0)

static inline void __static_call_nop(void)
{
}

/*
 * Calling a NULL pointer is not an option here: static_call_cond()
 * substitutes an empty function.  The double cast keeps the compiler
 * from warning about the mismatched type, which is harmless for a
 * function that takes no notice of its arguments and returns nothing.
 */
#define __static_call_cond(name)					\
({									\
	void *__target = READ_ONCE(STATIC_CALL_KEY(name).func);	\
									\
	if (!__target)							\
		__target = (void *)__static_call_nop;			\
	(typeof(STATIC_CALL_TRAMP(name)) *)__target;			\
})

#define static_call_cond(name)	(void)__static_call_cond(name)

/*
 * No trampoline: modules need the key even to call, and whoever has the
 * key can retarget it.  So there is no EXPORT_STATIC_CALL_TRAMP() here:
 * a call-only export cannot be kept call-only, and a module that uses
 * one fails to build rather than gain the power to update.
 */
#define __EXPORT_STATIC_CALL(name, export)				\
	extern struct static_call_key STATIC_CALL_KEY(name);		\
	export(STATIC_CALL_KEY(name))

#define EXPORT_STATIC_CALL(name)	__EXPORT_STATIC_CALL(name, EXPORT_SYMBOL)
#define EXPORT_STATIC_CALL_GPL(name)					\
	__EXPORT_STATIC_CALL(name, EXPORT_SYMBOL_GPL)

#endif /* CONFIG_HAVE_STATIC_CALL */

#endif /* _LINUX_STATIC_CALL_H */
