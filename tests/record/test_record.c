// SPDX-License-Identifier: MIT
/*
 * gpuvm-record end to end, without a GPU: each scenario of record_app runs
 * as `gpuvm-record -o DIR -- record_app SCENARIO DEVDIR` with the test
 * kernel (fake_drm.so) in LD_PRELOAD behind the recorder, so every ioctl
 * goes through the real interposition path.  Then every trace written is
 * checked: its name, its header, lines it must hold, and its replay by
 * gpuvm-replay --check: no request may fail (the kernel accepted each
 * one) and the final VA layout must be the one the scenario meant.
 * Paths of the programs come from the environment (tests/record/meson.build).
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../support.h"

extern char **environ;

/** struct trace_spec - one trace a scenario must write */
struct trace_spec {
	const char *name;          /* fnmatch pattern, "{pid}" = the app's pid */
	const char *const *va;     /* the final layout, "va ..." lines */
	const char *const *has;    /* text the trace must contain */
};

static const char *need_env(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v && *v, "%s is not set", name);
	return v;
}

/* An environment like ours with LD_PRELOAD set to @preload (or removed). */
static char **make_env(const char *preload)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	ck_assert_ptr_nonnull(env);
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11))
			env[k++] = environ[i];
	if (preload) {
		size_t len = strlen(preload) + 12;

		env[k] = malloc(len);
		ck_assert_ptr_nonnull(env[k]);
		snprintf(env[k], len, "LD_PRELOAD=%s", preload);
		k++;
	}
	env[k] = NULL;
	return env;
}

static void free_env(char **env)
{
	for (char **e = env; *e; e++)
		if (!strncmp(*e, "LD_PRELOAD=", 11))
			free(*e);
	free(env);
}

/* @pattern with "{pid}" replaced by @pid. */
static void subst_pid(char *out, size_t size, const char *pattern, pid_t pid)
{
	const char *at = strstr(pattern, "{pid}");

	if (!at)
		snprintf(out, size, "%s", pattern);
	else
		snprintf(out, size, "%.*s%ld%s", (int)(at - pattern), pattern,
			 (long)pid, at + 5);
}

/*
 * Run @argv (in directory @cwd when not NULL); its stdout into *@out when
 * @out; returns the wait status.
 */
