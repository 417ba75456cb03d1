/* SPDX-License-Identifier: MIT */
/*
 * Mali backend, layer 4: GPU discovery, address-space slots, the MMU
 * maintenance sequences and the MMU interrupt.
 *
 * Invariant kept by every sequence here: when a function returns without
 * error, no AS command it issued is still running (it waited for AS_ACTIVE
 * to clear after the last one).  So a sequence only polls AS_STATUS before
 * its first command and after each command, which gives the register
 * traces of cases T52 and T53 (docs/test-cases.md).
 */
#include <errno.h>
#include <string.h>

#include <gpuvm/mali_mmu.h>

#include "../core/internal.h"

#define ALL_ONES32	0xFFFFFFFFu

struct mmu_slot {
	struct gpuvm_mali_as_client *client;	/* bound client, or NULL */
	bool locked;				/* CSF lock region held */
};

struct gpuvm_mali_mmu {
	struct gpuvm_mali_hal *hal;
	struct gpuvm_mali_gpu_info info;
	bool needs_reset;
	uint32_t irq_enabled;		/* fault bits we want unmasked */
	uint32_t faulty;		/* slots masked after a fault */
	uint64_t lru_clock;
	bool have_events;
	uint32_t last_events;
	gpuvm_mali_fault_fn fault_fn;
	void *fault_priv;
	struct gpuvm_mali_mmu_stats st;
	struct mmu_slot slot[GPUVM_MALI_MAX_AS];
};

/* ---------------------------------------------------------------------
 * Discovery
 */

GPUVM_EXPORT int gpuvm_mali_gpu_decode(uint32_t gpu_id, uint32_t mmu_features,
				       uint32_t as_present,
				       uint32_t coherency_features,
				       struct gpuvm_mali_gpu_info *info)
{
	struct gpuvm_mali_gpu_info d;

	if (!info)
		return -EINVAL;
	if (gpu_id == 0 || gpu_id == ALL_ONES32)
		return -ENODEV;

	memset(&d, 0, sizeof(d));
	d.gpu_id = gpu_id;
	d.mmu_features = mmu_features;
	d.as_present = as_present & ((1u << GPUVM_MALI_MAX_AS) - 1);
	d.coherency_features = coherency_features;
	d.va_bits = GPUVM_MALI_MMU_VA_BITS(mmu_features);
	d.pa_bits = GPUVM_MALI_MMU_PA_BITS(mmu_features);
	if (!d.as_present || d.va_bits < 32 || d.va_bits > 48 ||
	    d.pa_bits < 32 || d.pa_bits > 48)
		return -ENODEV;

	d.version_major = GPUVM_MALI_GPU_VERSION_MAJOR(gpu_id);
	d.version_minor = GPUVM_MALI_GPU_VERSION_MINOR(gpu_id);
	d.version_status = GPUVM_MALI_GPU_VERSION_STATUS(gpu_id);
	/* panfrost's rule: product ids 0x6000 and up use the new layout. */
	d.new_format = (GPUVM_MALI_GPU_PRODUCT_ID(gpu_id) & 0xF000u) >= 0x6000u;
	if (d.new_format) {
		d.arch_major = GPUVM_MALI_GPU_ARCH_MAJOR(gpu_id);
		d.arch_minor = GPUVM_MALI_GPU_ARCH_MINOR(gpu_id);
		d.arch_rev = GPUVM_MALI_GPU_ARCH_REV(gpu_id);
		d.product_major = GPUVM_MALI_GPU_PRODUCT_MAJOR(gpu_id);
	} else {
		d.product_id = GPUVM_MALI_GPU_PRODUCT_ID(gpu_id);
		d.arch_major = 4;	/* Midgard */
	}
	d.csf = d.arch_major >= GPUVM_MALI_CSF_MIN_ARCH;
	d.has_transcfg = d.new_format;
	d.aarch64 = d.new_format;
	d.format = d.aarch64 ? GPUVM_MALI_PT_AARCH64_4K : GPUVM_MALI_PT_LPAE;
	*info = d;
	return 0;
}

GPUVM_EXPORT int gpuvm_mali_gpu_probe(struct gpuvm_mali_hal *hal,
				      struct gpuvm_mali_gpu_info *info)
{
	uint32_t id, mmu, as, coh;

