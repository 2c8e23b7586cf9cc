#!/usr/bin/env bash
# ./vmtest bench [--quick]: every benchmark of docs/BENCHMARKS.md that runs on this host, then ONE table: each
# figure, its baseline measured in the same run, the goal (issue 14), and the host's 1-minute load average while
# that benchmark ran (min–max of samples every 2 s). --quick uses smaller sizes (a few minutes in all).
#
#   matcher   MatcherCpuTime: the literal prefilter vs the java.util.regex loop, 500 patterns, all lines (CPU time)
#   pipeline  PipelineBenchmark: the analyzer vs a one-regex Kafka Streams app over the same records
#   cluster   ClusterBenchmark: dispatch (VMs failing at once), abort latency, overhead vs bare QEMU (alternating
#             pairs), resident memory. Worker 1 runs the previous JVM flags, worker 2 the shipped ones: the RSS
#             baseline of the same run.
# Benchmarks that start a broker or VMs wait for the shared lock /tmp/vmtest-heavy.lock. Every step's full output
# is kept under vmtest-out/bench/<time>/ (the table says where).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
quick=0
for a in "$@"; do
    case "$a" in
        --quick) quick=1 ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "vmtest bench: unknown option $a (--quick)" >&2; exit 2 ;;
    esac
done
if [ "$quick" = 1 ]; then
    matcher_lines=65536 pipeline_lines=200000 dispatch_jobs=200 abort_jobs=3 overhead_pairs=1
else
    matcher_lines=262144 pipeline_lines=1000000 dispatch_jobs=1000 abort_jobs=20 overhead_pairs=3
fi
out="$root/vmtest-out/bench/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
lock=/tmp/vmtest-heavy.lock
previous_worker_flags="-Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
say() { printf 'vmtest bench: %s\n' "$*" >&2; }

say "building the benchmarks (./mvnw test-compile)"
if ! ./mvnw -B -q -o -pl analyzer,system-tests -am test-compile -DskipTests >"$out/build.log" 2>&1 \
    && ! ./mvnw -B -q -pl analyzer,system-tests -am test-compile -DskipTests >"$out/build.log" 2>&1; then
    say "build failed: $out/build.log"; exit 1
fi

# The test class path of a module with every vmtest module taken from this tree's target/classes.
classpath() {
    local module=$1 cpfile entries e cp
    cpfile=$(mktemp)
    ./mvnw -B -o -q -pl "$module" -am dependency:build-classpath -Dmdep.outputFile="$cpfile" \
        -Dmdep.includeScope=test >/dev/null 2>&1 \
        || ./mvnw -B -q -pl "$module" -am dependency:build-classpath -Dmdep.outputFile="$cpfile" \
            -Dmdep.includeScope=test >/dev/null
    cp="$root/$module/target/test-classes:$root/$module/target/classes"
    IFS=: read -ra entries < "$cpfile" || true
    rm -f "$cpfile"
    for e in "${entries[@]}"; do
        [[ $e =~ /org/vmtest/([a-z-]+)/0\.1\.0-SNAPSHOT/ ]] && e="$root/${BASH_REMATCH[1]}/target/classes"
        cp="$cp:$e"
    done
    printf '%s' "$cp"
}

# run STEP COMMAND...: runs it with the load sampled every 2 s into $out/STEP.load, output into $out/STEP.log.
run() {
    local step=$1 sampler
    shift
    say "$step: $* (log: $out/$step.log)"
    ( while true; do cut -d' ' -f1 /proc/loadavg; sleep 2; done ) >"$out/$step.load" &
    sampler=$!
    "$@" >"$out/$step.log" 2>&1
    local rc=$?
    kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
    [ $rc = 0 ] || say "$step failed (exit $rc): $out/$step.log"
    return 0
}

load_of() {
    sort -n "$out/$1.load" 2>/dev/null | awk 'NR == 1 {min = $1} {max = $1; n++} END {
        if (n == 0) print "?"; else if (min == max) print min; else print min "–" max }'
}

analyzer_cp=$(classpath analyzer)
cluster_cp=$(classpath system-tests)

run matcher java -Xmx2g -cp "$analyzer_cp" org.vmtest.analyzer.bench.MatcherCpuTime "$matcher_lines" LITERALS NAIVE
run pipeline flock "$lock" java -Xmx3g -cp "$analyzer_cp" org.vmtest.analyzer.bench.PipelineBenchmark \
    "$pipeline_lines" 50 2 1
run cluster flock "$lock" java -cp "$cluster_cp" \
    -Dvmtest.guest.dir="${VMTEST_GUEST_DIR:-$root/vmtest-out/guest}" -Dvmtest.profiles.dir="$root/deploy/profiles" \
    -Dvmtest.bench.bareScript="$root/system-tests/bench/bare-qemu-pass.sh" \
    "-Dvmtest.cluster.jvmOptions.worker-1=$previous_worker_flags" \
    org.vmtest.systemtests.bench.ClusterBenchmark dispatch "$dispatch_jobs" abort "$abort_jobs" overhead "$overhead_pairs"

