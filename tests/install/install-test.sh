#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# install-test.sh SOURCE_DIR WORK_DIR
#
# Installs libgpuvm as a packager would and uses it as an outside project
# would:
#  1. configures SOURCE_DIR with -Dtools=false -Dtests=false (the library
#     alone: it must need no dependency but threads) and
#     -Ddefault_library=both, installs it into WORK_DIR/prefix and checks
#     what was installed: every header of include/gpuvm/, version.h, both
#     libraries, libgpuvm.pc, and no tool;
#  2. builds tests/install/Makefile (pkg-config, C and C++, shared and
#     static) and tests/install/meson-consumer (dependency(), the same four)
#     against that prefix, and runs each program: the static ones without
#     the prefix on the library path, the shared ones with it;
#  3. builds the meson consumer again with libgpuvm as a subproject
#     (meson.override_dependency()) and runs it.
# It also checks that the newest version in NEWS is meson.build's.
# Exit status 0 when every step worked; 77 (skipped) when pkg-config, make
# or a C++ compiler is missing.
set -euo pipefail

src=$(cd "$1" && pwd)
work=$2
here=$src/tests/install

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

for tool in pkg-config make "${CXX:-c++}"; do
	command -v "$tool" >/dev/null || { echo "$tool not found: skipped"; exit 77; }
done

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
prefix=$work/prefix

# Keep the outer build's settings (meson test's environment) out of the
# nested builds.
unset MESONINTROSPECT DESTDIR

step "1. the library alone, installed into $prefix"
meson setup "$work/lib" "$src" --prefix="$prefix" --libdir=lib \
	-Dtools=false -Dtests=false -Dbench=false -Ddefault_library=both \
	-Dbuildtype=debugoptimized >"$work/lib-setup.log" ||
	{ cat "$work/lib-setup.log"; fail "meson setup of the library"; }
deps=$(meson introspect --dependencies "$work/lib" | python3 -c '
import json, sys
print(" ".join(sorted(d["name"] for d in json.load(sys.stdin))))')
[ "$deps" = "threads" ] || fail "the library alone needs: $deps (only threads expected)"
version=$(meson introspect --projectinfo "$work/lib" | python3 -c '
import json, sys
print(json.load(sys.stdin)["version"])')
news=$(sed -n 's/^libgpuvm \([0-9][0-9.]*\)$/\1/p' "$src/NEWS" | head -n 1)
[ "$news" = "$version" ] || fail "NEWS begins with version '$news', meson.build says $version"
meson compile -C "$work/lib" >"$work/lib-build.log" ||
	{ cat "$work/lib-build.log"; fail "building the library"; }
meson install -C "$work/lib" --quiet >/dev/null

want=$( (cd "$src/include/gpuvm" && ls -- *.h; echo version.h) | sort)
have=$(cd "$prefix/include/gpuvm" && ls | sort)
[ "$want" = "$have" ] ||
	fail "installed headers differ from include/gpuvm/*.h + version.h:
$(diff <(echo "$want") <(echo "$have") || true)"
for f in lib/libgpuvm.a lib/libgpuvm.so lib/libgpuvm.so.0 \
	lib/libgpuvm.so."$version" lib/pkgconfig/libgpuvm.pc; do
	[ -e "$prefix/$f" ] || fail "$f not installed"
done
[ ! -e "$prefix/bin/gpuvm-replay" ] || fail "gpuvm-replay installed with -Dtools=false"
grep -q "^#define GPUVM_VERSION \"$version\"$" "$prefix/include/gpuvm/version.h" ||
	fail "version.h does not say $version"

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
[ "$(pkg-config --modversion libgpuvm)" = "$version" ] || fail "pkg-config --modversion"

# run EXE static|shared: runs EXE, after checking that it needs
# libgpuvm.so (shared) or not (static); a static program runs without the
# prefix's lib/ on the library path.
run() {
	local exe=$1 linkage=$2 out needed=shared
	if command -v readelf >/dev/null; then
		readelf -d "$exe" | grep -q 'NEEDED.*libgpuvm\.so' || needed=static
		[ "$needed" = "$linkage" ] || fail "$exe: linked $needed, $linkage expected"
	fi
	if [ "$linkage" = static ]; then
		out=$("$exe") || fail "$exe"
	else
		out=$(LD_LIBRARY_PATH=$prefix/lib "$exe") || fail "$exe"
	fi
	echo "${exe#"$work"/}: $out"
}

step "2a. pkg-config and make"
mkdir -p "$work/make"
cp "$here/Makefile" "$here/consumer.c" "$here/consumer.cpp" "$work/make/"
make -s -C "$work/make" >"$work/make.log" 2>&1 || { cat "$work/make.log"; fail "make"; }
for p in c-shared c-static cpp-shared cpp-static; do
	run "$work/make/consumer-$p" "${p#*-}"
done

step "2b. meson dependency() from the prefix"
cp -r "$here/meson-consumer" "$work/meson-consumer"
cp "$here/consumer.c" "$here/consumer.cpp" "$work/meson-consumer/"
meson setup "$work/meson-build" "$work/meson-consumer" --wrap-mode=nofallback \
	>"$work/meson-setup.log" || { cat "$work/meson-setup.log"; fail "meson setup of the consumer"; }
meson compile -C "$work/meson-build" >"$work/meson-build.log" ||
	{ cat "$work/meson-build.log"; fail "building the meson consumer"; }
for p in c-shared c-static cpp-shared cpp-static; do
	run "$work/meson-build/consumer-$p" "${p#*-}"
done

step "3. meson dependency() with libgpuvm as a subproject"
unset PKG_CONFIG_PATH
mkdir -p "$work/meson-consumer/subprojects"
ln -s "$src" "$work/meson-consumer/subprojects/libgpuvm"
meson setup "$work/sub-build" "$work/meson-consumer" --force-fallback-for=libgpuvm \
	-Ddefault_library=both \
	>"$work/sub-setup.log" || { cat "$work/sub-setup.log"; fail "meson setup with the subproject"; }
meson compile -C "$work/sub-build" >"$work/sub-build.log" ||
	{ cat "$work/sub-build.log"; fail "building with the subproject"; }
prefix=$work/nonexistent	# the shared ones find the library by their rpath
for p in c-shared c-static cpp-shared cpp-static; do
	run "$work/sub-build/consumer-$p" "${p#*-}"
done
echo "all consumers ran"