	if (!hal || !info)
		return -EINVAL;
	id = gpuvm_mali_rd32(hal, GPUVM_MALI_GPU_ID);
	mmu = gpuvm_mali_rd32(hal, GPUVM_MALI_MMU_FEATURES);
	as = gpuvm_mali_rd32(hal, GPUVM_MALI_AS_PRESENT);
	coh = gpuvm_mali_rd32(hal, GPUVM_MALI_COHERENCY_FEATURES);
	return gpuvm_mali_gpu_decode(id, mmu, as, coh, info);
}

/* ---------------------------------------------------------------------
 * Lock regions
 */

/* 1-based index of the highest set bit; 0 for 0 */
static unsigned int mmu_fls64(uint64_t v)
{
	return v ? 64u - (unsigned int)__builtin_clzll(v) : 0u;
}

GPUVM_EXPORT int gpuvm_mali_lockaddr(uint64_t start, uint64_t size,
				     uint64_t *value)
{
	uint64_t last, base;
	unsigned int log2;

	if (!size || !value)
		return -EINVAL;
	last = start + (size - 1);
	if (last < start)
		last = UINT64_MAX;
	log2 = mmu_fls64(start ^ last);
	if (log2 < GPUVM_MALI_LOCK_REGION_MIN_SHIFT)
		log2 = GPUVM_MALI_LOCK_REGION_MIN_SHIFT;
	base = log2 >= 64 ? 0 : start & ~((1ull << log2) - 1);
	*value = (base & GPUVM_MALI_LOCKADDR_BASE_MASK) | (uint64_t)(log2 - 1);
	return 0;
}

/* ---------------------------------------------------------------------
 * Fault names
 */

GPUVM_EXPORT const char *gpuvm_mali_fault_name(uint32_t exception_type)
{
	static const char *const translation[] = {
		"TRANSLATION_FAULT_0", "TRANSLATION_FAULT_1",
		"TRANSLATION_FAULT_2", "TRANSLATION_FAULT_3",
		"TRANSLATION_FAULT_4", NULL, NULL,
		"TRANSLATION_FAULT_IDENTITY",
	};
	static const char *const by_class[][4] = {
		{ NULL, NULL, NULL, NULL },	/* translation: table above */
		{ "PERM_FAULT_0", "PERM_FAULT_1", "PERM_FAULT_2",
		  "PERM_FAULT_3" },
		{ "TRANSTAB_BUS_FAULT_0", "TRANSTAB_BUS_FAULT_1",
		  "TRANSTAB_BUS_FAULT_2", "TRANSTAB_BUS_FAULT_3" },
		{ "ACCESS_FLAG_0", "ACCESS_FLAG_1", "ACCESS_FLAG_2",
		  "ACCESS_FLAG_3" },
		{ "ADDR_SIZE_FAULT_IN", "ADDR_SIZE_FAULT_IN_1",
		  "ADDR_SIZE_FAULT_IN_2", "ADDR_SIZE_FAULT_IN_3" },
		{ "MEM_ATTR_FAULT_0", "MEM_ATTR_FAULT_1", "MEM_ATTR_FAULT_2",
		  "MEM_ATTR_FAULT_3" },
	};
	static const char *const addr_out[] = {
		"ADDR_SIZE_FAULT_OUT_0", "ADDR_SIZE_FAULT_OUT_1",
		"ADDR_SIZE_FAULT_OUT_2", "ADDR_SIZE_FAULT_OUT_3",
	};
	static const char *const noncache[] = {
		"MEM_ATTR_NONCACHE_0", "MEM_ATTR_NONCACHE_1",
		"MEM_ATTR_NONCACHE_2", "MEM_ATTR_NONCACHE_3",
	};
	uint32_t t = exception_type;
	unsigned int cls, lvl;
	const char *name = NULL;

	switch (t) {
	case GPUVM_MALI_EXC_DELAYED_BUS_FAULT:
		return "GPU_BUS_FAULT";
	case GPUVM_MALI_EXC_GPU_SHAREABILITY_FAULT:
		return "GPU_SHAREABILITY_FAULT";
	case GPUVM_MALI_EXC_SYS_SHAREABILITY_FAULT:
		return "SYSTEM_SHAREABILITY_FAULT";
	case GPUVM_MALI_EXC_GPU_CACHEABILITY_FAULT:
		return "GPU_CACHEABILITY_FAULT";
	default:
		break;
	}
	if (t > 0xFFu || !GPUVM_MALI_EXC_IS_MMU(t))
		return "UNKNOWN";
	cls = GPUVM_MALI_EXC_CLASS(t);
	lvl = GPUVM_MALI_EXC_LEVEL(t);
	if (cls == 0)
		name = translation[lvl];
	else if (cls == 4 && lvl >= 4)
		name = addr_out[lvl - 4];
	else if (cls == 5 && lvl >= 4)
		name = noncache[lvl - 4];
	else if (cls <= 5 && lvl < 4)
		name = by_class[cls][lvl];
	return name ? name : "UNKNOWN";
}

