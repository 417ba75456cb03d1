// SPDX-License-Identifier: MIT
/*
 * Corpus replayer: a main() for the fuzz targets when they are built without
 * libFuzzer.  Every argument is a file, run once through
 * LLVMFuzzerTestOneInput(), or a directory, whose regular files are run in
 * name order (so that a failure is reproducible).  The targets abort on any
 * finding, so reaching the end means the whole corpus passed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Read all of @path into a fresh buffer (never NULL, even when empty). */
static int slurp(const char *path, uint8_t **data, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	if (!fp)
		return -errno;
	for (;;) {
		size_t got;

		if (n == cap) {
			uint8_t *grown;

			cap = cap ? cap * 2 : 4096;
			grown = realloc(buf, cap);
			if (!grown) {
				free(buf);
				fclose(fp);
				return -ENOMEM;
			}
			buf = grown;
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		free(buf);
		fclose(fp);
		return -EIO;
	}
	fclose(fp);
	*data = buf;
	*len = n;
	return 0;
}

static int run_file(const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int ret = slurp(path, &data, &len);

	if (ret) {
		fprintf(stderr, "%s: %s\n", path, strerror(-ret));
		return -1;
	}
	/* the target sees exactly @len bytes, as under libFuzzer */
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every regular file of @dir in name order; returns the count or -1. */
static long run_dir(const char *dir)
{
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	long done = 0;
	DIR *d = opendir(dir);

	if (!d) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **grown;

			cap = cap ? cap * 2 : 64;
			grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				goto oom;
			names = grown;
		}
		names[n] = malloc(strlen(dir) + strlen(de->d_name) + 2);
		if (!names[n])
			goto oom;
		sprintf(names[n], "%s/%s", dir, de->d_name);
		n++;
	}
	closedir(d);
	d = NULL;
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		struct stat st;

		if (done >= 0 && !stat(names[i], &st) && S_ISREG(st.st_mode)) {
			if (run_file(names[i]))
				done = -1;
			else
				done++;
		}
		free(names[i]);
	}
	free(names);
	return done;

oom:
	fprintf(stderr, "%s: out of memory\n", dir);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (d)
		closedir(d);
	return -1;
}

int main(int argc, char **argv)
{
	long total = 0;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		struct stat st;
		long n;

		if (stat(argv[i], &st)) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			return 2;
		}
		n = S_ISDIR(st.st_mode) ? run_dir(argv[i]) :
		    run_file(argv[i]) ? -1 : 1;
		if (n < 0)
			return 2;
		total += n;
	}
	/* an empty corpus would make the test pass without testing anything */
	if (!total) {
		fprintf(stderr, "no input found\n");
		return 1;
	}
	printf("%ld inputs passed\n", total);
	return 0;
}
