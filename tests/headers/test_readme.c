/* SPDX-License-Identifier: MIT */
/*
 * The C example of README.md ("A short example"), extracted by
 * extract_example.py and included first, so that it compiles with nothing
 * but its own #includes, then run: a VM built with its my_ops, bind() on a
 * free range, on the reserved region and on an empty range.
 */
#include "readme_example.h"

#include <errno.h>

#include "support.h"

static struct my_vm *new_vm(void)
{
	struct gpuvm_init_args args = {
		.name = "readme",
		.range = 1ull << 32,
		.reserve_range = 0x100000,
		.ops = &my_ops,
	};
	struct my_vm *vm = calloc(1, sizeof(*vm));

	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(gpuvm_init(&vm->base, &args), 0);
	return vm;
}

START_TEST(bind_free_range)
{
	struct my_vm *vm = new_vm();
	struct gpuvm_bo bo;

	gpuvm_bo_init(&bo, NULL, gpuvm_resv(&vm->base));
	ck_assert_int_eq(bind(vm, &bo, 0x200000, 0x10000), 0);
	/* only planned: the VM still holds no VA */
	ck_assert_uint_eq(gpuvm_va_count(&vm->base), 0);
	gpuvm_bo_fini(&bo);
	gpuvm_put(&vm->base);	/* my_vm_free() frees vm */
}
END_TEST

START_TEST(bind_rejected)
{
	struct my_vm *vm = new_vm();
	struct gpuvm_bo bo;

	gpuvm_bo_init(&bo, NULL, gpuvm_resv(&vm->base));
	ck_assert_int_eq(bind(vm, &bo, 0, 0x10000), -EINVAL);
	ck_assert_int_eq(bind(vm, &bo, 0x200000, 0), -EINVAL);
	ck_assert_uint_eq(gpuvm_va_count(&vm->base), 0);
	gpuvm_bo_fini(&bo);
	gpuvm_put(&vm->base);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("readme");
	TCase *tc = tcase_create("example");

	tcase_add_test(tc, bind_free_range);
	tcase_add_test(tc, bind_rejected);
	suite_add_tcase(s, tc);
	return ts_run_suite(s);
}