GPUVM_EXPORT const char *gpuvm_mali_access_name(uint32_t access_type)
{
	static const char *const names[] = {
		"ATOMIC", "EXECUTE", "READ", "WRITE",
	};

	return access_type < 4 ? names[access_type] : "UNKNOWN";
}

/* ---------------------------------------------------------------------
 * Registers
 */

static uint32_t rd(struct gpuvm_mali_mmu *mmu, uint32_t off)
{
	return gpuvm_mali_rd32(mmu->hal, off);
}

static void wr(struct gpuvm_mali_mmu *mmu, uint32_t off, uint32_t v)
{
	gpuvm_mali_wr32(mmu->hal, off, v);
}

static void mmu_barrier(struct gpuvm_mali_mmu *mmu)
{
	if (mmu->hal->ops->barrier)
		mmu->hal->ops->barrier(mmu->hal);
}

static bool slot_present(const struct gpuvm_mali_mmu *mmu, unsigned int as)
{
	return as < GPUVM_MALI_MAX_AS && (mmu->info.as_present >> as) & 1u;
}

/* MMU_INT bits that belong to slot @as */
static uint32_t slot_irq_bits(const struct gpuvm_mali_mmu *mmu, unsigned int as)
{
	uint32_t bits = GPUVM_MALI_MMU_IRQ_FAULT(as);

	if (!mmu->info.csf)
		bits |= GPUVM_MALI_MMU_IRQ_BUS_FAULT(as);
	return bits;
}

static void write_irq_mask(struct gpuvm_mali_mmu *mmu)
{
	wr(mmu, GPUVM_MALI_MMU_INT_MASK, mmu->irq_enabled & ~mmu->faulty);
}

static void enter_needs_reset(struct gpuvm_mali_mmu *mmu, const char *why)
{
	if (!mmu->needs_reset)
		gpuvm_warn("%s; the GPU needs a reset", why);
	mmu->needs_reset = true;
	mmu->st.timeouts++;
}

/*
 * Poll until (register @off & @bit) equals @want, every 10 us for 100 ms of
 * HAL time.  No status register polled here can read 0xFFFFFFFF: such a
 * value is a bus error or a powered-off GPU, never a status, so it never
 * ends the poll (otherwise a flush would "complete" on a dead GPU).  One is
 * retried; a second one in a row gives up.  Returns 0, -ETIMEDOUT, or -EIO
 * for the all-ones reads.
 */
static int poll_reg(struct gpuvm_mali_mmu *mmu, uint32_t off, uint32_t bit,
		    bool want, uint64_t *busy)
{
	struct gpuvm_mali_hal *hal = mmu->hal;
	uint64_t t0 = hal->ops->now_ns(hal);
	unsigned int all_ones = 0;

	for (;;) {
		uint32_t v = rd(mmu, off);

		if (v == ALL_ONES32) {
			if (++all_ones >= 2)
				return -EIO;
		} else {
			all_ones = 0;
			if (((v & bit) != 0) == want)
				return 0;
		}
		if (busy)
			(*busy)++;
		if (hal->ops->now_ns(hal) - t0 >=
		    (uint64_t)GPUVM_MALI_MMU_TIMEOUT_US * 1000u)
			return -ETIMEDOUT;
		hal->ops->sleep_us(hal, GPUVM_MALI_MMU_POLL_US);
	}
}