static int run_in(const char *cwd, char *const argv[], char **env,
		  pid_t *pid_out, char **out)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2] = { -1, -1 }, status;
	size_t len = 0, cap = 0;
	char *buf = NULL;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	if (cwd)
		posix_spawn_file_actions_addchdir_np(&fa, cwd);
	if (out) {
		ck_assert_int_eq(pipe(pipefd), 0);
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
		posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	}
	ck_assert_int_eq(posix_spawn(&pid, argv[0], &fa, NULL, argv, env), 0);
	posix_spawn_file_actions_destroy(&fa);
	if (out) {
		close(pipefd[1]);
		for (;;) {
			ssize_t n;

			if (len + 4096 + 1 > cap) {
				cap = cap ? cap * 2 : 65536;
				buf = realloc(buf, cap);
				ck_assert_ptr_nonnull(buf);
			}
			n = read(pipefd[0], buf + len, cap - len - 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		close(pipefd[0]);
		buf[len] = '\0';
		*out = buf;
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	if (pid_out)
		*pid_out = pid;
	return status;
}

static int run(char *const argv[], char **env, pid_t *pid_out, char **out)
{
	return run_in(NULL, argv, env, pid_out, out);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* "va A R BO OFF" against the expected line, where BO "*" is any. */
static int va_equal(const char *got, const char *want)
{
	char g[4][40], w[4][40];

	if (sscanf(got, "va %39s %39s %39s %39s", g[0], g[1], g[2], g[3]) != 4 ||
	    sscanf(want, "va %39s %39s %39s %39s", w[0], w[1], w[2], w[3]) != 4)
		return 0;
	for (int i = 0; i < 4; i++)
		if (strcmp(w[i], "*") && strcmp(g[i], w[i]))
			return 0;
	return 1;
}

/* Replay @path with a dump at the end; check no failure and the layout. */
static void check_replay(const char *tmpdir, const char *path,
			 const char *text, const char *const *va)
{
	char dumped[4096], *out, *line, *save;
	char *argv[4];
	char **env = make_env(NULL);
	FILE *f;
	size_t i = 0;
	int status;

	snprintf(dumped, sizeof(dumped), "%s/replay.trace", tmpdir);
	f = fopen(dumped, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%sdump\n", text);
	fclose(f);
	argv[0] = (char *)need_env("GPUVM_REPLAY");
	argv[1] = (char *)"--check";
	argv[2] = dumped;
	argv[3] = NULL;
	status = run(argv, env, NULL, &out);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "gpuvm-replay %s: status 0x%x\n%s", path, status, out);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		ck_assert_msg(strncmp(line, "error", 5),
			      "%s: a recorded request failed in the replay: %s", path, line);
		if (strncmp(line, "va ", 3))
			continue;
		ck_assert_msg(va[i], "%s: unexpected %s", path, line);
		ck_assert_msg(va_equal(line, va[i]), "%s: got %s, want %s", path,
			      line, va[i]);
		i++;
	}
	ck_assert_msg(!va[i], "%s: missing %s", path, va[i]);
	unlink(dumped);
	free(out);
	free_env(env);
}

static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/*
 * Run @scenario and check that it wrote exactly the traces @specs.
 * @sync: with --sync, and in the current directory (no -o).
 */
static void check_scenario_opts(const char *scenario,
				const struct trace_spec *specs, size_t nspecs,
				bool sync)
{
	char tmpl[] = "/tmp/gpuvm-record-test-XXXXXX";
	char *base = mkdtemp(tmpl);
	char outdir[1024], devdir[1024], path[2048], pattern[256];
	char *argv[8], **env, *names[64];
	bool used[64] = { false };
	size_t nnames = 0;
	struct dirent *e;
	DIR *d;
	pid_t pid;
	int status;

	ck_assert_ptr_nonnull(base);
	snprintf(outdir, sizeof(outdir), "%s/out", base);
	snprintf(devdir, sizeof(devdir), "%s/dev", base);
	ck_assert_int_eq(mkdir(devdir, 0755), 0);

	argv[0] = (char *)need_env("GPUVM_RECORD");
	argv[1] = sync ? (char *)"--sync" : (char *)"-o";
	argv[2] = sync ? (char *)"--" : outdir;
	argv[3] = sync ? (char *)need_env("RECORD_APP") : (char *)"--";
	argv[4] = sync ? (char *)scenario : (char *)need_env("RECORD_APP");
	argv[5] = sync ? devdir : (char *)scenario;
	argv[6] = sync ? NULL : devdir;
	argv[7] = NULL;
	if (sync)
		ck_assert_int_eq(mkdir(outdir, 0755), 0);
	env = make_env(need_env("FAKE_DRM"));
	status = run_in(sync ? outdir : NULL, argv, env, &pid, NULL);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "record_app %s: status 0x%x", scenario, status);

	d = opendir(outdir);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		ck_assert_uint_lt(nnames, 64);
		names[nnames++] = strdup(e->d_name);
	}
	closedir(d);
	ck_assert_msg(nnames == nspecs, "%s: %zu traces written, %zu expected",
		      scenario, nnames, nspecs);

	for (size_t s = 0; s < nspecs; s++) {
		size_t k;
		char *text, header[64];

		subst_pid(pattern, sizeof(pattern), specs[s].name, pid);
		for (k = 0; k < nnames; k++)
			if (!used[k] && !fnmatch(pattern, names[k], 0))
				break;
		ck_assert_msg(k < nnames, "%s: no trace %s", scenario, pattern);
		used[k] = true;
		snprintf(path, sizeof(path), "%s/%s", outdir, names[k]);
		text = read_file(path);
		ck_assert_msg(!strncmp(text, "# gpuvm-record trace (format v1)\n# driver: ", 43),
			      "%s: header", path);
		snprintf(header, sizeof(header), "# driver: %.*s\n",
			 (int)strcspn(names[k], "-"), names[k]);
		ck_assert_msg(strstr(text, header), "%s: no %s", path, header);
		ck_assert_msg(strstr(text, "\n# pid: ") && strstr(text, "\n# time: ") &&
			      strstr(text, "\n# command: ") && strstr(text, "record_app"),
			      "%s: header incomplete", path);
		for (const char *const *h = specs[s].has; h && *h; h++)
			ck_assert_msg(strstr(text, *h), "%s: no \"%s\" in\n%s", path, *h, text);
		check_replay(base, path, text, specs[s].va);
		free(text);
	}
	for (size_t k = 0; k < nnames; k++) {
		snprintf(path, sizeof(path), "%s/%s", outdir, names[k]);
		unlink(path);
		free(names[k]);
	}
	rmdir(outdir);
	rm_dir(devdir);
	rmdir(base);
	free_env(env);
}

static void check_scenario(const char *scenario, const struct trace_spec *specs,
			   size_t nspecs)
{
	check_scenario_opts(scenario, specs, nspecs, false);
}

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

