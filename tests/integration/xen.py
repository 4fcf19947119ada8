# SPDX-License-Identifier: GPL-2.0-only
"""Xen 4.17 under QEMU for the Xen test (test_xen.py) and make bench-xen:
the command line and what make builds for it (ci/fetch-xen.sh, tests/xen/)."""
import subprocess

XEN_ARGS = ("console=com1 com1=115200,8n1 dom0_mem=512M,max:512M dom0_max_vcpus=1 "
            "loglvl=all guest_loglvl=all noreboot")


def prepare(build):
    """Xen packages, xl-kdump, the domU and dom0 initramfs, built by make (make
    integration and make bench-xen build them before they start)."""
    subprocess.run(["make", "-s", f"BUILD={build}", f"{build}/xen/dom0.cpio.gz"], check=True,
                   stdout=subprocess.DEVNULL)
