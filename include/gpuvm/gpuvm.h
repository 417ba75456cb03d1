/* SPDX-License-Identifier: MIT */
/*
 * libgpuvm umbrella header: include this to get every layer.
 *
 *   gpuvm/version.h the headers' version, GPUVM_CHECK_VERSION()
 *   gpuvm/common.h  allocator and warning hooks, export macro, errno names,
 *                   the library's version
 *   gpuvm/list.h    the intrusive list used by every layer
 *   gpuvm/lock.h    pluggable locks, reservation locks, exec contexts
 *   gpuvm/core.h    the VA manager: VM, VAs, split/merge planning, vm_bos
 *
 * The Mali backend:
 *   gpuvm/mali_hal.h      hardware access layer (registers, page-table memory,
 *                         interrupt, time)
 *   gpuvm/mali_regs.h     register map and encodings
 *   gpuvm/mali_sim.h      simulated Mali MMU (a HAL)
 *   gpuvm/mali_uio.h      real GPU through /dev/uioN (a HAL)
 *   gpuvm/mali_pgtable.h  page-table memory and page tables (AArch64, LPAE)
 *   gpuvm/mali_mmu.h      GPU discovery, address spaces, flushes, faults
 *   gpuvm/mali_vm.h       a libgpuvm VM applied to Mali page tables
 */
#ifndef GPUVM_GPUVM_H
#define GPUVM_GPUVM_H

#include <gpuvm/version.h>
#include <gpuvm/common.h>
#include <gpuvm/list.h>
#include <gpuvm/lock.h>
#include <gpuvm/core.h>
#include <gpuvm/mali_hal.h>
#include <gpuvm/mali_regs.h>
#include <gpuvm/mali_sim.h>
#include <gpuvm/mali_uio.h>
#include <gpuvm/mali_pgtable.h>
#include <gpuvm/mali_mmu.h>
#include <gpuvm/mali_vm.h>
#include <gpuvm/mali_gpu.h>
#include <gpuvm/mali_sim_gpu.h>

#endif /* GPUVM_GPUVM_H */
