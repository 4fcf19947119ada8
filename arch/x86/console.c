// SPDX-License-Identifier: GPL-2.0-only
/* 16550 UART console, polled. The guest shares the port once it runs. */
#include <asm/console.h>
#include <asm/processor.h>

static u16 uart_base;

void console_init(enum console_port port)
{
	uart_base = port == CONSOLE_COM1 ? 0x3f8 : port == CONSOLE_COM2 ? 0x2f8 : 0;
	if (!uart_base)
		return;
	outb(uart_base + 1, 0x00); /* no interrupts */
	outb(uart_base + 3, 0x80); /* DLAB */
	outb(uart_base + 0, 0x01); /* 115200 baud */
	outb(uart_base + 1, 0x00);
	outb(uart_base + 3, 0x03); /* 8N1 */
	outb(uart_base + 2, 0xc7); /* FIFO on, cleared */
	outb(uart_base + 4, 0x03); /* DTR, RTS */
}

static void uart_putc(char c)
{
	/* Bounded wait for the transmit holding register: never hang on a dead UART. */
	for (unsigned int i = 0; i < 100000 && !(inb(uart_base + 5) & 0x20); i++)
		cpu_relax();
	outb(uart_base, (u8)c);
}

void console_puts(const char *s)
{
	if (!uart_base)
		return;
	for (; *s; s++) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s);
	}
}
