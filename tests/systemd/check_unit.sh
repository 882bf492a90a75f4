#!/usr/bin/env bash
# Offline checks of the shipped systemd files (no running systemd needed).
# Usage: check_unit.sh security UNIT MAX_SCORE   exposure from `systemd-analyze security --offline`
#        check_unit.sh verify UNIT CCPULSED        `systemd-analyze verify`, with ExecStart pointing
#                                                  at the built ccpulsed (verify insists it exists)
#        check_unit.sh sysusers FILE               `systemd-sysusers --dry-run` into a scratch root
# Exit: 0 pass, 1 fail, 77 skipped (tool missing; ctest SKIP_RETURN_CODE).
set -euo pipefail
mode=$1
unit=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "SKIP: $1 not installed"
    exit 77
  fi
}

case "$mode" in
  security)
    need systemd-analyze
    max=$3
    out=$(systemd-analyze security --offline=yes --no-pager "$unit" 2>&1) || true
    # "→ Overall exposure level for ccpulse.service: 1.1 OK 🙂"
    score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9]*\.[0-9]\).*/\1/p')
    if [[ -z "$score" ]]; then
      printf '%s\n' "$out"
      echo "FAIL: no 'Overall exposure level' line in the output"
      exit 1
    fi
    printf '%s\n' "$out" | grep '✗' || true
    if awk -v s="$score" -v m="$max" 'BEGIN { exit !(s <= m) }'; then
      echo "PASS: exposure $score <= $max"
    else
      echo "FAIL: exposure $score > $max"
      exit 1
    fi
    ;;
  verify)
    need systemd-analyze
    ccpulsed=$3
    copy="$scratch/$(basename "$unit")"
    sed "s#/usr/bin/ccpulsed#$ccpulsed#g" "$unit" >"$copy"
    # verify exits 0 on many problems (unknown keys, bad values are "ignoring" warnings), so any
    # output at all is a failure.
    out=$(systemd-analyze verify --man=no "$copy" 2>&1) && rc=0 || rc=$?
    if ((rc != 0)) || [[ -n "$out" ]]; then
      printf '%s\n' "$out"
      echo "FAIL: systemd-analyze verify (exit $rc)"
      exit 1
    fi
    echo "PASS: systemd-analyze verify"
    ;;
  sysusers)
    need systemd-sysusers
    out=$(systemd-sysusers --root="$scratch" --dry-run - <"$unit" 2>&1) && rc=0 || rc=$?
    printf '%s\n' "$out"
    if ((rc != 0)) || ! grep -q "Creating user 'ccpulse'" <<<"$out"; then
      echo "FAIL: systemd-sysusers"
      exit 1
    fi
    echo "PASS: sysusers creates ccpulse"
    ;;
  *)
    echo "usage: $0 security|verify|sysusers FILE [ARG]" >&2
    exit 2
    ;;
esac
