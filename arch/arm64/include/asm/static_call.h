/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_ARM64_STATIC_CALL_H
#define _ASM_ARM64_STATIC_CALL_H

/*
 * An arm64 trampoline is 32 bytes, 8-byte aligned so that its literal is
 * naturally aligned:
 *
 *	+0	BTI C		a module's PLT veneer reaches it with BR x16
 *	+4	the slot	B target when the target is in range,
 *				B +16 for NULL, NOP when the target is far
 *	+8	LDR x16, +24	far: load the literal...
 *	+12	BR x16		...and go there
 *	+16	BTI C		NULL lands here, by B from the slot or by the
 *	+20	RET		literal (BR x16 needs the landing pad)
 *	+24	the literal	the target, or +16 for NULL
 *
 * Only the slot is rewritten as code, and only between B and NOP, which
 * the architecture allows while other CPUs execute it.  The literal is
 * data in read-only text, so that no plain data write can redirect the
 * call; it is written with a single 64-bit store, always before the slot,
 * and always holds the current target (arch/arm64/kernel/static_call.c
 * explains why).  The words at +0, +8, +12, +16 and +20 never change:
 * they tell a trampoline from other code.
 *
 * "hint 34" is BTI C, spelt so that any assembler takes it; it is a NOP
 * where BTI is not implemented.
 */

/* Trampolines live in .static_call.text, which kprobes stay out of. */
#define ARCH_STATIC_CALL_TEXT_SECTION

#define __ARM64_STATIC_CALL_TRAMP(name, slot, literal)			\
	asm(".pushsection .static_call.text, \"ax\"\n\t"		\
	    ".balign 8\n\t"						\
	    ".globl " STATIC_CALL_TRAMP_STR(name) "\n"			\
	    STATIC_CALL_TRAMP_STR(name) ":\n\t"				\
	    "hint 34\n\t"						\
	    slot "\n\t"							\
	    "ldr x16, 1f\n\t"						\
	    "br x16\n"							\
	    "0:\thint 34\n\t"						\
	    "ret\n"							\
	    "1:\t.quad " literal "\n\t"					\
	    ".type " STATIC_CALL_TRAMP_STR(name) ", %function\n\t"	\
	    ".size " STATIC_CALL_TRAMP_STR(name) ", 32\n\t"		\
	    ".popsection\n")

#define ARCH_DEFINE_STATIC_CALL_TRAMP(name, func)			\
	__ARM64_STATIC_CALL_TRAMP(name, "b " #func, #func)

#define ARCH_DEFINE_STATIC_CALL_NULL_TRAMP(name)			\
	__ARM64_STATIC_CALL_TRAMP(name, "b 0f", "0b")

#define ARCH_DEFINE_STATIC_CALL_RET0_TRAMP(name)			\
	ARCH_DEFINE_STATIC_CALL_TRAMP(name, __static_call_return0)

#endif /* _ASM_ARM64_STATIC_CALL_H */
