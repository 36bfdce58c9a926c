// SPDX-License-Identifier: GPL-2.0
/*
 * static_call_sorttable - sort the static call site table of a linked
 * kernel image, so that the kernel need not sort it at boot.
 *
 * objtool writes one table per object file and the linker concatenates
 * them in link order.  The kernel wants each key's sites next to each
 * other, in ascending address order: it checks that in one pass at boot
 * and sorts only if the table is out of order.  This program puts the
 * table of vmlinux in that order once, at build time.
 *
 * An entry (struct static_call_site) holds two 32-bit distances, each
 * measured from the field itself: to the call site, and to the key with
 * flag bits in the low bits.  Moving an entry therefore changes both
 * distances; what they lead to stays the same.
 *
 * Usage: static_call_sorttable <vmlinux>
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/static_call_types.h>

#define TABLE_NAME	".static_call_sites"
#define TABLE_SYMBOL	"_static_call_sites"	/* __start and __stop */

/* A mapped ELF file, of either class and either byte order. */
struct image {
	const char *path;
	unsigned char *data;
	size_t size;
	bool is64;
	bool swap;	/* the file's byte order is not ours */
};

/* What we need of a section header, whatever the class; or the table. */
struct section {
	u32 type;
	u64 addr;
	u64 offset;
	u64 size;
	u32 link;	/* of a symbol table: its string table */
};

/* One site, by the addresses its entry leads to. */
struct site {
	u64 key;
	u64 addr;
	u32 flags;
};

static u16 get16(const struct image *im, const void *p)
{
	u16 v;

	memcpy(&v, p, sizeof(v));
	return im->swap ? __builtin_bswap16(v) : v;
}

static u32 get32(const struct image *im, const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return im->swap ? __builtin_bswap32(v) : v;
}

static u64 get64(const struct image *im, const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return im->swap ? __builtin_bswap64(v) : v;
}

static void put32(const struct image *im, void *p, u32 v)
{
	if (im->swap)
		v = __builtin_bswap32(v);
	memcpy(p, &v, sizeof(v));
}

/* Do @len bytes at @off lie within @size?  Written so nothing can wrap. */
static bool within(u64 off, u64 len, u64 size)
{
	return off <= size && len <= size - off;
}

/*
 * A field of a section header at @at: by offset, since nothing keeps a
 * malformed file's headers aligned for the structure.
 */
