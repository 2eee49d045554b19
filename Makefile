# SPDX-License-Identifier: GPL-2.0-only
#
# make            build the module (ovpn-dco-v2.ko) and the CLI (cli/ovpn-cli)
# make deps       install every Debian package the build, tests and demo need
# make check      unit tests + the guest scenario suite (installs deps if missing)
# make demo       a measured tunnel between two namespaces in one guest boot
# make fuzz-unit  libFuzzer on the pure-logic code (replay window, header
#                 codec, key files): FUZZ_SECONDS (default 60) per harness
# make fuzz       the fuzzing scenarios (80-89: netlink and wire fuzzers at
#                 live devices) with big counts: FUZZ_COUNT (default 200000)
# make check-reference
#                 the OpenVPN scenarios (60-67) with Debian's reference module
#                 (openvpn-dco-dkms, downloaded and built, never installed)
#                 loaded instead of ours: they must test OpenVPN's expectations
#
# KVER selects the kernel (default: the one Debian's linux-image-amd64 depends
# on); KDIR the build tree (default: its headers).

ifneq ($(KERNELRELEASE),)
include $(src)/Kbuild
else

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
# Pass KVER/KDIR on to sub-makes only when the user chose them: after
# `make deps` a sub-make must compute the default again.
USER_KVARS := $(if $(filter command line environment,$(origin KVER)),KVER=$(KVER)) \
	      $(if $(filter command line environment,$(origin KDIR)),KDIR=$(KDIR))
KVER ?= $(shell $(TOP)/scripts/kver.sh)
KVER := $(KVER)
KDIR ?= /lib/modules/$(KVER)/build

.PHONY: all module cli tools deps deps-if-missing unit check guest demo demo-run clean sparse checkpatch \
	reference check-reference fuzz fuzz-unit

all: module cli tools

module:
	@test -d "$(KDIR)" || { echo "no kernel build tree at $(KDIR): run 'make deps' or set KDIR"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) modules

cli:
	$(MAKE) -C $(TOP)/cli

tools: cli
	$(MAKE) -C $(TOP)/tests/tools

deps:
	$(TOP)/scripts/deps.sh

deps-if-missing:
	$(TOP)/scripts/deps.sh --if-missing

unit:
	$(MAKE) -C $(TOP)/tests/unit run

guest: all
	KVER=$(KVER) $(TOP)/tests/guest/run.sh

check: deps-if-missing
	$(MAKE) -C $(TOP) all $(USER_KVARS)
	$(MAKE) -C $(TOP) unit
	$(MAKE) -C $(TOP) guest $(USER_KVARS)

FUZZ_SECONDS ?= 60
FUZZ_COUNT ?= 200000
fuzz-unit:
	$(MAKE) -C $(TOP)/tests/fuzz run FUZZ_SECONDS=$(FUZZ_SECONDS)

# The default suite runs scenarios 80-89 with moderate counts; this runs them
# alone with FUZZ_COUNT messages/packets each (timeouts scaled to match).
fuzz: all
	OVPN_FUZZ_COUNT=$(FUZZ_COUNT) OVPN_TIMEOUT_FACTOR=$$(( $(FUZZ_COUNT) / 20000 + 1 )) \
		KVER=$(KVER) $(TOP)/tests/guest/run.sh '8[0-9]-*'

# Not part of `check`: it downloads a package and doubles the OpenVPN scenario time.
reference:
	KVER=$(KVER) $(TOP)/scripts/build-reference.sh

check-reference: deps-if-missing
	$(MAKE) -C $(TOP) all $(USER_KVARS)
	$(MAKE) -C $(TOP) reference $(USER_KVARS)
	@# --no-slub-debug: the reference has a use-after-free on every peer
	@# deletion (ovpn_peer_delete_work calls ovpn_peer_release, which frees
	@# the peer through call_rcu, then ovpn_netlink_notify_del_peer reads
	@# peer->ovpn outside any RCU read section; dco-reference.md section 7
	@# "crashes on teardown"): slab poisoning turns it into a guest panic
	@# in a random scenario. This run
	@# checks the scenarios' OpenVPN expectations, not the reference's memory
	@# safety; dmesg is still scanned for every report.
	KVER=$(KVER) $(TOP)/tests/guest/run.sh --module reference --no-slub-debug '6[0-7]-*'

demo: deps-if-missing
	$(MAKE) -C $(TOP) demo-run $(USER_KVARS)

demo-run: all
	KVER=$(KVER) $(TOP)/tests/guest/run.sh --demo

sparse:
	$(MAKE) -C $(KDIR) M=$(TOP) C=2 W=1 modules

checkpatch:
	$(TOP)/scripts/checkpatch.sh

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) clean || true
	$(MAKE) -C $(TOP)/cli clean
	$(MAKE) -C $(TOP)/tests/tools clean
	$(MAKE) -C $(TOP)/tests/unit clean
	$(MAKE) -C $(TOP)/tests/fuzz clean
endif
