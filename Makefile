# SPDX-License-Identifier: GPL-2.0-only
# parachute: `make` builds build/parachute.elf; see README.md for the rest.

BUILD ?= build
CC ?= gcc
HOSTCC ?= gcc
VERSION := 0.1

HV_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -fno-common \
	-fno-stack-protector -fno-asynchronous-unwind-tables -mno-red-zone \
	-mno-sse -mno-mmx -mno-sse2 -mno-avx -mcmodel=small \
	-Wall -Wextra -Wmissing-prototypes -Wshadow -Werror \
	-Iinclude -Ihv/include -Iarch/x86/include -DPARACHUTE_VERSION='"$(VERSION)"'
HV_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -Wl,-T,arch/x86/hv.lds

HV_SRCS := hv/elfcore.c hv/sha256.c hv/lib.c hv/util.c hv/format.c hv/printk.c hv/memmap.c hv/bootinfo.c \
	hv/options.c hv/percpu.c hv/mm.c hv/hypercall.c hv/main.c hv/state.c hv/capture.c hv/capture_load.c hv/vmcoreinfo_scan.c hv/restart.c hv/watchdog.c hv/history.c \
	hv/vmcoreinfo.c \
	arch/x86/boot/head.S arch/x86/entry.S arch/x86/svm_entry.S arch/x86/vmx_entry.S arch/x86/traps.c \
	arch/x86/console.c arch/x86/time.c arch/x86/cpuid.c arch/x86/paging.c \
	arch/x86/multiboot.c arch/x86/linux.c arch/x86/guest_mem.c arch/x86/svm.c arch/x86/svm_vmcb.c arch/x86/vmx.c arch/x86/vmx_vmcs.c arch/x86/vcpu.c \
	arch/x86/smp.c arch/x86/acpi.c arch/x86/setup.c arch/x86/guest.c arch/x86/seal.c \
	arch/x86/apic.c arch/x86/insn.c arch/x86/guest_walk.c arch/x86/mm.c arch/x86/capture.c arch/x86/vmcore.c arch/x86/lend.c arch/x86/restart.c \
	arch/x86/iommu_acpi.c arch/x86/iommu.c arch/x86/vtd.c arch/x86/amd_iommu.c arch/x86/madt.c \
	arch/x86/acpi_sub.c arch/x86/efi.c arch/x86/firmware.c arch/x86/gate.c arch/x86/string.c
HV_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(HV_SRCS))

# Host unit tests compile the real hv sources against tests/unit/harness.c.
UNIT_SRCS := hv/elfcore.c hv/vmcoreinfo.c hv/sha256.c hv/util.c hv/format.c hv/memmap.c hv/bootinfo.c hv/options.c \
	arch/x86/paging.c arch/x86/multiboot.c arch/x86/linux.c arch/x86/cpuid.c \
	arch/x86/insn.c arch/x86/guest_walk.c arch/x86/iommu_acpi.c arch/x86/madt.c arch/x86/acpi_sub.c arch/x86/efi.c
# test_xl_kdump: xl-kdump's pure parts (tools/xl-kdump/); it needs libxen-dev
# and liblzma-dev, and fails to build, naming them, without them;
# test_virt_kdump, virt-kdump's (tools/virt-kdump/), needs the Xen headers too.
UNIT_TESTS := test_memmap test_bootinfo test_options test_paging test_multiboot \
	test_linux test_cpuid test_format test_insn test_guest_walk test_sha256 test_elfcore test_iommu_acpi test_madt \
	test_efi test_firmware test_guest_mem test_policy test_dma_domains test_parachutectl test_gate \
	test_xl_kdump test_virt_kdump
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-function \
	-Iinclude -Ihv/include -Iarch/x86/include -Itests/unit -DHV_UNIT_TEST \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# parachutectl (guest/parachutectl.c), also what make install installs.
PARACHUTECTL_SRCS := guest/parachutectl.c guest/parachutectl_report.c
PARACHUTECTL_DEPS := $(PARACHUTECTL_SRCS) guest/parachutectl.h include/parachute/abi.h \
	include/parachute/ioctl.h
