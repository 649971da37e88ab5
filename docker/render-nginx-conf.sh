#!/bin/sh
# Fills in docker/nginx.conf's placeholders; compose's nginx container and the
# proxy test (tests/proxy/) both render it with this script, so what is tested
# is what is deployed. POSIX sh: it runs in the stock nginx image.
#
# Usage: render-nginx-conf.sh TEMPLATE OUTPUT
# Environment (all but the first have defaults):
#   SOCKGATE_UPSTREAMS  gateways as HOST:PORT, separated by spaces, e.g.
#                       "gateway-1:8080 gateway-2:8080"
#   NGINX_LISTEN        nginx's TLS port, or ADDRESS:PORT   (443)
#   TLS_CERT, TLS_KEY   certificate chain and key, PEM      (/etc/nginx/tls/cert.pem, key.pem)
#   NGINX_READ_TIMEOUT  how long a silent /ws tunnel lives; keep it above the
#                       gateways' --ping-interval-ms        (60s)
set -eu

template=$1
output=$2
: "${SOCKGATE_UPSTREAMS:?set SOCKGATE_UPSTREAMS to the gateways, e.g. \"gateway-1:8080 gateway-2:8080\"}"
listen=${NGINX_LISTEN:-443}
cert=${TLS_CERT:-/etc/nginx/tls/cert.pem}
key=${TLS_KEY:-/etc/nginx/tls/key.pem}
timeout=${NGINX_READ_TIMEOUT:-60s}

# Values go into sed and into nginx directives: refuse anything that could
# end a directive or the sed expression instead of quoting it.
check() {
  case $2 in
    '' | *[!A-Za-z0-9._:/@\[\]\ -]*)
      echo "render-nginx-conf: $1='$2' may only hold letters, digits and . _ : / @ [ ] - and spaces" >&2
      exit 2
      ;;
  esac
}
check SOCKGATE_UPSTREAMS "$SOCKGATE_UPSTREAMS"
check NGINX_LISTEN "$listen"
check TLS_CERT "$cert"
check TLS_KEY "$key"
check NGINX_READ_TIMEOUT "$timeout"

servers=
for upstream in $SOCKGATE_UPSTREAMS; do
  servers="$servers server $upstream;"
done

sed -e "s|@UPSTREAM_SERVERS@|${servers# }|" \
    -e "s|@LISTEN@|$listen|" \
    -e "s|@TLS_CERT@|$cert|" \
    -e "s|@TLS_KEY@|$key|" \
    -e "s|@READ_TIMEOUT@|$timeout|g" \
    "$template" > "$output"

if grep -n '@[A-Z_]*@' "$output" >&2; then
  echo "render-nginx-conf: placeholders left in $output (above)" >&2
  exit 2
fi
