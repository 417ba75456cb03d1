// SPDX-License-Identifier: MIT
/*
 * gpuvm-record: run a command with libgpuvm-record.so preloaded, so that
 * the VM_BIND stream it sends to a DRM driver built on GPUVM is written as
 * trace format v1 files (docs/recording.md).
 *
 *   gpuvm-record [-o DIR] [--sync] -- COMMAND [ARG...]
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef GPUVM_RECORD_LIBDIR
#define GPUVM_RECORD_LIBDIR "/usr/local/lib/gpuvm"
#endif
#define LIBNAME "libgpuvm-record.so"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: gpuvm-record [-o DIR] [--sync] -- COMMAND [ARG...]\n"
		"  -o DIR   write the traces in DIR (default: the current directory)\n"
		"  --sync   write each recorded ioctl out at once (survives a crash)\n"
		"One trace per GPU VM: DIR/DRIVER-PID-vmID.trace.\n");
}

/* The preload library: $GPUVM_RECORD_LIB, beside this program, installed. */
static int find_lib(char *out, size_t size)
{
	const char *env = getenv("GPUVM_RECORD_LIB");
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		if (!realpath(env, out))
			return -1;
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if ((size_t)snprintf(out, size, "%s/%s", self, LIBNAME) < size &&
			    access(out, R_OK) == 0)
				return 0;
		}
	}
	if ((size_t)snprintf(out, size, "%s/%s", GPUVM_RECORD_LIBDIR, LIBNAME) < size &&
	    access(out, R_OK) == 0)
		return 0;
	return -1;
}

int main(int argc, char **argv)
{
	const char *outdir = ".";
	char dir[PATH_MAX], lib[PATH_MAX];
	const char *old;
	char *preload;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			outdir = argv[++i];
		} else if (!strcmp(argv[i], "--sync")) {
			setenv("GPUVM_RECORD_SYNC", "1", 1);
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-') {
			usage(stderr);
			return 2;
		} else {
			break;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (mkdir(outdir, 0755) && errno != EEXIST) {
		fprintf(stderr, "gpuvm-record: cannot create %s: %s\n", outdir,
			strerror(errno));
		return 2;
	}
	if (!realpath(outdir, dir)) {
		fprintf(stderr, "gpuvm-record: %s: %s\n", outdir, strerror(errno));
		return 2;
	}
	if (find_lib(lib, sizeof(lib))) {
		fprintf(stderr, "gpuvm-record: cannot find %s (set GPUVM_RECORD_LIB)\n",
			LIBNAME);
		return 2;
	}
	old = getenv("LD_PRELOAD");
	preload = malloc(strlen(lib) + (old ? strlen(old) : 0) + 2);
	if (!preload) {
		fprintf(stderr, "gpuvm-record: out of memory\n");
		return 2;
	}
	strcpy(preload, lib);
	if (old && *old) {
		strcat(preload, " ");
		strcat(preload, old);
	}
	if (setenv("LD_PRELOAD", preload, 1) || setenv("GPUVM_RECORD_DIR", dir, 1)) {
		fprintf(stderr, "gpuvm-record: cannot set the environment\n");
		return 2;
	}
	free(preload);
	execvp(argv[i], &argv[i]);
	fprintf(stderr, "gpuvm-record: cannot run %s: %s\n", argv[i], strerror(errno));
	return 127;
}
