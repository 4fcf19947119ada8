# SPDX-License-Identifier: GPL-2.0-only
"""GRUB rescue ISOs (grub-mkrescue, Debian grub-pc-bin and xorriso): the shim
loaded with multiboot2 and module2 lines, as real machines load it, or the
Debian kernel alone for comparison. QEMU boots them with -cdrom, Bochs from
its ATAPI drive."""
import os
import shutil
import subprocess

HEAD = ("set timeout=0\nserial --unit=0 --speed=115200\n"
        "terminal_input serial\nterminal_output serial\n")


def mkrescue(build, name, root):
    iso = f"{build}/grub/{name}.iso"
    subprocess.run(["grub-mkrescue", "-o", iso, root], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(root, ignore_errors=True)
    return iso


def grub_iso(build, name, hv_args, modules):
    """A GRUB rescue ISO (grub-mkrescue) with a multiboot2 entry for the shim
    and module2 lines; modules are (file, role and command line) pairs."""
    root = f"{build}/grub/{name}"
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(f"{root}/boot/grub")
    shutil.copy(f"{build}/parachute.elf", f"{root}/boot/parachute.elf")
    lines = [f"\tmultiboot2 /boot/parachute.elf {hv_args}".rstrip()]
    for path, text in modules:
        dst = os.path.basename(path)
        if not os.path.exists(f"{root}/boot/{dst}"):
            shutil.copy(path, f"{root}/boot/{dst}")
        nounzip = "--nounzip " if dst.endswith(".gz") else ""
        lines.append(f"\tmodule2 {nounzip}/boot/{dst} {text}".rstrip())
    with open(f"{root}/boot/grub/grub.cfg", "w") as f:
        f.write(HEAD + "menuentry parachute {\n" + "\n".join(lines) + "\n\tboot\n}\n")
    return mkrescue(build, name, root)


def plain_iso(build, name, cmdline, initrd=None):
    """A GRUB ISO that boots the Debian kernel itself, no shim (for comparison)."""
    root = f"{build}/grub/{name}"
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(f"{root}/boot/grub")
    shutil.copy(f"{build}/debian/vmlinuz", f"{root}/boot/vmlinuz")
    shutil.copy(initrd or f"{build}/initrd.cpio.gz", f"{root}/boot/initrd.cpio.gz")
    with open(f"{root}/boot/grub/grub.cfg", "w") as f:
        f.write(HEAD + f"menuentry linux {{\n\tlinux /boot/vmlinuz {cmdline}\n"
                "\tinitrd /boot/initrd.cpio.gz\n\tboot\n}\n")
    return mkrescue(build, name, root)
