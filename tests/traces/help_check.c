// SPDX-License-Identifier: MIT
/*
 * help_check REPLAY: "REPLAY --help" under a UTF-8 locale must exit 0 and
 * show the usage line as the locale can print it ("[OPTION…]", not the
 * "[OPTION?]" glib printed for a program that never called setlocale()).  Exit status 0
 * on success, 1 on mismatch, 77 (skipped) without a C.UTF-8 locale, 99
 * when the check cannot run.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

int main(int argc, char **argv)
{
	gchar *argv_replay[3], *out = NULL, *err = NULL;
	gchar **env;
	GError *error = NULL;
	gint wait_status;
	int ret = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s REPLAY\n", argv[0]);
		return 99;
	}
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		printf("no C.UTF-8 locale here: skipped\n");
		return 77;
	}
	argv_replay[0] = argv[1];
	argv_replay[1] = (gchar *)"--help";
	argv_replay[2] = NULL;
	env = g_environ_setenv(g_get_environ(), "LC_ALL", "C.UTF-8", TRUE);
	if (!g_spawn_sync(NULL, argv_replay, env, G_SPAWN_DEFAULT, NULL, NULL,
			  &out, &err, &wait_status, &error)) {
		fprintf(stderr, "help_check: %s\n", error->message);
		g_error_free(error);
		g_strfreev(env);
		return 99;
	}
	if (!g_spawn_check_wait_status(wait_status, NULL)) {
		printf("--help did not exit with status 0\n");
		ret = 1;
	}
	if (!strstr(out, "[OPTION\xe2\x80\xa6]")) {
		printf("usage line without \"[OPTION\xe2\x80\xa6]\":\n%.200s\n", out);
		ret = 1;
	}
	g_free(out);
	g_free(err);
	g_strfreev(env);
	return ret;
}
