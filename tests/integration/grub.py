# SPDX-License-Identifier: GPL-2.0-only
"""GRUB rescue ISOs (grub-mkrescue, Debian grub-pc-bin, grub-efi-amd64-bin and
xorriso), for legacy BIOS or UEFI (OVMF): the shim
loaded with multiboot2 and module2 lines, as real machines load it, or the
Debian kernel alone for comparison. QEMU boots them with -cdrom, Bochs from
its ATAPI drive."""
import os
import shutil
import subprocess

# gfxpayload: BIOS keeps VGA text mode for the OS; UEFI has none, GRUB passes
# its GOP framebuffer (the guest's screen console). That holds for `linux`;
HEAD = ("set timeout=0\nserial --unit=0 --speed=115200\n"
        "terminal_input serial\nterminal_output serial\n"
        "if [ \"$grub_platform\" = pc ]; then set gfxpayload=text; "
        "else insmod all_video; set gfxpayload=keep; fi\n")
# `multiboot2` sets gfxpayload=auto itself when the image asks for a
# framebuffer (parachute's does, for UEFI): a text screen is chosen after it.


# Each ISO boots one way: legacy BIOS (i386-pc) or UEFI (x86_64-efi).
PLATFORMS = {"bios": "/usr/lib/grub/i386-pc", "efi": "/usr/lib/grub/x86_64-efi"}


def mkrescue(build, name, root, platform="bios"):
    iso = f"{build}/grub/{name}.iso"
    subprocess.run(["grub-mkrescue", "-d", PLATFORMS[platform], "-o", iso, root], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(root, ignore_errors=True)
    return iso


def grub_iso(build, name, hv_args, modules, platform="bios", text=True):
    """A GRUB rescue ISO (grub-mkrescue) with a multiboot2 entry for the shim
    and module2 lines; modules are (file, role and command line) pairs.
    platform: "bios" or "efi" (boot it with OVMF). text (BIOS): keep VGA text
    mode; else GRUB sets a VESA graphics mode (gfxpayload=auto)."""
    root = f"{build}/grub/{name}"
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(f"{root}/boot/grub")
    shutil.copy(f"{build}/parachute.elf", f"{root}/boot/parachute.elf")
    lines = [f"\tmultiboot2 /boot/parachute.elf {hv_args}".rstrip()]
    if platform == "bios" and text:
        lines.append("\tset gfxpayload=text")
    for path, args in modules:
        dst = os.path.basename(path)
        if not os.path.exists(f"{root}/boot/{dst}"):
            shutil.copy(path, f"{root}/boot/{dst}")
        nounzip = "--nounzip " if dst.endswith(".gz") else ""
        lines.append(f"\tmodule2 {nounzip}/boot/{dst} {args}".rstrip())
    with open(f"{root}/boot/grub/grub.cfg", "w") as f:
        f.write(HEAD + "menuentry parachute {\n" + "\n".join(lines) + "\n\tboot\n}\n")
    return mkrescue(build, name, root, platform)


def plain_iso(build, name, cmdline, initrd=None, platform="bios"):
    """A GRUB ISO that boots the Debian kernel itself, no shim (for comparison)."""
    root = f"{build}/grub/{name}"
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(f"{root}/boot/grub")
    shutil.copy(f"{build}/debian/vmlinuz", f"{root}/boot/vmlinuz")
    shutil.copy(initrd or f"{build}/initrd.cpio.gz", f"{root}/boot/initrd.cpio.gz")
    with open(f"{root}/boot/grub/grub.cfg", "w") as f:
        f.write(HEAD + f"menuentry linux {{\n\tlinux /boot/vmlinuz {cmdline}\n"
                "\tinitrd /boot/initrd.cpio.gz\n\tboot\n}\n")
    return mkrescue(build, name, root, platform)


OVMF = "/usr/share/ovmf/OVMF.fd"  # Debian's ovmf


def efi_boot(build, name, hv_args, modules):
    """QEMU arguments that boot the shim on UEFI (OVMF, from an EFI GRUB ISO)
    with Run-style modules ("file role [args]" strings): what a q35 test adds
    to boot the same modules as with -kernel, through the firmware."""
    pairs = [tuple(m.split(" ", 1)) for m in modules]
    return ["-bios", OVMF, "-cdrom", grub_iso(build, name, hv_args, pairs, platform="efi")]