#define SHDR_FIELD(bits, at, field)					\
	(im->data + (at) + offsetof(Elf##bits##_Shdr, field))

static int fail(const struct image *im, const char *why)
{
	fprintf(stderr, "static_call_sorttable: %s: %s\n", im->path, why);
	return -1;
}

static int check_header(struct image *im)
{
	const unsigned char *id = im->data;
	const u16 one = 1;
	bool little = *(const unsigned char *)&one == 1;

	if (im->size < EI_NIDENT || memcmp(id, ELFMAG, SELFMAG))
		return fail(im, "not an ELF file");
	if (id[EI_CLASS] != ELFCLASS32 && id[EI_CLASS] != ELFCLASS64)
		return fail(im, "unknown ELF class");
	if (id[EI_DATA] != ELFDATA2LSB && id[EI_DATA] != ELFDATA2MSB)
		return fail(im, "unknown byte order");
	im->is64 = id[EI_CLASS] == ELFCLASS64;
	im->swap = (id[EI_DATA] == ELFDATA2LSB) != little;
	if (im->size < (im->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return fail(im, "truncated ELF header");
	return 0;
}

/* Where the section headers are, and how many bytes each takes. */
static u64 section_headers(const struct image *im, u16 *entsize)
{
	const Elf64_Ehdr *eh64 = (const void *)im->data;
	const Elf32_Ehdr *eh32 = (const void *)im->data;

	if (im->is64) {
		*entsize = get16(im, &eh64->e_shentsize);
		return get64(im, &eh64->e_shoff);
	}
	*entsize = get16(im, &eh32->e_shentsize);
	return get32(im, &eh32->e_shoff);
}

static u16 section_count_field(const struct image *im)
{
	if (im->is64)
		return get16(im, &((const Elf64_Ehdr *)im->data)->e_shnum);
	return get16(im, &((const Elf32_Ehdr *)im->data)->e_shnum);
}

static int read_section(const struct image *im, unsigned int idx,
			struct section *sec)
{
	u16 entsize;
	u64 at = section_headers(im, &entsize);

	if (entsize < (im->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)) ||
	    !within(at, (u64)idx * entsize + entsize, im->size))
		return fail(im, "section header out of the file");
	at += (u64)idx * entsize;

	if (im->is64) {
		sec->type = get32(im, SHDR_FIELD(64, at, sh_type));
		sec->addr = get64(im, SHDR_FIELD(64, at, sh_addr));
		sec->offset = get64(im, SHDR_FIELD(64, at, sh_offset));
		sec->size = get64(im, SHDR_FIELD(64, at, sh_size));
		sec->link = get32(im, SHDR_FIELD(64, at, sh_link));
	} else {
		sec->type = get32(im, SHDR_FIELD(32, at, sh_type));
		sec->addr = get32(im, SHDR_FIELD(32, at, sh_addr));
		sec->offset = get32(im, SHDR_FIELD(32, at, sh_offset));
		sec->size = get32(im, SHDR_FIELD(32, at, sh_size));
		sec->link = get32(im, SHDR_FIELD(32, at, sh_link));
	}
	return 0;
}

/* The number of sections, following extended numbering. */
static int section_counts(const struct image *im, unsigned int *nr)
{
	struct section first;

	*nr = section_count_field(im);
	if (*nr)
		return 0;
	if (read_section(im, 0, &first))
		return -1;
	*nr = first.size;
	return 0;
}

/* The value of the symbol @want; 1 if found, 0 if not, -1 on error. */
static int find_symbol(const struct image *im, const struct section *symtab,
		       const char *want, u64 *value)
{
	size_t entsize = im->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	struct section strtab;
	u64 at;

	if (read_section(im, symtab->link, &strtab))
		return -1;
	if (!within(symtab->offset, symtab->size, im->size) ||
	    !within(strtab.offset, strtab.size, im->size))
		return fail(im, "symbol table out of the file");

	for (at = symtab->offset; at + entsize <= symtab->offset + symtab->size;
	     at += entsize) {
		const unsigned char *sym = im->data + at;
		u32 name = get32(im, sym);	/* st_name comes first */

		/* The whole name, its NUL included, inside the table. */
		if (!within(name, strlen(want) + 1, strtab.size) ||
		    memcmp(im->data + strtab.offset + name, want,
			   strlen(want) + 1))
			continue;
		*value = im->is64 ?
			 get64(im, sym + offsetof(Elf64_Sym, st_value)) :
			 get32(im, sym + offsetof(Elf32_Sym, st_value));
		return 1;
	}
	return 0;
}

/* The section whose contents hold [@start, @stop), as a table. */
static int locate_table(const struct image *im, unsigned int nr,
			u64 start, u64 stop, struct section *table)
{
	struct section sec;
	unsigned int i;

	for (i = 1; i < nr; i++) {
		if (read_section(im, i, &sec))
			return -1;
		if (sec.type != SHT_PROGBITS || start < sec.addr ||
		    !within(start - sec.addr, stop - start, sec.size))
			continue;
		if (!within(sec.offset, sec.size, im->size))
			return fail(im, "section out of the file");
		table->addr = start;
		table->offset = sec.offset + (start - sec.addr);
		table->size = stop - start;
		return 1;
	}
	return fail(im, "no section holds " TABLE_NAME);
}

/*
 * The linker script puts the table inside a larger output section, between
 * __start_static_call_sites and __stop_static_call_sites.  Find it there;
 * 1 if found, 0 if the image has none, -1 on error.
 */
static int find_table(const struct image *im, struct section *table)
{
	u64 start = 0, stop = 0;
	struct section symtab;
	unsigned int nr, i;
	int found = 0;

	if (section_counts(im, &nr))
		return -1;
	for (i = 1; i < nr && !found; i++) {
		if (read_section(im, i, &symtab))
			return -1;
		if (symtab.type == SHT_SYMTAB)
			found = 1;
	}
	if (!found)
		return fail(im, "no symbol table");

	found = find_symbol(im, &symtab, "__start" TABLE_SYMBOL, &start);
	if (found > 0)
		found = find_symbol(im, &symtab, "__stop" TABLE_SYMBOL, &stop);
	if (found <= 0)
		return found;
	if (stop < start || (stop - start) % sizeof(struct static_call_site))
		return fail(im, TABLE_NAME " bounds are malformed");
	return locate_table(im, nr, start, stop, table);
}

/* The address an entry's field leads to, from the field's own address. */
static u64 field_target(const struct image *im, const unsigned char *field,
			u64 field_addr)
{
	return field_addr + (s64)(s32)get32(im, field);
}

static int site_cmp(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return 0;
}

static void read_sites(const struct image *im, const struct section *table,
		       struct site *sites, size_t nr)
{
	const size_t addr_off = offsetof(struct static_call_site, addr);
	const size_t key_off = offsetof(struct static_call_site, key);
	size_t i;

	for (i = 0; i < nr; i++) {
		const unsigned char *entry = im->data + table->offset +
					     i * sizeof(struct static_call_site);
		u64 at = table->addr + i * sizeof(struct static_call_site);
		u64 key = field_target(im, entry + key_off, at + key_off);

		sites[i].addr = field_target(im, entry + addr_off,
					     at + addr_off);
		sites[i].key = key & ~(u64)STATIC_CALL_SITE_FLAGS;
		sites[i].flags = key & STATIC_CALL_SITE_FLAGS;
	}
}

/* The distance from @from to @to, if it fits an entry's field. */
static int distance(const struct image *im, u64 from, u64 to,
		    u32 *out)
{
	s64 d = (s64)(to - from);

	if (!im->is64)
		d = (s32)(u32)d;
	if (d < INT32_MIN || d > INT32_MAX)
		return fail(im, "a site or key is out of 32-bit reach");
	*out = (u32)d;
	return 0;
}

static int write_sites(const struct image *im, const struct section *table,
		       const struct site *sites, size_t nr)
{
	const size_t addr_off = offsetof(struct static_call_site, addr);
	const size_t key_off = offsetof(struct static_call_site, key);
	size_t i;

	for (i = 0; i < nr; i++) {
		unsigned char *entry = im->data + table->offset +
				       i * sizeof(struct static_call_site);
		u64 at = table->addr + i * sizeof(struct static_call_site);
		u32 to_addr, to_key;

		if (distance(im, at + addr_off, sites[i].addr, &to_addr) ||
		    distance(im, at + key_off, sites[i].key + sites[i].flags,
			     &to_key))
			return -1;
		put32(im, entry + addr_off, to_addr);
		put32(im, entry + key_off, to_key);
	}
	return 0;
}

static int sort_table(const struct image *im)
{
	struct section table;
	struct site *sites;
	size_t nr;
	int ret;

	ret = find_table(im, &table);
	if (ret <= 0)
		return ret;
	nr = table.size / sizeof(struct static_call_site);
	sites = calloc(nr ? nr : 1, sizeof(*sites));
	if (!sites)
		return fail(im, strerror(errno));
	read_sites(im, &table, sites, nr);
	qsort(sites, nr, sizeof(*sites), site_cmp);
	ret = write_sites(im, &table, sites, nr);
	free(sites);
	return ret;
}

static int map_image(struct image *im, const char *path)
{
	struct stat st;
	int fd;

	im->path = path;
	fd = open(path, O_RDWR);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return fail(im, strerror(errno));
	}
	im->size = st.st_size;
	im->data = mmap(NULL, im->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			fd, 0);
	close(fd);
	if (im->data == MAP_FAILED)
		return fail(im, strerror(errno));
	return 0;
}

int main(int argc, char **argv)
{
	struct image im = { };
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s <vmlinux>\n", argv[0]);
		return 2;
	}
	if (map_image(&im, argv[1]))
		return 1;
	ret = check_header(&im);
	if (!ret)
		ret = sort_table(&im);
	if (msync(im.data, im.size, MS_SYNC) < 0 && !ret)
		ret = fail(&im, strerror(errno));
	munmap(im.data, im.size);
	return ret < 0;
}
