#!/usr/bin/env bash
# End-to-end checks with the real aws CLI (v1 from PyPI `awscli`, or v2) against the openwatch binary.
#
#   scripts/e2e-cli.sh [path/to/openwatch]     (default: target/debug/openwatch)
#
# Builds nothing. Starts the server on a free loopback port (it binds 127.0.0.1:0 and prints the
# address) with a fresh data directory, drives it with `aws --endpoint-url`, stops it with
# SIGTERM. Uses $E2E_AWS_CLI when set (scripts/test sets it to the CLI v2 for its second run),
# else .venv/bin/aws when present (scripts/test installs it), else `aws` on PATH.
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
if [[ -n "${E2E_AWS_CLI:-}" ]]; then
  aws_cli=$E2E_AWS_CLI
elif [[ -x "$repo_root/.venv/bin/aws" ]]; then
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
  AWS_CONFIG_FILE OPENWATCH_LISTEN OPENWATCH_DATA_DIR OPENWATCH_CONFIG OPENWATCH_DEV OPENWATCH_PUBLIC_URL
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
  # CLI v1 (current botocore) sends JSON 1.0; CLI v2 2.9 (Debian) has the query-only model.
  if [[ "$("$aws_cli" --version 2>&1)" == aws-cli/2* ]]; then
    grep -q "'Action': 'PutMetricData'" "$work/err" || {
      echo "  the CLI did not send the query protocol (Action=PutMetricData)"
      return 1
    }
  else
    grep -q "GraniteServiceVersion20100801.PutMetricData" "$work/err" &&
      grep -q "application/x-amz-json-1.0" "$work/err" || {
      echo "  the CLI did not send JSON 1.0 (X-Amz-Target GraniteServiceVersion20100801.PutMetricData)"
      return 1
    }
  fi
}
check "cloudwatch put-metric-data (Values/Counts; JSON 1.0 with CLI v1, query with v2)" put_metric_data_json
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
check "cloudwatch get-metric-data renders a dynamic label in LabelOptions.Timezone" \
  expect_output "a sum 15 at $(date -u -d "@$((minute + 3600))" +%Y-%m-%dT%H:%M:%S)+01:00" \
  aws_root cloudwatch get-metric-data --start-time "$metric_from" --end-time "$metric_to" \
  --label-options Timezone=+0100 --metric-data-queries \
  '[{"Id":"m1","MetricStat":{"Metric":{"Namespace":"E2E/CLI","MetricName":"Requests","Dimensions":[{"Name":"Host","Value":"a"}]},"Period":60,"Stat":"Sum"},"Label":"${PROP('"'"'Dim.Host'"'"')} sum ${SUM} at ${FIRST_TIME}"}]' \
  --query 'MetricDataResults[0].Label' --output text
check "cloudwatch put-anomaly-detector" \
  aws_root cloudwatch put-anomaly-detector --single-metric-anomaly-detector \
  'Namespace=E2E/CLI,MetricName=Requests,Stat=Sum' \
  --configuration '{"ExcludedTimeRanges":[{"StartTime":"2026-01-01T00:00:00Z","EndTime":"2026-01-01T06:00:00Z"}],"MetricTimezone":"UTC"}'
check "cloudwatch describe-anomaly-detectors shows it pending training" \
  expect_output "Requests	PENDING_TRAINING" aws_root cloudwatch describe-anomaly-detectors \
  --namespace E2E/CLI --query 'AnomalyDetectors[0].[MetricName,StateValue]' --output text
check "cloudwatch get-metric-data with ANOMALY_DETECTION_BAND answers the band's two results" \
  expect_output "ad1 Lower	ad1 Upper" aws_root cloudwatch get-metric-data \
  --start-time "$metric_from" --end-time "$metric_to" --metric-data-queries \
  '[{"Id":"m1","MetricStat":{"Metric":{"Namespace":"E2E/CLI","MetricName":"Requests"},"Period":60,"Stat":"Sum"},"ReturnData":false},{"Id":"ad1","Expression":"ANOMALY_DETECTION_BAND(m1, 2)"}]' \
  --query 'MetricDataResults[].Label' --output text
