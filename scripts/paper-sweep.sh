#!/usr/bin/env bash
# The part of the paper's sweep that ran on a 2-core machine (docs/results/paper-sweep/report.md), then
# its report. Finished cells in the results file are skipped, so a killed run resumes where it stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=docs/results/paper-sweep
results=$dir/results.jsonl
# EDGEKD=path/to/edgekd runs a given binary (e.g. a copy, while the tree is being edited).
edgekd() { if [ -n "${EDGEKD:-}" ]; then "$EDGEKD" "$@"; else cargo run -q -p edgekd-host -- "$@"; fi; }
# The tweets teacher is fine-tuned for 2 epochs with a 5% dev split (as in docs/on-device-learning.md).
tweets=(--teacher-epochs 2 --dev-fraction 0.05)
edgekd sweep --grid $dir/rt-degree.toml --results $results --jobs 2
edgekd sweep --grid $dir/tweets-degree.toml --results $results --jobs 2 "${tweets[@]}"
edgekd sweep --grid $dir/rt-amount.toml --results $results --jobs 2
edgekd sweep --grid $dir/tweets-amount.toml --results $results --jobs 2 "${tweets[@]}"
# Whole training splits (for the full grid's "full" size in the cost estimate), as `distill` logs them.
edgekd report $results --out $dir --full-grid $dir/full-grid.toml \
  --full-size rotten-tomatoes=8965 --full-size tweets-binary=17355 \
  --title "The paper's sweep on Rotten Tomatoes and tweets (synonym replacement)" \
  --scope "synonym replacement only; sizes 500 and 2,000; copies 0 and 4 at every degree (0, 0.1, 0.2, 0.3, 0.5, 0.7) and 1, 8, 16 at degree 0.3 (for the tweets at size 500 only); KD and FT; 3 student seeds on one draw of the data (data_seed 1); MiniLM-L6 teacher fine-tuned once per corpus on 2,000 originals" \
  --command "bash scripts/paper-sweep.sh"