PARACHUTECTL_CFLAGS := -std=c11 -Wall -Wextra -Werror -Iinclude -DPARACHUTE_VERSION='"$(VERSION)"'
CFLAGS ?= -O2 -g

GUEST_PROGS := $(BUILD)/guest/hvinfo $(BUILD)/guest/memprobe $(BUILD)/guest/patterns $(BUILD)/guest/spin $(BUILD)/guest/edu \
	$(BUILD)/guest/parachutectl $(BUILD)/guest/hcfuzz3

.PHONY: all check unit integration demo bench bench-xen soak clean format headers-check lint guest install
all: $(BUILD)/parachute.elf

V ?= 0
Q := $(if $(filter 1,$(V)),,@)

$(BUILD)/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(HV_CFLAGS) -D__ASSEMBLY__ -MMD -MP -c $< -o $@

$(BUILD)/parachute.elf: $(HV_OBJS) arch/x86/hv.lds
	@echo "  LD      $@"
	$(Q)$(CC) $(HV_CFLAGS) $(HV_LDFLAGS) -o $@ $(HV_OBJS)
	@size $@ | tail -1 | awk '{print "parachute.elf: text " $$1 " data " $$2 " bss " $$3}'

-include $(HV_OBJS:.o=.d)

# Every header compiles on its own.
headers-check:
	@for h in $$(find include hv/include arch/x86/include -name '*.h'); do \
		echo "#include \"$$PWD/$$h\"" | $(CC) $(HV_CFLAGS) -x c -fsyntax-only - || exit 1; \
	done; echo "headers: each compiles on its own"

