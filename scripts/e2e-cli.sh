#!/usr/bin/env bash
# End-to-end checks with the real aws CLI (PyPI `awscli`, CLI v1) against the openwatch binary.
#
#   scripts/e2e-cli.sh [path/to/openwatch]     (default: target/debug/openwatch)
#
# Builds nothing. Starts the server on a free loopback port (it binds 127.0.0.1:0 and prints the
# address) with a fresh data directory, drives it with `aws --endpoint-url`, stops it with
# SIGTERM. Uses .venv/bin/aws when present (scripts/test installs it), else `aws` on PATH.
# Every check prints PASS or FAIL; the script exits non-zero if any failed.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-target/debug/openwatch}
case "$bin" in
  /*) ;;
  *) bin="$PWD/$bin" ;;
esac
if [[ ! -x "$bin" ]]; then
  echo "e2e-cli: no executable openwatch binary at $bin (build it with: cargo build -p openwatch)" >&2
  exit 2
fi
if [[ -x "$repo_root/.venv/bin/aws" ]]; then
  aws_cli="$repo_root/.venv/bin/aws"
elif command -v aws >/dev/null 2>&1; then
  aws_cli=$(command -v aws)
else
  echo "e2e-cli: the aws CLI is not installed (scripts/test installs it into .venv)" >&2
  exit 2
fi

# A hermetic environment: no credentials, profiles or regions from the caller, no IMDS look-ups,
# no retries (an error must surface as sent).
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_PROFILE \
  AWS_DEFAULT_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_SHARED_CREDENTIALS_FILE \
  AWS_CONFIG_FILE OPENWATCH_LISTEN OPENWATCH_DATA_DIR OPENWATCH_CONFIG OPENWATCH_DEV
export AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard AWS_PAGER=""

work=$(mktemp -d "${TMPDIR:-/tmp}/openwatch-e2e-cli.XXXXXX")
data="$work/data"
server_pid=""

cleanup() {
  local rc=$?
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0
failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# check NAME COMMAND...: runs the command, PASS if it succeeds.
check() {
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}

server_log() {
  echo "---- server stderr (last 40 lines) ----"
  tail -n 40 "$work/server.err" 2>/dev/null || true
  echo "---------------------------------------"
}

# ---------------------------------------------------------------------------------------------
# Start the server. It runs in the temporary directory so that no ./openwatch.toml is picked up.
echo "e2e-cli: $("$aws_cli" --version 2>&1), server $bin"
(cd "$work" && exec "$bin" server --listen 127.0.0.1:0 --data-dir "$data") >"$work/server.out" 2>"$work/server.err" &
server_pid=$!

endpoint=""
deadline=$((SECONDS + 60))
while [[ -z "$endpoint" ]]; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    fail "the server exited during start-up"
    server_log
    exit 1
  fi
  if ((SECONDS > deadline)); then
    fail "the server did not print its address within 60 s"
    server_log
    exit 1
  fi
  endpoint=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$work/server.out" 2>/dev/null | head -n 1 | sed 's/^listening on //' || true)
  [[ -n "$endpoint" ]] || sleep 0.1
done

http_status() {
  if command -v curl >/dev/null 2>&1; then
    curl -s -o "$work/health.json" -w '%{http_code}' "$1" || true
  else
    python3 - "$1" "$work/health.json" <<'EOF' || true
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
        open(sys.argv[2], "wb").write(r.read())
        print(r.status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print(0)
EOF
  fi
}

health=""
deadline=$((SECONDS + 60))
until [[ "$health" == 200 ]] || ((SECONDS > deadline)); do
  health=$(http_status "$endpoint/health")
  [[ "$health" == 200 ]] || sleep 0.1
done
check "GET /health answers 200 with the version" \
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d.get("status")=="ok" and d.get("version") else 1)' "$work/health.json"

# ---------------------------------------------------------------------------------------------
# The AWS CLI against the endpoint.
credentials="$data/credentials"
config="$data/config"
account=$(sed -n 's/^Created account \([0-9]\{12\}\) .*/\1/p' "$work/server.out" | head -n 1)
root_akid=$(sed -n 's/^aws_access_key_id *= *//p' "$credentials" | head -n 1)
root_arn="arn:aws:iam::$account:root"
user_arn="arn:aws:iam::$account:user/cli-user"