anomaly_metrics='[{"Id":"m1","MetricStat":{"Metric":{"Namespace":"E2E/CLI","MetricName":"Requests"},"Period":60,"Stat":"Sum"},"ReturnData":true},{"Id":"ad1","Expression":"ANOMALY_DETECTION_BAND(m1, 2)","ReturnData":true}]'
check "cloudwatch put-metric-alarm on an anomaly detection band" \
  aws_root cloudwatch put-metric-alarm --alarm-name e2e-anomaly --evaluation-periods 1 \
  --comparison-operator LessThanLowerOrGreaterThanUpperThreshold --threshold-metric-id ad1 \
  --metrics "$anomaly_metrics"
check "cloudwatch describe-alarms shows its ThresholdMetricId" \
  expect_output "ad1	LessThanLowerOrGreaterThanUpperThreshold" aws_root cloudwatch describe-alarms \
  --alarm-names e2e-anomaly --query 'MetricAlarms[0].[ThresholdMetricId,ComparisonOperator]' \
  --output text
check "cloudwatch put-metric-alarm with a Threshold and a ThresholdMetricId is InvalidParameterCombination" \
  expect_error InvalidParameterCombination aws_root cloudwatch put-metric-alarm \
  --alarm-name e2e-anomaly-bad --evaluation-periods 1 --threshold 5 \
  --comparison-operator GreaterThanUpperThreshold --threshold-metric-id ad1 \
  --metrics "$anomaly_metrics"
check "cloudwatch delete-alarms of the anomaly alarm" \
  aws_root cloudwatch delete-alarms --alarm-names e2e-anomaly
check "cloudwatch delete-anomaly-detector" \
  aws_root cloudwatch delete-anomaly-detector --single-metric-anomaly-detector \
  'Namespace=E2E/CLI,MetricName=Requests,Stat=Sum'
check "cloudwatch delete-anomaly-detector again is ResourceNotFoundException" \
  expect_error ResourceNotFoundException aws_root cloudwatch delete-anomaly-detector \
  --single-metric-anomaly-detector 'Namespace=E2E/CLI,MetricName=Requests,Stat=Sum'

# ---------------------------------------------------------------------------------------------
# CloudWatch alarms, their tags, and dashboards.
check "cloudwatch put-metric-alarm with tags" \
  aws_root cloudwatch put-metric-alarm --alarm-name e2e-high --namespace E2E/CLI \
  --metric-name Requests --statistic Sum --period 60 --evaluation-periods 1 --threshold 100 \
  --comparison-operator GreaterThanThreshold --tags Key=team,Value=core
check "cloudwatch describe-alarms shows the new alarm in INSUFFICIENT_DATA" \
  expect_output "INSUFFICIENT_DATA" aws_root cloudwatch describe-alarms --alarm-names e2e-high \
  --query 'MetricAlarms[0].StateValue' --output text
check "cloudwatch set-alarm-state" \
  aws_root cloudwatch set-alarm-state --alarm-name e2e-high --state-value ALARM \
  --state-reason drill
# The state set holds until the alarm's next evaluation (as in AWS), which may already have run
# when describe-alarms answers; the alarm's history records the change either way.
check "cloudwatch describe-alarm-history records the state set" \
  expect_output "1" aws_root cloudwatch describe-alarm-history --alarm-name e2e-high \
  --history-item-type StateUpdate \
  --query "length(AlarmHistoryItems[?contains(HistorySummary, 'to ALARM') && contains(HistoryData, 'drill')])" \
  --output text
alarm_arn=$(aws_root cloudwatch describe-alarms --alarm-names e2e-high \
  --query 'MetricAlarms[0].AlarmArn' --output text 2>/dev/null)
check "cloudwatch tag-resource on the alarm" \
  aws_root cloudwatch tag-resource --resource-arn "$alarm_arn" --tags Key=env,Value=e2e
check "cloudwatch list-tags-for-resource lists both tags" \
  expect_output "team,env" aws_root cloudwatch list-tags-for-resource --resource-arn "$alarm_arn" \
  --query "join(',', Tags[].Key)" --output text
check "cloudwatch tag-resource with an aws: key is InvalidParameterValue" \
  expect_error InvalidParameterValue aws_root cloudwatch tag-resource --resource-arn "$alarm_arn" \
  --tags Key=aws:x,Value=y
check "cloudwatch list-tags-for-resource of a missing alarm is ResourceNotFoundException" \
  expect_error ResourceNotFoundException aws_root cloudwatch list-tags-for-resource \
  --resource-arn "${alarm_arn%:*}:missing"
