/* SPDX-License-Identifier: MIT */
/*
 * split_lines(): cut a text into its lines without a libc string call per
 * line.  g_strsplit() calls strstr() once per line, and the sanitizers'
 * strstr() measures the whole rest of the text each time, which makes it
 * quadratic on the 10^5-line outputs the SVG and workload checks read.
 */
#ifndef GPUVM_TESTS_SPLIT_LINES_H
#define GPUVM_TESTS_SPLIT_LINES_H

#include <glib.h>

/*
 * A NULL-terminated array of the lines of @text (without their '\n'), as
 * g_strsplit(@text, "\n", -1) gives it; free it with g_strfreev().
 */
static inline gchar **split_lines(const char *text)
{
	GPtrArray *v = g_ptr_array_new();
	const char *start = text, *p;

	for (p = text;; p++) {
		if (*p == '\n' || !*p) {
			g_ptr_array_add(v, g_strndup(start, (gsize)(p - start)));
			if (!*p)
				break;
			start = p + 1;
		}
	}
	g_ptr_array_add(v, NULL);
	return (gchar **)g_ptr_array_free(v, FALSE);
}

#endif
