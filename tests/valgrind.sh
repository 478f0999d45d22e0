#!/bin/sh
# valgrind.sh BUILDDIR - the test suite under valgrind (memcheck), behind
# `make check-valgrind`: every unit suite without Check's fork (so what the
# code under test leaks is seen), then the command-line scripts with dfopt
# run under valgrind. Any memory error or definite/indirect leak fails.
# The builder's suites and scripts (namespaces, overlayfs, pid 1) run
# natively: valgrind cannot follow a process into a new pid namespace.
set -u
build=${1:?usage: valgrind.sh BUILDDIR}
src=$(cd "$(dirname "$0")/.." && pwd)
command -v valgrind >/dev/null 2>&1 || { echo "valgrind.sh: valgrind is not installed"; exit 2; }
# tests/valgrind.supp: valgrind's false positives, each with why.
vg="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
vg="$vg --suppressions=$src/tests/valgrind.supp"
logs=$build/tests/valgrind
mkdir -p "$logs"
failed=0
pass=0

for t in "$build"/tests/check_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	case $name in check_sandbox | *.o | *.c) continue ;; esac
	if CK_FORK=no DF_SRCDIR=$src $vg "$t" >"$logs/$name.log" 2>&1; then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $name under valgrind (log: $logs/$name.log)"
		grep -E '==[0-9]+==' "$logs/$name.log" | head -20
	fi
done

# dfopt itself under valgrind for the command-line scripts.
wrapper=$logs/dfopt
cat >"$wrapper" <<WRAP
#!/bin/sh
exec $vg --log-file=$logs/dfopt.%p.log "$build/dfopt" "\$@"
WRAP
chmod +x "$wrapper"
rm -f "$logs"/dfopt.*.log
for script in cli fix context hostile lint_fixtures rules completion apps lsp custom; do
	[ -f "$src/tests/cli/$script.sh" ] || continue
	if DFOPT=$wrapper DF_SRCDIR=$src VALGRIND=1 sh "$src/tests/cli/$script.sh" >"$logs/$script.log" 2>&1; then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: tests/cli/$script.sh with dfopt under valgrind (log: $logs/$script.log)"
		grep '^FAIL' "$logs/$script.log" | head -10
	fi
done
# Memcheck's reports are the "==PID==" lines; valgrind's own notes
# ("--PID-- WARNING: unhandled syscall" for an openat2 it predates, which
# dfopt then resolves by hand) are not.
reports=$(grep -l '^==[0-9]*==' "$logs"/dfopt.*.log 2>/dev/null | sort)
if [ -n "$reports" ]; then
	failed=$((failed + 1))
	echo "FAIL: valgrind reported errors or leaks in dfopt runs:"
	for r in $reports; do
		echo "--- $r"
		head -30 "$r"
	done
fi
echo "valgrind: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
