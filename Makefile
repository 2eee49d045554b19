# SPDX-License-Identifier: GPL-2.0-only
#
# make            build the module (ovpn-dco-v2.ko) and the CLI (cli/ovpn-cli)
# make module-debug
#                 the debug build of the module, with the test aids of
#                 drivers/net/ovpn-dco/debug.h (load-time parameters, debugfs
#                 counters), in build/kbuild/debug-KVER; never install it.
#                 `make guest` builds it and ships it beside the normal one.
#                 (OVPN_DEBUG=1 on any module target does the same.)
# make deps       install every Debian package the build, tests and demo need
# make check      unit tests, deb-check (below) and the guest scenario suite
#                 (installs deps if missing)
# make demo       a measured tunnel between two namespaces in one guest boot
# make bench      the side-by-side benchmark in one guest boot: veth, ours
#                 (CLI, OpenVPN 2.6), the reference module, OpenVPN in
#                 userspace, WireGuard; table, build/bench/results.json and
#                 build/bench/bench.png. Knobs: BENCH_CONTENDERS, BENCH_TESTS,
#                 BENCH_TIME, BENCH_REPS (Documentation/benchmark.md). Not part of check.
# make bench-scale
#                 the peer-scale benchmark in one guest boot: ours and the
#                 reference module side by side at N = 1, 100, 1,000 and
#                 10,000 peers (setup, memory per peer, packet path, idle
#                 CPU, dump, notifications, teardown); table, chart and
#                 results.json in build/bench-scale, the latest table and
#                 chart copied to Documentation/bench/scale-latest.*. Knobs:
#                 BENCH_SCALE_N, BENCH_SCALE_MODULES, BENCH_SCALE_IDLE,
#                 BENCH_SCALE_TIME (Documentation/performance.md, "Peer
#                 scale"). Not part of check.
# make fuzz-unit  libFuzzer on the pure-logic code (replay window, header
#                 codec, key files): FUZZ_SECONDS (default 60) per harness
# make fuzz       the fuzzing scenarios (80-89: netlink and wire fuzzers at
#                 live devices) with big counts: FUZZ_COUNT (default 200000)
# make check-reference
#                 the OpenVPN scenarios (60-67) with Debian's reference module
#                 (openvpn-dco-dkms, downloaded and built, never installed)
#                 loaded instead of ours: they must test OpenVPN's expectations
# make check-debug
#                 the guest suite on a debug kernel (KASAN, lockdep, kmemleak,
#                 ...) built once from linux-source-6.1 and cached in
#                 ~/.cache/ovpn-dco (scripts/check-debug.sh)
# make soak       SOAK_SECONDS (default 300) of traffic, key rotation, peer
#                 churn, link flaps and device re-creation in one guest
# make soak-debug the same on the debug kernel
# make check-6.12 the same check against Debian 12's 6.12 kernel (the one its
#                 linux-image-6.12-amd64 metapackage depends on), built in
#                 build/kbuild/KVER, artifacts in build/guest-KVER
# make dkms-check dkms add/build/install of dkms.conf on scratch trees (never
#                 the host's /lib/modules), then a guest run of that module;
#                 DKMS_KVERS="K1 K2" for several kernels (default KVER)
# make install    module to /lib/modules/KVER/updates, depmod, uapi header
#                 and ovpn-cli under PREFIX (/usr/local), the systemd unit
#                 ovpn-cli@.service in SYSTEMD_UNIT_DIR
#                 (PREFIX/lib/systemd/system); DESTDIR honoured
# make systemd-check
#                 systemd-analyze verify of the unit (part of check; skipped
#                 with a message where systemd-analyze is missing)
# make uninstall  the reverse
# make deb        the Debian packages, with debhelper and dh_dkms, in build/deb:
#                 ovpn-dco-fast-dkms (the module's sources; DKMS builds it for
#                 every kernel with headers) and ovpn-cli (binary, ovpn-cli(8),
#                 /etc/ovpn-cli, the systemd unit, bash completion); the
#                 version is dkms.conf's (Documentation/packaging.md)
# make deb-check  make deb, lintian, then install, upgrade from a lower
#                 version and purge in a throwaway root (an overlay of /):
#                 dkms must build for both Debian 12 kernels and leave nothing
#                 behind (part of check; DEB_CHECK_GUEST=1 also boots the
#                 module dkms built)
# make man        ovpn-cli(8) and ovpn-dco-v2(4) in build/man, generated
#                 from ovpn-cli --help and the module's parameter strings
# make install-check
#                 install + uninstall into a scratch DESTDIR, checked
#
# KVER selects the kernel (default: the one Debian's linux-image-amd64 depends
# on); KDIR the build tree (default: its headers); MODDIR where the module is
# built (default: here; another directory gets a tree of symlinks to the
# sources, so the objects of different kernels never mix).

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
DEBUG_MODDIR := $(TOP)/build/kbuild/debug-$(KVER)
DEBUG_KO := $(DEBUG_MODDIR)/ovpn-dco-v2.ko
# OVPN_DEBUG=1 (read by Kbuild too) never builds into the product's place
ifeq ($(OVPN_DEBUG),1)
MODDIR ?= $(DEBUG_MODDIR)
endif
MODDIR ?= $(TOP)
override MODDIR := $(abspath $(MODDIR))
KO := $(MODDIR)/ovpn-dco-v2.ko
# what Kbuild compiles: mirrored into MODDIR when it is not the source tree
KSRC := Kbuild drivers include uapi

