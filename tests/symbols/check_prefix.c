/* SPDX-License-Identifier: MIT */
/*
 * check_prefix PREFIX FILE...
 *
 * Every global (or weak) function or object a library defines must be
 * named PREFIX..., so that it cannot clash with a symbol of the program
 * linking it.  FILE is a static library (an ar archive: the symbol table of
 * every ELF member is read, whatever its visibility, since a hidden symbol
 * of a static library still takes part in the link; in a thin archive, as
 * meson makes for libraries it does not install, the members are the object
 * files the archive names, relative to its folder) or a shared one (its
 * dynamic symbol table: hidden symbols became local when it was linked).
 * Names beginning with "__" belong to the compiler's instrumentation
 * (coverage, sanitizers) and are allowed.
 *
 * Each offending symbol is printed with its member; the exit status is 0
 * when there is none, 1 when there is one, 2 on a read error.
 */
#include <ar.h>
#include <limits.h>
#include <elf.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct scan {
	const char *prefix;
	const char *file;
	unsigned long defined;	/* global symbols seen */
	unsigned long bad;	/* of which without the prefix */
};

static int symbol_counts(const Elf64_Sym *s)
{
	int bind = ELF64_ST_BIND(s->st_info);
	int type = ELF64_ST_TYPE(s->st_info);

	if (s->st_shndx == SHN_UNDEF)
		return 0;
	if (bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE)
		return 0;
	return type == STT_FUNC || type == STT_OBJECT || type == STT_TLS ||
	       type == STT_COMMON || type == STT_GNU_IFUNC;
}

/* Check the symbols of one ELF image of @size bytes; -1 if malformed. */
static int scan_elf(struct scan *sc, const unsigned char *img, size_t size,
		    const char *member)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	const Elf64_Shdr *sh;
	unsigned int want;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64)
		return -1;
	if (eh->e_shoff > size ||
	    (size - eh->e_shoff) / sizeof(*sh) < eh->e_shnum)
		return -1;
	want = eh->e_type == ET_REL ? SHT_SYMTAB : SHT_DYNSYM;
	sh = (const Elf64_Shdr *)(img + eh->e_shoff);
	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Sym *sym;
		const char *strtab;
		size_t count;

		if (sh[i].sh_type != want)
			continue;
		if (sh[i].sh_link >= eh->e_shnum ||
		    sh[i].sh_offset > size ||
		    sh[i].sh_size > size - sh[i].sh_offset)
			return -1;
		sym = (const Elf64_Sym *)(img + sh[i].sh_offset);
		count = sh[i].sh_size / sizeof(*sym);
		strtab = (const char *)(img + sh[sh[i].sh_link].sh_offset);
		for (size_t j = 0; j < count; j++) {
			const char *name = strtab + sym[j].st_name;

			if (!symbol_counts(&sym[j]))
				continue;
			sc->defined++;
			if (strncmp(name, sc->prefix, strlen(sc->prefix)) == 0 ||
			    strncmp(name, "__", 2) == 0)
				continue;
			printf("%s%s%s: global symbol without the prefix: %s\n",
			       sc->file, member ? ":" : "", member ? member : "",
			       name);
			sc->bad++;
		}
	}
	return 0;
}

/* Map @path read-only: 0, or -1 with errno set. */
static int map_file(const char *path, const unsigned char **img, size_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_size == 0) {
		close(fd);
		return -1;
	}
	*img = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (*img == MAP_FAILED)
		return -1;
	*size = st.st_size;
	return 0;
}

/* Scan the object file a thin archive names: @name, relative to @dir. */
static int scan_thin_member(struct scan *sc, const char *dir, const char *name)
{
	char path[PATH_MAX];
	const unsigned char *img;
	size_t size;
	int ret;

	if (snprintf(path, sizeof(path), "%s/%s", name[0] == '/' ? "" : dir,
		     name) >= (int)sizeof(path) ||
	    map_file(path, &img, &size) != 0) {
		fprintf(stderr, "%s: cannot read member %s\n", sc->file, name);
		return -1;
	}
	ret = scan_elf(sc, img, size, name);
	munmap((void *)img, size);
	return ret;
}

