/* SPDX-License-Identifier: GPL-2.0-only */
/* 16550 serial console. */
#ifndef ASM_CONSOLE_H
#define ASM_CONSOLE_H

#include <hv/options.h>

/** console_init() - program the UART of port (no-op for CONSOLE_NONE). */
void console_init(enum console_port port);

/** console_puts() - write a string, \n becoming \r\n. */
void console_puts(const char *s);

#endif /* ASM_CONSOLE_H */