static int as_wait(struct gpuvm_mali_mmu *mmu, unsigned int as)
{
	int ret = poll_reg(mmu, GPUVM_MALI_AS_REG(as, GPUVM_MALI_AS_STATUS),
			   GPUVM_MALI_AS_STATUS_ACTIVE, false,
			   &mmu->st.busy_polls);

	if (ret)
		enter_needs_reset(mmu, ret == -EIO ? "AS_STATUS reads all ones" :
				  "AS_ACTIVE bit stuck");
	return ret;
}

/* Issue @cmd on an idle slot and wait for it to finish. */
static int as_cmd(struct gpuvm_mali_mmu *mmu, unsigned int as, uint32_t cmd)
{
	wr(mmu, GPUVM_MALI_AS_REG(as, GPUVM_MALI_AS_COMMAND), cmd);
	return as_wait(mmu, as);
}

/* Idle slot: program LOCKADDR and lock it (waits after). */
static int as_lock(struct gpuvm_mali_mmu *mmu, unsigned int as,
		   uint64_t start, uint64_t size)
{
	uint64_t v;

	if (gpuvm_mali_lockaddr(start, size, &v))
		return 0;
	gpuvm_mali_wr64(mmu->hal,
			GPUVM_MALI_AS_REG(as, GPUVM_MALI_AS_LOCKADDR_LO), v);
	return as_cmd(mmu, as, GPUVM_MALI_AS_COMMAND_LOCK);
}

/* CSF: GPU_CMD cache flush and wait for CLEAN_CACHES_COMPLETED. */
static int gpu_flush(struct gpuvm_mali_mmu *mmu, uint32_t cmd)
{
	const uint32_t done = GPUVM_MALI_GPU_IRQ_CLEAN_CACHES_COMPLETED;
	int ret;

	wr(mmu, GPUVM_MALI_GPU_INT_CLEAR, done);
	wr(mmu, GPUVM_MALI_GPU_CMD, cmd);
	ret = poll_reg(mmu, GPUVM_MALI_GPU_INT_RAWSTAT, done, true, NULL);
	if (ret) {
		enter_needs_reset(mmu, ret == -EIO ?
				  "GPU_INT_RAWSTAT reads all ones" :
				  "GPU cache flush timed out");
		return ret;
	}
	wr(mmu, GPUVM_MALI_GPU_INT_CLEAR, done);
	return 0;
}

static int check_slot(struct gpuvm_mali_mmu *mmu, unsigned int as)
{
	if (!mmu || !slot_present(mmu, as))
		return -EINVAL;
	if (mmu->needs_reset)
		return -EIO;
	return 0;
}

/* ---------------------------------------------------------------------
 * The MMU object
 */

static void irq_init(struct gpuvm_mali_mmu *mmu)
{
	unsigned int as;

	mmu->irq_enabled = 0;
	for (as = 0; as < GPUVM_MALI_MAX_AS; as++)
		if (slot_present(mmu, as))
			mmu->irq_enabled |= slot_irq_bits(mmu, as);
	mmu->faulty = 0;
	wr(mmu, GPUVM_MALI_MMU_INT_CLEAR, ALL_ONES32);
	write_irq_mask(mmu);
}

GPUVM_EXPORT int gpuvm_mali_mmu_create(struct gpuvm_mali_hal *hal,
				       const struct gpuvm_mali_gpu_info *info,
				       struct gpuvm_mali_mmu **out)
{
	struct gpuvm_mali_gpu_info probed;
	struct gpuvm_mali_mmu *mmu;
	int ret;

	if (!hal || !out)
		return -EINVAL;
	if (!info) {
		ret = gpuvm_mali_gpu_probe(hal, &probed);
		if (ret)
			return ret;
		info = &probed;
	}
	mmu = gpuvm_zalloc(sizeof(*mmu));
	if (!mmu)
		return -ENOMEM;
	mmu->hal = hal;
	mmu->info = *info;
	mmu->info.as_present &= (1u << GPUVM_MALI_MAX_AS) - 1;
	irq_init(mmu);
	*out = mmu;
	return 0;
}

static void unbind_all(struct gpuvm_mali_mmu *mmu)
{
	unsigned int as;

	for (as = 0; as < GPUVM_MALI_MAX_AS; as++) {
		struct gpuvm_mali_as_client *c = mmu->slot[as].client;

		if (c) {
			c->as = -1;
			c->updating = false;
			c->upd_locked = false;
		}
		mmu->slot[as].client = NULL;
		mmu->slot[as].locked = false;
	}
}

