// SPDX-License-Identifier: GPL-2.0-only
/*
 * tcdrain: wait until everything written to the terminal on stdout has been
 * sent (tcdrain(3)). The test init runs it after the line that announces a
 * crash trigger, so that the line and those before it leave the UART before
 * the trigger can cut them off.
 */
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

int main(void)
{
	if (tcdrain(STDOUT_FILENO)) {
		perror("tcdrain");
		return 1;
	}
	return 0;
}
