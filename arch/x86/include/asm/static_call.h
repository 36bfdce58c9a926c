/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_STATIC_CALL_H
#define _ASM_STATIC_CALL_H

#include <linux/objtool.h>
#include <asm/text-patching.h>

/*
 * An x86 trampoline is an 8-byte slot, 8-byte aligned so that it never
 * straddles a page:
 *
 *	+0	one 5-byte instruction: JMP.d32 to the target, or a return
 *		(RET and INT3 padding, or JMP.d32 to the return thunk)
 *	+5	UD1 %esp,%ecx (0f b9 cc)
 *
 * No compiler emits that UD1, so it marks the slot as a trampoline when
 * the patching code is handed an address (see __static_call_fixup()),
 * and it stops speculation past the jump.  The bytes are the ones the
 * kernel has always used (the UD1 decoding in arch/x86/kernel/traps.c
 * names them, and tools that read kernel images know them).  Callers
 * reach the trampoline only by direct branches, hence no ENDBR.
 */
/* Trampolines live in .static_call.text, which kprobes stay out of. */
#define ARCH_STATIC_CALL_TEXT_SECTION

#define X86_STATIC_CALL_TRAMP_SIGNATURE	".byte 0x0f, 0xb9, 0xcc"

#define __X86_STATIC_CALL_TRAMP(name, insn)				\
	asm(".pushsection .static_call.text, \"ax\"\n\t"		\
	    ".balign 8\n\t"						\
	    ".globl " STATIC_CALL_TRAMP_STR(name) "\n"			\
	    STATIC_CALL_TRAMP_STR(name) ":\n\t"				\
	    ANNOTATE_NOENDBR						\
	    insn "\n\t"							\
	    X86_STATIC_CALL_TRAMP_SIGNATURE "\n\t"			\
	    ".type " STATIC_CALL_TRAMP_STR(name) ", @function\n\t"	\
	    ".size " STATIC_CALL_TRAMP_STR(name) ", 8\n\t"		\
	    ".popsection\n")

/* Spelled out as bytes so the assembler cannot pick the short form. */
#define ARCH_DEFINE_STATIC_CALL_TRAMP(name, func)			\
	__X86_STATIC_CALL_TRAMP(name, ".byte 0xe9\n\t"			\
				".long " #func " - (. + 4)")

#ifdef CONFIG_MITIGATION_RETHUNK
#define ARCH_DEFINE_STATIC_CALL_NULL_TRAMP(name)			\
	__X86_STATIC_CALL_TRAMP(name, ".byte 0xe9\n\t"			\
				".long __x86_return_thunk - (. + 4)")
#else
#define ARCH_DEFINE_STATIC_CALL_NULL_TRAMP(name)			\
	__X86_STATIC_CALL_TRAMP(name, "ret\n\tint3\n\tint3\n\tint3\n\tint3")
#endif

#define ARCH_DEFINE_STATIC_CALL_RET0_TRAMP(name)			\
	ARCH_DEFINE_STATIC_CALL_TRAMP(name, __static_call_return0)

/* A lone return, for Jcc sites whose target is NULL. */
void __static_call_ret(void);

/* Called by apply_returns() for every return it is about to rewrite. */
bool __static_call_fixup(void *tramp, u8 op, void *dest);

/*
 * Xen must switch its hypercall static call before static_call_init(),
 * from code that may not call out: only the trampoline is written.
 */
void __static_call_update_early(struct static_call_key *key, void *tramp,
				void *func);

#define static_call_update_early(name, _func)				\
({									\
	typeof(&STATIC_CALL_TRAMP(name)) __new = (_func);		\
									\
	if (static_call_initialized) {					\
		__static_call_update(&STATIC_CALL_KEY(name),		\
				     STATIC_CALL_TRAMP_ADDR(name), __new); \
	} else {							\
		__static_call_update_early(&STATIC_CALL_KEY(name),	\
					   STATIC_CALL_TRAMP_ADDR(name), \
					   __new);			\
	}								\
})

#endif /* _ASM_STATIC_CALL_H */
