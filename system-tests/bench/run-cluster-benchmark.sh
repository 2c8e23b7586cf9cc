#!/usr/bin/env bash
# Runs ClusterBenchmark (docs/BENCHMARKS.md) on the freshly built modules:
#   ./mvnw -B -o -q -pl system-tests -am test-compile    # once, or after a change
#   system-tests/bench/run-cluster-benchmark.sh abort 20 dispatch 1000 overhead 1
# The class path is the system-tests test class path with every vmtest module taken from its target/classes.
# VMTEST_BENCH_CLASSES=installed takes them from the local Maven repository instead (`./mvnw install` them
# first): a module others are changing right now is then measured as last installed, not half-edited.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cpfile=$(mktemp)
trap 'rm -f "$cpfile"' EXIT
./mvnw -B -o -q -pl system-tests -am dependency:build-classpath -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=test >/dev/null
cp="$root/system-tests/target/test-classes"
IFS=: read -ra entries < "$cpfile" || true  # no newline at the end of the file
for e in "${entries[@]}"; do
    if [[ ${VMTEST_BENCH_CLASSES:-target} != installed && $e =~ /org/vmtest/([a-z-]+)/0\.1\.0-SNAPSHOT/ ]]; then
        e="$root/${BASH_REMATCH[1]}/target/classes"
    fi
    cp="$cp:$e"
done
exec java -cp "$cp" -Dvmtest.guest.dir="${VMTEST_GUEST_DIR:-$root/vmtest-out/guest}" \
    -Dvmtest.profiles.dir="$root/deploy/profiles" \
    -Dvmtest.bench.bareScript="$root/system-tests/bench/bare-qemu-pass.sh" \
    org.vmtest.systemtests.bench.ClusterBenchmark "$@"