# As the root, through the files the server wrote (as the server's start-up message suggests).
aws_root() {
  AWS_SHARED_CREDENTIALS_FILE="$credentials" AWS_CONFIG_FILE="$config" \
    "$aws_cli" --endpoint-url "$endpoint" "$@"
}
# With explicit keys in the environment (region still from the config file).
aws_keys() {
  local akid=$1 secret=$2
  shift 2
  AWS_ACCESS_KEY_ID="$akid" AWS_SECRET_ACCESS_KEY="$secret" AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    AWS_CONFIG_FILE="$config" "$aws_cli" --endpoint-url "$endpoint" "$@"
}
# expect_error CODE COMMAND...: the command must fail and name CODE on stderr.
expect_error() {
  local code=$1
  shift
  if "$@" >"$work/out" 2>"$work/err"; then
    echo "  expected $code, but the call succeeded: $(cat "$work/out")"
    return 1
  fi
  if grep -q "($code)" "$work/err"; then
    return 0
  fi
  echo "  expected $code, got: $(cat "$work/err")"
  return 1
}
# expect_output EXPECTED COMMAND...: the command must succeed and print exactly EXPECTED.
expect_output() {
  local expected=$1 got
  shift
  if ! got=$("$@" 2>"$work/err"); then
    echo "  failed: $(cat "$work/err")"
    return 1
  fi
  if [[ "$got" == "$expected" ]]; then
    return 0
  fi
  echo "  expected $expected, got $got"
  return 1
}

check "the server announced a 12-digit account and wrote a credentials file" \
  test -n "$account" -a -n "$root_akid"

check "sts get-caller-identity names the account" \
  expect_output "$account" aws_root sts get-caller-identity --query Account --output text
check "sts get-caller-identity names the root" \
  expect_output "$root_arn" aws_root sts get-caller-identity --query Arn --output text

check "a wrong secret is SignatureDoesNotMatch" \
  expect_error SignatureDoesNotMatch aws_keys "$root_akid" "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" sts get-caller-identity
check "an unknown access key is InvalidClientTokenId" \
  expect_error InvalidClientTokenId aws_keys AKIAIOSFODNN7EXAMPLE "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" sts get-caller-identity

check "iam create-user" \
  expect_output "$user_arn" aws_root iam create-user --user-name cli-user --query User.Arn --output text
check "iam create-user (a second user)" \
  expect_output other-user aws_root iam create-user --user-name other-user --query User.UserName --output text

user_akid=""
user_secret=""
if aws_root iam create-access-key --user-name cli-user \
  --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text >"$work/key" 2>"$work/err"; then
  read -r user_akid user_secret <"$work/key" || true
fi
check "iam create-access-key returns a key id and a secret" test -n "$user_akid" -a -n "$user_secret"

list_users_only='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}'
check "iam put-user-policy allowing iam:ListUsers only" \
  aws_root iam put-user-policy --user-name cli-user --policy-name list-users-only \
  --policy-document "$list_users_only"

check "the user's key: sts get-caller-identity names the user" \
  expect_output "$user_arn" aws_keys "$user_akid" "$user_secret" sts get-caller-identity --query Arn --output text
check "the user's key: iam list-users works" \
  expect_output "cli-user" aws_keys "$user_akid" "$user_secret" iam list-users \
  --query "Users[?UserName=='cli-user'].UserName" --output text
check "the user's key: iam create-user is AccessDenied" \
  expect_error AccessDenied aws_keys "$user_akid" "$user_secret" iam create-user --user-name not-allowed
check "the denied create-user created nothing" \
  expect_error NoSuchEntity aws_root iam get-user --user-name not-allowed

get_self="{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:GetUser\",\"Resource\":\"$user_arn\"}]}"
check "iam put-user-policy allowing iam:GetUser on the user's own ARN" \
  aws_root iam put-user-policy --user-name cli-user --policy-name get-self --policy-document "$get_self"
check "the user's key: iam get-user of itself works" \
  expect_output "$user_arn" aws_keys "$user_akid" "$user_secret" iam get-user --user-name cli-user \
  --query User.Arn --output text
check "the user's key: iam get-user of another user is AccessDenied" \
  expect_error AccessDenied aws_keys "$user_akid" "$user_secret" iam get-user --user-name other-user

