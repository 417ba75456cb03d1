/* SPDX-License-Identifier: MIT */
/*
 * check_symbols LIBRARY.so LIST
 *
 * Compares the functions and objects a shared library exports (its .dynsym
 * entries that are defined and global) with a committed list, one name per
 * line ('#' comments allowed).  Every difference is printed; the exit status
 * is 0 only when both sets are equal.  It reads the ELF file itself rather
 * than running nm, so the test also runs cleanly under the valgrind setup.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct names {
	char **v;
	size_t n, cap;
};

static void names_add(struct names *s, const char *name, size_t len)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v) {
			perror("realloc");
			exit(2);
		}
	}
	s->v[s->n] = strndup(name, len);
	if (!s->v[s->n]) {
		perror("strndup");
		exit(2);
	}
	s->n++;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_free(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* Collect the defined global/weak FUNC and OBJECT symbols of an ELF64 file. */
static int read_exports(const char *path, struct names *out)
{
	struct stat st;
	const unsigned char *img;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(path);
		return -1;
	}
	img = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (img == MAP_FAILED) {
		perror("mmap");
		return -1;
	}
	eh = (const Elf64_Ehdr *)img;
	if ((size_t)st.st_size < sizeof(*eh) ||
	    memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64) {
		fprintf(stderr, "%s: not a 64-bit ELF file\n", path);
		munmap((void *)img, st.st_size);
		return -1;
	}
	sh = (const Elf64_Shdr *)(img + eh->e_shoff);
	for (int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Sym *sym;
		const char *strtab;
		size_t count;

		if (sh[i].sh_type != SHT_DYNSYM)
			continue;
		sym = (const Elf64_Sym *)(img + sh[i].sh_offset);
		count = sh[i].sh_size / sizeof(*sym);
		strtab = (const char *)(img + sh[sh[i].sh_link].sh_offset);
		for (size_t j = 0; j < count; j++) {
			int bind = ELF64_ST_BIND(sym[j].st_info);
			int type = ELF64_ST_TYPE(sym[j].st_info);
			const char *name = strtab + sym[j].st_name;

			if (sym[j].st_shndx == SHN_UNDEF)
				continue;
			if (bind != STB_GLOBAL && bind != STB_WEAK)
				continue;
			if (type != STT_FUNC && type != STT_OBJECT)
				continue;
			names_add(out, name, strlen(name));
		}
	}
	munmap((void *)img, st.st_size);
	qsort(out->v, out->n, sizeof(*out->v), cmp_names);
	return 0;
}

static int read_list(const char *path, struct names *out)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, " \t\r\n#");

		if (len)
			names_add(out, line, len);
	}
	fclose(f);
	qsort(out->v, out->n, sizeof(*out->v), cmp_names);
	return 0;
}

int main(int argc, char **argv)
{
	struct names lib = { 0 }, list = { 0 };
	size_t i = 0, j = 0;
	int bad = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s LIBRARY.so SYMBOL-LIST\n", argv[0]);
		return 2;
	}
	if (read_exports(argv[1], &lib) || read_list(argv[2], &list))
		return 2;

	while (i < lib.n || j < list.n) {
		int c = i == lib.n ? 1 : j == list.n ? -1 :
			strcmp(lib.v[i], list.v[j]);

		if (c < 0) {
			printf("exported but not in the list: %s\n", lib.v[i++]);
			bad = 1;
		} else if (c > 0) {
			printf("listed but not exported: %s\n", list.v[j++]);
			bad = 1;
		} else {
			i++;
			j++;
		}
	}
	printf("%zu symbols exported, %zu listed: %s\n", lib.n, list.n,
	       bad ? "MISMATCH" : "match");
	names_free(&lib);
	names_free(&list);
	return bad;
}
