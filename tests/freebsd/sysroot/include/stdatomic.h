/* SPDX-License-Identifier: MIT */
/*
 * FreeBSD 14.0 include/stdatomic.h, clang branch (__CLANG_ATOMICS): the
 * types and operations the library uses, on the compiler's __c11_atomic
 * builtins as FreeBSD's header does.
 */
#ifndef _STDATOMIC_H_
#define	_STDATOMIC_H_

#include <stdint.h>

typedef enum {
	memory_order_relaxed = __ATOMIC_RELAXED,
	memory_order_consume = __ATOMIC_CONSUME,
	memory_order_acquire = __ATOMIC_ACQUIRE,
	memory_order_release = __ATOMIC_RELEASE,
	memory_order_acq_rel = __ATOMIC_ACQ_REL,
	memory_order_seq_cst = __ATOMIC_SEQ_CST
} memory_order;

typedef _Atomic(int)			atomic_int;
typedef _Atomic(uint_fast64_t)		atomic_uint_fast64_t;

#define	atomic_fetch_add_explicit(object, operand, order)		\
	__c11_atomic_fetch_add(object, operand, order)
#define	atomic_load_explicit(object, order)				\
	__c11_atomic_load(object, order)
#define	atomic_store_explicit(object, desired, order)			\
	__c11_atomic_store(object, desired, order)

#endif /* !_STDATOMIC_H_ */
