#!/usr/bin/env bash
# Usage: bench/ml.sh [ROWS] [TREES]
# Every MimirML algorithm against scikit-learn on one generated ROWS × 20 dataset (default 100,000
# rows, 100 trees per forest): training time and predictions/s side by side, same run. Release
# build; installs scikit-learn from PyPI when missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scratch=.build-release
python3 -c 'import sklearn' 2>/dev/null || python3 -m pip install --quiet --break-system-packages scikit-learn
swift build -c release --scratch-path "$scratch" --product mimir-bench-ml >/dev/null
"$(swift build -c release --scratch-path "$scratch" --show-bin-path)/mimir-bench-ml" "${1:-100000}" "${2:-100}"