dashboard_body='{"widgets":[{"type":"text","x":0,"y":0,"width":6,"height":3,"properties":{"markdown":"# E2E"}}]}'
check "cloudwatch put-dashboard answers no validation messages" \
  expect_output "0" aws_root cloudwatch put-dashboard --dashboard-name e2e-ops \
  --dashboard-body "$dashboard_body" --query 'length(DashboardValidationMessages)' --output text
check "cloudwatch put-dashboard with an invalid body is InvalidParameterInput" \
  expect_error InvalidParameterInput aws_root cloudwatch put-dashboard --dashboard-name e2e-bad \
  --dashboard-body '{"widgets":[{"type":"text","width":30,"properties":{}}]}'
check "cloudwatch get-dashboard returns the body" \
  expect_output "$dashboard_body" aws_root cloudwatch get-dashboard --dashboard-name e2e-ops \
  --query DashboardBody --output text
check "cloudwatch list-dashboards lists only the valid dashboard" \
  expect_output "e2e-ops" aws_root cloudwatch list-dashboards --dashboard-name-prefix e2e \
  --query 'DashboardEntries[].DashboardName' --output text
check "cloudwatch delete-dashboards with a missing name is ResourceNotFound" \
  expect_error ResourceNotFound aws_root cloudwatch delete-dashboards \
  --dashboard-names e2e-ops e2e-missing
check "cloudwatch delete-dashboards" \
  aws_root cloudwatch delete-dashboards --dashboard-names e2e-ops
check "cloudwatch get-dashboard after the delete is ResourceNotFound" \
  expect_error ResourceNotFound aws_root cloudwatch get-dashboard --dashboard-name e2e-ops

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
# `aws logs tail` (CLI v2 only: v1 has no tail command). It pages FilterLogEvents with
# interleaved=true from --since; --follow polls again every ~5 s from the last event it printed.
tail_lines() {
  aws_root logs tail /e2e/cli --since 1h "$@" 2>"$work/err" | sed -E 's/^[^ ]+ //'
}
logs_tail() {
  local got expected
  got=$(tail_lines) || { echo "  failed: $(cat "$work/err")"; return 1; }
  expected=$(printf 's1 INFO cli started\ns1 ERROR cli boom\ns1 {"status":503}')
  [[ "$got" == "$expected" ]] || { echo "  expected $expected, got $got"; return 1; }
}
logs_tail_filtered() {
  local got
  got=$(aws_root logs tail /e2e/cli --since 1h --format short --filter-pattern ERROR 2>"$work/err" |
    sed -E 's/^[^ ]+ //') || { echo "  failed: $(cat "$work/err")"; return 1; }
  [[ "$got" == "ERROR cli boom" ]] || { echo "  expected ERROR cli boom, got $got"; return 1; }
}
logs_tail_follow() {
  local pid found=1 at
  # A group of its own, so the Insights checks below still count /e2e/cli's three events.
  aws_root logs create-log-group --log-group-name /e2e/tail 2>"$work/err" &&
    aws_root logs create-log-stream --log-group-name /e2e/tail --log-stream-name t1 2>"$work/err" &&
    aws_root logs put-log-events --log-group-name /e2e/tail --log-stream-name t1 \
      --log-events "timestamp=$(($(date -u +%s) * 1000 - 1000)),message=INFO before" >/dev/null \
      2>"$work/err" || { echo "  set-up failed: $(cat "$work/err")"; return 1; }
  aws_root logs tail /e2e/tail --since 1h --follow >"$work/follow" 2>"$work/follow.err" &
  pid=$!
  for _ in $(seq 1 100); do
    grep -q 'INFO before' "$work/follow" && break
    sleep 0.1
  done
  at=$(($(date -u +%s) * 1000))
  aws_root logs put-log-events --log-group-name /e2e/tail --log-stream-name t1 \
    --log-events "timestamp=$at,message=WARN cli followed" >/dev/null 2>"$work/err" || {
    kill "$pid" 2>/dev/null
    echo "  put-log-events failed: $(cat "$work/err")"
    return 1
  }
  for _ in $(seq 1 200); do
    if grep -q 'WARN cli followed' "$work/follow"; then
      found=0
      break
    fi
    sleep 0.1
  done
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  ((found == 0)) || echo "  the followed event did not appear within 20 s: $(cat "$work/follow" "$work/follow.err")"
  return "$found"
}
if [[ "$("$aws_cli" --version 2>&1)" == aws-cli/2* ]]; then
  check "logs tail prints the group's events in order with their stream" logs_tail
  check "logs tail --filter-pattern --format short" logs_tail_filtered
  check "logs tail --follow shows an event put while it runs" logs_tail_follow
