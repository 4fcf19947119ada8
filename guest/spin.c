// SPDX-License-Identifier: GPL-2.0-only
/*
 * spin: become SCHED_FIFO 50 and spin in user mode forever, after printing
 * the address range of the loop, so a test can check that the registers the
 * hv recorded (e.g. on an operator NMI) are this task's.
 */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

__attribute__((noinline, aligned(64))) static void loop(volatile unsigned long *n)
{
	for (;;)
		(*n)++;
}

__attribute__((noinline, aligned(64))) static void after_loop(void)
{
	asm volatile("");
}

int main(void)
{
	struct sched_param sp = { .sched_priority = 50 };
	volatile unsigned long n = 0;

	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		perror("spin: sched_setscheduler");
	printf("spin: loop 0x%lx 0x%lx pid %d\n", (unsigned long)(uintptr_t)loop,
	       (unsigned long)(uintptr_t)after_loop, (int)getpid());
	fflush(stdout);
	loop(&n);
	return 0;
}