# find_event EVENT-NAME PYTHON-PREDICATE: polls cloudtrail lookup-events (records are written
# asynchronously) until a record `r` satisfies the predicate, which may read the expected values
# from `env` (ROOT_ARN, ROOT_AKID, USER_ARN); gives up after 30 s.
cat >"$work/match.py" <<'EOF'
import json, os, sys
events = json.load(open(sys.argv[1])).get("Events", [])
records = [json.loads(e["CloudTrailEvent"]) for e in events]
sys.exit(0 if any(eval(sys.argv[2], {}, {"r": r, "env": os.environ}) for r in records) else 1)
EOF
find_event() {
  local name=$1 predicate=$2 deadline=$((SECONDS + 30))
  while ((SECONDS <= deadline)); do
    if aws_root cloudtrail lookup-events --output json \
      --lookup-attributes "AttributeKey=EventName,AttributeValue=$name" >"$work/events.json" 2>"$work/err" &&
      USER_ARN="$user_arn" ROOT_ARN="$root_arn" ROOT_AKID="$root_akid" \
        python3 "$work/match.py" "$work/events.json" "$predicate"; then
      return 0
    fi
    sleep 0.2
  done
  echo "  no $name record matched $predicate; last answer: $(cat "$work/events.json" "$work/err" 2>/dev/null | head -c 2000)"
  return 1
}
check "cloudtrail lookup-events finds the root's GetCallerIdentity" \
  find_event GetCallerIdentity \
  "r['userIdentity']['arn'] == env['ROOT_ARN'] and r['userIdentity']['type'] == 'Root' and r['userIdentity']['accessKeyId'] == env['ROOT_AKID'] and r['eventSource'] == 'sts.amazonaws.com' and r['readOnly'] is True"
check "cloudtrail lookup-events finds the user's GetCallerIdentity" \
  find_event GetCallerIdentity \
  "r['userIdentity']['arn'] == env['USER_ARN'] and r['userIdentity']['type'] == 'IAMUser' and r['userIdentity'].get('userName') == 'cli-user'"
check "cloudtrail lookup-events records the denied create-user" \
  find_event CreateUser \
  "r['userIdentity']['arn'] == env['USER_ARN'] and r.get('errorCode') == 'AccessDenied'"

# ---------------------------------------------------------------------------------------------
# CloudWatch metrics. The CLI (botocore) picks JSON 1.0 from the model's protocol list, so this is
# the awsJson1_0 path (the SDK tests cover CBOR); errors come back as the awsQuery code.
now=$(date -u +%s)
minute=$((now - now % 60 - 120))
metric_at=$(date -u -d "@$((minute + 10))" +%Y-%m-%dT%H:%M:%SZ)
metric_from=$(date -u -d "@$minute" +%Y-%m-%dT%H:%M:%SZ)
metric_to=$(date -u -d "@$((minute + 60))" +%Y-%m-%dT%H:%M:%SZ)
# put_metric_data_json: one datum with Values/Counts; the debug log must show the JSON 1.0 target.
put_metric_data_json() {
  aws_root cloudwatch put-metric-data --debug --namespace E2E/CLI --metric-data \
    "[{\"MetricName\":\"Requests\",\"Dimensions\":[{\"Name\":\"Host\",\"Value\":\"a\"}],\"Timestamp\":\"$metric_at\",\"Values\":[2,5],\"Counts\":[1,2],\"Unit\":\"Count\"}]" \
    >"$work/out" 2>"$work/err" || {
    echo "  failed: $(grep -v '^[0-9-]* [0-9:,]* - ' "$work/err" | tail -n 5)"
    return 1
  }
  grep -q "GraniteServiceVersion20100801.PutMetricData" "$work/err" &&
    grep -q "application/x-amz-json-1.0" "$work/err" || {
    echo "  the CLI did not send JSON 1.0 (X-Amz-Target GraniteServiceVersion20100801.PutMetricData)"
    return 1
  }
}
check "cloudwatch put-metric-data (JSON 1.0, Values/Counts)" put_metric_data_json
check "cloudwatch put-metric-data --value" \
  aws_root cloudwatch put-metric-data --namespace E2E/CLI --metric-name Requests \
  --dimensions Host=a --timestamp "$metric_at" --value 3 --unit Count
# 2x1 + 5x2 + 3 = 15 over 4 samples.
check "cloudwatch get-metric-statistics reads Sum and SampleCount back" \
  expect_output "4.0	15.0" aws_root cloudwatch get-metric-statistics --namespace E2E/CLI \
  --metric-name Requests --dimensions Name=Host,Value=a --start-time "$metric_from" \
  --end-time "$metric_to" --period 60 --statistics Sum SampleCount \
  --query 'Datapoints[0].[SampleCount,Sum]' --output text
