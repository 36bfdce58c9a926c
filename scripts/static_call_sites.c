// SPDX-License-Identifier: GPL-2.0
/*
 * static_call_sites: give an arm64 object the table of its static call
 * sites.
 *
 * Usage: static_call_sites [--module] OBJ...
 *
 * Inline static calls patch every call site of a static call, so the
 * kernel needs a list of them: .static_call_sites, one
 * struct static_call_site per "bl __SCT__<name>" (a call) or
 * "b __SCT__<name>" (a tail call).  On x86 objtool writes that list; arm64
 * has no objtool, so this program does the same for AArch64 objects.
 *
 * Like objtool, it runs on each object right after the object is
 * compiled, vmlinux objects and module objects alike.  That way the work
 * is spread over the parallel build, an object that did not change is not
 * looked at again, and the linker only concatenates and relocates the
 * tables as it does every other section: nothing is left to do at link
 * time, when the build runs one job at a time.
 *
 * The sites are found from the relocations, not by decoding instructions.
 * The assembler records every branch to an external symbol, and a
 * trampoline always is one, as an R_AARCH64_CALL26 (bl) or
 * R_AARCH64_JUMP26 (b) relocation: that list is exact, whereas decoding
 * could take a literal pool or a jump table in a text section for a
 * branch.
 *
 * For each object, in place:
 *  - an object that is not a 64-bit AArch64 relocatable one (the 32-bit
 *    compat vDSO, say) or that has no site is left alone;
 *  - otherwise two sections are appended: .static_call_sites, zeroed,
 *    and .rela.static_call_sites, whose R_AARCH64_PREL32 relocations fill
 *    the table in when the object is linked.  Each entry names its site
 *    (through the site's section) and its key __SCK__<name>.  In a module
 *    object (--module) that does not mention the key (it was only given
 *    the trampoline), the entry names the trampoline itself, which the
 *    kernel resolves when the module is loaded; in vmlinux that is an
 *    error.  A tail call sets the low bit of the key.
 *
 * The new section names go to a copy of the section name table at the end
 * of the file, followed by the section header table: every byte that was
 * in the file stays where it was, so nothing else needs fixing up.
 *
 * On any error the object is left as it was and the exit status is 1, so
 * that make stops rather than link a kernel with a partial table.  Every
 * offset, size and index read from the file is checked against the file
 * before it is used: a damaged object gets an error, never a crash.
 */

#include <assert.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long s64;

static_assert(sizeof(u16) == 2 && sizeof(u32) == 4 && sizeof(u64) == 8,
	      "the ELF field types need exact sizes");

/*
 * Where the fields this program uses are in an ELF64 header, section
 * header, symbol and RELA relocation.  The file is read and written one
 * field at a time, in little-endian byte order, rather than through
 * <elf.h>'s structures: the build host may be big-endian, and nothing in
 * a damaged file is aligned for a cast.
 */
enum {
	EHDR_TYPE = 16, EHDR_MACHINE = 18, EHDR_SHOFF = 40,
	EHDR_SHENTSIZE = 58, EHDR_SHNUM = 60, EHDR_SHSTRNDX = 62,
	EHDR_LEN = 64,

	SHDR_NAME = 0, SHDR_TYPE = 4, SHDR_FLAGS = 8, SHDR_ADDR = 16,
	SHDR_OFFSET = 24, SHDR_SIZE = 32, SHDR_LINK = 40, SHDR_INFO = 44,
	SHDR_ADDRALIGN = 48, SHDR_ENTSIZE = 56, SHDR_LEN = 64,

	SYM_NAME = 0, SYM_INFO = 4, SYM_SHNDX = 6, SYM_VALUE = 8,
	SYM_LEN = 24,

	RELA_OFFSET = 0, RELA_INFO = 8, RELA_ADDEND = 16, RELA_LEN = 24,
};

