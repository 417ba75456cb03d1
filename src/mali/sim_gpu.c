/* SPDX-License-Identifier: MIT */
/*
 * Simulated Mali GPU, part 3: the reset and power state machines, the GPU
 * fault registers and the Job-Manager job slots (see gpuvm/mali_sim_gpu.h).
 * sim.c routes the registers of these blocks here first (gpuvm_simg_read(),
 * gpuvm_simg_write()); everything else stays in sim.c.
 */
#include <errno.h>
#include <string.h>

#include <gpuvm/mali_gpu.h>

#include "gpu_internal.h"
#include "sim_internal.h"

#define SIMG_MAX_READS	1000000u
#define SIMG_STEP_US	10u
#define SIMG_MAX_STEPS	1024u
#define JS_END		GPUVM_MALI_JS_REG(GPUVM_MALI_MAX_JS, 0)

/* Per-domain registers, indexed like struct sim_gpu.dom. */
static const struct {
	uint32_t present, ready, pwron, pwroff, pwrtrans;
} dom_regs[SIMG_DOMAINS] = {
	{ GPUVM_MALI_L2_PRESENT_LO, GPUVM_MALI_L2_READY_LO, GPUVM_MALI_L2_PWRON_LO,
	  GPUVM_MALI_L2_PWROFF_LO, GPUVM_MALI_L2_PWRTRANS_LO },
	{ GPUVM_MALI_SHADER_PRESENT_LO, GPUVM_MALI_SHADER_READY_LO,
	  GPUVM_MALI_SHADER_PWRON_LO, GPUVM_MALI_SHADER_PWROFF_LO,
	  GPUVM_MALI_SHADER_PWRTRANS_LO },
	{ GPUVM_MALI_TILER_PRESENT_LO, GPUVM_MALI_TILER_READY_LO,
	  GPUVM_MALI_TILER_PWRON_LO, GPUVM_MALI_TILER_PWROFF_LO,
	  GPUVM_MALI_TILER_PWRTRANS_LO },
};

static uint64_t dom_present(const struct gpuvm_mali_sim *sim, unsigned int d)
{
	if (d == 0)
		return sim->cfg.l2_present;
	return d == 1 ? sim->gpu.cfg.shader_present : sim->gpu.cfg.tiler_present;
}

static bool is_jm(const struct gpuvm_mali_sim *sim)
{
	return sim->cfg.family == GPUVM_MALI_SIM_JM;
}

/* ---------------------------------------------------------------------
 * Configuration, injection, reset state
 */

GPUVM_EXPORT void gpuvm_mali_sim_gpu_config_init(struct gpuvm_mali_sim_gpu_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->shader_present = 0xF;
	cfg->tiler_present = 1;
}

void gpuvm_simg_init(struct gpuvm_mali_sim *sim)
{
	gpuvm_mali_sim_gpu_config_init(&sim->gpu.cfg);
}

GPUVM_EXPORT int gpuvm_mali_sim_gpu_configure(struct gpuvm_mali_sim *sim,
					      const struct gpuvm_mali_sim_gpu_config *cfg)
{
	unsigned int d;

	if (!sim || !cfg || !cfg->shader_present || !cfg->tiler_present ||
	    cfg->reset_reads > SIMG_MAX_READS || cfg->power_reads > SIMG_MAX_READS ||
	    cfg->job_reads > SIMG_MAX_READS)
		return -EINVAL;
	sim->gpu.cfg = *cfg;
	for (d = 1; d < SIMG_DOMAINS; d++) {
		sim->gpu.dom[d].ready &= dom_present(sim, d);
		sim->gpu.dom[d].trans &= dom_present(sim, d);
	}
	return 0;
}

void gpuvm_simg_reset_state(struct gpuvm_mali_sim *sim)
{
	struct sim_gpu *g = &sim->gpu;
	unsigned int j;

	g->resetting = false;
	memset(g->dom, 0, sizeof(g->dom));
	g->fault_status = 0;
	g->fault_address = 0;
	g->job_rawstat = 0;
	g->job_mask = 0;
	for (j = 0; j < SIMG_SLOTS; j++) {
		bool hang = g->js[j].hang;

		memset(&g->js[j], 0, sizeof(g->js[j]));
		g->js[j].hang = hang;
	}
}