else
  echo "SKIP: logs tail (aws CLI v1 has no tail command; scripts/test runs this script with v2 too)"
fi
# create-export-task into the local bucket <data>/buckets/cli-archive, then wait for COMPLETED and
# read the gzip file with AWS's key layout <prefix>/<taskId>/<stream>/000000.gz.
export_logs() {
  local id status="" i
  id=$(aws_root logs create-export-task --log-group-name /e2e/cli --from 0 \
    --to 4102444800000 --destination cli-archive --destination-prefix cli \
    --query taskId --output text) || return 1
  for i in $(seq 1 50); do
    status=$(aws_root logs describe-export-tasks --task-id "$id" \
      --query 'exportTasks[0].status.code' --output text) || return 1
    [[ "$status" == COMPLETED ]] && break
    sleep 0.2
  done
  [[ "$status" == COMPLETED ]] || { echo "  export task $id is $status"; return 1; }
  test -f "$data/buckets/cli-archive/cli/aws-logs-write-test" || return 1
  gzip -dc "$data/buckets/cli-archive/cli/$id/s1/000000.gz" | grep -q "Z ERROR cli boom" || {
    echo "  the exported file lacks the event"
    return 1
  }
  expect_error InvalidOperationException aws_root logs cancel-export-task --task-id "$id"
}
check "logs create-export-task writes gzip files in AWS's key layout" export_logs
# Logs Insights: start-query, then get-query-results until Complete; the rows are asserted.
insights_query() {
  local id status="" i rows
  id=$(aws_root logs start-query --log-group-name /e2e/cli --start-time $((now - 3600)) \
    --end-time $((now + 60)) --query-string 'filter @message like /cli/ | stats count(*) as n' \
    --query queryId --output text) || return 1
  for i in $(seq 1 50); do
    status=$(aws_root logs get-query-results --query-id "$id" --query status --output text) ||
      return 1
    [[ "$status" == Complete ]] && break
    sleep 0.2
  done
  [[ "$status" == Complete ]] || { echo "  query $id is $status"; return 1; }
  rows=$(aws_root logs get-query-results --query-id "$id" \
    --query 'results[0][?field==`n`].value' --output text) || return 1
  [[ "$rows" == 2 ]] || { echo "  expected n=2, got: $rows"; return 1; }
  rows=$(aws_root logs get-query-results --query-id "$id" \
    --query 'statistics.recordsScanned' --output text) || return 1
  [[ "$rows" == 3.0 ]] || { echo "  expected 3 records scanned, got: $rows"; return 1; }
}
check "logs start-query then get-query-results until Complete" insights_query
check "logs start-query with a syntax error is MalformedQueryException" \
  expect_error MalformedQueryException aws_root logs start-query --log-group-name /e2e/cli \
  --start-time $((now - 3600)) --end-time "$now" --query-string 'fields @message | sort x sideways'
query_definitions() {
  aws_root logs put-query-definition --name cli-errors \
    --query-string 'filter @message like /ERROR/' >/dev/null || return 1
  expect_output cli-errors aws_root logs describe-query-definitions \
    --query-definition-name-prefix cli --query 'queryDefinitions[].name' --output text
}
check "logs put-query-definition then describe-query-definitions" query_definitions

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
# EventBridge Schema Registry (restJson1).
schema_content='{"openapi":"3.0.0","info":{"version":"1.0.0","title":"Order"},"paths":{},"components":{"schemas":{"Order":{"type":"object","properties":{"id":{"type":"string"}}}}}}'
check "schemas create-registry returns the registry ARN" \
  expect_output "arn:aws:schemas:us-east-1:$account:registry/cli-registry" aws_root schemas \
  create-registry --registry-name cli-registry --query RegistryArn --output text
check "schemas create-registry again is ConflictException" \
  expect_error ConflictException aws_root schemas create-registry --registry-name cli-registry
check "schemas create-schema returns version 1" \
  expect_output 1 aws_root schemas create-schema --registry-name cli-registry --schema-name Order \
  --type OpenApi3 --content "$schema_content" --query SchemaVersion --output text
check "schemas describe-schema returns the content" \
  expect_output "$schema_content" aws_root schemas describe-schema --registry-name cli-registry \
  --schema-name Order --query Content --output text
check "schemas describe-schema of an unknown schema is NotFoundException" \
  expect_error NotFoundException aws_root schemas describe-schema --registry-name cli-registry \
  --schema-name Nope