#define SITES_NAME	".static_call_sites"
#define RELA_NAME	".rela" SITES_NAME
#define TRAMP_PREFIX	"__SCT__"
#define KEY_PREFIX	"__SCK__"
#define PREFIX_LEN	(sizeof(TRAMP_PREFIX) - 1)

/* struct static_call_site: its size, its key field, the tail call flag. */
#define SITE_SIZE	8
#define SITE_KEY	4
#define SITE_TAIL	1

/* The opcodes of B and BL, to check that a relocation is on a branch. */
#define BRANCH_MASK	0xfc000000u
#define INSN_B		0x14000000u
#define INSN_BL		0x94000000u

struct shdr {
	u32 name, type, link, info;
	u64 flags, addr, offset, size, addralign, entsize;
};

struct sym {
	const char *name;	/* checked to end inside the string table */
	u8 type, bind;
	u16 shndx;
	u64 value;
};

struct site {
	unsigned int sec;	/* the section of the branch */
	u64 off;		/* its offset in that section */
	size_t tramp;		/* the symbol the branch goes to */
	bool tail;		/* b, not bl */
};

/* A symbol that can name a place in a section that has no section symbol. */
struct anchor {
	unsigned int sec;
	u64 value;
	bool named;		/* not a mapping symbol */
	size_t sym;
};

/* A key symbol, by its name after the prefix. */
struct key {
	const char *name;
	size_t sym;
};

struct obj {
	const char *path;
	u8 *buf;		/* the whole file */
	size_t size;
	mode_t mode;
	u64 shoff;
	unsigned int shnum;
	unsigned int shstrndx;
	struct shdr *sh;
	const char *shstr;	/* the section name table, within buf */
	size_t shstr_size;
	unsigned int symtab;	/* 0 when there is none */
	struct sym *syms;
	size_t nsyms;
	struct site *sites;
	size_t nsites;
};

/*
 * One line on stderr.  The names in it come from the file: a control
 * character (a newline, say) in a damaged one is printed as '?'.
 */