GPUVM_EXPORT int gpuvm_mali_sim_gpu_inject(struct gpuvm_mali_sim *sim,
					   enum gpuvm_mali_sim_gpu_injection what,
					   unsigned int slot, uint64_t arg)
{
	if (!sim)
		return -EINVAL;
	switch (what) {
	case GPUVM_MALI_SIM_GPU_INJ_RESET_STUCK:
		if (arg > 1)
			return -EINVAL;
		sim->gpu.reset_stuck = arg;
		return 0;
	case GPUVM_MALI_SIM_GPU_INJ_POWER_STUCK:
		if (arg & ~(uint64_t)GPUVM_MALI_POWER_ALL)
			return -EINVAL;
		sim->gpu.power_stuck = (unsigned int)arg;
		return 0;
	case GPUVM_MALI_SIM_GPU_INJ_JOB_HANG:
		if (arg > 1 || !is_jm(sim) || slot >= SIMG_SLOTS)
			return -EINVAL;
		sim->gpu.js[slot].hang = arg;
		return 0;
	}
	return -EINVAL;
}

static int simg_fault(struct gpuvm_mali_sim *sim, uint32_t status,
		      uint64_t address)
{
	if (sim->gpu_rawstat & GPUVM_MALI_GPU_IRQ_FAULT) {
		sim->gpu_rawstat |= GPUVM_MALI_GPU_IRQ_MULTIPLE_FAULT;
		return 1;
	}
	sim->gpu.fault_status = status;
	sim->gpu.fault_address = address;
	sim->gpu_rawstat |= GPUVM_MALI_GPU_IRQ_FAULT;
	return 0;
}

GPUVM_EXPORT int gpuvm_mali_sim_gpu_inject_fault(struct gpuvm_mali_sim *sim,
						 uint32_t status, uint64_t address)
{
	if (!sim)
		return -EINVAL;
	return simg_fault(sim, status, address);
}

/* ---------------------------------------------------------------------
 * Reset
 */

static bool is_reset_cmd(const struct gpuvm_mali_sim *sim, uint32_t cmd)
{
	if (is_jm(sim))
		return cmd == GPUVM_MALI_JM_GPU_CMD_SOFT_RESET ||
		       cmd == GPUVM_MALI_JM_GPU_CMD_HARD_RESET;
	return cmd == GPUVM_MALI_CSF_GPU_CMD_SOFT_RESET ||
	       cmd == GPUVM_MALI_CSF_GPU_CMD_HARD_RESET;
}

static void reset_tick(struct gpuvm_mali_sim *sim)
{
	struct sim_gpu *g = &sim->gpu;

	if (g->reset_stuck)
		return;
	if (g->reset_left) {
		g->reset_left--;
		return;
	}
	gpuvm_sim_gpu_reset(sim);
}

/* ---------------------------------------------------------------------
 * Power
 */

static void dom_tick(struct gpuvm_mali_sim *sim, unsigned int d)
{
	struct simg_domain *dm = &sim->gpu.dom[d];
	unsigned int e;

	if (!dm->trans || (sim->gpu.power_stuck & (1u << d)))
		return;
	if (d && !sim->gpu.dom[0].ready)
		return;		/* cores and tiler wait for the L2 */
	if (dm->left) {
		dm->left--;
		return;
	}
	dm->ready |= dm->trans;
	dm->trans = 0;
	sim->gpu_rawstat |= GPUVM_MALI_GPU_IRQ_POWER_CHANGED;
	for (e = 0; e < SIMG_DOMAINS; e++)
		if (sim->gpu.dom[e].trans)
			return;
	sim->gpu_rawstat |= GPUVM_MALI_GPU_IRQ_POWER_CHANGED_ALL;
}

