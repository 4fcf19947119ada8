/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef HV_SPINLOCK_H
#define HV_SPINLOCK_H

#include <asm/processor.h>
#include <hv/types.h>

typedef struct {
	volatile u32 locked;
} spinlock_t;

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			cpu_relax();
}

static inline bool spin_trylock(spinlock_t *l)
{
	return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif /* HV_SPINLOCK_H */