$(BUILD)/unit/%: tests/unit/%.c tests/unit/harness.c tests/unit/harness.h $(UNIT_SRCS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< tests/unit/harness.c $(UNIT_SRCS) -lcmocka

# Policy code against stubbed arch hooks: each test names the hv sources it
# adds; tests/stub, first on the include path, replaces the port and MSR
# instructions, and tests/stub/stub.c is the rest of the hv around the vCPU
# core and the capture code (test_policy here, fuzz_hypercall below).
STUBBED_TESTS := test_policy test_dma_domains test_firmware test_guest_mem test_gate
test_policy_SRCS := tests/stub/stub.c hv/history.c hv/capture.c hv/capture_load.c hv/vmcoreinfo_scan.c hv/restart.c hv/watchdog.c hv/hypercall.c hv/state.c hv/percpu.c arch/x86/vcpu.c \
	arch/x86/gate.c
test_gate_SRCS := arch/x86/gate.c
test_dma_domains_SRCS := arch/x86/iommu.c hv/state.c
test_firmware_SRCS := tests/stub/firmware.c arch/x86/firmware.c arch/x86/acpi.c
test_firmware_LDFLAGS := -Wl,--wrap=acpi_find_rsdp
test_guest_mem_SRCS := arch/x86/guest_mem.c hv/state.c
test_guest_mem_LDFLAGS := -Wl,--wrap=cpu_phys_bits
.SECONDEXPANSION:
$(patsubst %,$(BUILD)/unit/%,$(STUBBED_TESTS)): $(BUILD)/unit/%: tests/unit/%.c tests/unit/harness.c \
		tests/unit/harness.h tests/stub/asm/io.h tests/stub/stub.h $(UNIT_SRCS) $$($$*_SRCS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -Itests/stub $(UNIT_CFLAGS) -o $@ $< tests/unit/harness.c $(UNIT_SRCS) \
		$($*_SRCS) $($*_LDFLAGS) -lcmocka

# parachutectl's texts, without the hv sources.
$(BUILD)/unit/test_parachutectl: tests/unit/test_parachutectl.c $(PARACHUTECTL_DEPS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -Iguest -o $@ $< guest/parachutectl_report.c -lcmocka

# xl-kdump (tools/xl-kdump/, docs/xen.md): the host tool for Xen dom0s. It
# compiles the hv's own bzImage checks, ELF core header builder, VMCOREINFO
# reader, page walker and SHA-256 for the host. Optional: `make all` does not
# need libxen-dev; `make xl-kdump` says what is missing.
XLK_SRCS := tools/xl-kdump/xl-kdump.c tools/xl-kdump/xen.c tools/xl-kdump/capture.c tools/xl-kdump/core.c \
	tools/xl-kdump/image.c tools/xl-kdump/layout.c tools/xl-kdump/args.c tools/xl-kdump/hvglue.c
XLK_HV_SRCS := hv/elfcore.c hv/vmcoreinfo.c hv/sha256.c arch/x86/guest_walk.c arch/x86/linux.c
XLK_PKGS := xencontrol xenforeignmemory xendevicemodel xenstore xentoollog liblzma
XLK_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude -Ihv/include -Iarch/x86/include \
	-DHV_UNIT_TEST
# The package build adds dpkg-buildflags' hardening here (debian/rules).
XLK_HOST_FLAGS ?=
XLK_HAVE := $(shell pkg-config --exists $(XLK_PKGS) 2>/dev/null && echo yes)

.PHONY: xl-kdump
xl-kdump: $(BUILD)/xl-kdump
ifeq ($(XLK_HAVE),yes)
all: $(BUILD)/xl-kdump
$(BUILD)/xl-kdump: $(XLK_SRCS) $(XLK_HV_SRCS) $(wildcard tools/xl-kdump/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(XLK_CFLAGS) $(XLK_HOST_FLAGS) -o $@ $(XLK_SRCS) $(XLK_HV_SRCS) \
		$$(pkg-config --cflags --libs $(XLK_PKGS))
else
$(BUILD)/xl-kdump:
	@echo "xl-kdump: needs libxen-dev and liblzma-dev (pkg-config: $(XLK_PKGS)); ci/deps.sh installs them" >&2
	@exit 1
endif

# A Xen dom0's install (docs/xen.md): the tool, its man page and the watcher's
# systemd unit. Separate from `install`, which is the bare-metal system's.
.PHONY: install-xl-kdump
install-xl-kdump: $(BUILD)/xl-kdump
	install -D -m 0755 $(BUILD)/xl-kdump $(DESTDIR)/usr/sbin/xl-kdump
	install -D -m 0644 tools/xl-kdump/xl-kdump.8 $(DESTDIR)/usr/share/man/man8/xl-kdump.8
	install -D -m 0644 tools/xl-kdump/xl-kdump.service \
		$(DESTDIR)/lib/systemd/system/xl-kdump.service

# virt-kdump (tools/virt-kdump/, docs/kvm.md): xl-kdump's counterpart for
# QEMU/KVM guests under libvirt. It shares xl-kdump's command line, image,
# layout and core-header code (which need the Xen public headers, not its
# libraries) and the same hv sources. Optional like xl-kdump.
VK_SRCS := tools/virt-kdump/virt-kdump.c tools/virt-kdump/load.c tools/virt-kdump/capture.c \
	tools/virt-kdump/host.c tools/virt-kdump/gdb.c tools/virt-kdump/plan.c \
	tools/virt-kdump/purgatory.S tools/xl-kdump/args.c tools/xl-kdump/image.c \
	tools/xl-kdump/layout.c tools/xl-kdump/core.c tools/xl-kdump/hvglue.c
VK_PKGS := libvirt libvirt-qemu json-c liblzma
VK_HAVE := $(shell pkg-config --exists $(VK_PKGS) xencontrol 2>/dev/null && echo yes)

.PHONY: virt-kdump
virt-kdump: $(BUILD)/virt-kdump
ifeq ($(VK_HAVE),yes)
all: $(BUILD)/virt-kdump
$(BUILD)/virt-kdump: $(VK_SRCS) $(XLK_HV_SRCS) $(wildcard tools/virt-kdump/*.h tools/xl-kdump/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(XLK_CFLAGS) $(XLK_HOST_FLAGS) -o $@ $(VK_SRCS) $(XLK_HV_SRCS) \
		$$(pkg-config --cflags xencontrol) $$(pkg-config --cflags --libs $(VK_PKGS))
else
$(BUILD)/virt-kdump:
	@echo "virt-kdump: needs libvirt-dev, libjson-c-dev, liblzma-dev and libxen-dev (pkg-config: $(VK_PKGS) xencontrol); ci/deps.sh installs them" >&2
	@exit 1
endif

# A KVM host's install (docs/kvm.md): the tool, its man page and the watcher's unit.
.PHONY: install-virt-kdump
install-virt-kdump: $(BUILD)/virt-kdump
	install -D -m 0755 $(BUILD)/virt-kdump $(DESTDIR)/usr/sbin/virt-kdump
	install -D -m 0644 tools/virt-kdump/virt-kdump.8 $(DESTDIR)/usr/share/man/man8/virt-kdump.8
	install -D -m 0644 tools/virt-kdump/virt-kdump.service \
		$(DESTDIR)/lib/systemd/system/virt-kdump.service

# xl-kdump's command line, images, layout and start info, with the hv sources it shares;
# one test reads Debian's kernel (XLK_DEBIAN_VMLINUZ), fetched first.
XLK_UNIT_SRCS := tools/xl-kdump/args.c tools/xl-kdump/image.c tools/xl-kdump/layout.c
ifeq ($(XLK_HAVE),yes)
$(BUILD)/unit/test_xl_kdump: tests/unit/test_xl_kdump.c tests/unit/harness.c tests/unit/harness.h \
		$(UNIT_SRCS) $(XLK_UNIT_SRCS) $(wildcard tools/xl-kdump/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< tests/unit/harness.c $(UNIT_SRCS) $(XLK_UNIT_SRCS) \
		$$(pkg-config --cflags xencontrol) -lcmocka -llzma
else
$(BUILD)/unit/test_xl_kdump:
	@echo "unit: test_xl_kdump needs libxen-dev and liblzma-dev (pkg-config: xencontrol liblzma); ci/deps.sh installs them" >&2
	@exit 1
endif

# virt-kdump's plan, purgatory parameters, gdbstub registers and state file
# (the purgatory itself assembled in, for its layout; its command line is
# test_xl_kdump's).
VK_UNIT_SRCS := tools/virt-kdump/plan.c tools/virt-kdump/purgatory.S \
	tools/xl-kdump/layout.c
ifeq ($(XLK_HAVE),yes)
$(BUILD)/unit/test_virt_kdump: tests/unit/test_virt_kdump.c tests/unit/harness.c tests/unit/harness.h \
		$(UNIT_SRCS) $(VK_UNIT_SRCS) $(wildcard tools/virt-kdump/*.h tools/xl-kdump/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< tests/unit/harness.c $(UNIT_SRCS) $(VK_UNIT_SRCS) \
		$$(pkg-config --cflags xencontrol) -lcmocka
else
$(BUILD)/unit/test_virt_kdump:
	@echo "unit: test_virt_kdump needs libxen-dev (pkg-config: xencontrol); ci/deps.sh installs it" >&2
	@exit 1
endif

unit: $(patsubst %,$(BUILD)/unit/%,$(UNIT_TESTS)) $(BUILD)/debian/vmlinuz
	@XLK_DEBIAN_VMLINUZ=$(BUILD)/debian/vmlinuz tests/unit/run.sh $(BUILD)/unit $(UNIT_TESTS)

# libFuzzer targets (tests/fuzz/, docs/testing.md): the real hv sources, built
# once with clang, ASan and UBSan into build/fuzz/obj, linked per target with
# tests/fuzz/harness.c. `make fuzz` runs each for FUZZ_SECONDS from a copy of
# its seed corpus in build/fuzz/corpus; `make fuzz-check` (CI) briefly;
# `make fuzz-regress` replays the seeds and tests/fuzz/regressions.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 4
FUZZ_TARGETS := multiboot options bzimage acpi madt dmar ivrs firmware insn guest_walk elfcore \
	hypercall vmlinux gpm
FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-function -Itests/stub \
	-Iinclude -Ihv/include -Iarch/x86/include -Itests/fuzz -DHV_UNIT_TEST \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_COMMON := tests/fuzz/harness.c hv/format.c hv/util.c
fuzz_multiboot_SRCS := arch/x86/multiboot.c hv/bootinfo.c hv/memmap.c
fuzz_options_SRCS := hv/options.c hv/bootinfo.c
fuzz_bzimage_SRCS := arch/x86/linux.c hv/memmap.c
fuzz_vmlinux_SRCS := arch/x86/linux.c hv/memmap.c
fuzz_acpi_SRCS := arch/x86/acpi.c arch/x86/madt.c arch/x86/acpi_sub.c arch/x86/iommu_acpi.c
fuzz_madt_SRCS := arch/x86/madt.c arch/x86/acpi_sub.c
fuzz_dmar_SRCS := arch/x86/iommu_acpi.c arch/x86/acpi_sub.c
fuzz_ivrs_SRCS := $(fuzz_dmar_SRCS)
fuzz_firmware_SRCS := tests/stub/firmware.c arch/x86/firmware.c arch/x86/efi.c $(fuzz_madt_SRCS) arch/x86/acpi.c
fuzz_firmware_LDFLAGS := -Wl,--wrap=acpi_find_rsdp
fuzz_insn_SRCS := arch/x86/insn.c
fuzz_guest_walk_SRCS := arch/x86/guest_walk.c hv/vmcoreinfo.c
fuzz_elfcore_SRCS := hv/elfcore.c hv/vmcoreinfo.c
# The guest's nested tables (fuzz_gpm.c includes arch/x86/guest_mem.c itself).
fuzz_gpm_SRCS := arch/x86/paging.c hv/mm.c hv/memmap.c hv/state.c
fuzz_gpm_LDFLAGS := -Wl,--wrap=cpu_phys_bits
# The hypercall dispatcher with what it reaches: tests/stub/stub.c is the
# rest of the hv (test_policy.c's too); tests/fuzz/hv_statics.c
# compiles hv/watchdog.c, arch/x86/seal.c and arch/x86/vcpu.c so that their
# file-scope state can be reset between inputs.
fuzz_hypercall_SRCS := tests/stub/stub.c tests/fuzz/hv_statics.c tests/fuzz/oracle.c hv/hypercall.c \
	hv/capture.c hv/capture_load.c hv/vmcoreinfo_scan.c hv/restart.c hv/state.c hv/percpu.c hv/sha256.c hv/memmap.c hv/options.c hv/bootinfo.c \
	hv/elfcore.c hv/vmcoreinfo.c arch/x86/capture.c arch/x86/vmcore.c arch/x86/lend.c arch/x86/restart.c arch/x86/linux.c arch/x86/guest_walk.c \
	arch/x86/insn.c arch/x86/cpuid.c arch/x86/gate.c
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
fuzz_objs = $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(1))

# Coverage-guided everywhere but in SHA-256, whose rounds only slow the search.
FUZZ_COV := -fsanitize=fuzzer-no-link
$(BUILD)/fuzz/obj/hv/sha256.o: FUZZ_COV :=
$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_COV) -MMD -MP -c $< -o $@

-include $(wildcard $(BUILD)/fuzz/obj/*/*.d $(BUILD)/fuzz/obj/*/*/*.d)

$(FUZZ_BINS): $(BUILD)/fuzz/fuzz_%: $$(call fuzz_objs,tests/fuzz/fuzz_$$*.c $(FUZZ_COMMON) \
		$$(fuzz_$$*_SRCS))
	@echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(fuzz_$*_LDFLAGS)

.PHONY: fuzz-build fuzz fuzz-check fuzz-regress
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@tests/fuzz/run.sh fuzz $(BUILD)/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-check: fuzz-build
	@tests/fuzz/run.sh fuzz $(BUILD)/fuzz $(FUZZ_CHECK_SECONDS) $(FUZZ_TARGETS)

fuzz-regress: fuzz-build
	@tests/fuzz/run.sh regress $(BUILD)/fuzz 0 $(FUZZ_TARGETS)

$(BUILD)/guest/%: guest/%.c include/parachute/abi.h
	@mkdir -p $(dir $@)
	$(HOSTCC) -static -O2 -Wall -Wextra -Werror -Iinclude -o $@ $<

# The guest-side hypercall fuzzer: CPL 3 program and CPL 0 module (docs/testing.md).
$(BUILD)/guest/hcfuzz3: tests/fuzz/guest/hcfuzz3.c include/parachute/abi.h
	@mkdir -p $(dir $@)
	$(HOSTCC) -static -O2 -Wall -Wextra -Werror -Iinclude -o $@ $<

$(BUILD)/hcfuzz/hcfuzz.ko: tests/fuzz/guest/hcfuzz.c tests/fuzz/guest/Kbuild include/parachute/abi.h \
		$(BUILD)/debian/vmlinuz
	@mkdir -p $(BUILD)/hcfuzz
	cp tests/fuzz/guest/hcfuzz.c tests/fuzz/guest/Kbuild $(BUILD)/hcfuzz/
	$(MAKE) -s -C $(BUILD)/debian/kbuild M=$(abspath $(BUILD)/hcfuzz) \
		EXTRA_CFLAGS=-I$(abspath include) modules

# The hostile guest kernel (tests/hostile/, docs/security.md): each class of escape, tried.
# It uses the parachute module's probes (pc_selftest()): built after it, with its symbols.
$(BUILD)/hostile/hostile.ko: tests/hostile/probes.c tests/hostile/Kbuild guest/module/pc.h \
		include/parachute/abi.h $(BUILD)/module/parachute.ko
	@mkdir -p $(BUILD)/hostile
	cp tests/hostile/probes.c tests/hostile/Kbuild guest/module/pc.h $(BUILD)/hostile/
	$(MAKE) -s -C $(BUILD)/debian/kbuild M=$(abspath $(BUILD)/hostile) \
		KBUILD_EXTRA_SYMBOLS=$(abspath $(BUILD)/module/Module.symvers) \
		EXTRA_CFLAGS=-I$(abspath include) modules

# parachutectl: static for the test initrd, which has no libc; for make
# install linked against the system's libc, with the CFLAGS, CPPFLAGS and
# LDFLAGS of the environment (dpkg-buildflags in the package build).
$(BUILD)/guest/parachutectl: $(PARACHUTECTL_DEPS)
	@mkdir -p $(dir $@)
	$(HOSTCC) -static -O2 $(PARACHUTECTL_CFLAGS) -o $@ $(PARACHUTECTL_SRCS)

$(BUILD)/parachutectl: $(PARACHUTECTL_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PARACHUTECTL_CFLAGS) $(LDFLAGS) -o $@ $(PARACHUTECTL_SRCS)

guest: $(GUEST_PROGS)

# The guest test module, built out of tree against the fetched Debian headers.
GUEST_MODULE_SRCS := guest/module/core.c guest/module/selftest.c guest/module/sipi.S \
	guest/module/pc.h guest/module/Kbuild
$(BUILD)/module/parachute.ko: $(GUEST_MODULE_SRCS) include/parachute/abi.h \
		include/parachute/ioctl.h $(BUILD)/debian/vmlinuz
	@mkdir -p $(BUILD)/module
	cp $(GUEST_MODULE_SRCS) $(BUILD)/module/
	$(MAKE) -s -C $(BUILD)/debian/kbuild M=$(abspath $(BUILD)/module) \
		EXTRA_CFLAGS=-I$(abspath include) modules

$(BUILD)/debian/vmlinuz:
	ci/fetch-debian.sh $(BUILD)

# The guest kernel's debug vmlinux, for crash and drgn (cached outside the tree).
$(BUILD)/debian/vmlinux-dbg: | $(BUILD)/debian/vmlinuz
	ci/fetch-debug-vmlinux.sh $(BUILD)

# The test init's own helper (tests/initrd/): tcdrain before a crash trigger.
$(BUILD)/initrd-bin/tcdrain: tests/initrd/tcdrain.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -static -O2 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/initrd.cpio.gz: $(BUILD)/debian/vmlinuz $(GUEST_PROGS) $(BUILD)/module/parachute.ko \
		$(BUILD)/hcfuzz/hcfuzz.ko $(BUILD)/hostile/hostile.ko $(BUILD)/initrd-bin/tcdrain \
		tests/initrd/init tests/initrd/mkinitrd.sh
	tests/initrd/mkinitrd.sh $(BUILD) $@

$(BUILD)/initrd-kdump.cpio.gz: $(BUILD)/initrd.cpio.gz
	tests/initrd/mkinitrd.sh $(BUILD) $@ kdump

# A guest initramfs whose init is this machine's systemd, for parachute.service (test_systemd.py).
$(BUILD)/systemd.cpio.gz: $(BUILD)/debian/vmlinuz $(BUILD)/guest/parachutectl \
		$(BUILD)/module/parachute.ko guest/parachute.service guest/default/parachute \
		tests/initrd/mksystemd.sh
	tests/initrd/mksystemd.sh $(BUILD) $@

# The capture kernel's vmlinux, taken out of the bzImage ahead of any crash.
$(BUILD)/debian/vmlinux-capture: $(BUILD)/debian/vmlinuz guest/parachute-vmlinux
	guest/parachute-vmlinux $< $@

# Debian's OpenSSH server, unpacked, for the SSH dump target tests (tests/integration/sshd.py).
$(BUILD)/sshd/sshd:
	ci/fetch-sshd.sh $(BUILD)

# Debian's NFS-Ganesha and mount.nfs, unpacked, for the NFS dump target tests (tests/integration/nfsd.py).
$(BUILD)/nfsd/ganesha.nfsd:
	ci/fetch-nfsd.sh $(BUILD)

# Debian's LVM and md tools, unpacked, for the LVM and md dump target tests (test_install.py).
$(BUILD)/disktools/root/sbin/lvm:
	ci/fetch-disktools.sh $(BUILD)

# The Xen test's Xen and toolstack (ci/fetch-xen.sh), its domU and dom0 initramfs.
$(BUILD)/xen/xen:
	ci/fetch-xen.sh $(BUILD)

$(BUILD)/xen/domu.cpio.gz: $(BUILD)/xen/xen $(BUILD)/debian/vmlinuz $(BUILD)/guest/patterns \
		tests/xen/mkdomu.sh tests/xen/domu-init
	tests/xen/mkdomu.sh $(BUILD) $@

$(BUILD)/xen/dom0.cpio.gz: $(BUILD)/xen/domu.cpio.gz $(BUILD)/xl-kdump tests/xen/mkdom0.sh \
		tests/xen/dom0-init tests/xen/block-dev
	tests/xen/mkdom0.sh $(BUILD) $@ $< $<

# Integration tests (tests/integration/, pytest; docs/testing.md). All they boot
# is built here, once, before pytest starts. INTEGRATION_WORKERS guests run at a
# time (pytest-xdist; 1: one after the other). TESTS=a,b selects the tests whose
# name, file or marker contains a or b (pytest -k "a or b"), and only when given
# on the command line: `make integration TESTS=smp`, `make check TESTS=xen`.
INTEGRATION_WORKERS ?= 2
INTEGRATION_DEPS := all $(BUILD)/initrd.cpio.gz $(BUILD)/initrd-kdump.cpio.gz $(BUILD)/systemd.cpio.gz $(BUILD)/debian/vmlinux-dbg \
	$(BUILD)/debian/vmlinux-capture $(BUILD)/parachutectl $(BUILD)/xl-kdump $(BUILD)/virt-kdump \
	$(BUILD)/xen/dom0.cpio.gz $(BUILD)/sshd/sshd $(BUILD)/nfsd/ganesha.nfsd \
	$(BUILD)/disktools/root/sbin/lvm
comma := ,
ifeq ($(origin TESTS),command line)
INTEGRATION_ARGS += -k '$(subst $(comma), or ,$(TESTS))'
else ifneq ($(TESTS),)
ifeq ($(MAKELEVEL),0)
$(info TESTS="$(TESTS)" in the environment is ignored: give it on the command line, make check TESTS=...)
endif
endif
ifneq ($(INTEGRATION_WORKERS),1)
INTEGRATION_ARGS += -n $(INTEGRATION_WORKERS) --dist loadgroup
endif

.PHONY: integration-deps
integration-deps: $(INTEGRATION_DEPS)

integration: integration-deps
	@tests/integration/run.sh $(BUILD) $(INTEGRATION_ARGS)

# What an installed system has (DESTDIR for a scratch root or a package):
# the hv in /boot, the GRUB entries, the capture initramfs builder and its
# init, the kernel hooks that build one per installed kernel, the settings,
# parachutectl.
install: $(BUILD)/parachute.elf $(BUILD)/parachutectl
	install -D -m 0644 $(BUILD)/parachute.elf $(DESTDIR)/boot/parachute.elf
	install -D -m 0755 guest/grub.d/20_linux_parachute $(DESTDIR)/etc/grub.d/20_linux_parachute
	install -D -m 0644 guest/default/parachute $(DESTDIR)/etc/default/parachute
	install -D -m 0755 guest/parachute-mkinitrd $(DESTDIR)/usr/sbin/parachute-mkinitrd
	install -D -m 0644 guest/man/parachute-mkinitrd.8 $(DESTDIR)/usr/share/man/man8/parachute-mkinitrd.8
	install -D -m 0755 guest/parachute-vmlinux $(DESTDIR)/usr/sbin/parachute-vmlinux
	install -D -m 0644 guest/man/parachute-vmlinux.8 $(DESTDIR)/usr/share/man/man8/parachute-vmlinux.8
	install -D -m 0755 $(BUILD)/parachutectl $(DESTDIR)/usr/sbin/parachutectl
	install -D -m 0644 guest/man/parachutectl.8 $(DESTDIR)/usr/share/man/man8/parachutectl.8
	install -D -m 0755 guest/capture/init $(DESTDIR)/usr/share/parachute/capture-init
	install -D -m 0755 guest/kernel/postinst.d/parachute $(DESTDIR)/etc/kernel/postinst.d/parachute
	install -D -m 0755 guest/kernel/postrm.d/parachute $(DESTDIR)/etc/kernel/postrm.d/parachute
	install -D -m 0644 guest/parachute.service $(DESTDIR)/lib/systemd/system/parachute.service

# Everything is built first, two jobs at a time (what the integration tests
# boot included, so the kernel is there for the unit test that reads it); then
# the four parts run, each closing with its own line, pytest's last.
# docs/code-map.md names only what exists.
lint:
	@python3 tests/lint/code_map.py .

check: headers-check lint
	@$(MAKE) --no-print-directory -j2 $(patsubst %,$(BUILD)/unit/%,$(UNIT_TESTS)) fuzz-build \
		integration-deps
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory fuzz-regress
	@$(MAKE) --no-print-directory fuzz-check
	@$(MAKE) --no-print-directory integration

demo: all $(BUILD)/initrd.cpio.gz $(BUILD)/debian/vmlinux-capture
	@python3 -u tests/demo.py $(BUILD)

bench: all $(BUILD)/initrd.cpio.gz $(BUILD)/initrd-kdump.cpio.gz $(BUILD)/debian/vmlinux-capture
	@tests/bench/boot.sh $(BUILD)

# xl-kdump versus xl dump-core on Xen 4.17 under QEMU (docs/xen.md).
bench-xen: $(BUILD)/xen/dom0.cpio.gz
	@BENCH_ONLY=xen tests/bench/boot.sh $(BUILD)

# The crash-path soak: SOAK_CYCLES boot-crash-capture cycles rotating the
# triggers (make check runs 3 of them, in test_soak.py).
SOAK_CYCLES ?= 20
soak: integration-deps
	@SOAK_CYCLES=$(SOAK_CYCLES) tests/integration/run.sh $(BUILD) -k test_soak -s

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)/obj $(BUILD)/unit $(BUILD)/guest $(BUILD)/initrd-bin $(BUILD)/parachute.elf $(BUILD)/parachutectl \
		$(BUILD)/fuzz/obj $(FUZZ_BINS) $(BUILD)/fuzz/logs \
		$(BUILD)/initrd.cpio.gz