static void dom_pwron(struct gpuvm_mali_sim *sim, unsigned int d,
		      uint64_t bits)
{
	struct simg_domain *dm = &sim->gpu.dom[d];

	bits &= dom_present(sim, d) & ~dm->ready;
	if (!bits)
		return;
	dm->trans |= bits;
	dm->left = sim->gpu.cfg.power_reads;
	if (!dm->left)
		dom_tick(sim, d);
}

static void dom_pwroff(struct gpuvm_mali_sim *sim, unsigned int d,
		       uint64_t bits)
{
	struct sim_gpu *g = &sim->gpu;
	unsigned int e;

	g->dom[d].ready &= ~bits;
	g->dom[d].trans &= ~bits;
	if (d == 0 && !g->dom[0].ready) {
		for (e = 1; e < SIMG_DOMAINS; e++) {
			g->dom[e].ready = 0;
			g->dom[e].trans = 0;
		}
	}
}

/* A power register of the window: domain in *@d, register kind in *@kind. */
static bool dom_reg(uint32_t offset, unsigned int *d, unsigned int *kind,
		    bool *hi)
{
	unsigned int i;

	*hi = offset & 4;
	offset &= ~4u;
	for (i = 0; i < SIMG_DOMAINS; i++) {
		const uint32_t regs[] = { dom_regs[i].present, dom_regs[i].ready,
					  dom_regs[i].pwron, dom_regs[i].pwroff,
					  dom_regs[i].pwrtrans };
		unsigned int k;

		for (k = 0; k < 5; k++) {
			if (regs[k] == offset) {
				*d = i;
				*kind = k;
				return true;
			}
		}
	}
	return false;
}

enum { K_PRESENT, K_READY, K_PWRON, K_PWROFF, K_PWRTRANS };

static uint32_t half(uint64_t v, bool hi)
{
	return (uint32_t)(hi ? v >> 32 : v);
}

/* ---------------------------------------------------------------------
 * Job slots
 */

static unsigned int job_align(const struct gpuvm_mali_sim *sim)
{
	unsigned int a = gpuvm_mali_job_desc_align(GPUVM_MALI_GPU_ARCH_MAJOR(sim->cfg.gpu_id));

	return a ? a : 64;
}

/*
 * One job access through the MMU: 0 done; -1 stalled on a lock region
 * (retry later); otherwise the exception code that ends the chain.
 */
static int job_access(struct gpuvm_mali_sim *sim, unsigned int as, uint64_t va,
		      bool write, uint64_t *val)
{
	enum gpuvm_mali_sim_access_kind kind = write ? GPUVM_MALI_SIM_WRITE :
						       GPUVM_MALI_SIM_READ;
	uint64_t pa = 0;
	int r;

	r = gpuvm_mali_sim_access(sim, as, va, kind,
				  GPUVM_MALI_SIM_JOB_SOURCE_ID, &pa);
	if (r == GPUVM_MALI_SIM_STALLED)
		return -1;
	if (r != GPUVM_MALI_SIM_OK)
		return (int)GPUVM_MALI_FAULT_EXCEPTION_TYPE(sim->as[as].faultstatus);
	r = write ? gpuvm_mali_sim_mem_write64(sim, pa, *val) :
		    gpuvm_mali_sim_mem_read64(sim, pa, val);
	if (r) {
		simg_fault(sim, GPUVM_MALI_FAULTSTATUS(GPUVM_MALI_EXC_DELAYED_BUS_FAULT,
						       kind, GPUVM_MALI_SIM_JOB_SOURCE_ID) |
			   GPUVM_MALI_GPU_FAULT_ADDRESS_VALID, pa);
		return (int)GPUVM_MALI_EXC_JOB_BUS_FAULT;
	}
	return 0;
}