# The second kernel series CI tests (Debian 12 carries it beside 6.1).
SERIES2 := 6.12

PREFIX ?= /usr/local
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
DESTDIR ?=
INSTALL_MOD_DIR ?= updates
MODDEST := $(DESTDIR)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)

DKMS_NAME := $(shell sed -n 's/^PACKAGE_NAME="\(.*\)"$$/\1/p' $(TOP)/dkms.conf)
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(TOP)/dkms.conf)
# what dkms needs of the tree (dkms.conf builds with the kernel's make and Kbuild)
DKMS_FILES := dkms.conf Kbuild drivers include uapi
DKMS_KVERS ?= $(KVER)

.PHONY: all module module-debug moddir cli tools deps deps-if-missing unit check guest demo demo-run clean sparse \
	checkpatch reference check-reference check-6.12 build-other install uninstall install-check \
	deb deb-check man \
	dkms-source dkms-add dkms-remove dkms-check bench bench-run bench-scale bench-scale-run check-debug soak soak-debug deps-debug \
	fuzz fuzz-unit systemd-check

all: module cli tools

module: moddir
	@test -d "$(KDIR)" || { echo "no kernel build tree at $(KDIR): run 'make deps' or set KDIR"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(MODDIR) modules

module-debug:
	$(MAKE) -C $(TOP) module OVPN_DEBUG=1 KVER=$(KVER) KDIR=$(KDIR) MODDIR=$(DEBUG_MODDIR)

# A separate MODDIR holds real directories of symlinks to the sources (kbuild
# writes each object beside its source). Only sources are linked: objects of
# another kernel built in the source tree must not be picked up. Stale links
# (removed files, anything not a source) go.
moddir:
ifneq ($(MODDIR),$(TOP))
	@mkdir -p $(MODDIR)
	@find $(MODDIR) -type l \( -xtype l -o ! \( -name '*.[ch]' -o -name Kbuild \) \) -delete
	@cd $(TOP) && find $(KSRC) -type f \( -name '*.[ch]' -o -name Kbuild \) ! -name '*.mod.c' | \
		while read -r f; do \
			mkdir -p "$(MODDIR)/$$(dirname "$$f")" && ln -sfn "$(TOP)/$$f" "$(MODDIR)/$$f" || exit 1; \
		done
endif

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

systemd-check: cli
	$(TOP)/tests/systemd-check.sh

# SCENARIOS='02* 7*': only these scenarios (run.sh globs); default all
# GUEST_SHARDS=N: N guests side by side (tests/guest/shards.sh; default 2
# on a host of 2 cores or more, else 1)
guest: all module-debug
	KVER=$(KVER) OVPN_KO_PATH=$(KO) OVPN_DEBUG_KO_PATH=$(DEBUG_KO) \
		$(TOP)/tests/guest/shards.sh $(foreach g,$(SCENARIOS),'$(g)')

check: deps-if-missing
	$(MAKE) -C $(TOP) all $(USER_KVARS)
	$(MAKE) -C $(TOP) build-other
	$(MAKE) -C $(TOP) unit
	$(MAKE) -C $(TOP) systemd-check
	$(if $(filter 1,$(NO_DEB_CHECK)),@echo "check: deb-check not run again (NO_DEB_CHECK=1: it tests every installed kernel at once)",$(MAKE) -C $(TOP) deb-check)
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

# Installs its own extra packages (scripts/deps.sh --bench): make check does not need them.
bench:
	$(TOP)/scripts/deps.sh --bench --if-missing
	$(MAKE) -C $(TOP) bench-run $(USER_KVARS)

bench-run: all
	KVER=$(KVER) $(TOP)/tests/guest/run.sh --bench

# The same packages as bench (matplotlib for the chart). The table and the
# chart are copied to Documentation/bench even when a step failed: they say
# which.
bench-scale:
	$(TOP)/scripts/deps.sh --bench --if-missing
	$(MAKE) -C $(TOP) bench-scale-run $(USER_KVARS)

bench-scale-run: all
	KVER=$(KVER) $(TOP)/tests/guest/run.sh --bench-scale; rc=$$?; \
	for f in table.txt:scale-latest.txt scale.png:scale-latest.png; do \
		[ ! -f $(TOP)/build/bench-scale/$${f%%:*} ] || \
			cp $(TOP)/build/bench-scale/$${f%%:*} $(TOP)/Documentation/bench/$${f#*:}; \
	done; exit $$rc

# Not part of `check`: the kernel build alone takes 20+ minutes on 2 cores
# (cached afterwards), and the suite runs several times slower there.
deps-debug:
	$(TOP)/scripts/deps.sh --if-missing --debug-kernel

check-debug: deps-debug
	$(MAKE) -C $(TOP) unit
	$(TOP)/scripts/check-debug.sh

soak: deps-if-missing
	$(MAKE) -C $(TOP) all $(USER_KVARS)
	KVER=$(KVER) $(TOP)/tests/guest/run.sh --soak

soak-debug: deps-debug
	$(TOP)/scripts/check-debug.sh --soak

demo: deps-if-missing
	$(MAKE) -C $(TOP) demo-run $(USER_KVARS)

demo-run: all
	KVER=$(KVER) OVPN_KO_PATH=$(KO) $(TOP)/tests/guest/run.sh --demo

# Compile (only) the module for the other series too when its headers are
# here: an API that moved there fails in seconds, not after a whole suite.
build-other:
	@kver=$$($(TOP)/scripts/kver.sh $(SERIES2) 2>/dev/null); \
	if [ -n "$$kver" ] && [ -d /lib/modules/$$kver/build ] && [ "$$kver" != "$(KVER)" ]; then \
		$(MAKE) -C $(TOP) module KVER=$$kver KDIR=/lib/modules/$$kver/build \
			MODDIR=$(TOP)/build/kbuild/$$kver W=1 || exit 1; \
		$(MAKE) -C $(TOP) module-debug KVER=$$kver KDIR=/lib/modules/$$kver/build W=1 || exit 1; \
	else echo "build-other: no $(SERIES2) headers here (make check-$(SERIES2) installs them): skipped"; fi

# The whole check again on the second kernel series (but deb-check, which
# make check ran for both series at once): its own objects
# (build/kbuild/KVER) and guest artifacts (build/guest-KVER). W=1 as
# build-other: make check already built both modules of this series there
# with it, and other flags would make kbuild compile them all over again.
check-6.12:
	$(TOP)/scripts/deps.sh --if-missing --kernel $(SERIES2)
	kver=$$($(TOP)/scripts/kver.sh $(SERIES2)) && \
	$(MAKE) -C $(TOP) check KVER=$$kver KDIR=/lib/modules/$$kver/build W=1 \
		MODDIR=$(TOP)/build/kbuild/$$kver OVPN_GUEST_OUT=$(TOP)/build/guest-$$kver NO_DEB_CHECK=1

# Not part of `check`: run by CI (.ci/run). No guest; seconds.
install-check: module cli
	$(TOP)/tests/install-check.sh

# Not part of `check`: installs dkms. KVER (or DKMS_KVERS) must be installed:
# make check / check-6.12 first, or scripts/deps.sh [--kernel 6.12].
dkms-check:
	$(TOP)/scripts/deps.sh --if-missing --dkms
	$(MAKE) -C $(TOP) cli tools
	$(TOP)/scripts/dkms-check.sh $(DKMS_KVERS)

# Debian packages (scripts/deb.sh; Documentation/packaging.md). deb-check
# tests them against every kernel with headers: Debian 12's two series, the
# second installed here if missing (check-6.12 installs it anyway).
deb:
	$(TOP)/scripts/deps.sh --if-missing --deb
	$(TOP)/scripts/deb.sh

deb-check:
	$(TOP)/scripts/deps.sh --if-missing --deb --kernel $(SERIES2)
	$(TOP)/tests/deb-check.sh

man: cli
	mkdir -p $(TOP)/build/man
	python3 $(TOP)/scripts/gen-man.py cli $(TOP)/cli/ovpn-cli $(TOP)/build/man/ovpn-cli.8
	python3 $(TOP)/scripts/gen-man.py module $(TOP) $(TOP)/build/man/ovpn-dco-v2.4

# both builds: the debug one has code of its own
sparse: moddir
	$(MAKE) -C $(KDIR) M=$(MODDIR) C=2 W=1 modules
	$(MAKE) -C $(TOP) moddir MODDIR=$(DEBUG_MODDIR)
	$(MAKE) -C $(KDIR) M=$(DEBUG_MODDIR) OVPN_DEBUG=1 C=2 W=1 modules

checkpatch:
	$(TOP)/scripts/checkpatch.sh

# depmod only for the live tree: with DESTDIR (a package being staged) the
# package's own scripts run it on the target.
install: module cli
	@$(TOP)/scripts/install-conflicts.sh "$(DESTDIR)/lib/modules/$(KVER)" "$(MODDEST)/ovpn-dco-v2.ko"
	install -d $(MODDEST) $(DESTDIR)$(PREFIX)/include/linux $(DESTDIR)$(PREFIX)/sbin
	install -m 644 $(KO) $(MODDEST)/ovpn-dco-v2.ko
	$(if $(INSTALL_MOD_STRIP),strip --strip-debug $(MODDEST)/ovpn-dco-v2.ko)
	install -m 644 $(TOP)/uapi/linux/ovpn_dco.h $(DESTDIR)$(PREFIX)/include/linux/ovpn_dco.h
	install -m 644 $(TOP)/uapi/linux/ovpn.h $(DESTDIR)$(PREFIX)/include/linux/ovpn.h
	install -m 755 $(TOP)/cli/ovpn-cli $(DESTDIR)$(PREFIX)/sbin/ovpn-cli
	install -d $(DESTDIR)$(SYSTEMD_UNIT_DIR)
	sed 's|@SBINDIR@|$(PREFIX)/sbin|g' $(TOP)/cli/systemd/ovpn-cli@.service \
		>$(DESTDIR)$(SYSTEMD_UNIT_DIR)/ovpn-cli@.service
	chmod 644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/ovpn-cli@.service
	$(if $(DESTDIR),@echo "install: DESTDIR set: depmod not run",depmod -a $(KVER))

uninstall:
	rm -f $(MODDEST)/ovpn-dco-v2.ko $(DESTDIR)$(PREFIX)/include/linux/ovpn_dco.h \
		$(DESTDIR)$(PREFIX)/include/linux/ovpn.h $(DESTDIR)$(PREFIX)/sbin/ovpn-cli \
		$(DESTDIR)$(SYSTEMD_UNIT_DIR)/ovpn-cli@.service
	$(if $(DESTDIR),@echo "uninstall: DESTDIR set: depmod not run",depmod -a $(KVER))
	@if [ -d /sys/module/ovpn_dco_v2 ] && [ -z "$(DESTDIR)" ]; then \
		echo "uninstall: ovpn_dco_v2 is still loaded: delete its devices and rmmod ovpn_dco_v2"; fi

# dkms: the module's sources as dkms wants them, under
# $(DESTDIR)/usr/src/NAME-VERSION; dkms-add registers them with the host's
# dkms (then: dkms install $(DKMS_NAME)/$(DKMS_VERSION)).
DKMS_SRC = $(if $(DESTDIR),$(abspath $(DESTDIR)))/usr/src/$(DKMS_NAME)-$(DKMS_VERSION)
dkms-source:
	@test -n "$(DKMS_NAME)" && test -n "$(DKMS_VERSION)" || { echo "dkms.conf lacks PACKAGE_NAME/VERSION"; exit 1; }
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)
	cd $(TOP) && cp -R $(DKMS_FILES) $(DKMS_SRC)/
	find $(DKMS_SRC) \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '.*.d' \
		-o -name '*.mod' -o -name '*.mod.c' \) -delete

dkms-add:
	@$(TOP)/scripts/install-conflicts.sh /lib/modules ""
	$(MAKE) -C $(TOP) dkms-source DESTDIR=
	dkms add -m $(DKMS_NAME) -v $(DKMS_VERSION)

dkms-remove:
	dkms remove -m $(DKMS_NAME) -v $(DKMS_VERSION) --all
	rm -rf /usr/src/$(DKMS_NAME)-$(DKMS_VERSION)

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) clean || true
	rm -rf $(TOP)/build/kbuild
	$(MAKE) -C $(TOP)/cli clean
	$(MAKE) -C $(TOP)/tests/tools clean
	$(MAKE) -C $(TOP)/tests/unit clean
	$(MAKE) -C $(TOP)/tests/fuzz clean
endif