export_schema() {
  aws_root schemas export-schema --registry-name cli-registry --schema-name Order \
    --type JSONSchemaDraft4 --query Content --output text >"$work/export.json" || return 1
  python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["$schema"] == "http://json-schema.org/draft-04/schema#" and d["properties"]["id"]["type"] == "string", d' "$work/export.json"
}
check "schemas export-schema gives JSONSchemaDraft4" export_schema
schema_tags() {
  local arn="arn:aws:schemas:us-east-1:$account:schema/cli-registry/Order"
  aws_root schemas tag-resource --resource-arn "$arn" --tags team=a,env=b || return 1
  aws_root schemas untag-resource --resource-arn "$arn" --tag-keys env || return 1
  expect_output a aws_root schemas list-tags-for-resource --resource-arn "$arn" \
    --query Tags --output text
}
check "schemas tag-resource, untag-resource, list-tags-for-resource" schema_tags
discover() {
  local names="" i
  expect_output STARTED aws_root schemas create-discoverer \
    --source-arn "arn:aws:events:us-east-1:$account:event-bus/default" --query State \
    --output text || return 1
  aws_root events put-events --entries \
    '[{"Source":"cli.shop","DetailType":"Order Placed","Detail":"{\"orderId\":\"o-1\",\"amount\":3}"}]' \
    >/dev/null || return 1
  for i in $(seq 1 50); do
    names=$(aws_root schemas list-schemas --registry-name discovered-schemas \
      --query 'Schemas[].SchemaName' --output text) || return 1
    [[ "$names" == *"cli.shop@OrderPlaced"* ]] && break
    sleep 0.1
  done
  [[ "$names" == *"cli.shop@OrderPlaced"* ]] || { echo "  discovered: $names"; return 1; }
  aws_root schemas describe-schema --registry-name discovered-schemas \
    --schema-name cli.shop@OrderPlaced --query Content --output text >"$work/discovered.json" ||
    return 1
  python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
s = d["components"]["schemas"]
assert s["AWSEvent"]["x-amazon-events-source"] == "cli.shop", d
assert s["OrderPlaced"]["properties"]["amount"]["type"] == "integer", d' "$work/discovered.json"
}
check "schemas create-discoverer + events put-events: the schema is discovered" discover
check "schemas create-discoverer on an unknown bus is BadRequestException" \
  expect_error BadRequestException aws_root schemas create-discoverer \
  --source-arn "arn:aws:events:us-east-1:$account:event-bus/nope"

# ---------------------------------------------------------------------------------------------
# SNS: an http subscription to a local receiver, confirmed through its SubscribeURL, a filtered
# publish whose signature openssl verifies with the certificate from SigningCertURL.
cat >"$work/rx.py" <<'PYRX'
import http.server, os, sys
out = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        n = len(os.listdir(out))
        with open(os.path.join(out, "%04d.json" % n), "wb") as f:
            f.write(body)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(os.path.join(os.path.dirname(out), "rx.port"), "w").write(str(s.server_port))
