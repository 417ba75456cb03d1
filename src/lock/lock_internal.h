/* SPDX-License-Identifier: MIT */
/*
 * Shared by the default lock implementations (not installed).
 */
#ifndef GPUVM_LOCK_INTERNAL_H
#define GPUVM_LOCK_INTERNAL_H

/*
 * A value unique to the calling thread while it lives: the default locks
 * store it atomically as their holder, so held() needs no lock of its own.
 */
const void *gpuvm_thread_token(void);

#endif
