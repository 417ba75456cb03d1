/* SPDX-License-Identifier: MIT */
/*
 * The parts of the DRM driver uAPIs that gpuvm-record decodes, written from
 * the layouts of include/uapi/drm/{drm,panthor,xe,nouveau,msm,asahi,pvr,
 * panfrost}_drm.h (Linux 6.18 / 7.x).  Every size and offset the recorder
 * relies on is checked at compile time below; the kernel headers are not
 * needed to build.  Only the fields the recorder reads are named; reserved
 * and padding words keep the layout.
 *
 * The DRM core copies min(_IOC_SIZE(request), its own size) bytes and
 * zero-fills the rest, so the recorder matches requests by type and number
 * only and reads the argument the same way (see decode.c).
 */
#ifndef GPUVM_RECORD_UAPI_H
#define GPUVM_RECORD_UAPI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#define REC_DRM_TYPE 'd'
#define REC_DRM_COMMAND_BASE 0x40

/** REC_CHECK() - compile-time check of a field's offset */
#define REC_CHECK(type, field, off) \
	_Static_assert(offsetof(type, field) == (off), #type "." #field)
#define REC_SIZE(type, size) \
	_Static_assert(sizeof(type) == (size), "sizeof " #type)

/* ---- DRM core ---------------------------------------------------------- */

struct rec_drm_version {
	int version_major;
	int version_minor;
	int version_patchlevel;
	size_t name_len;
	char *name;
	size_t date_len;
	char *date;
	size_t desc_len;
	char *desc;
};
#define REC_DRM_NR_VERSION 0x00
#define REC_IOCTL_VERSION _IOWR('d', REC_DRM_NR_VERSION, struct rec_drm_version)

struct rec_gem_close {
	uint32_t handle;
	uint32_t pad;
};
REC_SIZE(struct rec_gem_close, 8);
#define REC_DRM_NR_GEM_CLOSE 0x09
#define REC_IOCTL_GEM_CLOSE _IOW('d', REC_DRM_NR_GEM_CLOSE, struct rec_gem_close)

#define REC_DRM_IOWR(nr, type) _IOWR('d', REC_DRM_COMMAND_BASE + (nr), type)
#define REC_DRM_IOW(nr, type) _IOW('d', REC_DRM_COMMAND_BASE + (nr), type)

/* ---- panthor ----------------------------------------------------------- */

struct rec_panthor_obj_array {
	uint32_t stride;
	uint32_t count;
	uint64_t array;
};
REC_SIZE(struct rec_panthor_obj_array, 16);

struct rec_panthor_dev_query {
	uint32_t type;
	uint32_t size;
	uint64_t pointer;
};
REC_SIZE(struct rec_panthor_dev_query, 16);
#define REC_PANTHOR_QUERY_GPU_INFO 0
/* drm_panthor_gpu_info.mmu_features; its low byte is the VA bits */
#define REC_PANTHOR_GPU_INFO_MMU_FEATURES 24

struct rec_panthor_vm_create {
	uint32_t flags;
	uint32_t id;
	uint64_t user_va_range;
};
REC_SIZE(struct rec_panthor_vm_create, 16);
REC_CHECK(struct rec_panthor_vm_create, id, 4);
REC_CHECK(struct rec_panthor_vm_create, user_va_range, 8);

struct rec_panthor_vm_destroy {
	uint32_t id;
	uint32_t pad;
};
REC_SIZE(struct rec_panthor_vm_destroy, 8);

#define REC_PANTHOR_BIND_MAP_READONLY (1u << 0)
#define REC_PANTHOR_BIND_MAP_NOEXEC (1u << 1)
#define REC_PANTHOR_BIND_MAP_UNCACHED (1u << 2)
#define REC_PANTHOR_BIND_MAP_SPARSE (1u << 3)
#define REC_PANTHOR_BIND_TYPE_MASK (0xfu << 28)
#define REC_PANTHOR_BIND_TYPE_MAP (0u << 28)
#define REC_PANTHOR_BIND_TYPE_UNMAP (1u << 28)
#define REC_PANTHOR_BIND_TYPE_SYNC_ONLY (2u << 28)
#define REC_PANTHOR_BIND_ASYNC (1u << 0)

struct rec_panthor_vm_bind_op {
	uint32_t flags;
	uint32_t bo_handle;
	uint64_t bo_offset;
	uint64_t va;
	uint64_t size;
	struct rec_panthor_obj_array syncs;
};
REC_SIZE(struct rec_panthor_vm_bind_op, 48);
REC_CHECK(struct rec_panthor_vm_bind_op, bo_handle, 4);
REC_CHECK(struct rec_panthor_vm_bind_op, bo_offset, 8);
REC_CHECK(struct rec_panthor_vm_bind_op, va, 16);
REC_CHECK(struct rec_panthor_vm_bind_op, size, 24);
REC_CHECK(struct rec_panthor_vm_bind_op, syncs, 32);

struct rec_panthor_vm_bind {
	uint32_t vm_id;
	uint32_t flags;
	struct rec_panthor_obj_array ops;
};
REC_SIZE(struct rec_panthor_vm_bind, 24);
REC_CHECK(struct rec_panthor_vm_bind, flags, 4);
REC_CHECK(struct rec_panthor_vm_bind, ops, 8);

struct rec_panthor_bo_create {
	uint64_t size;
	uint32_t flags;
	uint32_t exclusive_vm_id;
	uint32_t handle;
	uint32_t pad;
};
REC_SIZE(struct rec_panthor_bo_create, 24);
REC_CHECK(struct rec_panthor_bo_create, handle, 16);

#define REC_PANTHOR_DEV_QUERY 0x00
#define REC_PANTHOR_VM_CREATE 0x01
#define REC_PANTHOR_VM_DESTROY 0x02
#define REC_PANTHOR_VM_BIND 0x03
#define REC_PANTHOR_BO_CREATE 0x05
#define REC_IOCTL_PANTHOR_DEV_QUERY REC_DRM_IOWR(REC_PANTHOR_DEV_QUERY, struct rec_panthor_dev_query)
#define REC_IOCTL_PANTHOR_VM_CREATE REC_DRM_IOWR(REC_PANTHOR_VM_CREATE, struct rec_panthor_vm_create)
#define REC_IOCTL_PANTHOR_VM_DESTROY REC_DRM_IOWR(REC_PANTHOR_VM_DESTROY, struct rec_panthor_vm_destroy)
#define REC_IOCTL_PANTHOR_VM_BIND REC_DRM_IOWR(REC_PANTHOR_VM_BIND, struct rec_panthor_vm_bind)
#define REC_IOCTL_PANTHOR_BO_CREATE REC_DRM_IOWR(REC_PANTHOR_BO_CREATE, struct rec_panthor_bo_create)

/* ---- xe ---------------------------------------------------------------- */

struct rec_xe_device_query {
	uint64_t extensions;
	uint32_t query;
	uint32_t size;
	uint64_t data;
	uint64_t reserved[2];
};
REC_SIZE(struct rec_xe_device_query, 40);
REC_CHECK(struct rec_xe_device_query, query, 8);
REC_CHECK(struct rec_xe_device_query, size, 12);
REC_CHECK(struct rec_xe_device_query, data, 16);
#define REC_XE_QUERY_CONFIG 2
/* drm_xe_query_config: num_params, pad, info[]; info[3] is the VA bits */
#define REC_XE_CONFIG_VA_BITS_OFFSET (8 + 3 * 8)

struct rec_xe_gem_create {
	uint64_t extensions;
	uint64_t size;
	uint32_t placement;
	uint32_t flags;
	uint32_t vm_id;
	uint32_t handle;
	uint16_t cpu_caching;
	uint16_t pad[3];
	uint64_t reserved[2];
};
REC_SIZE(struct rec_xe_gem_create, 56);
REC_CHECK(struct rec_xe_gem_create, size, 8);
REC_CHECK(struct rec_xe_gem_create, vm_id, 24);
REC_CHECK(struct rec_xe_gem_create, handle, 28);

struct rec_xe_vm_create {
	uint64_t extensions;
	uint32_t flags;
	uint32_t vm_id;
	uint64_t reserved[2];
};
REC_SIZE(struct rec_xe_vm_create, 32);
REC_CHECK(struct rec_xe_vm_create, vm_id, 12);

struct rec_xe_vm_destroy {
	uint32_t vm_id;
	uint32_t pad;
	uint64_t reserved[2];
};
REC_SIZE(struct rec_xe_vm_destroy, 24);

#define REC_XE_BIND_OP_MAP 0x0
#define REC_XE_BIND_OP_UNMAP 0x1
#define REC_XE_BIND_OP_MAP_USERPTR 0x2
#define REC_XE_BIND_OP_UNMAP_ALL 0x3
#define REC_XE_BIND_OP_PREFETCH 0x4
#define REC_XE_BIND_FLAG_READONLY (1u << 0)
#define REC_XE_BIND_FLAG_NULL (1u << 2)

struct rec_xe_vm_bind_op {
	uint64_t extensions;
	uint32_t obj;
	uint16_t pat_index;
	uint16_t pad;
	uint64_t obj_offset; /* or userptr */
	uint64_t range;
	uint64_t addr;
	uint32_t op;
	uint32_t flags;
	uint32_t prefetch_mem_region_instance;
	uint32_t pad2;
	uint64_t reserved[3];
};
REC_SIZE(struct rec_xe_vm_bind_op, 80);
REC_CHECK(struct rec_xe_vm_bind_op, obj, 8);
REC_CHECK(struct rec_xe_vm_bind_op, obj_offset, 16);
REC_CHECK(struct rec_xe_vm_bind_op, range, 24);
REC_CHECK(struct rec_xe_vm_bind_op, addr, 32);
REC_CHECK(struct rec_xe_vm_bind_op, op, 40);
REC_CHECK(struct rec_xe_vm_bind_op, flags, 44);

struct rec_xe_vm_bind {
	uint64_t extensions;
	uint32_t vm_id;
	uint32_t exec_queue_id;
	uint32_t pad;
	uint32_t num_binds;
	union {
		struct rec_xe_vm_bind_op bind;
		uint64_t vector_of_binds;
	};
	uint32_t pad2;
	uint32_t num_syncs;
	uint64_t syncs;
	uint64_t reserved[2];
};
REC_SIZE(struct rec_xe_vm_bind, 136);
REC_CHECK(struct rec_xe_vm_bind, vm_id, 8);
REC_CHECK(struct rec_xe_vm_bind, exec_queue_id, 12);
REC_CHECK(struct rec_xe_vm_bind, num_binds, 20);
REC_CHECK(struct rec_xe_vm_bind, bind, 24);
REC_CHECK(struct rec_xe_vm_bind, vector_of_binds, 24);
REC_CHECK(struct rec_xe_vm_bind, num_syncs, 108);

#define REC_XE_DEVICE_QUERY 0x00
#define REC_XE_GEM_CREATE 0x01
#define REC_XE_VM_CREATE 0x03
#define REC_XE_VM_DESTROY 0x04
#define REC_XE_VM_BIND 0x05
#define REC_IOCTL_XE_DEVICE_QUERY REC_DRM_IOWR(REC_XE_DEVICE_QUERY, struct rec_xe_device_query)
#define REC_IOCTL_XE_GEM_CREATE REC_DRM_IOWR(REC_XE_GEM_CREATE, struct rec_xe_gem_create)
#define REC_IOCTL_XE_VM_CREATE REC_DRM_IOWR(REC_XE_VM_CREATE, struct rec_xe_vm_create)
#define REC_IOCTL_XE_VM_DESTROY REC_DRM_IOW(REC_XE_VM_DESTROY, struct rec_xe_vm_destroy)
#define REC_IOCTL_XE_VM_BIND REC_DRM_IOW(REC_XE_VM_BIND, struct rec_xe_vm_bind)

/* ---- nouveau ----------------------------------------------------------- */

struct rec_nouveau_gem_info {
	uint32_t handle;
	uint32_t domain;
	uint64_t size;
	uint64_t offset;
	uint64_t map_handle;
	uint32_t tile_mode;
	uint32_t tile_flags;
};
REC_SIZE(struct rec_nouveau_gem_info, 40);

struct rec_nouveau_gem_new {
	struct rec_nouveau_gem_info info;
	uint32_t channel_hint;
	uint32_t align;
};
REC_SIZE(struct rec_nouveau_gem_new, 48);
REC_CHECK(struct rec_nouveau_gem_new, info.handle, 0);
REC_CHECK(struct rec_nouveau_gem_new, info.size, 8);

struct rec_nouveau_vm_init {
	uint64_t kernel_managed_addr;
	uint64_t kernel_managed_size;
};
REC_SIZE(struct rec_nouveau_vm_init, 16);

#define REC_NOUVEAU_BIND_OP_MAP 0x0
#define REC_NOUVEAU_BIND_OP_UNMAP 0x1
#define REC_NOUVEAU_BIND_SPARSE (1u << 8)
#define REC_NOUVEAU_BIND_RUN_ASYNC 0x1

struct rec_nouveau_vm_bind_op {
	uint32_t op;
	uint32_t flags;
	uint32_t handle;
	uint32_t pad;
	uint64_t addr;
	uint64_t bo_offset;
	uint64_t range;
};
REC_SIZE(struct rec_nouveau_vm_bind_op, 40);
REC_CHECK(struct rec_nouveau_vm_bind_op, handle, 8);
REC_CHECK(struct rec_nouveau_vm_bind_op, addr, 16);
REC_CHECK(struct rec_nouveau_vm_bind_op, bo_offset, 24);
REC_CHECK(struct rec_nouveau_vm_bind_op, range, 32);

struct rec_nouveau_vm_bind {
	uint32_t op_count;
	uint32_t flags;
	uint32_t wait_count;
	uint32_t sig_count;
	uint64_t wait_ptr;
	uint64_t sig_ptr;
	uint64_t op_ptr;
};
REC_SIZE(struct rec_nouveau_vm_bind, 40);
REC_CHECK(struct rec_nouveau_vm_bind, op_ptr, 32);

#define REC_NOUVEAU_VM_INIT 0x10
#define REC_NOUVEAU_VM_BIND 0x11
#define REC_NOUVEAU_GEM_NEW 0x40
#define REC_IOCTL_NOUVEAU_VM_INIT REC_DRM_IOWR(REC_NOUVEAU_VM_INIT, struct rec_nouveau_vm_init)
#define REC_IOCTL_NOUVEAU_VM_BIND REC_DRM_IOWR(REC_NOUVEAU_VM_BIND, struct rec_nouveau_vm_bind)
#define REC_IOCTL_NOUVEAU_GEM_NEW REC_DRM_IOWR(REC_NOUVEAU_GEM_NEW, struct rec_nouveau_gem_new)

/* ---- msm --------------------------------------------------------------- */

struct rec_msm_param {
	uint32_t pipe;
	uint32_t param;
	uint64_t value;
	uint32_t len;
	uint32_t pad;
};
REC_SIZE(struct rec_msm_param, 24);
REC_CHECK(struct rec_msm_param, value, 8);
#define REC_MSM_PARAM_VA_START 0x0e
#define REC_MSM_PARAM_VA_SIZE 0x0f

struct rec_msm_gem_new {
	uint64_t size;
	uint32_t flags;
	uint32_t handle;
};
REC_SIZE(struct rec_msm_gem_new, 16);
REC_CHECK(struct rec_msm_gem_new, handle, 12);

#define REC_MSM_BIND_OP_UNMAP 0
#define REC_MSM_BIND_OP_MAP 1
#define REC_MSM_BIND_OP_MAP_NULL 2

struct rec_msm_vm_bind_op {
	uint32_t op;
	uint32_t handle;
	uint64_t obj_offset;
	uint64_t iova;
	uint64_t range;
	uint32_t flags;
	uint32_t pad;
};
REC_SIZE(struct rec_msm_vm_bind_op, 40);
REC_CHECK(struct rec_msm_vm_bind_op, obj_offset, 8);
REC_CHECK(struct rec_msm_vm_bind_op, iova, 16);
REC_CHECK(struct rec_msm_vm_bind_op, range, 24);

struct rec_msm_vm_bind {
	uint32_t flags;
	uint32_t nr_ops;
	int32_t fence_fd;
	uint32_t queue_id;
	uint64_t in_syncobjs;
	uint64_t out_syncobjs;
	uint32_t nr_in_syncobjs;
	uint32_t nr_out_syncobjs;
	uint32_t syncobj_stride;
	uint32_t op_stride;
	union {
		struct rec_msm_vm_bind_op op;
		uint64_t ops;
	};
};
REC_SIZE(struct rec_msm_vm_bind, 88);
REC_CHECK(struct rec_msm_vm_bind, nr_ops, 4);
REC_CHECK(struct rec_msm_vm_bind, queue_id, 12);
REC_CHECK(struct rec_msm_vm_bind, op_stride, 44);
REC_CHECK(struct rec_msm_vm_bind, op, 48);
REC_CHECK(struct rec_msm_vm_bind, ops, 48);

#define REC_MSM_GET_PARAM 0x00
#define REC_MSM_GEM_NEW 0x02
#define REC_MSM_VM_BIND 0x0d
#define REC_IOCTL_MSM_GET_PARAM REC_DRM_IOWR(REC_MSM_GET_PARAM, struct rec_msm_param)
#define REC_IOCTL_MSM_GEM_NEW REC_DRM_IOWR(REC_MSM_GEM_NEW, struct rec_msm_gem_new)
#define REC_IOCTL_MSM_VM_BIND REC_DRM_IOWR(REC_MSM_VM_BIND, struct rec_msm_vm_bind)

/* ---- asahi ------------------------------------------------------------- */

struct rec_asahi_get_params {
	uint32_t param_group;
	uint32_t pad;
	uint64_t pointer;
	uint64_t size;
};
REC_SIZE(struct rec_asahi_get_params, 24);

/* the leading part of drm_asahi_params_global, up to vm_end */
struct rec_asahi_params_global {
	uint64_t features;
	uint32_t gpu_generation;
	uint32_t gpu_variant;
	uint32_t gpu_revision;
	uint32_t chip_id;
	uint32_t num_dies;
	uint32_t num_clusters_total;
	uint32_t num_cores_per_cluster;
	uint32_t max_frequency_khz;
	uint64_t core_masks[64];
	uint64_t vm_start;
	uint64_t vm_end;
};
REC_CHECK(struct rec_asahi_params_global, core_masks, 40);
REC_CHECK(struct rec_asahi_params_global, vm_start, 552);
REC_CHECK(struct rec_asahi_params_global, vm_end, 560);

struct rec_asahi_vm_create {
	uint64_t kernel_start;
	uint64_t kernel_end;
	uint32_t vm_id;
	uint32_t pad;
};
REC_SIZE(struct rec_asahi_vm_create, 24);
REC_CHECK(struct rec_asahi_vm_create, vm_id, 16);

struct rec_asahi_vm_destroy {
	uint32_t vm_id;
	uint32_t pad;
};
REC_SIZE(struct rec_asahi_vm_destroy, 8);

struct rec_asahi_gem_create {
	uint64_t size;
	uint32_t flags;
	uint32_t vm_id;
	uint32_t handle;
	uint32_t pad;
};
REC_SIZE(struct rec_asahi_gem_create, 24);
REC_CHECK(struct rec_asahi_gem_create, handle, 16);

#define REC_ASAHI_BIND_UNBIND (1u << 0)
#define REC_ASAHI_BIND_READ (1u << 1)
#define REC_ASAHI_BIND_WRITE (1u << 2)
#define REC_ASAHI_BIND_SINGLE_PAGE (1u << 3)

struct rec_asahi_gem_bind_op {
	uint32_t flags;
	uint32_t handle;
	uint64_t offset;
	uint64_t range;
	uint64_t addr;
};
REC_SIZE(struct rec_asahi_gem_bind_op, 32);
REC_CHECK(struct rec_asahi_gem_bind_op, offset, 8);
REC_CHECK(struct rec_asahi_gem_bind_op, range, 16);
REC_CHECK(struct rec_asahi_gem_bind_op, addr, 24);

struct rec_asahi_vm_bind {
	uint32_t vm_id;
	uint32_t num_binds;
	uint32_t stride;
	uint32_t pad;
	uint64_t userptr;
};
REC_SIZE(struct rec_asahi_vm_bind, 24);
REC_CHECK(struct rec_asahi_vm_bind, userptr, 16);

#define REC_ASAHI_GET_PARAMS 0x00
#define REC_ASAHI_VM_CREATE 0x02
#define REC_ASAHI_VM_DESTROY 0x03
#define REC_ASAHI_VM_BIND 0x04
#define REC_ASAHI_GEM_CREATE 0x05
#define REC_IOCTL_ASAHI_GET_PARAMS REC_DRM_IOW(REC_ASAHI_GET_PARAMS, struct rec_asahi_get_params)
#define REC_IOCTL_ASAHI_VM_CREATE REC_DRM_IOWR(REC_ASAHI_VM_CREATE, struct rec_asahi_vm_create)
#define REC_IOCTL_ASAHI_VM_DESTROY REC_DRM_IOW(REC_ASAHI_VM_DESTROY, struct rec_asahi_vm_destroy)
#define REC_IOCTL_ASAHI_VM_BIND REC_DRM_IOW(REC_ASAHI_VM_BIND, struct rec_asahi_vm_bind)
#define REC_IOCTL_ASAHI_GEM_CREATE REC_DRM_IOWR(REC_ASAHI_GEM_CREATE, struct rec_asahi_gem_create)

/* ---- powervr ----------------------------------------------------------- */

struct rec_pvr_create_bo {
	uint64_t size;
	uint32_t handle;
	uint32_t pad;
	uint64_t flags;
};
REC_SIZE(struct rec_pvr_create_bo, 24);
REC_CHECK(struct rec_pvr_create_bo, handle, 8);

struct rec_pvr_vm_context {
	uint32_t handle;
	uint32_t pad;
};
REC_SIZE(struct rec_pvr_vm_context, 8);

struct rec_pvr_vm_map {
	uint32_t vm_context_handle;
	uint32_t flags;
	uint64_t device_addr;
	uint32_t handle;
	uint32_t pad;
	uint64_t offset;
	uint64_t size;
};
REC_SIZE(struct rec_pvr_vm_map, 40);
REC_CHECK(struct rec_pvr_vm_map, device_addr, 8);
REC_CHECK(struct rec_pvr_vm_map, handle, 16);
REC_CHECK(struct rec_pvr_vm_map, offset, 24);
REC_CHECK(struct rec_pvr_vm_map, size, 32);

struct rec_pvr_vm_unmap {
	uint32_t vm_context_handle;
	uint32_t pad;
	uint64_t device_addr;
	uint64_t size;
};
REC_SIZE(struct rec_pvr_vm_unmap, 24);
REC_CHECK(struct rec_pvr_vm_unmap, device_addr, 8);
REC_CHECK(struct rec_pvr_vm_unmap, size, 16);

#define REC_PVR_CREATE_BO 0x01
#define REC_PVR_CREATE_VM_CONTEXT 0x03
#define REC_PVR_DESTROY_VM_CONTEXT 0x04
#define REC_PVR_VM_MAP 0x05
#define REC_PVR_VM_UNMAP 0x06
#define REC_IOCTL_PVR_CREATE_BO REC_DRM_IOWR(REC_PVR_CREATE_BO, struct rec_pvr_create_bo)
#define REC_IOCTL_PVR_CREATE_VM_CONTEXT REC_DRM_IOWR(REC_PVR_CREATE_VM_CONTEXT, struct rec_pvr_vm_context)
#define REC_IOCTL_PVR_DESTROY_VM_CONTEXT REC_DRM_IOW(REC_PVR_DESTROY_VM_CONTEXT, struct rec_pvr_vm_context)
#define REC_IOCTL_PVR_VM_MAP REC_DRM_IOW(REC_PVR_VM_MAP, struct rec_pvr_vm_map)
#define REC_IOCTL_PVR_VM_UNMAP REC_DRM_IOW(REC_PVR_VM_UNMAP, struct rec_pvr_vm_unmap)

/* ---- panfrost ---------------------------------------------------------- */

struct rec_panfrost_create_bo {
	uint32_t size;
	uint32_t flags;
	uint32_t handle;
	uint32_t pad;
	uint64_t offset;
};
REC_SIZE(struct rec_panfrost_create_bo, 24);
REC_CHECK(struct rec_panfrost_create_bo, handle, 8);
REC_CHECK(struct rec_panfrost_create_bo, offset, 16);
#define REC_PANFROST_BO_HEAP (1u << 1)

#define REC_PANFROST_CREATE_BO 0x02
#define REC_IOCTL_PANFROST_CREATE_BO REC_DRM_IOWR(REC_PANFROST_CREATE_BO, struct rec_panfrost_create_bo)

#endif