GPUVM_EXPORT void gpuvm_mali_mmu_destroy(struct gpuvm_mali_mmu *mmu)
{
	if (!mmu)
		return;
	unbind_all(mmu);
	gpuvm_free(mmu);
}

GPUVM_EXPORT const struct gpuvm_mali_gpu_info *
gpuvm_mali_mmu_info(const struct gpuvm_mali_mmu *mmu)
{
	return &mmu->info;
}

GPUVM_EXPORT void gpuvm_mali_mmu_set_fault_handler(struct gpuvm_mali_mmu *mmu,
						   gpuvm_mali_fault_fn fn,
						   void *priv)
{
	mmu->fault_fn = fn;
	mmu->fault_priv = priv;
}

GPUVM_EXPORT bool gpuvm_mali_mmu_needs_reset(const struct gpuvm_mali_mmu *mmu)
{
	return mmu->needs_reset;
}

GPUVM_EXPORT void gpuvm_mali_mmu_reset_done(struct gpuvm_mali_mmu *mmu)
{
	unbind_all(mmu);
	mmu->needs_reset = false;
	irq_init(mmu);
}

GPUVM_EXPORT void gpuvm_mali_mmu_stats(const struct gpuvm_mali_mmu *mmu,
				       struct gpuvm_mali_mmu_stats *st)
{
	*st = mmu->st;
}

GPUVM_EXPORT uint32_t gpuvm_mali_mmu_faulty_mask(const struct gpuvm_mali_mmu *mmu)
{
	uint32_t mask = 0;
	unsigned int as;

	for (as = 0; as < GPUVM_MALI_MAX_AS; as++)
		if (mmu->faulty & slot_irq_bits(mmu, as))
			mask |= 1u << as;
	return mask;
}

GPUVM_EXPORT int gpuvm_mali_mmu_wait_ready(struct gpuvm_mali_mmu *mmu,
					   unsigned int as)
{
	int ret = check_slot(mmu, as);

	return ret ? ret : as_wait(mmu, as);
}

/* ---------------------------------------------------------------------
 * Enable / disable
 */

GPUVM_EXPORT int gpuvm_mali_mmu_as_enable(struct gpuvm_mali_mmu *mmu,
					  unsigned int as, uint64_t transtab,
					  uint64_t memattr, uint64_t transcfg)
{
	struct gpuvm_mali_hal *hal;
	uint32_t bits;
	int ret;

	ret = check_slot(mmu, as);
	if (ret)
		return ret;
	if (mmu->slot[as].locked) {
		gpuvm_warn("AS%u: UPDATE refused while a region is locked", as);
		return -EBUSY;
	}
	hal = mmu->hal;
	bits = slot_irq_bits(mmu, as);
	if (mmu->faulty & bits) {
		/* clear the stale fault before unmasking it */
		wr(mmu, GPUVM_MALI_MMU_INT_CLEAR, bits);
		mmu->faulty &= ~bits;
		write_irq_mask(mmu);
	}
	mmu_barrier(mmu);	/* the root table must be visible before UPDATE */
	gpuvm_mali_wr64(hal, GPUVM_MALI_AS_REG(as, GPUVM_MALI_AS_TRANSTAB_LO),
			transtab);
	gpuvm_mali_wr64(hal, GPUVM_MALI_AS_REG(as, GPUVM_MALI_AS_MEMATTR_LO),
			memattr);
	if (mmu->info.has_transcfg)
		gpuvm_mali_wr64(hal,
				GPUVM_MALI_AS_REG(as, GPUVM_MALI_AS_TRANSCFG_LO),
				transcfg);
	ret = as_wait(mmu, as);
	if (ret)
		return ret;
	return as_cmd(mmu, as, GPUVM_MALI_AS_COMMAND_UPDATE);
}

