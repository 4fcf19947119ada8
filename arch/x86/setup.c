// SPDX-License-Identifier: GPL-2.0-only
/* x86 start-up: from the 64-bit entry to the generic core, and back for the guest. */
#include <asm/acpi.h>
#include <asm/console.h>
#include <asm/cpuid.h>
#include <asm/firmware.h>
#include <asm/guest.h>
#include <asm/iommu.h>
#include <asm/mm.h>
#include <asm/multiboot.h>
#include <asm/processor.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <asm/traps.h>
#include <asm/vcpu.h>
#include <hv/arch.h>
#include <hv/capture.h>
#include <hv/hv.h>
#include <hv/printk.h>

const struct vcpu_vendor *vendor;
const struct vcpu_vendor *svm_probe(void);
const struct vcpu_vendor *vmx_probe(void);

unsigned int arch_vendor(void)
{
	return vendor ? vendor->id : 0;
}

const char *arch_exit_name(u64 reason)
{
	return vendor ? vendor->exit_name(reason) : "?";
}

void arch_cpu_halt(void)
{
	for (;;)
		asm volatile("cli; hlt" ::: "memory");
}

const struct vcpu_vendor *vcpu_vendor_probe(void)
{
	const struct vcpu_vendor *v = svm_probe();

	if (!v)
		v = vmx_probe();
	if (!v)
		pr_err("this CPU has no usable hardware virtualisation (AMD SVM with nested paging, or Intel VMX with EPT and unrestricted guest)");
	return v;
}

struct madt_info boot_madt;

int arch_boot(const struct boot_info *bi)
{
	struct percpu *cpu = &percpu_area[0];
	struct cpuid_regs c;

	if (hv_mm_init(&bi->mem))
		return -ENOMEM;
	vendor = vcpu_vendor_probe();
	if (!vendor || vcpu_init())
		return -ENODEV;
	cpuid_count(1, 0, &c);
	cpu->apic_id = c.ebx >> 24;
	cpu->state = CPU_HOST;
	if (vendor->cpu_init(cpu))
		return -ENODEV;
	nr_cpus_online = 1;
	if (bi->rsdp && acpi_madt(bi->rsdp, &boot_madt))
		pr_warn("ACPI: no valid MADT; the guest will run on one CPU");
	smp_start_aps(&boot_madt);
	guest_acpi_init(bi);
	firmware_guest_smbios(bi);
	/* The IOMMUs' register pages are hidden before any guest space is built. */
	if (iommu_init(bi->rsdp))
		return -ENODEV;
	capture_stage(bi); /* before the guest kernel may land on the modules */
	return guest_boot_linux(bi, cpu);
}

void arch_reboot(void)
{
	/* PCI reset control (0xcf9), then the keyboard controller, then a triple fault. */
	outb(0xcf9, 0x02);
	outb(0xcf9, 0x06);
	udelay(50000);
	outb(0x64, 0xfe);
	udelay(50000);
	asm volatile("lidt %0; int3"
		     :
		     : "m"((struct {
			     u16 l;
			     u64 b;
		     } __packed){ 0, 0 }));
	arch_cpu_halt();
}

void hv_start(u32 magic, u64 info);
void hv_start(u32 magic, u64 info)
{
	static struct boot_info bi;

	console_init(options_peek_console(multiboot_cmdline(magic, info)));
	idt_init();
	pr_info("parachute " PARACHUTE_VERSION " starting");
	hv.tsc_khz = tsc_calibrate();
	if (multiboot_parse(magic, info, &bi))
		hv_halt();
	firmware_resolve(&bi); /* the RSDP and SMBIOS, once */
	hv_main(&bi);
}
