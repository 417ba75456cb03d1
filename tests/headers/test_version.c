/* SPDX-License-Identifier: MIT */
/*
 * The version header and gpuvm_version(): the macros agree with each other
 * and with the project version meson generated them from, GPUVM_CHECK_VERSION()
 * compares the three parts in order (and works in #if), and the library
 * reports the version its headers carry (tests/symbols checks that
 * gpuvm_version() is exported).
 *
 * Built as C11 with -Wpedantic together with every header compiled on its
 * own (tests/headers/meson.build).
 */
#include <stdio.h>

#include <gpuvm/version.h>
#include <gpuvm/common.h>

#include "support.h"

#if !GPUVM_CHECK_VERSION(0, 0, 0)
#error "GPUVM_CHECK_VERSION(0, 0, 0) must hold for every version"
#endif
#if GPUVM_CHECK_VERSION(GPUVM_VERSION_MAJOR + 1, 0, 0)
#error "GPUVM_CHECK_VERSION() must reject a later major version"
#endif

START_TEST(string_matches_parts)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%d.%d.%d", GPUVM_VERSION_MAJOR,
		 GPUVM_VERSION_MINOR, GPUVM_VERSION_MICRO);
	ck_assert_str_eq(buf, GPUVM_VERSION);
	ck_assert_str_eq(GPUVM_VERSION, GPUVM_TEST_PROJECT_VERSION);
}
END_TEST

START_TEST(check_version_orders_parts)
{
	const int ma = GPUVM_VERSION_MAJOR, mi = GPUVM_VERSION_MINOR,
		  mc = GPUVM_VERSION_MICRO;

	ck_assert(GPUVM_CHECK_VERSION(ma, mi, mc));
	/* one part later: not satisfied, whatever the lower parts say */
	ck_assert(!GPUVM_CHECK_VERSION(ma, mi, mc + 1));
	ck_assert(!GPUVM_CHECK_VERSION(ma, mi + 1, 0));
	ck_assert(!GPUVM_CHECK_VERSION(ma + 1, 0, 0));
	ck_assert(!GPUVM_CHECK_VERSION(ma, mi + 1, mc - 1000));
	/* one part earlier: satisfied, whatever the lower parts say */
	ck_assert(GPUVM_CHECK_VERSION(ma, mi, mc - 1));
	ck_assert(GPUVM_CHECK_VERSION(ma, mi - 1, mc + 1000));
	ck_assert(GPUVM_CHECK_VERSION(ma - 1, mi + 1000, mc + 1000));
}
END_TEST

START_TEST(library_reports_header_version)
{
	const char *v = gpuvm_version();

	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v, GPUVM_VERSION);
	/* a static string: the same pointer every time */
	ck_assert_ptr_eq(gpuvm_version(), v);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("version");
	TCase *tc = tcase_create("version");

	tcase_add_test(tc, string_matches_parts);
	tcase_add_test(tc, check_version_orders_parts);
	tcase_add_test(tc, library_reports_header_version);
	suite_add_tcase(s, tc);
	return ts_run_suite(s);
}
