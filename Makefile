# ghostport top-level Makefile.
#
#   make                 build/ghostport (+ BPF object and skeleton)
#   make static          build/static/ghostport and the static test programs
#                        (what the test VM's initramfs carries)
#   make asan            the same userspace built with ASan + UBSan in build/asan
#   make kmod [KDIR=..]  the kernel module through the top-level Kbuild
#   make test            every stage: unit, host end-to-end, VM; one summary line
#   make check-layers    userspace stages include only the stages below them
#   make lint            checkpatch.pl over kmod/ and bpf/, and check-layers
#   make test-unit | test-host | test-vm [KERNEL=5.10|6.1|6.12|7.3] | vm-shell KERNEL=..
#   make run             install build deps if missing, build, run default policy
#   make install [DESTDIR= PREFIX=]
#
# Conventions (so parts can be added without editing this file):
#   userspace/**/*.c        -> build/libghostport.a, except main.c; objects
#                              mirror the folders under build/obj, each with
#                              a -MMD dependency file, so a header change
#                              rebuilds only what includes it
#   tests/unit/test_*.c     -> build/tests/unit/test_* (cmocka), linked with
#                              libghostport.a
#   tests/e2e/*.c           -> build/tests/e2e/<name> (test programs), and
#   tests/e2e/<name>/*.c       one program from several files; each links
#                              tests/e2e/lib/*.c (build/obj/tests/e2e/lib/libgptest.a)
#   tools/gen-tables.py     -> build/gen/ghost_table.c from data/*.csv

# The one version: debian/changelog's first entry (`ghostport version`,
# the module's MODULE_VERSION, dkms.conf and the .debs all take it).
VERSION		:= $(shell head -n1 debian/changelog | cut -d' ' -f2 | tr -d '()')
BUILD		?= build
CC		?= gcc
CLANG		?= clang
BPFTOOL		?= bpftool
ARCH		:= x86
PYTHON		?= python3
KDIR		?= /lib/modules/$(shell uname -r)/build

# Extra flags for variants (asan, static) are passed down by recursion.
VARIANT_CFLAGS	?=
VARIANT_LDFLAGS	?=
STATIC		?=

CFLAGS		?= -O2 -g
WARN		:= -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wno-unused-parameter
CPPFLAGS_ALL	:= -D_GNU_SOURCE -DGP_VERSION=\"$(VERSION)\" \
		   -Iinclude -Iuserspace -I$(BUILD)/gen
ALL_CFLAGS	:= -std=gnu11 $(CFLAGS) $(WARN) $(VARIANT_CFLAGS) $(CPPFLAGS_ALL) $(CPPFLAGS)

# The journal output speaks journald's protocol itself (no libsystemd), so
# static builds (the VM guest's) have it too.
ifeq ($(STATIC),1)
LIBS		:= -static -lbpf -lelf -lz -lyaml -lssl -lcrypto -lcap-ng -lpthread -ldl
else
LIBS		:= -lbpf -lelf -lz -lyaml -lssl -lcrypto -lcap-ng -lpthread
endif

USER_SRCS	:= $(wildcard userspace/*.c userspace/*/*.c)
LIB_SRCS	:= $(filter-out userspace/main.c,$(USER_SRCS))
LIB_OBJS	:= $(patsubst userspace/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS)) \
		   $(BUILD)/obj/ghost_table.o
UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
UNIT_BINS	:= $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
# e2e programs: tests/e2e/<name>.c (one file) or tests/e2e/<name>/*.c (several);
# tests/e2e/lib/*.c is the library linked into every one of them.
E2E_SRCS	:= $(wildcard tests/e2e/*.c)
E2E_DIRS	:= $(filter-out lib,$(patsubst tests/e2e/%/,%,$(sort $(dir $(wildcard tests/e2e/*/*.c)))))
E2E_BINS	:= $(patsubst tests/e2e/%.c,$(BUILD)/tests/e2e/%,$(E2E_SRCS)) \
		   $(addprefix $(BUILD)/tests/e2e/,$(E2E_DIRS))
