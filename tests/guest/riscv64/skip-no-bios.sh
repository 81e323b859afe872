# Sourced by the riscv64 runners: skip_no_bios ARGS... exits 77 (meson:
# SKIP) when ARGS hold "--bios FILE" and FILE does not exist.
skip_no_bios() {
	_prev=
	for _a in "$@"; do
		if [ "$_prev" = "--bios" ] && [ ! -f "$_a" ]; then
			echo "SKIP: $_a missing (Debian package opensbi; trixie's: tools/mkimages riscv64)"
			exit 77
		fi
		_prev=$_a
	done
}
