#!/bin/bash
# Bad user input to the vmm binary: each case must end with exit 125 and one
# clear "vmm: ..." line on stderr - never a crash, a hang or a partial boot.
# Usage: cli-errors.sh VMM GUEST_BZIMAGE
set -u
vmm=$1 good=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
fails=0

# expect_error PATTERN ARGS...: exit 125, stderr matches PATTERN, no signal.
expect_error() {
	local pat=$1; shift
	timeout 20 "$vmm" --console none "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	local st=$?
	if [ $st -ne 125 ] || ! grep -qE -- "$pat" "$tmp/err"; then
		echo "FAIL: vmm $* -> exit $st, stderr:"; sed 's/^/    /' "$tmp/err"
		echo "    (wanted exit 125 and /$pat/)"
		fails=$((fails + 1))
	else
		echo "ok: $* -> $(head -1 "$tmp/err")"
	fi
}

# Files.
expect_error "cannot open kernel '$tmp/nope': No such file" --kernel "$tmp/nope"
expect_error "is not a regular file" --kernel "$tmp"
: >"$tmp/empty"
expect_error "is empty" --kernel "$tmp/empty"
chmod 000 "$tmp/empty" 2>/dev/null
if [ "$(id -u)" != 0 ]; then
	expect_error "Permission denied" --kernel "$tmp/empty"
fi
expect_error "cannot open initrd" --kernel "$good" --initrd "$tmp/nope"

# Not a bzImage / damaged bzImages.
head -c 4096 /dev/urandom >"$tmp/random"
expect_error "bzImage|ELF|kernel" --kernel "$tmp/random"
head -c 300 "$good" >"$tmp/short"
expect_error "too small|truncated|short" --kernel "$tmp/short"
# boot protocol 2.05 (version at 0x206)
cp "$good" "$tmp/old"; printf '\x05\x02' | dd of="$tmp/old" bs=1 seek=$((0x206)) conv=notrunc 2>/dev/null
expect_error "2\.05|protocol|too old" --kernel "$tmp/old"
# bad "HdrS" magic
cp "$good" "$tmp/magic"; printf 'XXXX' | dd of="$tmp/magic" bs=1 seek=$((0x202)) conv=notrunc 2>/dev/null
expect_error "magic|not a bzImage|HdrS" --kernel "$tmp/magic"
# payload cut short
head -c $(( $(stat -c %s "$good") - 64 )) "$good" >"$tmp/cut"
expect_error "truncated" --kernel "$tmp/cut"
# setup_sects claims more than the file holds
cp "$good" "$tmp/setup"; printf '\x40' | dd of="$tmp/setup" bs=1 seek=$((0x1f1)) conv=notrunc 2>/dev/null
expect_error "truncated|setup" --kernel "$tmp/setup"

# Memory.
expect_error "too small" --kernel "$good" --mem 1M
expect_error "more than this host" --kernel "$good" --mem 100T
head -c $((40 << 20)) /dev/zero >"$tmp/big-initrd"
expect_error "too small" --kernel "$good" --initrd "$tmp/big-initrd" --mem 32M

# Flags.
expect_error "--cpus" --kernel "$good" --cpus 0
expect_error "--mem" --kernel "$good" --mem 12Q
expect_error "no kernel" --mem 1G
expect_error "unknown option" --kernel "$good" --frobnicate
expect_error "--console" --kernel "$good" --console tcp:1234
expect_error "cannot open console file" --kernel "$good" --console "file:$tmp/no/such/dir/log"

# Over the KVM vCPU limit: only meaningful where KVM answers.
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	expect_error "--cpus 1000 is more than this host allows" --kernel "$good" --cpus 1000
fi

# No KVM at all: pretend by hiding /dev/kvm in a private mount namespace.
if command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
	unshare -m bash -c "mount -t tmpfs none /dev && exec \"$vmm\" --console none --kernel \"$good\"" \
		</dev/null >"$tmp/out" 2>"$tmp/err"
	st=$?
	if [ $st -eq 125 ] && grep -q "KVM is not usable: /dev/kvm: No such file" "$tmp/err" &&
		grep -q "accel tcg" "$tmp/err"; then
		echo "ok: no /dev/kvm -> $(head -1 "$tmp/err")"
	else
		echo "FAIL: no /dev/kvm -> exit $st:"; cat "$tmp/err"; fails=$((fails + 1))
	fi
fi

[ $fails -eq 0 ] && echo "all cases passed" && exit 0
echo "$fails case(s) failed"; exit 1