BPF_SRCS	:= $(wildcard bpf/*.bpf.c)
BPF_OBJS	:= $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS		:= $(patsubst bpf/%.bpf.c,$(BUILD)/gen/%.skel.h,$(BPF_SRCS))
DATA		:= $(wildcard data/*.csv)

.PHONY: all static asan kmod check-layers lint test test-unit test-host test-vm vm-shell run deps-test \
	install install-bin install-dkms deb clean bench e2e unit deps FORCE

# Keep the BPF objects (bench and bpftool use them).
.SECONDARY:

all: $(BUILD)/ghostport $(E2E_BINS)

# ---- BPF ---------------------------------------------------------------
BPF_CFLAGS	:= -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
		   -Ibpf/vmlinux/$(ARCH) -Iinclude -Ibpf

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) include/ghostport_abi.h \
		include/ghostport_bpf.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(BPFTOOL) gen object $@ $@.tmp
	@rm -f $@.tmp

$(BUILD)/gen/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

# ---- generated tables ---------------------------------------------------
$(BUILD)/gen/ghost_table.c: tools/gen-tables.py $(DATA)
	@mkdir -p $(@D)
	$(PYTHON) tools/gen-tables.py --out $@ data

$(BUILD)/obj/ghost_table.o: $(BUILD)/gen/ghost_table.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -Wno-overlength-strings -c $< -o $@

# ---- userspace -----------------------------------------------------------
# Headers are found through the -MMD -MP dependency files; the skeletons are
# order-only (generated before the first compile, and a source that includes
# one depends on it through its .d file).
$(BUILD)/obj/%.o: userspace/%.c | $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

-include $(patsubst %.o,%.d,$(LIB_OBJS) $(BUILD)/obj/main.o)

$(BUILD)/libghostport.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/ghostport: $(BUILD)/obj/main.o $(BUILD)/libghostport.a
	$(CC) $(ALL_CFLAGS) $(VARIANT_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# ---- tests -------------------------------------------------------------
$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libghostport.a
	@mkdir -p $(@D)
	@mkdir -p $(BUILD)/obj/tests/unit
	$(CC) $(ALL_CFLAGS) -MMD -MP -MF $(BUILD)/obj/tests/unit/$*.d \
		-Wno-unused-function $(VARIANT_LDFLAGS) -o $@ $< \
		$(BUILD)/libghostport.a -lcmocka -ljansson $(LIBS)

-include $(patsubst $(BUILD)/%,$(BUILD)/obj/%.d,$(UNIT_BINS))

E2E_LIBS	:= $(if $(filter 1,$(STATIC)),-static -ljansson -lpthread,-ljansson -lpthread)
E2E_LIB		:= $(BUILD)/obj/tests/e2e/lib/libgptest.a
# What the tests share with the daemon (libc only): the run lock, read the
# daemon's way, and the kernel version check.
E2E_LIB_OBJS	:= $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/e2e/lib/*.c)) \
		   $(BUILD)/obj/daemon/runlock.o $(BUILD)/obj/lib/kver.o
e2e_objs	= $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/e2e/$(1)/*.c))

$(BUILD)/obj/tests/e2e/%.o: tests/e2e/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/e2e/lib -MMD -MP -c $< -o $@

$(E2E_LIB): $(E2E_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tests/e2e/%: $(BUILD)/obj/tests/e2e/%.o $(E2E_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(VARIANT_LDFLAGS) -o $@ $^ $(E2E_LIBS)

define e2e_prog
$(BUILD)/tests/e2e/$(1): $(call e2e_objs,$(1)) $(E2E_LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $$(VARIANT_LDFLAGS) -o $$@ $$^ $$(E2E_LIBS)
endef
$(foreach d,$(E2E_DIRS),$(eval $(call e2e_prog,$(d))))

-include $(patsubst %.o,%.d,$(E2E_LIB_OBJS) \
	$(patsubst $(BUILD)/tests/e2e/%,$(BUILD)/obj/tests/e2e/%.o,$(E2E_BINS)) \
	$(foreach d,$(E2E_DIRS),$(call e2e_objs,$(d))))

# tests/schema/*.c: fixture generators for the SIEM schema checks.
SCHEMA_BINS	:= $(patsubst tests/schema/%.c,$(BUILD)/tests/schema/%,$(wildcard tests/schema/*.c))
$(BUILD)/tests/schema/%: tests/schema/%.c tests/unit/fixture_record.h $(BUILD)/libghostport.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(VARIANT_LDFLAGS) -o $@ $< $(BUILD)/libghostport.a $(LIBS)

unit: $(UNIT_BINS) $(SCHEMA_BINS)
e2e: $(E2E_BINS)

# ---- variants ------------------------------------------------------------
static:
	$(MAKE) BUILD=build/static STATIC=1 build/static/ghostport \
		$(patsubst $(BUILD)/%,build/static/%,$(E2E_BINS))

asan:
	$(MAKE) BUILD=build/asan \
		VARIANT_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		VARIANT_LDFLAGS="-fsanitize=address,undefined" \
		build/asan/ghostport $(patsubst $(BUILD)/%,build/asan/%,$(UNIT_BINS))

# ---- kernel module -----------------------------------------------------
# KMOD_OUT: where the module is built (a copy of the sources, so one tree
# can build for several kernels).  Default: build/kmod/<kernel release>.
KREL		= $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null || echo unknown)
KMOD_OUT	?= $(abspath $(BUILD))/kmod/$(KREL)

kmod:
	@test -d "$(KDIR)" || { echo "ghostport: KDIR=$(KDIR) is not a kernel build directory (install linux-headers-$$(uname -r) or pass KDIR=)" >&2; exit 1; }
	@mkdir -p $(KMOD_OUT)
	cp -r Kbuild kmod include $(KMOD_OUT)/
	$(MAKE) -C $(KDIR) M=$(KMOD_OUT) GP_VERSION=$(VERSION) modules
	@echo "ghostport: module at $(KMOD_OUT)/kmod/ghostport.ko"

# ---- running and testing ---------------------------------------------------
# Which userspace stage may include which: the table is in the script.
check-layers:
	tools/check-layers.sh

# checkpatch.pl over kmod/ and bpf/, and the layer check (tools/lint.sh;
# checkpatch comes from Debian's kernel source via tools/get-checkpatch.sh).
lint:
	tools/lint.sh

deps:
	tools/install-deps.sh

run: deps all
	$(BUILD)/ghostport run

deps-test:
	tools/install-deps.sh --test

test: deps-test
	tests/run-all.sh

test-unit: deps-test
	tests/run-all.sh unit

test-host: deps-test
	tests/run-all.sh host

test-vm: deps-test
	tests/run-all.sh vm $(if $(KERNEL),--kernel $(KERNEL))

vm-shell: static
	tests/vm/run.sh --shell --kernel $(or $(KERNEL),6.1)

bench: all
	tools/install-deps.sh --bench
	bench/run.sh

PREFIX_		= $(or $(PREFIX),/usr/local)
UNITDIR		?= /lib/systemd/system
MANDIR		= $(PREFIX_)/share/man

# Binary, unit, default settings (never over an edited one), spool, man
# pages; and the module when it was built (make kmod first).
install: install-bin
	install -d -m 0700 $(DESTDIR)/var/spool/ghostport
	@if [ -f $(KMOD_OUT)/kmod/ghostport.ko ]; then \
		$(MAKE) -C $(KDIR) M=$(KMOD_OUT) INSTALL_MOD_DIR=updates \
			$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install && \
		{ [ -n "$(DESTDIR)" ] || depmod -a $(KREL); }; \
	else echo "ghostport: module not built (make kmod), not installed"; fi
	@echo "ghostport: installed; run 'systemctl daemon-reload' and 'systemctl enable --now ghostport'"

# What the Debian package ships (debian/rules): no spool (its postinst
# makes it), no module (ghostport-dkms), no test programs.
install-bin: $(BUILD)/ghostport
	install -D -m 0755 $(BUILD)/ghostport $(DESTDIR)$(PREFIX_)/sbin/ghostport
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed 's#/usr/local/sbin/ghostport#$(PREFIX_)/sbin/ghostport#g' \
		packaging/ghostport.service >$(DESTDIR)$(UNITDIR)/ghostport.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/ghostport.service
	install -d -m 0755 $(DESTDIR)/etc/ghostport
	test -e $(DESTDIR)/etc/ghostport/ghostport.conf || \
		install -m 0644 packaging/ghostport.conf $(DESTDIR)/etc/ghostport/ghostport.conf
	install -D -m 0644 docs/man/ghostport.8 $(DESTDIR)$(MANDIR)/man8/ghostport.8
	install -D -m 0644 docs/man/ghostport.conf.5 $(DESTDIR)$(MANDIR)/man5/ghostport.conf.5

# The module's source for DKMS, so distribution kernels rebuild it.
install-dkms:
	install -d $(DESTDIR)/usr/src/ghostport-$(VERSION)
	cp -r Kbuild kmod include $(DESTDIR)/usr/src/ghostport-$(VERSION)/
	rm -f $(DESTDIR)/usr/src/ghostport-$(VERSION)/kmod/dkms.conf
	sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(VERSION)"/' kmod/dkms.conf \
		>$(DESTDIR)/usr/src/ghostport-$(VERSION)/dkms.conf
	@echo "ghostport: DKMS source in /usr/src/ghostport-$(VERSION); dkms install ghostport/$(VERSION)"

# Both Debian packages into build/deb/, built (dpkg-buildpackage -b) from a
# copy of the tree in build/deb/src, so the .debs do not land in ../ and
# debian/rules' clean cannot touch this build/.
DEB_SRC		= build/deb/src/ghostport-$(VERSION)
deb:
	tools/install-deps.sh --deb
	rm -rf build/deb && mkdir -p $(DEB_SRC)
	tar -cf - --exclude=./build --exclude=./.git . | tar -xf - -C $(DEB_SRC)
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b
	mv build/deb/src/*.deb build/deb/src/*.changes build/deb/src/*.buildinfo build/deb/
	@ls build/deb/*.deb

clean:
	rm -rf build
