#!/usr/bin/env bash
# Routing of deploy/alertmanager/alertmanager.yml: which receivers each kind of ccpulse alert
# reaches (amtool config routes test --verify.receivers fails on any difference).
#
# usage: alertmanager_routes.sh ALERTMANAGER_YML
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 ALERTMANAGER_YML" >&2; exit 2; }
CONFIG=$1
command -v amtool >/dev/null || { echo "FAIL: amtool not found (scripts/install-deps.sh)" >&2; exit 1; }

failures=0
expect() {
  local receivers=$1
  shift
  local got
  if got=$(amtool config routes test --config.file="$CONFIG" --verify.receivers="$receivers" "$@" 2>/dev/null); then
    echo "ok    $* -> $got"
  else
    echo "FAIL  $* -> $got (expected $receivers)" >&2
    failures=$((failures + 1))
  fi
}

# Queue pages go to the vendor's on-call and, batched, to the client.
expect talkwise-oncall,client-acme \
  alertname=CcpulseServiceLevelBurnRateFast scope=queue severity=page tenant=acme vendor=talkwise queue=acme-sales-voice channel=voice
expect servicio-oncall,client-globex \
  alertname=CcpulseOldestWaitingOverThreshold scope=queue severity=page tenant=globex vendor=servicio-bog queue=globex-care-chat channel=chat
# A vendor without an on-call route: the ccpulse team gets the page.
expect ccpulse-ops,client-initech \
  alertname=CcpulseServiceLevelBurnRateSlow scope=queue severity=page tenant=initech vendor=other-bpo queue=q channel=voice
# Tickets go to the vendors' workforce management queue; an unknown tenant gets no client mail.
expect vendor-wfm-tickets,null \
  alertname=CcpulseServiceLevelBudgetBurn scope=queue severity=ticket tenant=unknown vendor=talkwise queue=q channel=email
# Feed and daemon alerts: the ccpulse team only, never a client.
expect ccpulse-ops alertname=CcpulseFeedSilent scope=feed severity=page instance=a:9464 source=acd
expect ccpulse-ops alertname=CcpulseDown scope=daemon severity=page instance=a:9464 job=ccpulse

((failures == 0)) || { echo "FAIL: $failures routing expectation(s) not met" >&2; exit 1; }
echo "PASS: alertmanager routes"
