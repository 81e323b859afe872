#!/bin/sh
# In-guest workload: the guest generates the same bytes as the host
# (seq 1 N), and computes their md5sum, and the sha256sum of a gzip round
# trip of them; both must match the host's results for the same bytes.
# Usage: run-linux-workload.sh VMM IMAGES [VMM ARGS...]; SKIP (77) without images.
set -u
vmm=$1 images=$2
shift 2
n=300000
kernel=$images/riscv64/Image initrd=$images/riscv64/initrd.img
for f in "$kernel" "$initrd"; do
	[ -f "$f" ] || { echo "SKIP: $f missing (run tools/mkimages riscv64)"; exit 77; }
done
md5=$(seq 1 $n | md5sum | cut -d' ' -f1)
sha=$(seq 1 $n | sha256sum | cut -d' ' -f1)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
# vmm.run, percent-encoded: seq 1 N | md5sum; seq 1 N | gzip -c | gzip -dc | sha256sum
run="seq%201%20$n%20%7C%20md5sum%3B%20seq%201%20$n%20%7C%20gzip%20-c%20%7C%20gzip%20-dc%20%7C%20sha256sum"
"$vmm" --arch riscv64 --kernel "$kernel" --initrd "$initrd" --console stdio \
	--cmdline "console=ttyS0 quiet vmm.run=$run" "$@" >"$log" 2>&1
rc=$?
cat "$log"
tr -d '\r' <"$log" | grep -q "^$md5  -" || { echo "FAIL: md5sum is not $md5"; exit 1; }
tr -d '\r' <"$log" | grep -q "^$sha  -" || { echo "FAIL: sha256sum is not $sha"; exit 1; }
[ "$rc" -eq 0 ] || { echo "FAIL: exit status $rc"; exit 1; }
echo PASS
