# SPDX-License-Identifier: GPL-2.0-only
"""How the integration tests are spread over pytest-xdist's workers.

A work unit is what --dist loadgroup makes of the collection: all tests
with the same xdist_group mark (they share a boot, or a daemon only one of
them may run at a time), else one test. The units differ a hundredfold in
length (a bad-input halt takes 3 s, the Bochs VMX capture 10 minutes), so
the order matters more than anything: units go out longest first, and
each worker asks for its next unit as it starts the last test it holds
(the worker must know the test after the one it runs). The unit it then
gets is the longest waiting if that worker is expected to be free before
the others, else the shortest, so that a long unit is not tied to a worker
still busy for minutes while another is about to be idle.

The expected lengths come from COSTS (seconds, single worker, measured:
docs/testing.md) by test name; a test not listed counts DEFAULT_COST.
"""
import time
from collections import OrderedDict

from xdist.scheduler import LoadGroupScheduling

DEFAULT_COST = 15

# Single-worker seconds of the tests over 15 s, measured on the 2-core
# machine (docs/testing.md, "Time per group"). A group's first test pays
# for the shared boot, the others read it (a second or so).
COSTS = {
    # Bochs (VMX): the capture run serves test_vmx_boot (first) and the capture test.
    "test_vmx_boot": 265, "test_vmx_sysrq_captured_and_restarted": 2,
    "test_vmx_watchdog_preemption_timer": 120, "test_vmx_smp_boot": 100,
    # Xen: one boot for five tests.
    "test_xen_pvh_capture": 150, "test_xen_load_errors_and_unload": 1,
    "test_xen_staged_memory_readonly": 1, "test_xen_trigger_hung_guest": 2,
    "test_xen_then_destroy_and_restart": 1,
    "test_smp_simultaneous_panics_captured_once": 55, "test_smp_crash_on_cpu0_and_last": 54,
    "test_sysrq_panic_captured": 53, "test_restart_three_crashes_in_a_row": 53,
    "test_capture_initramfs_dump_target_missing": 52, "test_package_grub_entries_boot_and_capture": 50,
    "test_soak_crash_cycles": 50, "test_scale_16g_captured": 44,
    "test_lend_free_memory_to_a_small_region": 26,
    # The 2-vCPU boots (test_smp.py) for four tests: about 22 s in all.
    "test_guest_nmis_two_vcpus": 10, "test_smp_all_cpus_online": 8, "test_smp_cpu_hotplug": 3,
    "test_smp_guest_nmi_ipis_reach_the_guest": 1,
    "test_watchdog_idle_guest_not_captured": 36, "test_uefi_capture": 35,
    "test_guest_hypercall_fuzzer_then_capture": 35,
    "test_capture_kernel_panic_before_userspace": 31, "test_capture_kernel_hang_bounded": 28,
    "test_capture_initramfs_saves_like_kdump_tools": 27, "test_libvirt_inject_nmi_captured": 25,
    "test_watchdog_captures_a_hard_lockup": 25, "test_capture_initramfs_raw_dump_partition": 24,
    "test_operator_nmi_captured": 24, "test_oops_captured": 23, "test_panic_in_guest_nmi_handler": 23,
    "test_triple_fault_captured": 22, "test_sealed_kexec_region_survives_stray_writes_and_dma": 20,
    "test_reload_racing_a_crash_is_captured_whole": 19,
    "test_reload_refusals_then_crash_boots_the_new_kernel": 19, "test_grub_capture": 19,
    "test_uefi_dma_isolation_vtd": 18,
    # Dump targets over the network, on LVM, and parachute.service under systemd.
    "test_nfs_target_does_not_answer": 34, "test_capture_initramfs_on_md_raid1": 30,
    "test_capture_initramfs_on_lvm": 25,
    "test_parachute_service_under_systemd": 21, "test_nfs_target_receives_the_dump": 19,
    "test_ssh_target_receives_the_dump": 19, "test_nfs_target_is_full": 17,
    "test_ssh_target_no_route": 36,
}


def expected_cost(nodeid):
    """The expected seconds of the test with this node id (a loadgroup
    node id may end in @GROUP, a parametrised one in [ID])."""
    name = nodeid.split("@")[0].rsplit("::", 1)[-1].split("[")[0]
    return COSTS.get(name, DEFAULT_COST)


class CostScheduling(LoadGroupScheduling):
    """loadgroup's units, longest first, to the worker expected free first."""

    def __init__(self, config, log=None):
        super().__init__(config, log)
        self.since = {}  # node -> when its current test started (its last report)

    def unit_cost(self, unit):
        return sum(expected_cost(nodeid) for nodeid, done in unit.items() if not done)

    def left(self, node, now):
        """Expected seconds until node has run all it holds."""
        work = self.assigned_work.get(node, {})
        cost = sum(self.unit_cost(unit) for unit in work.values())
        return max(0.0, cost - (now - self.since.get(node, now)))

    def schedule(self):
        assert self.collection_is_completed
        if self.collection is not None:  # a node added later
            for node in self.nodes:
                self._reschedule(node)
            return
        if not self._check_nodes_have_same_collection():
            self.log("**Different tests collected, aborting run**")
            return
        self.collection = list(next(iter(self.registered_collections.values())))
        if not self.collection:
            return
        units = OrderedDict()
        for nodeid in self.collection:
            units.setdefault(self._split_scope(nodeid), OrderedDict())[nodeid] = False
        for scope in sorted(units, key=lambda s: -self.unit_cost(units[s])):
            self.workqueue[scope] = units[scope]
        idle = self.nodes[len(self.workqueue):]
        for node in idle:  # more workers than units
            self.assigned_work.pop(node)
            node.shutdown()
        now = time.monotonic()
        for node in self.nodes:
            self.since[node] = now
            self._reschedule(node)

    def mark_test_complete(self, node, item_index, duration=0):
        self.since[node] = time.monotonic()
        super().mark_test_complete(node, item_index, duration)

    def remove_node(self, node):
        """A worker that crashed: the test it was running failed (xdist
        reports it), the rest of what it held goes back to the queue."""
        work = self.assigned_work.pop(node)
        self.since.pop(node, None)
        crashed = next((nodeid for unit in work.values() for nodeid, done in unit.items()
                        if not done), None)
        if crashed is None:
            return None
        for scope, unit in work.items():
            if crashed in unit:
                unit[crashed] = True
            if not all(unit.values()):
                self.workqueue[scope] = unit
        for other in self.nodes:
            self._reschedule(other)
        return crashed

    def _reschedule(self, node):
        if node.shutting_down:
            return
        # A worker runs a test only once it knows the next: it holds two, or
        # its last one and the shutdown.
        work = self.assigned_work[node]
        while self._pending_of(work) < 2:
            if not self.workqueue:
                node.shutdown()
                return
            now = time.monotonic()
            others = [self.left(n, now) for n in self.nodes if n is not node]
            first_free = not others or self.left(node, now) <= min(others)
            scope = next(iter(self.workqueue)) if first_free else next(reversed(self.workqueue))
            unit = self.workqueue.pop(scope)
            work[scope] = unit
            indices = self.registered_collections[node]
            node.send_runtest_some([indices.index(nodeid) for nodeid, done in unit.items()
                                    if not done])
