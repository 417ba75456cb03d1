/* SPDX-License-Identifier: MIT */
/*
 * gpuvm-replay --svg: draw a VM's VA space as a self-contained SVG.
 */
#ifndef GPUVM_REPLAY_SVG_H
#define GPUVM_REPLAY_SVG_H

#include <stdint.h>

#include <gpuvm/gpuvm.h>
#include <gpuvm/mali_vm.h>

/**
 * svg_write() - draw the VAs of @gv into the file @path
 * @path: output file (replaced)
 * @gv: the VM
 * @mali: the Mali VM behind @gv, to show 2 MiB blocks, or NULL
 * @shift: trace units are 1 << @shift bytes (labels are in trace units)
 * @bo_id: the trace's id of a BO
 *
 * Returns: 0, or -1 after printing why on stderr.
 */
int svg_write(const char *path, struct gpuvm *gv, struct gpuvm_mali_vm *mali,
	      unsigned int shift, uint64_t (*bo_id)(const struct gpuvm_bo *));

#endif