check "cloudwatch get-metric-statistics with period 7 is InvalidParameterValue" \
  expect_error InvalidParameterValue aws_root cloudwatch get-metric-statistics --namespace E2E/CLI \
  --metric-name Requests --start-time "$metric_from" --end-time "$metric_to" --period 7 \
  --statistics Sum

# ---------------------------------------------------------------------------------------------
# CloudWatch Logs (JSON 1.1).
check "logs create-log-group" aws_root logs create-log-group --log-group-name /e2e/cli
check "logs create-log-group again is ResourceAlreadyExistsException" \
  expect_error ResourceAlreadyExistsException aws_root logs create-log-group --log-group-name /e2e/cli
check "logs create-log-stream" \
  aws_root logs create-log-stream --log-group-name /e2e/cli --log-stream-name s1
log_ms=$(((now - 60) * 1000))
log_events="[{\"timestamp\":$log_ms,\"message\":\"INFO cli started\"},{\"timestamp\":$((log_ms + 1)),\"message\":\"ERROR cli boom\"},{\"timestamp\":$((log_ms + 2)),\"message\":\"{\\\"status\\\":503}\"}]"
put_log_events() {
  local token
  token=$(aws_root logs put-log-events --log-group-name /e2e/cli --log-stream-name s1 \
    --log-events "$log_events" --query nextSequenceToken --output text 2>"$work/err") || {
    echo "  failed: $(cat "$work/err")"
    return 1
  }
  [[ -n "$token" && "$token" != None ]] || {
    echo "  no nextSequenceToken: $token"
    return 1
  }
}
check "logs put-log-events returns nextSequenceToken" put_log_events
check "logs filter-log-events with a term" \
  expect_output "ERROR cli boom" aws_root logs filter-log-events --log-group-name /e2e/cli \
  --filter-pattern ERROR --query 'events[].message' --output text
check "logs filter-log-events with a JSON pattern" \
  expect_output '{"status":503}' aws_root logs filter-log-events --log-group-name /e2e/cli \
  --filter-pattern '{ $.status = 503 }' --query 'events[].message' --output text
check "logs filter-log-events with an invalid pattern is InvalidParameterException" \
  expect_error InvalidParameterException aws_root logs filter-log-events --log-group-name /e2e/cli \
  --filter-pattern '{ $.status = }'

# ---------------------------------------------------------------------------------------------
# EventBridge (JSON 1.1).
check "events put-rule returns the rule ARN" \
  expect_output "arn:aws:events:us-east-1:$account:rule/cli-rule" aws_root events put-rule \
  --name cli-rule --event-pattern '{"source":["cli"]}' --query RuleArn --output text
cli_event="{\"id\":\"1\",\"account\":\"$account\",\"source\":\"cli\",\"time\":\"2026-01-01T00:00:00Z\",\"region\":\"us-east-1\",\"resources\":[],\"detail-type\":\"t\",\"detail\":{}}"
check "events test-event-pattern matches" \
  expect_output True aws_root events test-event-pattern --event-pattern '{"source":["cli"]}' \
  --event "$cli_event" --query Result --output text
check "events test-event-pattern does not match" \
  expect_output False aws_root events test-event-pattern --event-pattern '{"source":["other"]}' \
  --event "$cli_event" --query Result --output text
check "events test-event-pattern with an invalid pattern is InvalidEventPatternException" \
  expect_error InvalidEventPatternException aws_root events test-event-pattern \
  --event-pattern '{"source":"cli"}' --event "$cli_event"

# ---------------------------------------------------------------------------------------------
# Graceful stop.
kill -TERM "$server_pid"
deadline=$((SECONDS + 30))
while kill -0 "$server_pid" 2>/dev/null && ((SECONDS <= deadline)); do
  sleep 0.1
done
if kill -0 "$server_pid" 2>/dev/null; then
  fail "the server did not exit within 30 s of SIGTERM"
else
  status=0
  wait "$server_pid" || status=$?
  server_pid=""
  if [[ "$status" == 0 ]]; then
    pass "SIGTERM stops the server with exit status 0"
  else
    fail "SIGTERM: the server exited with status $status"
  fi
fi

if ((failed > 0)); then
  server_log
fi
echo "e2e-cli: $passed passed, $failed failed"
((failed == 0))
