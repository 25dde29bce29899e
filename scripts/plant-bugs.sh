#!/usr/bin/env bash
# Mutation check: plants known data-corrupting bugs in the product code one at a time (the
# patches in scripts/planted-bugs/), runs the tests that must catch each, and checks that they
# FAIL — then reverts the patch, whatever happens. A bug the tests let through, or a patch that
# no longer applies (the code moved: update the patch), makes the script exit 1.
#
#   bash scripts/plant-bugs.sh                 # unit tests only (no servers, about a minute)
#   bash scripts/plant-bugs.sh --integration   # also the integration tests listed per bug
#                                              # (rebuilds dist/, starts the test servers)
#   bash scripts/plant-bugs.sh NAME…           # only these bugs
#
# Run it on a clean tree: it refuses to touch a file with uncommitted changes.
set -uo pipefail
cd "$(dirname "$0")/.."
PATCHES=scripts/planted-bugs

# name | unit tests that must fail | integration tests that must fail (with --integration)
#      | package to rebuild first (when the tests reach the patched code through its dist/)
BUGS=(
  "hdf5-writer-float64|packages/writers/hdf5/test/writer.test.ts|packages/readers/hdf5/test/hdf5-reader.integration.test.ts"
  "hdf5-reader-drops-row|packages/readers/hdf5/test/reader.test.ts|packages/readers/hdf5/test/hdf5-reader.integration.test.ts"
  "hdf5-writer-ids-via-number|packages/writers/hdf5/test/writer.test.ts|packages/readers/hdf5/test/hdf5-reader.integration.test.ts"
  "milvus-reader-pairs-wrong-keys|packages/readers/milvus/test/row-order.test.ts|packages/readers/milvus/test/m2m.integration.test.ts"
  "milvus-writer-drops-last-request|packages/writers/milvus/test/insert-batching.test.ts|"
  "milvus-resume-after-min-rereads-it|packages/readers/milvus/test/key-ranges.test.ts||packages/milvus-client"
  "runner-no-close-on-failure|packages/core/test/runner.test.ts|"
  "runner-ignores-commits|packages/core/test/runner.test.ts|"
  "runner-ignores-prefetch|packages/core/test/runner.test.ts|"
  # Codes the 1.x builder shares with the reader; Milvus's numbering (settings.test.ts) and the
  # real segment (metric 1 = L2; skipped where its fixture is absent) pin them.
  "milvus1x-metric-codes-swapped|packages/readers/milvus-meta/test/settings.test.ts packages/readers/milvus-files/test/real-milvus1x.test.ts||packages/readers/milvus-meta"
  # Acknowledgements taken as the row count after a resume: the interrupted run's last request
  # may have landed unrecorded, and the resumed run's own count of it would then be wrong.
  "count-proof-trusts-resumed-run|packages/writers/milvus/test/count-proof.test.ts|"
  # The resume state records a batch when it is read, not when the target committed it: a run
  # stopped with batches in flight resumes after rows that were never written.
  "state-records-batch-before-commit|packages/core/test/resume-state.test.ts|"
  # A key repeated from an older spilled run of keys goes unnoticed (only the newest is searched).
  "duplicate-finder-searches-newest-run-only|packages/core/test/validate.test.ts|"
  # The old partition dropped when the overwrite begins, not when the new rows are complete.
  "partition-overwrite-drops-old-partition-first||apps/cli/test/partition-overwrite.integration.test.ts"
  # Keys recorded on the ascending fast path, put into the filter when the order breaks: all but the last.
  "duplicate-finder-forgets-last-ascending-key|packages/core/test/validate.test.ts|"
  # A window spilled as a hash table: a probe that reaches the end of a page stops there, so a
  # key whose probe sequence crosses into the next page is taken for new.
  "duplicate-finder-hashed-run-probe-stops-at-page-end|packages/core/test/validate.test.ts|"
  # Batches cut from one query page all carry the page's last key as their cursor: a run resumed
  # after one of them skips the rest of the page.
  "milvus-reader-batch-cursor-at-page-end||packages/conformance/test/reader-milvus.integration.test.ts"
  # A key equal to the one before it taken as continuing the ascending order, so answered "new"
  # without asking the worker: a key repeated right after itself goes through.
  "key-checker-equal-key-counts-as-ascending|packages/core/test/key-checker.test.ts||packages/core"
  # Reads sent at Bounded consistency instead of waiting for the pass's read point: rows
  # acknowledged just before the read are missed (Milvus 2.3; Lite's reads stay Strong).
  "milvus-reader-read-point-not-awaited||packages/readers/milvus/test/read-point.integration.test.ts|packages/milvus-client"
  # The key 0 (both words zero: the window's mark of an empty slot) never found in the window.
  "key-window-forgets-key-zero|packages/core/test/validate.test.ts|"
  # Commits reported in bursts: the state saved after the first burst only, so a kill later
  # resumes far behind what the target holds (a Milvus target would then hold rows twice).
  "state-saves-first-burst-only|packages/core/test/resume-state.test.ts|"
  # Keys held while in order (no worker yet): runs of consecutive keys not given to the worker when
  # the order breaks, so a later repeat of one of them goes through.
  "held-keys-replay-skips-runs|packages/core/test/key-checker.test.ts|"
  # Small list pieces read as one span: each copied from the span's start, not from its own offset.
  "faiss-gather-ignores-offset-in-span|packages/readers/faiss/test/gather.test.ts|packages/readers/faiss/test/cli.integration.test.ts|packages/readers/faiss"
  # The batches since the last sync never synced nor reported committed at the end of a file.
  "hdf5-sink-last-batches-never-committed|packages/writers/hdf5/test/writer.test.ts|"
  # The check at the end of a file target's stream reads each partition's buffer only, not the
  # chunks it spilled: a key repeated from far back goes through.
  "deferred-keys-ignores-spilled-chunks|packages/core/test/deferred-keys.test.ts|"
  # Ascending keys spilled to disk are forgotten when the order breaks: a later repeat of one of
  # them goes through.
  "deferred-keys-forgets-spilled-ordered-keys|packages/core/test/deferred-keys.test.ts|"
  # The test harness's Python tools exiting 0 whatever they said: a reference check that failed
  # (exit 1 with its verdict) would pass every test that asks it.
  "python-fork-server-hides-exit-code||packages/testing/test/python-fork-server.integration.test.ts"
  # Unsigned 8-, 16- and 32-bit HDF5 ids widened with their sign: ids at or above 2^31 (uint32)
  # become negative.
  "hdf5-ids-unsigned-widened-as-signed|packages/readers/hdf5/test/id-column.test.ts|"
  # The young generation's growth stopped once, never again: a worker thread's isolate resets V8's
  # flags, and the young generation grows back to full size with its dead batch buffers.
  "young-generation-cap-set-once|apps/cli/test/young-generation.test.ts||apps/cli"
  # The SDK's bulk writer stubbed out instead of deferred: its names are gone for anyone else.
  "sdk-bulk-writer-stub-empty|packages/milvus-client/test/sdk-load.test.ts||packages/milvus-client"
  # Node's compile cache never enabled: every run compiles every module again (Node 22.1+).
  "compile-cache-not-enabled||apps/cli/test/current-node.integration.test.ts|apps/cli"
  # A Milvus job stopped before its first commit refused on resume (its collection was dropped).
  "milvus-resume-refuses-restart||packages/conformance/test/writer-milvus.integration.test.ts packages/conformance/test/writer-milvus-restart.integration.test.ts|packages/writers/milvus"
  # After Ctrl-C the connection refuses the calls that undo what the run left and release its lock.
  "cleanup-calls-refused-after-ctrl-c||packages/conformance/test/writer-milvus-restart.integration.test.ts|packages/milvus-client"
  "slow-call-said-every-tick|packages/milvus-client/test/slow-call.test.ts||packages/milvus-client"
  # A disk filling up mid-write: a short write taken for a whole one, success reported over a cut part file (root: a tmpfs).
  "parquet-short-write-taken-whole||apps/cli/test/disk-full.integration.test.ts|packages/writers/parquet"
  # Two jobs with one file target: the writers take no lock, the second writes into the first's .partial output.
  "output-lock-never-taken|packages/core/test/file-lock.test.ts|apps/cli/test/concurrent-runs.integration.test.ts|packages/core"
  # A lock file whose holder is alive taken over (and a dead holder's refused).
  "lock-holder-alive-taken-over|packages/core/test/file-lock.test.ts|apps/cli/test/concurrent-runs.integration.test.ts|packages/core"
  # A source file rewritten while it is read: the run reports success over rows of two versions.
  "source-rewrite-unnoticed|packages/core/test/runner.test.ts|apps/cli/test/source-changed.integration.test.ts|packages/core"
)