/* The value a WRITE_VALUE job of @type stores, and its size (0: bad type). */
static unsigned int wv_value(struct gpuvm_mali_sim *sim, uint32_t type,
			     uint64_t imm, uint64_t *v)
{
	unsigned int size = gpuvm_mali_job_write_size(type);

	if (type == GPUVM_MALI_WRITE_VALUE_CYCLE_COUNTER ||
	    type == GPUVM_MALI_WRITE_VALUE_SYSTEM_TIMESTAMP)
		*v = sim->now_ns;
	else if (type == GPUVM_MALI_WRITE_VALUE_ZERO)
		*v = 0;
	else if (size < 8)
		*v = imm & ((1ull << (size * 8)) - 1);
	else
		*v = imm;
	return size;
}

/* Run the WRITE_VALUE payload of @desc: 0, -1 (stalled) or a code. */
static int run_write_value(struct gpuvm_mali_sim *sim, unsigned int as,
			   const uint64_t *desc)
{
	uint64_t addr = desc[GPUVM_MALI_JOB_W_ADDRESS], v = 0, old = 0, mask;
	unsigned int size = wv_value(sim, (uint32_t)desc[GPUVM_MALI_JOB_W_TYPE],
				     desc[GPUVM_MALI_JOB_W_VALUE], &v);
	unsigned int shift;
	int r;

	if (!size || (addr & (size - 1)))
		return (int)GPUVM_MALI_EXC_DATA_INVALID_FAULT;
	if (size < 8) {
		r = job_access(sim, as, addr & ~7ull, false, &old);
		if (r)
			return r;
		shift = (unsigned int)(addr & 7) * 8;
		mask = ((1ull << (size * 8)) - 1) << shift;
		v = (old & ~mask) | (v << shift);
	}
	return job_access(sim, as, addr & ~7ull, true, &v);
}

static void slot_end(struct gpuvm_mali_sim *sim, unsigned int j, uint32_t code)
{
	struct simg_slot *s = &sim->gpu.js[j];

	s->active = false;
	s->status = code;
	if (code == GPUVM_MALI_EXC_DONE) {
		s->head = 0;
		sim->gpu.job_rawstat |= GPUVM_MALI_JOB_IRQ_DONE(j);
	} else {
		sim->gpu.job_rawstat |= GPUVM_MALI_JOB_IRQ_FAILED(j);
	}
}

/* Check the slot can run: 0, or the code that ends the chain. */
static uint32_t slot_check(struct gpuvm_mali_sim *sim, const struct simg_slot *s)
{
	uint64_t cores = s->affinity & sim->gpu.cfg.shader_present;

	if (!sim->gpu.dom[0].ready)
		return GPUVM_MALI_EXC_JOB_POWER_FAULT;
	if (!cores)
		return GPUVM_MALI_EXC_JOB_AFFINITY_FAULT;
	if (!(cores & sim->gpu.dom[1].ready))
		return GPUVM_MALI_EXC_JOB_POWER_FAULT;
	if (!gpuvm_sim_as_present(sim, s->config & GPUVM_MALI_JS_CONFIG_AS_MASK) ||
	    (s->head & (job_align(sim) - 1)))
		return GPUVM_MALI_EXC_JOB_CONFIG_FAULT;
	return 0;
}

/* Run the job at JS_HEAD of slot @j. */
static void slot_run_job(struct gpuvm_mali_sim *sim, unsigned int j)
{
	struct simg_slot *s = &sim->gpu.js[j];
	unsigned int as = s->config & GPUVM_MALI_JS_CONFIG_AS_MASK;
	uint64_t desc[GPUVM_MALI_JOB_W_VALUE + 1];
	uint32_t code = slot_check(sim, s);
	unsigned int i, type;
	int r = 0;

	if (code) {
		slot_end(sim, j, code);
		return;
	}
	for (i = 0; i <= GPUVM_MALI_JOB_W_VALUE && !r; i++)
		r = job_access(sim, as, s->head + i * 8, false, &desc[i]);
	s->tail = s->head;
	type = GPUVM_MALI_JOB_CONTROL_TYPE(desc[GPUVM_MALI_JOB_W_CONTROL]);
	if (!r && GPUVM_MALI_GPU_ARCH_MAJOR(sim->cfg.gpu_id) != 9 &&
	    !(desc[GPUVM_MALI_JOB_W_CONTROL] & GPUVM_MALI_JOB_CONTROL_IS_64B))
		r = (int)GPUVM_MALI_EXC_JOB_CONFIG_FAULT;
	else if (!r && type == GPUVM_MALI_JOB_TYPE_WRITE_VALUE)
		r = run_write_value(sim, as, desc);
	else if (!r && type != GPUVM_MALI_JOB_TYPE_NULL)
		r = (int)GPUVM_MALI_EXC_JOB_CONFIG_FAULT;
	if (r < 0)
		return;		/* stalled: the job runs again */
	if (r) {
		slot_end(sim, j, (uint32_t)r);
		return;
	}
	s->head = desc[GPUVM_MALI_JOB_W_NEXT];
	if (!s->head)
		slot_end(sim, j, GPUVM_MALI_EXC_DONE);
}