s.serve_forever()
PYRX
mkdir -p "$work/rx"
python3 "$work/rx.py" "$work/rx" &
rx_pid=$!
for _ in $(seq 1 50); do [[ -s "$work/rx.port" ]] && break; sleep 0.1; done
rx_url="http://127.0.0.1:$(cat "$work/rx.port")/hook"
# wait_rx N: waits until the receiver holds N bodies.
wait_rx() {
  for _ in $(seq 1 100); do
    (($(ls "$work/rx" | wc -l) >= $1)) && return 0
    sleep 0.1
  done
  echo "  the receiver has $(ls "$work/rx" | wc -l) bodies, expected $1"
  return 1
}
# json_field FILE KEY: one member of a JSON body.
json_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
# verify_sns FILE: checks a message's signature with openssl and the certificate it names.
verify_sns() {
  local f=$1 digest=-sha1
  curl -s -o "$work/cert.pem" "$(json_field "$f" SigningCertURL)" || return 1
  openssl x509 -in "$work/cert.pem" -pubkey -noout >"$work/pub.pem" || return 1
  python3 - "$f" "$work/tosign" "$work/sig" <<'PYSIG' || return 1
import base64, json, sys
m = json.load(open(sys.argv[1]))
keys = (["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
        if m["Type"] == "Notification" else
        ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"])
open(sys.argv[2], "w").write("".join("%s\n%s\n" % (k, m[k]) for k in keys if k in m))
open(sys.argv[3], "wb").write(base64.b64decode(m["Signature"]))
PYSIG
  [[ "$(json_field "$f" SignatureVersion)" == 2 ]] && digest=-sha256
  openssl dgst "$digest" -verify "$work/pub.pem" -signature "$work/sig" "$work/tosign" >/dev/null
}
have_openssl() { command -v openssl >/dev/null 2>&1 && command -v curl >/dev/null 2>&1; }

topic_arn=$(aws_root sns create-topic --name cli-topic --query TopicArn --output text 2>"$work/err" || true)
check "sns create-topic" test "$topic_arn" == "arn:aws:sns:us-east-1:$account:cli-topic"
check "sns set-topic-attributes SignatureVersion 2" \
  aws_root sns set-topic-attributes --topic-arn "$topic_arn" --attribute-name SignatureVersion --attribute-value 2
check "sns tag-resource" aws_root sns tag-resource --resource-arn "$topic_arn" --tags Key=team,Value=ops
check "sns list-tags-for-resource shows the tag" \
  expect_output ops aws_root sns list-tags-for-resource --resource-arn "$topic_arn" --query 'Tags[0].Value' --output text
check "sns subscribe https with an http:// endpoint is InvalidParameter" \
  expect_error InvalidParameter aws_root sns subscribe --topic-arn "$topic_arn" --protocol https --notification-endpoint "$rx_url"
check "sns subscribe http answers pending confirmation" \
  expect_output "pending confirmation" aws_root sns subscribe --topic-arn "$topic_arn" --protocol http \
  --notification-endpoint "$rx_url" --attributes '{"FilterPolicy":"{\"kind\":[\"alarm\"]}"}' \
  --query SubscriptionArn --output text
check "the endpoint receives a SubscriptionConfirmation" wait_rx 1
if have_openssl; then
  check "the confirmation's signature verifies with openssl" verify_sns "$work/rx/0000.json"
else
  echo "SKIP: openssl or curl missing: SNS signatures not checked with openssl"
fi
check "GET of the SubscribeURL (unsigned) confirms" \
  expect_output 200 http_status "$(json_field "$work/rx/0000.json" SubscribeURL)"
sub_arn=$(aws_root sns list-subscriptions-by-topic --topic-arn "$topic_arn" \
  --query 'Subscriptions[0].SubscriptionArn' --output text 2>/dev/null || true)
check "sns list-subscriptions-by-topic shows the confirmed ARN" test "${sub_arn#"$topic_arn":}" != "$sub_arn"
check "sns get-subscription-attributes shows the filter policy" \
  expect_output '{"kind":["alarm"]}' aws_root sns get-subscription-attributes --subscription-arn "$sub_arn" \
  --query 'Attributes.FilterPolicy' --output text
check "sns publish (filtered out)" \
  aws_root sns publish --topic-arn "$topic_arn" --message skipped \
  --message-attributes '{"kind":{"DataType":"String","StringValue":"info"}}'
check "sns publish (passes the filter)" \
  aws_root sns publish --topic-arn "$topic_arn" --subject "CLI test" --message delivered \
  --message-attributes '{"kind":{"DataType":"String","StringValue":"alarm"}}'
check "the endpoint receives the message that passes the filter" wait_rx 2
check "the notification is the filtered one" expect_output delivered json_field "$work/rx/0001.json" Message
if have_openssl; then
  check "the notification's SHA256 signature verifies with openssl" verify_sns "$work/rx/0001.json"
fi
check "sns publish-batch answers per entry" \
  expect_output "$(printf '1\t1')" aws_root sns publish-batch --topic-arn "$topic_arn" \
  --publish-batch-request-entries 'Id=a,Message=m' 'Id=b,Message=m,Subject=' \
  --query '[length(Successful), length(Failed)]' --output text
check "sns publish-batch with duplicate ids is BatchEntryIdsNotDistinct" \
  expect_error BatchEntryIdsNotDistinct aws_root sns publish-batch --topic-arn "$topic_arn" \
  --publish-batch-request-entries 'Id=a,Message=m' 'Id=a,Message=n'
check "sns unsubscribe" aws_root sns unsubscribe --subscription-arn "$sub_arn"
check "sns delete-topic" aws_root sns delete-topic --topic-arn "$topic_arn"
kill "$rx_pid" 2>/dev/null || true

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