integration=0
only=()
for a in "$@"; do
  case "$a" in
    --integration) integration=1 ;;
    -h|--help) sed -n 2,12p "$0"; exit 0 ;;
    *) only+=("$a") ;;
  esac
done

out=$(mktemp -d)
applied=""
rebuild=""
revert() {
  if [ -n "$applied" ]; then
    git apply -R "$applied" && echo "reverted $(basename "$applied" .patch)" >&2
    applied=""
    if [ "$integration" = 1 ]; then pnpm exec tsc -b >/dev/null
    elif [ -n "$rebuild" ]; then pnpm exec tsc -b "$rebuild" >/dev/null; fi
    rebuild=""
  fi
}
trap 'revert; rm -rf "$out"' EXIT
trap 'exit 130' INT TERM

# Runs vitest on files; prints "<failed> <passed>" test counts ("error" if vitest itself broke).
run_tests() {
  local project=$1; shift
  local json="$out/result.json"
  rm -f "$json"
  pnpm exec vitest run --project "$project" --reporter=json --outputFile="$json" "$@" >"$out/log" 2>&1
  node -e '
    const fs = require("fs");
    try {
      const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
      // A file that failed to load counts as broken, not as caught.
      const broken = r.testResults.some((f) => f.status === "failed" && f.assertionResults.length === 0);
      console.log(broken ? "error" : `${r.numFailedTests} ${r.numPassedTests}`);
    } catch { console.log("error"); }' "$json"
}