START_TEST(test_panthor)
{
	const struct trace_spec specs[] = {
		{ "panthor-{pid}-vm1.trace",
		  LIST("va 0x100000 0x4000 1 0x0", "va 0x108000 0x8000 1 0x8000",
		       "va 0x200000 0x4000 2 0x0", "va 0x300000 0x8000 4 0x0",
		       "va 0x400000 0x20000 3 0x0"),
		  LIST("vm 0x0 0x1000000000000 0x800000000000 0x800000000000\n",
		       "bo 1 0x10000 # GEM handle 1\n",
		       "map 0x100000 0x10000 1 0x0 # readonly\n",
		       "bo 2 0x4000 # GEM handle 2\n",
		       "unmap 0x104000 0x4000\n", "# sync-only op\n",
		       "# VM_BIND async: 1 ops queued\n",
		       "map 0x400000 0x20000 3 0x0 # sparse\n",
		       "# bo 3: panthor's per-file dummy object",
		       "bo 4 0x8000 # GEM handle 2\n",
		       "VM_BIND: malformed array (count 1, stride 40",
		       "VM_BIND: malformed array (count 1073741824, stride 48",
		       "VM_BIND: element 0 of 2 at 0x10 unreadable",
		       "VM_BIND: element 1 of 2 at",
		       "VM_BIND: short argument (8 of 24 bytes)") },
		{ "panthor-{pid}-vm2.trace", LIST("va 0x1000000 0x10000 1 0x0"),
		  LIST("vm 0x0 0x1000000000000 0x800000000000 0x800000000000\n",
		       "bo 1 0x10000 # GEM handle 1\n") },
	};

	check_scenario("panthor", specs, 2);
}
END_TEST

START_TEST(test_xe)
{
	const struct trace_spec specs[] = {
		{ "xe-{pid}-vm1.trace",
		  LIST("va 0x100000 0x8000 1 0x0", "va 0x110000 0x10000 1 0x10000",
		       "va 0x300000 0x10000 0 0x0", "va 0x400000 0x8000 3 0x0",
		       "va 0x500000 0x10000 0 0x0"),
		  LIST("# xe: flags 0x0; 48 VA bits (from DEVICE_QUERY)\nvm 0x0 0x1000000000000\n",
		       "map 0x300000 0x10000 0 0x0 # NULL binding\n",
		       "bo 3 0x8000 # userptr 0x7f0000000000\n",
		       "map 0x400000 0x8000 3 0x0 # userptr",
		       "prefetch 0x100000 0x20000", "bo-unmap 2\n",
		       "# VM_BIND on bind queue 7\n",
		       "map 0x500000 0x10000 0 0x0 # no object (CPU address mirror)\n",
		       "VM_BIND: element 0 of 3 at 0x10 unreadable") },
	};

	check_scenario("xe", specs, 1);
}
END_TEST

START_TEST(test_nouveau)
{
	const struct trace_spec specs[] = {
		{ "nouveau-{pid}-vm1.trace",
		  LIST("va 0x2000000 0x10000 1 0x0", "va 0x2020000 0x20000 1 0x20000"),
		  LIST("vm 0x0 0x800000000000 0x7f00000000 0x100000000\n",
		       "# sparse region 0x1000000 0x100000",
		       "map 0x1000000 0x20000 1 0x10000\n",
		       "unmap 0x1000000 0x100000 # sparse region removed\n",
		       "malformed array (count 1073741824") },
	};

	check_scenario("nouveau", specs, 1);
}
END_TEST

START_TEST(test_msm)
{
	const struct trace_spec specs[] = {
		{ "msm-{pid}-vm1.trace",
		  LIST("va 0x100100000 0x4000 1 0x0", "va 0x100108000 0x8000 1 0x8000",
		       "va 0x100200000 0x4000 0 0x0"),
		  LIST("vm 0x100000000 0x1000000000\n",
		       "map 0x100200000 0x4000 0 0x0 # MAP_NULL\n") },
	};

	check_scenario("msm", specs, 1);
}
END_TEST

START_TEST(test_asahi)
{
	const struct trace_spec specs[] = {
		{ "asahi-{pid}-vm1.trace",
		  LIST("va 0x2000000 0x4000 1 0x0", "va 0x3000000 0x10000 1 0x0"),
		  LIST("vm 0x1000000 0xffff000000 0xf000000000 0x1000000000\n",
		       "# single page repeated", "unmap 0x2004000 0x4000\n") },
	};

	check_scenario("asahi", specs, 1);
}
END_TEST

START_TEST(test_powervr)
{
	const struct trace_spec specs[] = {
		{ "powervr-{pid}-vm1.trace", LIST("va 0x9000000 0x4000 1 0x4000"),
		  LIST("vm 0x0 0x10000000000\n", "unmap 0x8000000 0x10000\n") },
	};

	check_scenario("powervr", specs, 1);
}
END_TEST

