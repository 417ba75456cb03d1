/* SPDX-License-Identifier: MIT */
/*
 * A program that uses libgpuvm the way an outside project does: only the
 * installed headers, linked against the installed library.  tests/install
 * builds it from an installed prefix with meson's dependency() and with
 * pkg-config and make, statically and dynamically, as C (this file) and as
 * C++ (consumer.cpp includes it), and runs every build.  tests/headers also
 * links it, as C++17, into the build tree's library.
 *
 * It plans one map on a fresh VM and checks the op the library returns.
 * Exit status 0 when everything is as expected; messages on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpuvm/gpuvm.h>

#if !GPUVM_CHECK_VERSION(0, 1, 0)
#error "libgpuvm 0.1.0 or later is needed"
#endif

#ifdef __cplusplus
#define CONSUMER_LANG "C++"
#else
#define CONSUMER_LANG "C"
#endif

struct consumer_vm {
	struct gpuvm base;
	int freed;
};

static void consumer_vm_free(struct gpuvm *vm)
{
	gpuvm_container_of(vm, struct consumer_vm, base)->freed = 1;
}

static int consumer_fail(const char *what)
{
	fprintf(stderr, "consumer (" CONSUMER_LANG "): %s\n", what);
	return EXIT_FAILURE;
}

int main(void)
{
	struct gpuvm_ops ops;
	struct gpuvm_init_args args;
	struct gpuvm_map_req req;
	struct consumer_vm vm;
	struct gpuvm_op_list list;
	struct gpuvm_op *op;
	struct gpuvm_bo bo;
	unsigned int n = 0;
	int ret;

	if (strcmp(gpuvm_version(), GPUVM_VERSION) != 0)
		return consumer_fail("gpuvm_version() is not GPUVM_VERSION");

	memset(&ops, 0, sizeof(ops));
	ops.vm_free = consumer_vm_free;
	memset(&args, 0, sizeof(args));
	args.name = "consumer";
	args.range = 1ull << 32;
	args.reserve_range = 0x100000;
	args.ops = &ops;
	memset(&vm, 0, sizeof(vm));
	ret = gpuvm_init(&vm.base, &args);
	if (ret)
		return consumer_fail(gpuvm_err_name(ret));
	gpuvm_bo_init(&bo, NULL, gpuvm_resv(&vm.base));

	/* A map into an empty space is a single MAP op, as asked. */
	memset(&req, 0, sizeof(req));
	req.map.addr = 0x200000;
	req.map.range = 0x10000;
	req.map.obj = &bo;
	ret = gpuvm_sm_map_ops_create(&vm.base, &req, &list);
	if (ret)
		return consumer_fail(gpuvm_err_name(ret));
	gpuvm_op_list_for_each(op, &list) {
		if (op->type != GPUVM_OP_MAP || op->map.addr != req.map.addr ||
		    op->map.range != req.map.range || op->map.obj != &bo)
			return consumer_fail("unexpected op");
		n++;
	}
	gpuvm_op_list_clear(&vm.base, &list);
	if (n != 1)
		return consumer_fail("not exactly one op");

	/* The kernel-reserved region cannot be mapped over. */
	req.map.addr = 0;
	if (gpuvm_sm_map_ops_create(&vm.base, &req, &list) != -EINVAL)
		return consumer_fail("map over the reserved region not -EINVAL");

	gpuvm_bo_fini(&bo);
	gpuvm_put(&vm.base);
	if (!vm.freed)
		return consumer_fail("vm_free not called");
	printf("libgpuvm %s from " CONSUMER_LANG ": ok\n", gpuvm_version());
	return EXIT_SUCCESS;
}