GPUVM_EXPORT int gpuvm_mali_mmu_as_disable(struct gpuvm_mali_mmu *mmu,
					   unsigned int as)
{
	struct gpuvm_mali_hal *hal;
	int ret;

	ret = check_slot(mmu, as);
	if (ret)
		return ret;
	if (mmu->slot[as].locked) {
		gpuvm_warn("AS%u: disable refused while a region is locked", as);
		return -EBUSY;
	}
	hal = mmu->hal;
	mmu_barrier(mmu);
	if (mmu->info.csf) {
		ret = gpu_flush(mmu, GPUVM_MALI_CSF_GPU_CMD_FLUSH_ALL);
		if (!ret)
			ret = as_wait(mmu, as);
	} else {
		ret = as_wait(mmu, as);
		if (!ret)
			ret = as_lock(mmu, as, 0, UINT64_MAX);
		if (!ret)
			ret = as_cmd(mmu, as, GPUVM_MALI_AS_COMMAND_FLUSH_MEM);
	}
	if (ret)
		return ret;
	gpuvm_mali_wr64(hal, GPUVM_MALI_AS_REG(as, GPUVM_MALI_AS_TRANSTAB_LO), 0);
	gpuvm_mali_wr64(hal, GPUVM_MALI_AS_REG(as, GPUVM_MALI_AS_MEMATTR_LO), 0);
	if (mmu->info.has_transcfg)
		gpuvm_mali_wr64(hal,
				GPUVM_MALI_AS_REG(as, GPUVM_MALI_AS_TRANSCFG_LO),
				GPUVM_MALI_TRANSCFG_ADRMODE_UNMAPPED);
	return as_cmd(mmu, as, GPUVM_MALI_AS_COMMAND_UPDATE);
}

/* ---------------------------------------------------------------------
 * Clients and slot allocation
 */

GPUVM_EXPORT void gpuvm_mali_as_client_init(struct gpuvm_mali_as_client *client,
					    uint64_t transtab, uint64_t memattr,
					    uint64_t transcfg)
{
	memset(client, 0, sizeof(*client));
	client->transtab = transtab;
	client->memattr = memattr;
	client->transcfg = transcfg;
	client->as = -1;
}

static bool client_bound(const struct gpuvm_mali_mmu *mmu,
			 const struct gpuvm_mali_as_client *c)
{
	return c->as >= 0 && c->as < (int)GPUVM_MALI_MAX_AS &&
	       mmu->slot[c->as].client == c;
}

static void touch(struct gpuvm_mali_mmu *mmu, struct gpuvm_mali_as_client *c)
{
	c->last_used = ++mmu->lru_clock;
}

static int pick_slot(struct gpuvm_mali_mmu *mmu)
{
	struct gpuvm_mali_as_client *victim = NULL;
	unsigned int as;
	int ret;

	for (as = 0; as < GPUVM_MALI_MAX_AS; as++)
		if (slot_present(mmu, as) && !mmu->slot[as].client)
			return (int)as;

	for (as = 0; as < GPUVM_MALI_MAX_AS; as++) {
		struct gpuvm_mali_as_client *c = mmu->slot[as].client;

		if (!c || c->active_jobs || c->updating)
			continue;
		if (!victim || c->last_used < victim->last_used)
			victim = c;
	}
	if (!victim)
		return -EBUSY;

	as = (unsigned int)victim->as;
	ret = gpuvm_mali_mmu_as_disable(mmu, as);
	/* the victim loses the slot either way: its state is unknown now */
	victim->as = -1;
	mmu->slot[as].client = NULL;
	if (ret)
		return ret;
	mmu->st.evictions++;
	return (int)as;
}

GPUVM_EXPORT int gpuvm_mali_mmu_bind(struct gpuvm_mali_mmu *mmu,
				     struct gpuvm_mali_as_client *client)
{
	int as, ret;

	if (!mmu || !client)
		return -EINVAL;
	if (mmu->needs_reset)
		return -EIO;
	if (client->updating)
		return -EBUSY;

	if (client_bound(mmu, client)) {
		as = client->as;
		if (mmu->faulty & slot_irq_bits(mmu, (unsigned int)as)) {
			ret = gpuvm_mali_mmu_as_enable(mmu, (unsigned int)as,
						       client->transtab,
						       client->memattr,
						       client->transcfg);
			if (ret)
				return ret;
		}
		touch(mmu, client);
		return as;
	}

	as = pick_slot(mmu);
	if (as < 0)
		return as;
	ret = gpuvm_mali_mmu_as_enable(mmu, (unsigned int)as, client->transtab,
				       client->memattr, client->transcfg);
	if (ret)
		return ret;
	mmu->slot[as].client = client;
	client->as = as;
	touch(mmu, client);
	return as;
}

