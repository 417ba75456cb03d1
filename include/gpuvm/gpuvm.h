/* SPDX-License-Identifier: MIT */
/*
 * libgpuvm umbrella header: include this to get every layer.
 *
 *   gpuvm/common.h  allocator and warning hooks, export macro, errno names
 *   gpuvm/list.h    the intrusive list used by every layer
 *   gpuvm/lock.h    pluggable locks, reservation locks, exec contexts
 *   gpuvm/core.h    the VA manager: VM, VAs, split/merge planning, vm_bos
 */
#ifndef GPUVM_GPUVM_H
#define GPUVM_GPUVM_H

#include <gpuvm/common.h>
#include <gpuvm/list.h>
#include <gpuvm/lock.h>
#include <gpuvm/core.h>

#endif /* GPUVM_GPUVM_H */