static void slot_tick(struct gpuvm_mali_sim *sim, unsigned int j)
{
	struct simg_slot *s = &sim->gpu.js[j];

	if (!s->active && s->queued) {
		s->queued = false;
		s->active = true;
		s->head = s->next_head;
		s->tail = s->next_head;
		s->affinity = s->next_affinity;
		s->config = s->next_config;
		s->status = GPUVM_MALI_EXC_ACTIVE;
		s->left = sim->gpu.cfg.job_reads;
		if ((s->config & GPUVM_MALI_JS_CONFIG_START_FLUSH_CLEAN_INV) ==
		    GPUVM_MALI_JS_CONFIG_START_FLUSH_CLEAN_INV)
			gpuvm_sim_ptw_invalidate(sim);
	}
	if (!s->active || s->hang)
		return;
	if (s->left) {
		s->left--;
		return;
	}
	slot_run_job(sim, j);
}

static void jobs_tick(struct gpuvm_mali_sim *sim)
{
	unsigned int j;

	for (j = 0; j < SIMG_SLOTS; j++)
		slot_tick(sim, j);
}

/*
 * Time moves the job slots on as register reads do: one step per
 * SIMG_STEP_US started, at most SIMG_MAX_STEPS per call (a chain that
 * loops back on itself keeps running, it does not hang the simulator).
 */
void gpuvm_simg_time_passed(struct gpuvm_mali_sim *sim, uint64_t us)
{
	uint64_t n = us / SIMG_STEP_US + 1;

	if (!is_jm(sim) || sim->gpu.resetting || sim->powered_off)
		return;
	if (n > SIMG_MAX_STEPS)
		n = SIMG_MAX_STEPS;
	while (n--)
		jobs_tick(sim);
}

static void slot_stop(struct gpuvm_mali_sim *sim, unsigned int j, uint32_t cmd)
{
	struct simg_slot *s = &sim->gpu.js[j];
	bool chain = s->config & GPUVM_MALI_JS_CONFIG_JOB_CHAIN_FLAG;
	bool hard = cmd & 1;

	if (cmd >= 4 && chain != (cmd >= 6))
		return;		/* _0 / _1 variant for the other chain */
	if (!s->active || (!hard && s->hang))
		return;
	slot_end(sim, j, hard ? GPUVM_MALI_EXC_TERMINATED : GPUVM_MALI_EXC_STOPPED);
}

/* The slot a JS_* register belongs to (*@j, register *@reg), or NULL. */
static struct simg_slot *js_slot(struct gpuvm_mali_sim *sim, uint32_t offset,
				 unsigned int *j, uint32_t *reg)
{
	if (offset < GPUVM_MALI_JS_BASE || offset >= JS_END)
		return NULL;
	*j = (offset - GPUVM_MALI_JS_BASE) / GPUVM_MALI_JS_STRIDE;
	*reg = (offset - GPUVM_MALI_JS_BASE) % GPUVM_MALI_JS_STRIDE;
	return *j < SIMG_SLOTS ? &sim->gpu.js[*j] : NULL;
}

