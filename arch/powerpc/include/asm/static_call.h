/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_POWERPC_STATIC_CALL_H
#define _ASM_POWERPC_STATIC_CALL_H

/*
 * A 32-bit powerpc trampoline: eight words, 32-byte aligned.
 *
 *	+0	the entry:	b func		func within branch range
 *				blr		NULL
 *				b +20		__static_call_return0
 *				nop		func further away
 *	+4	lis	r12, far@ha	reached only through the nop: load
 *	+8	lwz	r12, far@l(r12)	the far target and branch to it
 *	+12	mtctr	r12
 *	+16	bctr
 *	+20	li	r3, 0		__static_call_return0, in place
 *	+24	blr
 *	+28	far:	.long	the target when it is out of range
 *
 * r12 is free to clobber at a function's entry.  Only the entry and the
 * far word are ever rewritten (arch/powerpc/kernel/static_call.c).  A
 * module's trampoline starts on the far path: its target may lie out of
 * a direct branch's reach, and the first update makes it direct if not.
 */
#define PPC_SCT_RET0		20
#define PPC_SCT_FAR		28
#define PPC_SCT_SIZE		32

#define __PPC_SCT(name, entry, far)					\
	asm(".pushsection .text, \"ax\"\n\t"				\
	    ".balign 32\n\t"						\
	    ".globl " STATIC_CALL_TRAMP_STR(name) "\n"			\
	    STATIC_CALL_TRAMP_STR(name) ":\n\t"				\
	    entry "\n\t"						\
	    "lis 12, 9f@ha\n\t"					\
	    "lwz 12, 9f@l(12)\n\t"					\
	    "mtctr 12\n\t"						\
	    "bctr\n\t"							\
	    "li 3, 0\n\t"						\
	    "blr\n\t"							\
	    "9:\t.long " far "\n\t"					\
	    ".type " STATIC_CALL_TRAMP_STR(name) ", @function\n\t"	\
	    ".size " STATIC_CALL_TRAMP_STR(name) ", 32\n\t"		\
	    ".popsection\n")

#ifdef MODULE
#define ARCH_DEFINE_STATIC_CALL_TRAMP(name, func)			\
	__PPC_SCT(name, "nop", #func)
#else
#define ARCH_DEFINE_STATIC_CALL_TRAMP(name, func)			\
	__PPC_SCT(name, "b " #func, "0")
#endif
#define ARCH_DEFINE_STATIC_CALL_NULL_TRAMP(name)	__PPC_SCT(name, "blr", "0")
#define ARCH_DEFINE_STATIC_CALL_RET0_TRAMP(name)	__PPC_SCT(name, "b . + 20", "0")

#endif /* _ASM_POWERPC_STATIC_CALL_H */
