// SPDX-License-Identifier: GPL-2.0
/*
 * Static call benchmark, for a machine whose clock counts executed
 * instructions (an emulator in an instruction-counting mode), where one
 * nanosecond is one instruction.  Prints one line per
 * measurement, "static_call_bench: <name> <value> <unit>":
 *
 *   call_*	instructions per iteration of a loop making one call:
 *		call_direct	to a plain function
 *		call_inline	through static_call(): an inline site, the
 *				trampoline where static calls are out of
 *				line, key.func in the generic variant
 *		call_pointer	through a function pointer (a retpoline where
 *				those are on)
 *		call_tramp70	arm64 only: through Linux 7.0's arm64
 *				trampoline, rebuilt here for comparison
 *   update_*	instructions per static_call_update() of a key with 1, 100
 *		and 1000 call sites
 *
 * static_call_bench_ool adds call_out_of_line.  Never a test: it
 * asserts nothing.
 */
#include <linux/compiler.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/static_call.h>

#include "static_call_bench.h"

#define CALLS	100000
#define UPDATES	20

noinline long sc_bench_target(long x)
{
	return x + 1;
}
EXPORT_SYMBOL_GPL(sc_bench_target);

static noinline long sc_bench_other(long x)
{
	return x + 2;
}

DEFINE_STATIC_CALL(sc_bench_call, sc_bench_target);
EXPORT_STATIC_CALL_GPL(sc_bench_call);

static long (*bench_pointer)(long) = sc_bench_target;

SC_BENCH_LOOP(direct, sc_bench_target)
SC_BENCH_LOOP(inline, static_call(sc_bench_call))

static noinline long loop_pointer(int n)
{
	long (*func)(long) = bench_pointer;
	long sum = 0;
	int i;

	/* An unknown pointer: GCC must call through it, not inline it. */
	OPTIMIZER_HIDE_VAR(func);
	for (i = 0; i < n; i++)
		sum += func(i);
	return sum;
}

#ifdef CONFIG_ARM64
/*
 * A reference point: the trampoline of Linux 7.0's arm64 static calls.
 * 7.0 has no inline sites, so every call is a BL to it.  It loads the
 * target from a literal in .rodata (all that an update writes) and
 * branches there through x16, which the target's BTI C accepts.
 * "hint 34" is BTI C, spelt so that the assembler needs no +bti.
 */
long sc_bench_tramp70(long x);

asm(".pushsection .text, \"ax\"\n\t"
	".balign 8\n\t"
	".globl sc_bench_tramp70\n\t"
	".type sc_bench_tramp70, %function\n"
	"sc_bench_tramp70:\n\t"
	"hint 34\n\t"
	"adrp x16, .Lsc_bench_tramp70_target\n\t"
	"ldr x16, [x16, :lo12:.Lsc_bench_tramp70_target]\n\t"
	"br x16\n\t"
	".size sc_bench_tramp70, . - sc_bench_tramp70\n\t"
	".popsection\n\t"
	".pushsection .rodata, \"a\"\n\t"
	".balign 8\n"
	".Lsc_bench_tramp70_target:\n\t"
	".quad sc_bench_target\n\t"
	".popsection\n");

SC_BENCH_LOOP(tramp70, sc_bench_tramp70)

static void report_tramp70(void)
{
	sc_bench_report("call_tramp70", sc_bench_per_call(loop_tramp70),
			"insn/100");
}
#else
static inline void report_tramp70(void) { }
#endif

/* Keys with many sites. */
DEFINE_STATIC_CALL(sc_bench_1, sc_bench_target);
DEFINE_STATIC_CALL(sc_bench_100, sc_bench_target);
DEFINE_STATIC_CALL(sc_bench_1000, sc_bench_target);

static noinline __used long sites_1(long x)
{
	long ret = static_call(sc_bench_1)(x);

	barrier();		/* a call site, like the others, not a jump */
	return ret;
}

/*
 * GCC unrolls these loops fully: every iteration is a call site of its
 * own, 100 and 1000 of them.
 */
static noinline __used long sites_100(long x)
{
	long sum = 0;
	int i;

#pragma GCC unroll 100
	for (i = 0; i < 100; i++)
		sum += static_call(sc_bench_100)(x);
	return sum;
}

static noinline __used long sites_1000(long x)
{
	long sum = 0;
	int i;

#pragma GCC unroll 1000
	for (i = 0; i < 1000; i++)
		sum += static_call(sc_bench_1000)(x);
	return sum;
}

static void update_1(long (*func)(long))
{
	static_call_update(sc_bench_1, func);
}

static void update_100(long (*func)(long))
{
	static_call_update(sc_bench_100, func);
}

static void update_1000(long (*func)(long))
{
	static_call_update(sc_bench_1000, func);
}

/* Where loop results go, so that no loop can be optimised away. */
long sc_bench_sink;
EXPORT_SYMBOL_GPL(sc_bench_sink);

/*
 * The clock counts the instructions of every CPU: let deferred work from
 * module loading finish on the other CPU first, and warm up.
 */
static void settle(void)
{
	msleep(100);
}

u64 sc_bench_per_call(long (*loop)(int n))
{
	u64 start;

	/* Each loop must run twice: the compiler may not know it is pure. */
	OPTIMIZER_HIDE_VAR(loop);
	settle();
	WRITE_ONCE(sc_bench_sink, loop(CALLS));
	start = ktime_get_ns();
	WRITE_ONCE(sc_bench_sink, loop(CALLS));
	return div_u64(ktime_get_ns() - start, CALLS / 100);
}
EXPORT_SYMBOL_GPL(sc_bench_per_call);

static u64 per_update(void (*update)(long (*func)(long)))
{
	u64 start;
	int i;

	settle();
	start = ktime_get_ns();
	for (i = 0; i < UPDATES; i++)
		update(i & 1 ? sc_bench_target : sc_bench_other);
	return div_u64(ktime_get_ns() - start, UPDATES);
}

void sc_bench_report(const char *name, u64 value, const char *unit)
{
	pr_info("static_call_bench: %s %llu %s\n", name, value, unit);
}
EXPORT_SYMBOL_GPL(sc_bench_report);

static int __init sc_bench_init(void)
{
	sc_bench_report("call_direct", sc_bench_per_call(loop_direct),
			"insn/100");
	sc_bench_report("call_inline", sc_bench_per_call(loop_inline),
			"insn/100");
	report_tramp70();
	sc_bench_report("call_pointer", sc_bench_per_call(loop_pointer),
			"insn/100");
	sc_bench_report("update_1_site", per_update(update_1), "insn");
	sc_bench_report("update_100_sites", per_update(update_100), "insn");
	sc_bench_report("update_1000_sites", per_update(update_1000), "insn");
	return 0;
}
module_init(sc_bench_init);

static void __exit sc_bench_exit(void)
{
}
module_exit(sc_bench_exit);

MODULE_DESCRIPTION("Static call benchmark, in instructions");
MODULE_LICENSE("GPL");