/*
 * Walk the members of an ar archive; -1 if malformed.  A thin archive (@dir
 * non-NULL: the archive's folder) holds only the index and the long-name
 * table; every other member is a file outside it.
 */
static int scan_archive(struct scan *sc, const unsigned char *img, size_t size,
			const char *dir)
{
	const char *longnames = NULL;
	size_t off = SARMAG, longnames_len = 0;

	while (off + 60 <= size) {
		const char *hdr = (const char *)img + off;
		char name[PATH_MAX], len_text[11];
		size_t len;
		bool external;

		memcpy(name, hdr, 16);
		name[16] = '\0';
		memcpy(len_text, hdr + 48, 10);
		len_text[10] = '\0';
		len = strtoul(len_text, NULL, 10);
		off += 60;
		name[strcspn(name, " ")] = '\0';
		/* "/" is the archive's index, "//" its long-name table. */
		external = dir && strcmp(name, "/") != 0 && strcmp(name, "//") != 0;
		if (!external && len > size - off)
			return -1;
		if (strcmp(name, "//") == 0) {
			longnames = (const char *)img + off;
			longnames_len = len;
		} else if (name[0] == '/' && name[1] >= '0' && name[1] <= '9' &&
			   longnames) {
			/* GNU long name: "/offset" into the "//" member. */
			size_t at = strtoul(name + 1, NULL, 10), n = 0;

			while (at + n < longnames_len && n < sizeof(name) - 1 &&
			       longnames[at + n] != '\n' &&
			       !(longnames[at + n] == '/' &&
				 (at + n + 1 >= longnames_len ||
				  longnames[at + n + 1] == '\n')))
				n++;
			memcpy(name, longnames + (at < longnames_len ? at : 0),
			       at < longnames_len ? n : 0);
			name[at < longnames_len ? n : 0] = '\0';
		} else {
			name[strcspn(name, "/")] = name[0] == '/' ? '/' : '\0';
		}
		if (strcmp(name, "/") == 0 || strcmp(name, "//") == 0) {
			off += len + (len & 1);
			continue;
		}
		if (external) {
			if (scan_thin_member(sc, dir, name) != 0)
				return -1;
			continue;	/* no data in the archive itself */
		}
		if (scan_elf(sc, img + off, len, name) != 0) {
			fprintf(stderr, "%s: member %s is not a 64-bit ELF object\n",
				sc->file, name);
			return -1;
		}
		off += len + (len & 1);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char thin_magic[] = "!<thin>\n";
	struct scan sc = { 0 };
	int status = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s PREFIX LIBRARY...\n", argv[0]);
		return 2;
	}
	sc.prefix = argv[1];
	for (int i = 2; i < argc; i++) {
		const unsigned char *img;
		size_t size;
		int ret;

		if (map_file(argv[i], &img, &size) != 0) {
			perror(argv[i]);
			return 2;
		}
		sc.file = argv[i];
		sc.defined = sc.bad = 0;
		if (size >= SARMAG && memcmp(img, ARMAG, SARMAG) == 0) {
			ret = scan_archive(&sc, img, size, NULL);
		} else if (size >= SARMAG && memcmp(img, thin_magic, SARMAG) == 0) {
			char dir[PATH_MAX];
			const char *slash = strrchr(argv[i], '/');

			snprintf(dir, sizeof(dir), "%.*s",
				 slash ? (int)(slash - argv[i]) : 1,
				 slash ? argv[i] : ".");
			ret = scan_archive(&sc, img, size, dir);
		} else {
			ret = scan_elf(&sc, img, size, NULL);
		}
		munmap((void *)img, size);
		if (ret) {
			fprintf(stderr, "%s: cannot read its symbols\n", argv[i]);
			return 2;
		}
		printf("%s: %lu global symbols, %lu without \"%s\"\n", argv[i],
		       sc.defined, sc.bad, sc.prefix);
		/* An empty scan would prove nothing. */
		if (sc.bad || sc.defined == 0)
			status = 1;
	}
	return status;
}