static bool job_read(struct gpuvm_mali_sim *sim, uint32_t offset, uint32_t *v)
{
	struct sim_gpu *g = &sim->gpu;
	struct simg_slot *s;
	unsigned int j;
	uint32_t reg;

	switch (offset) {
	case GPUVM_MALI_JOB_INT_RAWSTAT:
		jobs_tick(sim);
		*v = g->job_rawstat;
		return true;
	case GPUVM_MALI_JOB_INT_STAT:
		jobs_tick(sim);
		*v = g->job_rawstat & g->job_mask;
		return true;
	case GPUVM_MALI_JOB_INT_MASK:
		*v = g->job_mask;
		return true;
	case GPUVM_MALI_JOB_INT_JS_STATE:
		jobs_tick(sim);
		for (*v = 0, j = 0; j < SIMG_SLOTS; j++)
			*v |= (uint32_t)g->js[j].active << j |
			      (uint32_t)g->js[j].queued << (16 + j);
		return true;
	default:
		break;
	}
	s = js_slot(sim, offset, &j, &reg);
	if (!s)
		return false;
	switch (reg) {
	case GPUVM_MALI_JS_HEAD_LO:
	case GPUVM_MALI_JS_HEAD_HI:
		*v = half(s->head, reg & 4);
		return true;
	case GPUVM_MALI_JS_TAIL_LO:
	case GPUVM_MALI_JS_TAIL_HI:
		*v = half(s->tail, reg & 4);
		return true;
	case GPUVM_MALI_JS_AFFINITY_LO:
	case GPUVM_MALI_JS_AFFINITY_HI:
		*v = half(s->affinity, reg & 4);
		return true;
	case GPUVM_MALI_JS_CONFIG:
		*v = s->config;
		return true;
	case GPUVM_MALI_JS_STATUS:
		jobs_tick(sim);
		*v = s->status;
		return true;
	case GPUVM_MALI_JS_HEAD_NEXT_LO:
	case GPUVM_MALI_JS_HEAD_NEXT_HI:
		*v = half(s->next_head, reg & 4);
		return true;
	case GPUVM_MALI_JS_AFFINITY_NEXT_LO:
	case GPUVM_MALI_JS_AFFINITY_NEXT_HI:
		*v = half(s->next_affinity, reg & 4);
		return true;
	case GPUVM_MALI_JS_CONFIG_NEXT:
		*v = s->next_config;
		return true;
	case GPUVM_MALI_JS_COMMAND_NEXT:
		*v = s->queued ? GPUVM_MALI_JS_COMMAND_START : 0;
		return true;
	default:
		return false;
	}
}

static void set_half(uint64_t *r, bool hi, uint32_t v)
{
	if (hi)
		*r = (*r & 0xFFFFFFFFull) | (uint64_t)v << 32;
	else
		*r = (*r & ~0xFFFFFFFFull) | v;
}

static void bad_js_command(struct gpuvm_mali_sim *sim, unsigned int j,
			   uint32_t cmd, const char *reg)
{
	gpuvm_sim_violation(sim, GPUVM_MALI_SIM_V_BAD_COMMAND, -1, cmd,
		      "JS%u: %s value %u not allowed", j, reg, cmd);
}

