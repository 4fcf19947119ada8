# SPDX-License-Identifier: GPL-2.0-only
"""Read an x86-64 ELF vmcore (as makedumpfile -E writes it): program headers,
NT_PRSTATUS registers, the VMCOREINFO text, and bytes at physical addresses."""
import struct

# Linux user_regs_struct order (arch/x86/include/asm/user_64.h).
REGS = ["r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx",
        "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base",
        "gs_base", "ds", "es", "fs", "gs"]


class Vmcore:
    def __init__(self, path):
        self.f = open(path, "rb")
        e = self.f.read(64)
        assert e[:4] == b"\x7fELF" and e[4] == 2, f"{path}: not an ELF64 file"
        etype, machine = struct.unpack_from("<HH", e, 16)
        assert etype == 4 and machine == 62, f"{path}: not an x86-64 core ({etype}, {machine})"
        phoff, = struct.unpack_from("<Q", e, 32)
        phentsize, phnum = struct.unpack_from("<HH", e, 54)
        self.phdrs = []
        for i in range(phnum):
            self.f.seek(phoff + i * phentsize)
            self.phdrs.append(struct.unpack("<IIQQQQQQ", self.f.read(56)))
        self.loads = [p for p in self.phdrs if p[0] == 1]
        self.prstatus = []
        self.vmcoreinfo = {}
        for p in self.phdrs:
            if p[0] == 4:
                self.f.seek(p[2])
                self._notes(self.f.read(p[5]))

    def _notes(self, data):
        off = 0
        while off + 12 <= len(data):
            namesz, descsz, ntype = struct.unpack_from("<III", data, off)
            name = data[off + 12:off + 12 + namesz].rstrip(b"\0")
            doff = off + 12 + ((namesz + 3) & ~3)
            desc = data[doff:doff + descsz]
            if name == b"CORE" and ntype == 1:
                regs = struct.unpack_from("<27Q", desc, 112)
                self.prstatus.append(dict(zip(REGS, regs)))
            elif name == b"VMCOREINFO":
                for line in desc.decode("ascii", "replace").splitlines():
                    if "=" in line:
                        k, v = line.split("=", 1)
                        self.vmcoreinfo[k] = v
            off = doff + ((descsz + 3) & ~3)

    def read_phys(self, paddr, n):
        """Bytes at a physical address; None if no PT_LOAD holds them in the file."""
        for _, _, off, _, pa, filesz, memsz, _ in self.loads:
            if pa <= paddr and paddr + n <= pa + filesz:
                self.f.seek(off + paddr - pa)
                return self.f.read(n)
        return None

    def close(self):
        self.f.close()