START_TEST(test_panfrost)
{
	const struct trace_spec specs[] = {
		{ "panfrost-{pid}-vm1.trace",
		  LIST("va 0x2003000 0x10000 2 0x0", "va 0x2013000 0x1000 3 0x0"),
		  LIST("vm 0x2000000 0xfe000000\n", "bo 1 0x3000 # GEM handle 1\n",
		       "map 0x2000000 0x3000 1 0x0\n",
		       "unmap 0x2000000 0x3000 # GEM handle 1 closed\n",
		       "bo 3 0x1000 # GEM handle 1\n", "# heap, grown on fault") },
	};

	check_scenario("panfrost", specs, 1);
}
END_TEST

#define OWN_VM { "panthor-{pid}-vm[2-5].trace", \
		 LIST("va 0x100000 0x10000 1 0x0"), LIST("bo 1 0x20000") }

START_TEST(test_threads)
{
	static const char *const shared[] = {
		"va 0x10010000 0x10000 * 0x0", "va 0x10030000 0x10000 * 0x0",
		"va 0x10050000 0x10000 * 0x0", "va 0x10070000 0x10000 * 0x0",
		"va 0x20010000 0x10000 * 0x0", "va 0x20030000 0x10000 * 0x0",
		"va 0x20050000 0x10000 * 0x0", "va 0x20070000 0x10000 * 0x0",
		"va 0x30010000 0x10000 * 0x0", "va 0x30030000 0x10000 * 0x0",
		"va 0x30050000 0x10000 * 0x0", "va 0x30070000 0x10000 * 0x0",
		"va 0x40010000 0x10000 * 0x0", "va 0x40030000 0x10000 * 0x0",
		"va 0x40050000 0x10000 * 0x0", "va 0x40070000 0x10000 * 0x0",
		NULL,
	};
	const struct trace_spec specs[] = {
		{ "panthor-{pid}-vm1.trace", shared, LIST("bo 32 0x10000") },
		OWN_VM, OWN_VM, OWN_VM, OWN_VM,
	};

	check_scenario("threads", specs, 5);
}
END_TEST

START_TEST(test_fork)
{
	const struct trace_spec specs[] = {
		{ "panthor-{pid}-vm1.trace",
		  LIST("va 0x100000 0x10000 1 0x0", "va 0x300000 0x10000 1 0x0"),
		  NONE },
		{ "panthor-*-vm1.trace", LIST("va 0x200000 0x10000 1 0x0"),
		  LIST("# forked: what was bound before the fork",
		       "vm 0x0 0x1000000000000 0x800000000000 0x800000000000\n") },
	};

	check_scenario("fork", specs, 2);
}
END_TEST

START_TEST(test_exec)
{
	const struct trace_spec specs[] = {
		{ "panthor-{pid}-vm1.trace", LIST("va 0x100000 0x10000 1 0x0"), NONE },
		{ "panthor-{pid}-vm1-2.trace", LIST("va 0x500000 0x10000 1 0x0"),
		  LIST("exec-child") },
	};

	check_scenario("exec", specs, 2);
}
END_TEST

START_TEST(test_other)
{
	const struct trace_spec specs[] = {
		{ "panthor-{pid}-vm1.trace", LIST("va 0x100000 0x10000 1 0x0"),
		  LIST("bo 1 0x10000", "# file closed: the VM is gone\n") },
		{ "panthor-{pid}-vm2.trace", NONE,
		  LIST("# vm: id 2", "# file closed: the VM is gone\n") },
	};

	check_scenario("other", specs, 2);
}
END_TEST

START_TEST(test_sync)
{
	const struct trace_spec specs[] = {
		{ "panthor-{pid}-vm1.trace", LIST("va 0x100000 0x10000 1 0x0"),
		  LIST("bo 1 0x10000") },
	};

	/* without --sync, _exit() loses what was pending */
	check_scenario("crash", specs, 0);
	check_scenario_opts("crash", specs, 1, true);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("record");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_panthor);
	tcase_add_test(tc, test_xe);
	tcase_add_test(tc, test_nouveau);
	tcase_add_test(tc, test_msm);
	tcase_add_test(tc, test_asahi);
	tcase_add_test(tc, test_powervr);
	tcase_add_test(tc, test_panfrost);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_fork);
	tcase_add_test(tc, test_exec);
	tcase_add_test(tc, test_other);
	tcase_add_test(tc, test_sync);
	suite_add_tcase(s, tc);
	return ts_run_suite(s);
}