static bool job_write(struct gpuvm_mali_sim *sim, uint32_t offset, uint32_t value)
{
	struct sim_gpu *g = &sim->gpu;
	struct simg_slot *s;
	unsigned int j;
	uint32_t reg;

	if (offset == GPUVM_MALI_JOB_INT_CLEAR) {
		g->job_rawstat &= ~value;
		return true;
	}
	if (offset == GPUVM_MALI_JOB_INT_MASK) {
		g->job_mask = value;
		return true;
	}
	s = js_slot(sim, offset, &j, &reg);
	if (!s)
		return false;
	switch (reg) {
	case GPUVM_MALI_JS_HEAD_NEXT_LO:
	case GPUVM_MALI_JS_HEAD_NEXT_HI:
		set_half(&s->next_head, reg & 4, value);
		return true;
	case GPUVM_MALI_JS_AFFINITY_NEXT_LO:
	case GPUVM_MALI_JS_AFFINITY_NEXT_HI:
		set_half(&s->next_affinity, reg & 4, value);
		return true;
	case GPUVM_MALI_JS_CONFIG_NEXT:
		s->next_config = value;
		return true;
	case GPUVM_MALI_JS_COMMAND_NEXT:
		if (value == GPUVM_MALI_JS_COMMAND_START)
			s->queued = true;
		else if (value == GPUVM_MALI_JS_COMMAND_NOP)
			s->queued = false;
		else
			bad_js_command(sim, j, value, "JS_COMMAND_NEXT");
		return true;
	case GPUVM_MALI_JS_COMMAND:
		if (value >= GPUVM_MALI_JS_COMMAND_SOFT_STOP && value <= 7)
			slot_stop(sim, j, value);
		else if (value != GPUVM_MALI_JS_COMMAND_NOP)
			bad_js_command(sim, j, value, "JS_COMMAND");
		return true;
	default:
		return false;
	}
}

/* ---------------------------------------------------------------------
 * Register hooks
 */

static bool is_job_reg(uint32_t offset)
{
	return offset >= GPUVM_MALI_JOB_INT_RAWSTAT && offset < JS_END;
}

bool gpuvm_simg_read(struct gpuvm_mali_sim *sim, uint32_t offset, uint32_t *v)
{
	struct sim_gpu *g = &sim->gpu;
	unsigned int d, kind;
	bool hi;

	if (offset == GPUVM_MALI_GPU_INT_RAWSTAT || offset == GPUVM_MALI_GPU_INT_STAT) {
		if (g->resetting)
			reset_tick(sim);
		return false;
	}
	switch (offset) {
	case GPUVM_MALI_GPU_FAULT_STATUS:
		*v = g->fault_status;
		return true;
	case GPUVM_MALI_GPU_FAULT_ADDR_LO:
	case GPUVM_MALI_GPU_FAULT_ADDR_HI:
		*v = half(g->fault_address, offset & 4);
		return true;
	default:
		break;
	}
	if (dom_reg(offset, &d, &kind, &hi)) {
		if (kind == K_PRESENT) {
			*v = half(dom_present(sim, d), hi);
			return true;
		}
		if (kind != K_READY && kind != K_PWRTRANS)
			return false;	/* write-only: sim.c reports it */
		*v = 0;
		if (g->resetting)
			return true;
		if (kind == K_READY)
			dom_tick(sim, d);
		*v = half(kind == K_READY ? g->dom[d].ready : g->dom[d].trans, hi);
		return true;
	}
	if (!is_jm(sim) || !is_job_reg(offset))
		return false;
	if (g->resetting) {
		*v = 0;
		return true;
	}
	return job_read(sim, offset, v);
}

bool gpuvm_simg_write(struct gpuvm_mali_sim *sim, uint32_t offset, uint32_t value)
{
	struct sim_gpu *g = &sim->gpu;
	unsigned int d, kind;
	bool hi;

	if (offset == GPUVM_MALI_GPU_INT_CLEAR || offset == GPUVM_MALI_GPU_INT_MASK)
		return false;
	if (g->resetting)
		return true;	/* the GPU ignores writes while it resets */
	if (offset == GPUVM_MALI_GPU_CMD) {
		if (!is_reset_cmd(sim, value))
			return false;
		g->resetting = true;
		g->reset_left = g->cfg.reset_reads;
		if (!g->reset_left)
			reset_tick(sim);
		return true;
	}
	if (dom_reg(offset, &d, &kind, &hi)) {
		uint64_t bits = hi ? (uint64_t)value << 32 : value;

		if (kind == K_PWRON)
			dom_pwron(sim, d, bits);
		else if (kind == K_PWROFF)
			dom_pwroff(sim, d, bits);
		else
			return false;	/* read-only: sim.c reports it */
		return true;
	}
	if (!is_jm(sim) || !is_job_reg(offset))
		return false;
	return job_write(sim, offset, value);
}
