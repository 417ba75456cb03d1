// SPDX-License-Identifier: MIT
/*
 * svg_check: gpuvm-replay --svg must write a well-formed SVG with one VA
 * rectangle per VA of the final VM.
 *
 *   svg_check [--plain] REPLAY TRACE
 *
 * Runs "REPLAY --quiet [--mmu=sim] --svg=TMP -" on TRACE followed by a
 * "dump" line, counts the VAs of that last dump and checks that TMP starts
 * with "<svg", ends with "</svg>", has balanced tags and exactly that many
 * elements of class "va".  Exit status 0 on success, 1 on mismatch, 99
 * when the check cannot run.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

/* Count the "va" lines of the last dump in @out. */
static long last_dump_vas(const char *out)
{
	gchar **lines = g_strsplit(out, "\n", -1);
	long i, n = 0, end = -1;

	for (i = 0; lines[i]; i++)
		if (!strcmp(lines[i], "end"))
			end = i;
	for (i = end - 1; i >= 0 && !strncmp(lines[i], "va ", 3); i--)
		n++;
	g_strfreev(lines);
	return end < 0 ? -1 : n;
}

/* Minimal well-formedness: every open tag is closed, in order. */
static bool balanced(const char *s)
{
	GPtrArray *stack = g_ptr_array_new_with_free_func(g_free);
	const char *p = s;
	bool ok = true;

	while (ok && (p = strchr(p, '<'))) {
		const char *gt = strchr(p, '>');
		size_t n;

		if (!gt) {
			ok = false;
			break;
		}
		if (p[1] == '/') {
			n = strcspn(p + 2, " >");
			ok = stack->len > 0 &&
			     !strncmp(g_ptr_array_index(stack, stack->len - 1),
				      p + 2, n) &&
			     strlen(g_ptr_array_index(stack, stack->len - 1)) == n;
			if (ok)
				g_ptr_array_remove_index(stack, stack->len - 1);
		} else if (gt[-1] != '/') {
			n = strcspn(p + 1, " />");
			g_ptr_array_add(stack, g_strndup(p + 1, n));
		}
		p = gt + 1;
	}
	ok = ok && stack->len == 0;
	g_ptr_array_free(stack, TRUE);
	return ok;
}

static long count(const char *s, const char *needle)
{
	long n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

int main(int argc, char **argv)
{
	bool plain = argc > 1 && !strcmp(argv[1], "--plain");
	gchar *trace = NULL, *input, *out = NULL, *err = NULL, *svg = NULL;
	gchar *svg_path, *svg_arg, *in_path;
	GError *error = NULL;
	const char *args[8];
	gint status, fd;
	long vas, rects;
	int i = 0, ret = 1;
	gsize len;

	if (plain) {
		argv++;
		argc--;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: svg_check [--plain] REPLAY TRACE\n");
		return 99;
	}
	if (!g_file_get_contents(argv[2], &trace, &len, &error)) {
		fprintf(stderr, "svg_check: %s\n", error->message);
		return 99;
	}
	input = g_strconcat(trace, "\ndump\n", NULL);
	fd = g_file_open_tmp("svg_check-XXXXXX.trace", &in_path, &error);
	if (fd < 0) {
		fprintf(stderr, "svg_check: %s\n", error->message);
		return 99;
	}
	close(fd);
	g_file_set_contents(in_path, input, -1, NULL);
	fd = g_file_open_tmp("svg_check-XXXXXX.svg", &svg_path, &error);
	if (fd < 0) {
		fprintf(stderr, "svg_check: %s\n", error->message);
		return 99;
	}
	close(fd);
	svg_arg = g_strconcat("--svg=", svg_path, NULL);

	args[i++] = argv[1];
	args[i++] = "--quiet";
	if (!plain)
		args[i++] = "--mmu=sim";
	args[i++] = svg_arg;
	args[i++] = in_path;
	args[i] = NULL;
	if (!g_spawn_sync(NULL, (gchar **)args, NULL, G_SPAWN_DEFAULT, NULL,
			  NULL, &out, &err, &status, &error)) {
		fprintf(stderr, "svg_check: %s\n", error->message);
		return 99;
	}
	if (!g_spawn_check_wait_status(status, NULL)) {
		printf("gpuvm-replay failed\n--- stderr ---\n%s", err);
		goto out;
	}
	vas = last_dump_vas(out);
	if (!g_file_get_contents(svg_path, &svg, &len, &error)) {
		printf("no SVG written: %s\n", error->message);
		goto out;
	}
	g_strchomp(svg);
	rects = count(svg, "class=\"va\"");
	if (strncmp(svg, "<svg", 4))
		printf("the SVG does not start with <svg\n");
	else if (!g_str_has_suffix(svg, "</svg>"))
		printf("the SVG does not end with </svg>\n");
	else if (!balanced(svg))
		printf("the SVG's tags are not balanced\n");
	else if (vas < 0 || rects != vas)
		printf("%ld VA rectangles, the final dump lists %ld VAs\n",
		       rects, vas);
	else
		ret = 0;
	if (!ret)
		printf("ok: %ld VAs drawn\n", vas);
out:
	g_unlink(svg_path);
	g_unlink(in_path);
	g_free(svg);
	g_free(out);
	g_free(err);
	g_free(trace);
	g_free(input);
	g_free(svg_path);
	g_free(svg_arg);
	g_free(in_path);
	g_clear_error(&error);
	return ret;
}
