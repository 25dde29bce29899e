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
  # Codes the 1.x builder shares with the reader; the real segment (metric 1 = L2) pins them.
  "milvus1x-metric-codes-swapped|packages/readers/milvus-files/test/real-milvus1x.test.ts||packages/readers/milvus-meta"
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
  baseline_unit+=($unit)
  [ -n "$int" ] && baseline_int+=($int)
done
echo "baseline: the tests must pass with no bug planted…"
read -r f p <<<"$(run_tests unit $(printf '%s\n' "${baseline_unit[@]}" | sort -u))"
if [ "$f" != 0 ]; then echo "baseline unit tests fail ($f failed): fix them first"; cat "$out/log" | tail -30; exit 2; fi
if [ "$integration" = 1 ] && [ ${#baseline_int[@]} -gt 0 ]; then
  pnpm exec tsc -b >/dev/null || exit 2
  read -r f p <<<"$(run_tests integration $(printf '%s\n' "${baseline_int[@]}" | sort -u))"
  if [ "$f" != 0 ]; then echo "baseline integration tests fail ($f failed): fix them first"; tail -30 "$out/log"; exit 2; fi
fi

status=0
printf '\n%-34s %-8s %-28s %s\n' "planted bug" "level" "result" "tests"
for bug in "${selected[@]}"; do
  IFS='|' read -r name unit int build <<<"$bug"
  patch="$PATCHES/$name.patch"
  if ! git apply --check "$patch" 2>/dev/null; then
    printf '%-34s %-8s %-28s %s\n' "$name" "-" "PATCH DOES NOT APPLY" "update $patch"
    status=1
    continue
  fi
  git apply "$patch" && applied=$patch
  if [ -n "$build" ]; then rebuild=$build; pnpm exec tsc -b "$build" >/dev/null; fi
  levels=("unit|$unit")
  if [ "$integration" = 1 ] && [ -n "$int" ]; then
    pnpm exec tsc -b >/dev/null
    levels+=("integration|$int")
  fi
  for level in "${levels[@]}"; do
    IFS='|' read -r project files <<<"$level"
    read -r f p <<<"$(run_tests "$project" $files)"
    if [ "$f" = error ]; then result="ERROR (tests did not run)"; status=1
    elif [ "$f" -gt 0 ]; then result="caught ($f test(s) failed)"
    else result="MISSED (all $p passed)"; status=1; fi
    printf '%-34s %-8s %-28s %s\n' "$name" "$project" "$result" "$files"
  done
  revert
done
exit $status