static int fail(const struct obj *o, const char *fmt, ...)
{
	char msg[512], *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (p = msg; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = '?';
	fprintf(stderr, "static_call_sites: %s: %s\n", o->path, msg);
	return -1;
}

static u16 get16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u32 get32(const u8 *p)
{
	return (u32)get16(p) | (u32)get16(p + 2) << 16;
}

static u64 get64(const u8 *p)
{
	return (u64)get32(p) | (u64)get32(p + 4) << 32;
}

static void put16(u8 *p, u16 v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void put32(u8 *p, u32 v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

static void put64(u8 *p, u64 v)
{
	put32(p, v & 0xffffffff);
	put32(p + 4, v >> 32);
}

static void read_shdr(const u8 *p, struct shdr *s)
{
	s->name = get32(p + SHDR_NAME);
	s->type = get32(p + SHDR_TYPE);
	s->flags = get64(p + SHDR_FLAGS);
	s->addr = get64(p + SHDR_ADDR);
	s->offset = get64(p + SHDR_OFFSET);
	s->size = get64(p + SHDR_SIZE);
	s->link = get32(p + SHDR_LINK);
	s->info = get32(p + SHDR_INFO);
	s->addralign = get64(p + SHDR_ADDRALIGN);
	s->entsize = get64(p + SHDR_ENTSIZE);
}

static void write_shdr(u8 *p, const struct shdr *s)
{
	put32(p + SHDR_NAME, s->name);
	put32(p + SHDR_TYPE, s->type);
	put64(p + SHDR_FLAGS, s->flags);
	put64(p + SHDR_ADDR, s->addr);
	put64(p + SHDR_OFFSET, s->offset);
	put64(p + SHDR_SIZE, s->size);
	put32(p + SHDR_LINK, s->link);
	put32(p + SHDR_INFO, s->info);
	put64(p + SHDR_ADDRALIGN, s->addralign);
	put64(p + SHDR_ENTSIZE, s->entsize);
}

/* One R_AARCH64_PREL32 of the table: the field at off names sym + addend. */
static void write_field(u8 *p, u64 off, size_t sym, s64 addend)
{
	put64(p + RELA_OFFSET, off);
	put64(p + RELA_INFO, ELF64_R_INFO((u64)sym, R_AARCH64_PREL32));
	put64(p + RELA_ADDEND, (u64)addend);
}

/* Does [off, off + len) lie within size bytes? */
static bool within(u64 size, u64 off, u64 len)
{
	return off <= size && len <= size - off;
}

/* The string at off in a table, or NULL unless it ends inside the table. */
static const char *string_at(const char *tab, size_t size, u64 off)
{
	if (off >= size || !memchr(tab + off, '\0', size - off))
		return NULL;
	return tab + off;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static const char *section_name(const struct obj *o, unsigned int i)
{
	return o->shstr + o->sh[i].name;
}

/*
 * Is this an object to work on?  1 if so, 0 if it is to be left alone
 * (another class, machine or type), -1 if it is not an ELF file at all.
 */
static int check_ident(struct obj *o)
{
	const u8 *id = o->buf;

	if (o->size < SELFMAG || memcmp(id, ELFMAG, SELFMAG))
		return fail(o, "not an ELF file");
	if (o->size < EI_NIDENT)
		return fail(o, "truncated ELF header");
	if (id[EI_CLASS] == ELFCLASS32)
		return 0;
	if (id[EI_CLASS] != ELFCLASS64)
		return fail(o, "bad ELF class %u", id[EI_CLASS]);
	if (o->size < EHDR_LEN)
		return fail(o, "truncated ELF header");
	if (id[EI_DATA] == ELFDATA2MSB) {
		/*
		 * Skipping a big-endian arm64 kernel's objects would leave
		 * it without a site table: say that it is not supported.
		 */
		if ((id[EHDR_MACHINE] << 8 | id[EHDR_MACHINE + 1]) ==
		    EM_AARCH64)
			return fail(o, "big-endian objects are not supported");
		return 0;
	}
	if (id[EI_DATA] != ELFDATA2LSB)
		return fail(o, "bad ELF data encoding %u", id[EI_DATA]);
	if (get16(id + EHDR_MACHINE) != EM_AARCH64 ||
	    get16(id + EHDR_TYPE) != ET_REL)
		return 0;
	return 1;
}

static int read_sections(struct obj *o)
{
	unsigned int i, nsymtabs = 0;

	o->shoff = get64(o->buf + EHDR_SHOFF);
	o->shnum = get16(o->buf + EHDR_SHNUM);
	o->shstrndx = get16(o->buf + EHDR_SHSTRNDX);
	/* A count too large for e_shnum would be in section 0's header. */
	if (o->shnum == 0 || o->shstrndx == SHN_XINDEX)
		return fail(o, "extended section numbering is not supported");
	if (get16(o->buf + EHDR_SHENTSIZE) != SHDR_LEN)
		return fail(o, "bad section header size");
	if (!within(o->size, o->shoff, (u64)o->shnum * SHDR_LEN))
		return fail(o, "section headers beyond the end of the file");

	o->sh = calloc(o->shnum, sizeof(*o->sh));
	if (!o->sh)
		return fail(o, "out of memory");
	for (i = 0; i < o->shnum; i++) {
		struct shdr *s = &o->sh[i];

		read_shdr(o->buf + o->shoff + (u64)i * SHDR_LEN, s);
		if (s->type != SHT_NOBITS && s->type != SHT_NULL &&
		    !within(o->size, s->offset, s->size))
			return fail(o, "section %u beyond the end of the file",
				    i);
		/* Symbols in sections above 0xff00 would need it. */
		if (s->type == SHT_SYMTAB_SHNDX)
			return fail(o, "SHT_SYMTAB_SHNDX is not supported");
		if (s->type == SHT_SYMTAB) {
			o->symtab = i;
			nsymtabs++;
		}
	}
	if (nsymtabs > 1)
		return fail(o, "more than one symbol table");

	if (o->shstrndx == SHN_UNDEF || o->shstrndx >= o->shnum ||
	    o->sh[o->shstrndx].type != SHT_STRTAB)
		return fail(o, "no section name table");
	o->shstr = (const char *)o->buf + o->sh[o->shstrndx].offset;
	o->shstr_size = o->sh[o->shstrndx].size;
	for (i = 0; i < o->shnum; i++) {
		const char *name = string_at(o->shstr, o->shstr_size,
					     o->sh[i].name);

		if (!name)
			return fail(o, "section %u has a bad name", i);
		/* A second run would list every site twice. */
		if (!strcmp(name, SITES_NAME) || !strcmp(name, RELA_NAME))
			return fail(o, "already has a site table (%s)", name);
	}
	return 0;
}

static int read_symbols(struct obj *o)
{
	const struct shdr *st = &o->sh[o->symtab];
	const struct shdr *str;
	size_t i;

	if (!o->symtab)
		return 0;
	if (st->entsize != SYM_LEN || st->size % SYM_LEN)
		return fail(o, "bad symbol table entry size");
	if (st->link == 0 || st->link >= o->shnum ||
	    o->sh[st->link].type != SHT_STRTAB)
		return fail(o, "symbol table without a string table");
	str = &o->sh[st->link];

	/* No more than the file holds: the table lies within it. */
	o->nsyms = st->size / SYM_LEN;
	o->syms = calloc(o->nsyms ? o->nsyms : 1, sizeof(*o->syms));
	if (!o->syms)
		return fail(o, "out of memory");
	for (i = 0; i < o->nsyms; i++) {
		const u8 *p = o->buf + st->offset + i * SYM_LEN;
		struct sym *s = &o->syms[i];

		s->name = string_at((const char *)o->buf + str->offset,
				    str->size, get32(p + SYM_NAME));
		s->type = ELF64_ST_TYPE(p[SYM_INFO]);
		s->bind = ELF64_ST_BIND(p[SYM_INFO]);
		s->shndx = get16(p + SYM_SHNDX);
		s->value = get64(p + SYM_VALUE);
		if (!s->name)
			return fail(o, "symbol %zu has a bad name", i);
		if (s->shndx >= o->shnum && s->shndx < SHN_LORESERVE)
			return fail(o, "symbol %zu in a section that is not there",
				    i);
	}
	return 0;
}

static int add_site(struct obj *o, size_t *cap, const struct site *site)
{
	if (o->nsites == *cap) {
		size_t n = *cap ? *cap * 2 : 64;
		struct site *p = realloc(o->sites, n * sizeof(*p));

		if (!p)
			return fail(o, "out of memory");
		o->sites = p;
		*cap = n;
	}
	o->sites[o->nsites++] = *site;
	return 0;
}

/* Check that a site is a branch to the start of a trampoline. */
static int check_site(struct obj *o, const struct site *site, s64 addend)
{
	const struct shdr *ts = &o->sh[site->sec];
	const char *tramp = o->syms[site->tramp].name;
	u32 insn;

	/* The kernel replaces the branch, so it cannot keep an offset. */
	if (addend)
		return fail(o, "branch to %s%+lld in %s", tramp,
			    (long long)addend, section_name(o, site->sec));
	if (ts->type == SHT_NOBITS || ts->type == SHT_NULL ||
	    site->off % 4 || !within(ts->size, site->off, 4))
		return fail(o, "branch to %s at a bad place in %s", tramp,
			    section_name(o, site->sec));
	insn = get32(o->buf + ts->offset + site->off);
	if ((insn & BRANCH_MASK) != (site->tail ? INSN_B : INSN_BL))
		return fail(o, "%s+0x%llx: not a %s to %s",
			    section_name(o, site->sec), site->off,
			    site->tail ? "b" : "bl", tramp);
	return 0;
}

/* The branches to trampolines that one relocation section records. */
static int scan_relocations(struct obj *o, unsigned int i, size_t *cap)
{
	const struct shdr *rs = &o->sh[i];
	size_t n, j;

	if (rs->info >= o->shnum)
		return fail(o, "section %u relocates no section", i);
	if ((o->sh[rs->info].flags & (SHF_ALLOC | SHF_EXECINSTR)) !=
	    (SHF_ALLOC | SHF_EXECINSTR))
		return 0;
	/* AArch64 uses RELA only: REL relocations of code would be missed. */
	if (rs->type == SHT_REL)
		return fail(o, "SHT_REL relocations of code in section %u", i);
	if (rs->entsize != RELA_LEN || rs->size % RELA_LEN)
		return fail(o, "bad relocation entry size in section %u", i);
	if (!o->symtab || rs->link != o->symtab)
		return fail(o, "section %u uses no symbol table or another one",
			    i);

	n = rs->size / RELA_LEN;
	for (j = 0; j < n; j++) {
		const u8 *p = o->buf + rs->offset + j * RELA_LEN;
		u64 info = get64(p + RELA_INFO);
		u32 type = ELF64_R_TYPE(info);
		u64 sym = ELF64_R_SYM(info);
		struct site site;

		if (type != R_AARCH64_CALL26 && type != R_AARCH64_JUMP26)
			continue;
		if (sym >= o->nsyms)
			return fail(o, "relocation %zu of section %u: bad symbol",
				    j, i);
		/* Symbol 0 is no symbol, whatever name its entry has. */
		if (!sym || !starts_with(o->syms[sym].name, TRAMP_PREFIX))
			continue;
		site = (struct site){
			.sec = rs->info, .off = get64(p + RELA_OFFSET),
			.tramp = sym, .tail = type == R_AARCH64_JUMP26,
		};
		if (check_site(o, &site, (s64)get64(p + RELA_ADDEND)) ||
		    add_site(o, cap, &site))
			return -1;
	}
	return 0;
}

static int cmp_sites(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return 0;
}

/* Every site, in order of section and offset. */
static int find_sites(struct obj *o)
{
	size_t cap = 0, i;
	unsigned int sec;

	for (sec = 1; sec < o->shnum; sec++) {
		if (o->sh[sec].type != SHT_RELA && o->sh[sec].type != SHT_REL)
			continue;
		if (scan_relocations(o, sec, &cap))
			return -1;
	}
	if (o->nsites)
		qsort(o->sites, o->nsites, sizeof(*o->sites), cmp_sites);
	for (i = 1; i < o->nsites; i++)
		if (!cmp_sites(&o->sites[i - 1], &o->sites[i]))
			return fail(o, "two relocations of %s+0x%llx",
				    section_name(o, o->sites[i].sec),
				    o->sites[i].off);
	return 0;
}

/*
 * By place; at one place the anchor that site_anchors() takes, the last,
 * is a named symbol rather than a mapping symbol ($x, $d, which only mark
 * code and data for disassemblers), for readable relocations.
 */
static int cmp_anchors(const void *a, const void *b)
{
	const struct anchor *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	if (x->named != y->named)
		return x->named ? 1 : -1;
	return x->sym < y->sym ? -1 : x->sym > y->sym;
}

/*
 * Can a relocation against this symbol name a place in its section?  A
 * section symbol can if it is local, as it always is but in a damaged
 * file.  Another symbol must be local or global and a function, an
 * object or untyped: a weak one may lose to another object's definition,
 * and the entry would then point into that function; the linker resolves
 * an IFUNC to another function, a TLS symbol to an offset in the TLS
 * block, and nothing says what it does with an OS or processor specific
 * type or binding.
 */
static bool is_anchor(const struct sym *s)
{
	if (s->shndx == SHN_UNDEF || s->shndx >= SHN_LORESERVE)
		return false;
	if (s->type == STT_SECTION)
		return s->bind == STB_LOCAL;
	return (s->type == STT_NOTYPE || s->type == STT_OBJECT ||
		s->type == STT_FUNC) &&
	       (s->bind == STB_LOCAL || s->bind == STB_GLOBAL);
}

/*
 * The symbol and addend that name each site: its section's symbol when
 * there is one (GNU as makes one for every section, LLVM only for those
 * it relocates against), else the closest symbol before the site in its
 * section.  The addend is the site's distance from the symbol's value,
 * which the linker adds, a section symbol's too (it is 0 but in a
 * damaged file).
 */
static int site_anchors(struct obj *o, size_t *sym, s64 *addend)
{
	size_t *secsym = calloc(o->shnum, sizeof(*secsym));
	struct anchor *anchors = calloc(o->nsyms + 1, sizeof(*anchors));
	size_t i, nanchors = 0;
	int ret = -1;

	if (!secsym || !anchors) {
		fail(o, "out of memory");
		goto out;
	}
	for (i = 1; i < o->nsyms; i++) {
		const struct sym *s = &o->syms[i];

		/* read_symbols() checked that shndx is below shnum. */
		if (!is_anchor(s))
			continue;
		if (s->type == STT_SECTION) {
			if (!secsym[s->shndx])
				secsym[s->shndx] = i;
		} else {
			anchors[nanchors++] = (struct anchor){
				.sec = s->shndx, .value = s->value, .sym = i,
				.named = s->name[0] != '$',
			};
		}
	}
	if (nanchors)
		qsort(anchors, nanchors, sizeof(*anchors), cmp_anchors);

	for (i = 0; i < o->nsites; i++) {
		const struct site *site = &o->sites[i];
		size_t lo = 0, hi = nanchors;

		if (secsym[site->sec]) {
			sym[i] = secsym[site->sec];
			addend[i] = (s64)(site->off - o->syms[sym[i]].value);
			continue;
		}
		/* lo: the first anchor past the site. */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			const struct anchor *a = &anchors[mid];

			if (a->sec < site->sec ||
			    (a->sec == site->sec && a->value <= site->off))
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!lo || anchors[lo - 1].sec != site->sec) {
			fail(o, "no symbol to name %s+0x%llx by",
			     section_name(o, site->sec), site->off);
			goto out;
		}
		sym[i] = anchors[lo - 1].sym;
		addend[i] = (s64)(site->off - anchors[lo - 1].value);
	}
	ret = 0;
out:
	free(secsym);
	free(anchors);
	return ret;
}

/* By name, then by index, so that the first of equal names is found. */
static int cmp_keys(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->sym < y->sym ? -1 : x->sym > y->sym;
}

/*
 * Set by --module: the object goes into a module, where a site may name
 * its trampoline instead of its key (a trampoline exported alone), and
 * the kernel finds the key when the module loads.  vmlinux's table is
 * used as it is: there, a site must name its key.
 */
static bool for_module;

/*
 * The symbol each site's key field names: __SCK__<name> when the object
 * has that symbol (every call through static_call() references the key),
 * else, in a module, the trampoline the site branches to.
 */
static int site_keys(struct obj *o, size_t *key)
{
	struct key *keys = calloc(o->nsyms + 1, sizeof(*keys));
	size_t i, nkeys = 0;

	if (!keys)
		return fail(o, "out of memory");
	for (i = 1; i < o->nsyms; i++) {
		const struct sym *s = &o->syms[i];

		if (s->type != STT_SECTION && s->type != STT_FILE &&
		    starts_with(s->name, KEY_PREFIX))
			keys[nkeys++] = (struct key){
				.name = s->name + PREFIX_LEN, .sym = i,
			};
	}
	if (nkeys)
		qsort(keys, nkeys, sizeof(*keys), cmp_keys);

	for (i = 0; i < o->nsites; i++) {
		const char *name = o->syms[o->sites[i].tramp].name + PREFIX_LEN;
		size_t lo = 0, hi = nkeys;

		/* lo: the first key whose name is not below the site's. */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(keys[mid].name, name) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < nkeys && !strcmp(keys[lo].name, name)) {
			key[i] = keys[lo].sym;
		} else if (for_module) {
			key[i] = o->sites[i].tramp;
		} else {
			free(keys);
			return fail(o, "no symbol %s%s: vmlinux sites name keys",
				    KEY_PREFIX, name);
		}
	}
	free(keys);
	return 0;
}

static u64 align8(u64 v)
{
	return (v + 7) & ~7ull;
}

/*
 * The new file: the old one unchanged, then the section name table with
 * the two new names, the (zeroed) site table, its relocations and the
 * section headers, the name table's header now pointing at the copy.
 */
static int build(struct obj *o, u8 **out, size_t *out_size)
{
	/* ".static_call_sites" is the tail of ".rela.static_call_sites". */
	const u64 rela_name = o->shstr_size;
	const u64 sites_name = rela_name + sizeof(RELA_NAME) -
			       sizeof(SITES_NAME);
	const u64 str_off = o->size;
	const u64 str_size = o->shstr_size + sizeof(RELA_NAME);
	const u64 sites_off = align8(str_off + str_size);
	const u64 sites_size = (u64)o->nsites * SITE_SIZE;
	const u64 rela_off = align8(sites_off + sites_size);
	const u64 rela_size = (u64)o->nsites * 2 * RELA_LEN;
	const u64 sh_off = align8(rela_off + rela_size);
	const unsigned int shnum = o->shnum + 2;
	size_t *sym = NULL, *key = NULL;
	s64 *addend = NULL;
	u8 *buf = NULL;
	struct shdr s;
	size_t i;
	int ret = -1;

	if (shnum >= SHN_LORESERVE)
		return fail(o, "too many sections");
	/* sh_name is 32 bits wide. */
	if (str_size > UINT32_MAX)
		return fail(o, "section name table too large");
	/* No overflow: a few times the file size at most (see read_file()). */
	*out_size = sh_off + (u64)shnum * SHDR_LEN;

	sym = calloc(o->nsites, sizeof(*sym));
	addend = calloc(o->nsites, sizeof(*addend));
	key = calloc(o->nsites, sizeof(*key));
	buf = calloc(1, *out_size);
	if (!sym || !addend || !key || !buf) {
		fail(o, "out of memory");
		goto out;
	}
	if (site_anchors(o, sym, addend) || site_keys(o, key))
		goto out;

	memcpy(buf, o->buf, o->size);
	memcpy(buf + str_off, o->shstr, o->shstr_size);
	memcpy(buf + str_off + o->shstr_size, RELA_NAME, sizeof(RELA_NAME));

	for (i = 0; i < o->nsites; i++) {
		u8 *p = buf + rela_off + i * 2 * RELA_LEN;

		write_field(p, i * SITE_SIZE, sym[i], addend[i]);
		write_field(p + RELA_LEN, i * SITE_SIZE + SITE_KEY, key[i],
			    o->sites[i].tail ? SITE_TAIL : 0);
	}

	for (i = 0; i < o->shnum; i++) {
		s = o->sh[i];
		if (i == o->shstrndx) {
			s.offset = str_off;
			s.size = str_size;
		}
		write_shdr(buf + sh_off + i * SHDR_LEN, &s);
	}
	s = (struct shdr){
		.name = (u32)sites_name, .type = SHT_PROGBITS,
		.flags = SHF_ALLOC | SHF_WRITE, .offset = sites_off,
		.size = sites_size, .addralign = 4, .entsize = SITE_SIZE,
	};
	write_shdr(buf + sh_off + (u64)o->shnum * SHDR_LEN, &s);
	s = (struct shdr){
		.name = (u32)rela_name, .type = SHT_RELA, .flags = SHF_INFO_LINK,
		.offset = rela_off, .size = rela_size, .link = o->symtab,
		.info = o->shnum, .addralign = 8, .entsize = RELA_LEN,
	};
	write_shdr(buf + sh_off + (u64)(o->shnum + 1) * SHDR_LEN, &s);

	put64(buf + EHDR_SHOFF, sh_off);
	put16(buf + EHDR_SHNUM, (u16)shnum);
	*out = buf;
	buf = NULL;
	ret = 0;
out:
	free(sym);
	free(addend);
	free(key);
	free(buf);
	return ret;
}

static int read_file(struct obj *o)
{
	struct stat st;
	size_t done = 0;
	int fd = open(o->path, O_RDONLY);

	if (fd < 0)
		return fail(o, "%s", strerror(errno));
	if (fstat(fd, &st)) {
		fail(o, "%s", strerror(errno));
		goto err;
	}
	/* build() allocates less than 8 times the file size. */
	if (!S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (unsigned long long)st.st_size > SIZE_MAX / 8) {
		fail(o, "not a regular file of a usable size");
		goto err;
	}
	o->size = (size_t)st.st_size;
	o->mode = st.st_mode & 07777;
	o->buf = malloc(o->size ? o->size : 1);
	if (!o->buf) {
		fail(o, "out of memory");
		goto err;
	}
	while (done < o->size) {
		ssize_t n = read(fd, o->buf + done, o->size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fail(o, "read: %s", n ? strerror(errno) : "short file");
			goto err;
		}
		done += (size_t)n;
	}
	close(fd);
	return 0;
err:
	close(fd);
	return -1;
}

/*
 * Replace the file by way of a temporary next to it: an error, or a build
 * interrupted half way, must not leave a damaged object behind that make
 * would then take for up to date.
 */
static int write_file(const struct obj *o, const u8 *buf, size_t size)
{
	static const char suffix[] = ".XXXXXX";
	size_t len = strlen(o->path), done = 0;
	char *tmp = malloc(len + sizeof(suffix));
	int fd;

	if (!tmp)
		return fail(o, "out of memory");
	memcpy(tmp, o->path, len);
	memcpy(tmp + len, suffix, sizeof(suffix));
	fd = mkstemp(tmp);
	if (fd < 0) {
		fail(o, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (fchmod(fd, o->mode))
		goto err;
	while (done < size) {
		ssize_t n = write(fd, buf + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto err;
		done += (size_t)n;
	}
	if (close(fd)) {
		fd = -1;
		goto err;
	}
	fd = -1;
	if (rename(tmp, o->path))
		goto err;
	free(tmp);
	return 0;
err:
	fail(o, "%s: %s", tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

static int process(const char *path)
{
	struct obj o = { .path = path };
	u8 *out = NULL;
	size_t out_size = 0;
	int ret;

	ret = read_file(&o);
	if (!ret)
		ret = check_ident(&o);
	if (ret > 0) {
		if (read_sections(&o) || read_symbols(&o) || find_sites(&o))
			ret = -1;
		else if (!o.nsites)
			ret = 0;
		else if (build(&o, &out, &out_size) ||
			 write_file(&o, out, out_size))
			ret = -1;
		else
			ret = 0;
	}
	free(out);
	free(o.sites);
	free(o.syms);
	free(o.sh);
	free(o.buf);
	return ret;
}

int main(int argc, char **argv)
{
	int i, ret = 0;

	if (argc > 1 && !strcmp(argv[1], "--module")) {
		for_module = true;
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: static_call_sites [--module] OBJ...\n");
		return 1;
	}
	for (i = 1; i < argc; i++)
		if (process(argv[i]))
			ret = 1;
	return ret;
}