GPUVM_EXPORT int gpuvm_mali_mmu_unbind(struct gpuvm_mali_mmu *mmu,
				       struct gpuvm_mali_as_client *client)
{
	unsigned int as;
	int ret;

	if (!mmu || !client)
		return -EINVAL;
	if (!client_bound(mmu, client))
		return 0;
	if (client->updating)
		return -EBUSY;
	as = (unsigned int)client->as;
	ret = gpuvm_mali_mmu_as_disable(mmu, as);
	mmu->slot[as].client = NULL;
	client->as = -1;
	return ret;
}

/* ---------------------------------------------------------------------
 * Update windows
 */

GPUVM_EXPORT int gpuvm_mali_mmu_begin_update(struct gpuvm_mali_mmu *mmu,
					     struct gpuvm_mali_as_client *client,
					     uint64_t start, uint64_t size)
{
	unsigned int as;
	int ret;

	if (!mmu || !client)
		return -EINVAL;
	if (mmu->needs_reset)
		return -EIO;
	if (client->updating)
		return -EBUSY;

	client->updating = true;
	client->upd_locked = false;
	client->upd_start = start;
	client->upd_size = size;
	if (!size || !client_bound(mmu, client) || !mmu->info.csf)
		return 0;

	as = (unsigned int)client->as;
	touch(mmu, client);
	mmu_barrier(mmu);
	ret = as_wait(mmu, as);
	if (!ret)
		ret = as_lock(mmu, as, start, size);
	if (ret) {
		client->updating = false;
		return ret;
	}
	client->upd_locked = true;
	mmu->slot[as].locked = true;
	return 0;
}

static int end_csf(struct gpuvm_mali_mmu *mmu, unsigned int as,
		   unsigned int flags)
{
	uint32_t cmd = (flags & GPUVM_MALI_MMU_UPDATE_MEM) ?
		       GPUVM_MALI_CSF_GPU_CMD_FLUSH_MEM :
		       GPUVM_MALI_CSF_GPU_CMD_FLUSH_PT;
	int ret;

	ret = gpu_flush(mmu, cmd);
	if (ret)
		return ret;
	ret = as_cmd(mmu, as, GPUVM_MALI_AS_COMMAND_UNLOCK);
	if (!ret)
		mmu->slot[as].locked = false;
	return ret;
}

static int end_jm(struct gpuvm_mali_mmu *mmu, unsigned int as,
		  uint64_t start, uint64_t size, unsigned int flags)
{
	uint32_t cmd = (flags & GPUVM_MALI_MMU_UPDATE_MEM) ?
		       GPUVM_MALI_AS_COMMAND_FLUSH_MEM :
		       GPUVM_MALI_AS_COMMAND_FLUSH_PT;
	int ret;

	ret = as_wait(mmu, as);
	if (!ret)
		ret = as_lock(mmu, as, start, size);
	if (!ret)
		ret = as_cmd(mmu, as, cmd);
	return ret;
}

GPUVM_EXPORT int gpuvm_mali_mmu_end_update(struct gpuvm_mali_mmu *mmu,
					   struct gpuvm_mali_as_client *client,
					   struct gpuvm_mali_ptmem *mem,
					   unsigned int flags)
{
	bool locked;
	int ret = 0;

	if (!mmu || !client || !client->updating)
		return -EINVAL;
	locked = client->upd_locked;
	client->updating = false;
	client->upd_locked = false;
	if (mmu->needs_reset)
		return -EIO;

	mmu_barrier(mmu);	/* page-table stores before the first MMIO write */
	if (client->upd_size && client_bound(mmu, client)) {
		unsigned int as = (unsigned int)client->as;

		if (mmu->info.csf) {
			if (locked)
				ret = end_csf(mmu, as, flags);
		} else {
			ret = end_jm(mmu, as, client->upd_start,
				     client->upd_size, flags);
		}
	}
	if (ret)
		return ret;
	if (mem)
		gpuvm_mali_ptmem_flush_done(mem);
	return 0;
}

/* ---------------------------------------------------------------------
 * Interrupts
 */

