#!/bin/sh
# Creates the vmtest principals (SCRAM-SHA-512 users) and their ACLs from acls.conf, with Kafka's own CLI tools.
# Idempotent: run it again after changing acls.conf or a password. The compose cluster runs it as its kafka-init
# service; on any other cluster run it once with the tools of a Kafka 4.x distribution on PATH:
#
#   KAFKA_BOOTSTRAP=broker1:9092 KAFKA_ADMIN_CONFIG=admin.properties VMTEST_TOPIC_PREFIX=vmtest \
#   VMTEST_KAFKA_COORDINATOR_PASSWORD=... VMTEST_KAFKA_WORKER_PASSWORD=... \
#   VMTEST_KAFKA_ANALYZER_PASSWORD=... VMTEST_KAFKA_CI_PASSWORD=... deploy/kafka/create-acls.sh
#
# KAFKA_ADMIN_CONFIG is a client properties file that logs in as a super user. Each principal named in acls.conf
# needs VMTEST_KAFKA_<NAME>_PASSWORD (upper case); there are no defaults.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
acls=${VMTEST_ACL_FILE:-$here/acls.conf}
prefix=${VMTEST_TOPIC_PREFIX:-vmtest}
bootstrap=${KAFKA_BOOTSTRAP:?set KAFKA_BOOTSTRAP}
admin=${KAFKA_ADMIN_CONFIG:?set KAFKA_ADMIN_CONFIG (client properties of a super user)}
bin=${KAFKA_BIN:-/opt/kafka/bin}
[ -x "$bin/kafka-acls.sh" ] || bin=$(dirname "$(command -v kafka-acls.sh)")

echo "waiting for $bootstrap"
tries=0
until "$bin/kafka-broker-api-versions.sh" --bootstrap-server "$bootstrap" --command-config "$admin" >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { echo "no broker answers on $bootstrap" >&2; exit 1; }
  sleep 2
done

principals=$(grep -v '^[[:space:]]*#' "$acls" | awk 'NF { print $1 }' | sort -u)
for p in $principals; do
  var=VMTEST_KAFKA_$(echo "$p" | tr 'a-z-' 'A-Z_')_PASSWORD
  eval "password=\${$var:-}"
  [ -n "$password" ] || { echo "set $var (the password of Kafka principal $p)" >&2; exit 1; }
  "$bin/kafka-configs.sh" --bootstrap-server "$bootstrap" --command-config "$admin" --alter \
    --entity-type users --entity-name "$p" --add-config "SCRAM-SHA-512=[iterations=8192,password=$password]" >/dev/null
  echo "user $p: SCRAM-SHA-512 credential set"
done

grep -v '^[[:space:]]*#' "$acls" | while read -r principal operations resource pattern name; do
  [ -n "$principal" ] || continue
  name=$(echo "$name" | sed "s/\${PREFIX}/$prefix/g")
  case $resource in
    Topic) flag=--topic ;;
    Group) flag=--group ;;
    TransactionalId) flag=--transactional-id ;;
    *) echo "$acls: unknown resource $resource" >&2; exit 1 ;;
  esac
  ops=""
  for op in $(echo "$operations" | tr ',' ' '); do ops="$ops --operation $op"; done
  # shellcheck disable=SC2086 # $ops is a list of options
  "$bin/kafka-acls.sh" --bootstrap-server "$bootstrap" --command-config "$admin" --add --force \
    --allow-principal "User:$principal" $ops --resource-pattern-type "$(echo "$pattern" | tr a-z A-Z)" \
    "$flag" "$name" >/dev/null
  echo "User:$principal $operations on $resource $pattern $name"
done
echo "principals and ACLs in place"
