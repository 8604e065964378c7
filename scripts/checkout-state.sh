#!/usr/bin/env bash
# Prints a fingerprint of the git checkout: each changed or untracked file
# (`git status`, ignored files left out) and a checksum of every change to the
# tracked files. scripts/test.sh takes one before its run and one after: they
# must be equal, because the tests write only into ignored folders (target/,
# dist/, test-results/, ...). Exits with 3 when there is no git checkout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v git >/dev/null 2>&1 || ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  exit 3
fi
git status --porcelain --untracked-files=all
printf 'changes to tracked files: %s\n' "$(git diff HEAD --binary | cksum)"