# ---- the table
m_lit=$(awk '$1 == "LITERALS" && $2 == 500 && $3 == "all" {printf "%.2f M lines/s", $5 / 1e6}' "$out/matcher.log")
m_naive=$(awk '$1 == "NAIVE" && $2 == 500 && $3 == "all" {printf "%.3f M lines/s (regex loop)", $5 / 1e6}' "$out/matcher.log")
p_base=$(awk -F'|' '/Kafka Streams, one regex, exactly_once_v2/ {gsub(/[ ,]/, "", $4); print $4; exit}' "$out/pipeline.log")
p_an=$(awk -F'|' '/^\| analyzer \(decode/ {gsub(/[ ,]/, "", $4); print $4; exit}' "$out/pipeline.log")
p_ratio=$( [ -n "$p_base" ] && [ -n "$p_an" ] && awk -v a="$p_an" -v b="$p_base" 'BEGIN {printf "%.2f×", a / b}')
p_cpu=$(sed -n 's/.*wall clock, \([0-9.]*×\) per CPU second.*/\1/p' "$out/pipeline.log" | head -1)
row() { awk -F'|' -v k="$1" 'index($2, k) {gsub(/^ +| +$/, "", $3); print $3; exit}' "$out/cluster.log"; }
d_first=$(row "first submit → first JobStarted")
d_rate=$(row "throughput (jobs/s")
d_lost=$(row "JobVerdicts / distinct jobs")
a_stop=$(awk -F'|' '/total: panic line → VM stopped/ {gsub(/ /, "", $3); gsub(/ /, "", $4); print "p50 " $3 " / p99 " $4 " ms"; exit}' "$out/cluster.log")
a_gone=$(awk -F'|' '/total: panic line → domain destroyed/ {gsub(/ /, "", $4); print "p99 " $4 " ms"; exit}' "$out/cluster.log")
o_ratio=$(row "ratio")
o_bare=$(row "bare QEMU + dbclient")
rss() { awk -F'|' -v k="$1" 'index($2, k) {gsub(/ /, "", $3); print $3; exit}' "$out/cluster.log"; }
w_new=$(rss "dispatch worker-2")
w_old=$(rss "dispatch worker-1")
an_rss=$(rss "dispatch analyzer")
co_rss=$(rss "dispatch coordinator")
or() { [ -n "$1" ] && printf '%s' "$1" || printf 'no figure (see log)'; }

printf '\n### ./vmtest bench%s, %s, %s cores, %s\n\n' "$([ $quick = 1 ] && echo ' --quick')" \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(java -version 2>&1 | head -1)"
echo "| figure | measured | baseline in the same run | goal | load (1-min avg) |"
echo "| --- | ---: | ---: | --- | --- |"
echo "| matcher, 500 patterns, all lines, 1 core (CPU time) | $(or "$m_lit") | $(or "$m_naive") | ≥ 3 M lines/s | $(load_of matcher) |"
echo "| analyzer pipeline ($pipeline_lines lines, 50 jobs) | $(or "$p_an") lines/s = $(or "$p_ratio") ($(or "$p_cpu") per CPU second) | one-regex Streams app $(or "$p_base") lines/s | ≥ 1.0× (aim 2.5×) | $(load_of pipeline) |"
echo "| dispatch: first submit → first JobStarted | $(or "$d_first") | | ≤ 200 ms | $(load_of cluster) |"
echo "| dispatch: $dispatch_jobs jobs, 2 workers × 2 slots | $(or "$d_rate") jobs/s; verdicts/distinct/lost/dup $(or "$d_lost") | | ≥ 50 jobs/s, 0 lost, 0 doubled | $(load_of cluster) |"
echo "| abort: panic line → VM stopped ($abort_jobs jobs) | $(or "$a_stop") | | p50 ≤ 50, p99 ≤ 150 ms | $(load_of cluster) |"
echo "| abort: panic line → domain gone | $(or "$a_gone") | | p99 ≤ 300 ms | $(load_of cluster) |"
echo "| overhead: \`pass\` cluster / bare QEMU ($overhead_pairs alternating pairs) | $(or "$o_ratio") | bare QEMU $(or "$o_bare") ms | ≤ 1.15 (aim 1.05) | $(load_of cluster) |"
echo "| worker idle RSS | $(or "$w_new") MiB | previous flags: $(or "$w_old") MiB | ≤ 200 MiB | $(load_of cluster) |"
echo "| analyzer / coordinator idle RSS | $(or "$an_rss") / $(or "$co_rss") MiB | | reported | $(load_of cluster) |"
echo
echo "Logs: $out"