selected=()
for bug in "${BUGS[@]}"; do
  name=${bug%%|*}
  if [ ${#only[@]} -eq 0 ] || printf '%s\n' "${only[@]}" | grep -qx "$name"; then selected+=("$bug"); fi
done

# Every patched file must be clean, and every test must pass before any bug is planted:
# a failure then would mean nothing.
baseline_unit=() baseline_int=()
for bug in "${selected[@]}"; do
  IFS='|' read -r name unit int build <<<"$bug"
  for f in $(git apply --numstat "$PATCHES/$name.patch" | cut -f3); do
    git diff --quiet -- "$f" || { echo "refusing: $f has uncommitted changes" >&2; exit 2; }
  done
  [ -n "$unit" ] && baseline_unit+=($unit)
  [ -n "$int" ] && baseline_int+=($int)
  # A bug only integration tests catch is checked only with --integration.
  if [ -z "$unit" ] && [ "$integration" != 1 ]; then echo "note: $name has integration tests only: run with --integration" >&2; fi
done
echo "baseline: the tests must pass with no bug planted…"
if [ ${#baseline_unit[@]} -gt 0 ]; then
  read -r f p <<<"$(run_tests unit $(printf '%s\n' "${baseline_unit[@]}" | sort -u))"
  if [ "$f" != 0 ]; then echo "baseline unit tests fail ($f failed): fix them first"; tail -30 "$out/log"; exit 2; fi
fi
if [ "$integration" = 1 ] && [ ${#baseline_int[@]} -gt 0 ]; then
  pnpm exec tsc -b >/dev/null || exit 2
  read -r f p <<<"$(run_tests integration $(printf '%s\n' "${baseline_int[@]}" | sort -u))"
  if [ "$f" != 0 ]; then echo "baseline integration tests fail ($f failed): fix them first"; tail -30 "$out/log"; exit 2; fi
fi

status=0
printf '\n%-46s %-12s %-28s %s\n' "planted bug" "level" "result" "tests"
for bug in "${selected[@]}"; do
  IFS='|' read -r name unit int build <<<"$bug"
  patch="$PATCHES/$name.patch"
  if [ -z "$unit" ] && [ "$integration" != 1 ]; then
    printf '%-46s %-12s %-28s %s\n' "$name" "-" "not run (integration only)" "$int"
    continue
  fi
  if ! git apply --check "$patch" 2>/dev/null; then
    printf '%-46s %-12s %-28s %s\n' "$name" "-" "PATCH DOES NOT APPLY" "update $patch"
    status=1
    continue
  fi
  git apply "$patch" && applied=$patch
  if [ -n "$build" ]; then rebuild=$build; pnpm exec tsc -b "$build" >/dev/null; fi
  levels=()
  [ -n "$unit" ] && levels+=("unit|$unit")
  if [ "$integration" = 1 ] && [ -n "$int" ]; then
    pnpm exec tsc -b >/dev/null
    levels+=("integration|$int")
  fi
  for level in "${levels[@]}"; do
    IFS='|' read -r project files <<<"$level"
    read -r f p <<<"$(run_tests "$project" $files)"
    if [ "$f" = error ]; then result="ERROR (tests did not run)"; status=1
    elif [ "$f" -gt 0 ]; then result="caught ($f test(s) failed)"
    # Every test skipped (a fixture absent, a server not started) proves nothing either way.
    elif [ "$p" = 0 ]; then result="NOT CHECKED (no test ran)"; status=1
    else result="MISSED (all $p passed)"; status=1; fi
    printf '%-46s %-12s %-28s %s\n' "$name" "$project" "$result" "$files"
  done
  revert
done
exit $status