static void report_fault(struct gpuvm_mali_mmu *mmu, unsigned int as,
			 bool bus)
{
	struct gpuvm_mali_hal *hal = mmu->hal;
	struct gpuvm_mali_fault f;

	memset(&f, 0, sizeof(f));
	f.as = as;
	f.client = mmu->slot[as].client;
	f.bus_fault = bus;
	f.status = rd(mmu, GPUVM_MALI_AS_REG(as, GPUVM_MALI_AS_FAULTSTATUS));
	f.address = gpuvm_mali_rd64(hal, GPUVM_MALI_AS_REG(as,
					GPUVM_MALI_AS_FAULTADDRESS_LO));
	if (mmu->info.has_transcfg)
		f.extra = gpuvm_mali_rd64(hal, GPUVM_MALI_AS_REG(as,
					GPUVM_MALI_AS_FAULTEXTRA_LO));
	f.exception_type = (uint8_t)GPUVM_MALI_FAULT_EXCEPTION_TYPE(f.status);
	f.access_type = (uint8_t)GPUVM_MALI_FAULT_ACCESS_TYPE(f.status);
	f.decoder_fault = (f.status & GPUVM_MALI_FAULT_DECODER) != 0;
	f.source_id = (uint16_t)GPUVM_MALI_FAULT_SOURCE_ID(f.status);
	f.name = gpuvm_mali_fault_name(f.exception_type);

	/* clear first, then tell the user: the AS stays masked meanwhile */
	wr(mmu, GPUVM_MALI_MMU_INT_CLEAR, slot_irq_bits(mmu, as));
	mmu->faulty |= slot_irq_bits(mmu, as);
	mmu->st.faults++;
	if (mmu->fault_fn)
		mmu->fault_fn(&f, mmu->fault_priv);
}

GPUVM_EXPORT int gpuvm_mali_mmu_handle_irq(struct gpuvm_mali_mmu *mmu)
{
	uint32_t status;
	int handled = 0;
	unsigned int rounds;

	status = rd(mmu, GPUVM_MALI_MMU_INT_STAT);
	if (status == ALL_ONES32) {
		enter_needs_reset(mmu, "MMU registers read all ones");
		return -ENODEV;
	}
	if (!status) {
		mmu->st.spurious_irqs++;
		return 0;
	}
	/* each round masks at least one slot, so this always ends */
	for (rounds = 0; status && rounds <= GPUVM_MALI_MAX_AS; rounds++) {
		status &= mmu->irq_enabled;
		while (status) {
			uint32_t folded = (status | (status >> 16)) & 0xFFFFu;
			unsigned int as = (unsigned int)__builtin_ctz(folded);
			uint32_t bits = slot_irq_bits(mmu, as);

			report_fault(mmu, as, !mmu->info.csf &&
				     (status & GPUVM_MALI_MMU_IRQ_BUS_FAULT(as)));
			status &= ~bits;
			handled++;
		}
		write_irq_mask(mmu);
		status = rd(mmu, GPUVM_MALI_MMU_INT_STAT);
		if (status == ALL_ONES32) {
			enter_needs_reset(mmu, "MMU registers read all ones");
			return -ENODEV;
		}
	}
	return handled;
}

GPUVM_EXPORT int gpuvm_mali_mmu_irq_loop_once(struct gpuvm_mali_mmu *mmu,
					      uint64_t timeout_us)
{
	struct gpuvm_mali_hal *hal = mmu->hal;
	uint32_t events = 0;
	int ret, rearm;

	ret = hal->ops->irq_wait(hal, timeout_us, &events);
	if (ret == -EINTR || ret == 0)
		return 0;
	if (ret < 0)
		return ret;

	mmu->st.irqs++;
	if (mmu->have_events && events - mmu->last_events > 1u) {
		uint32_t missed = events - mmu->last_events - 1u;

		mmu->st.missed_irqs += missed;
		gpuvm_warn("%u MMU interrupt(s) missed", missed);
	}
	mmu->have_events = true;
	mmu->last_events = events;

	ret = gpuvm_mali_mmu_handle_irq(mmu);
	/* the sources are clear now: re-arming cannot re-trigger */
	rearm = hal->ops->irq_rearm(hal);
	if (ret < 0)
		return ret;
	return rearm < 0 ? rearm : 1;
}
