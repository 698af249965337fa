#!/usr/bin/env bash
# make-test-certs.sh DIR CONTROLLER NODE...: a small test PKI for TLS on the
# agent link, made with openssl (docs/security.md explains each file).
#
#   DIR/ca.pem, DIR/ca.key        a new CA ("bluechi-ts test CA"); keep ca.key away
#                                 from the nodes
#   DIR/CONTROLLER.pem/.key       the controller's certificate, for the name the
#                                 agents verify (TLSServerName=, or the host they
#                                 dial); IP addresses go in as IP names
#   DIR/NODE.pem/.key             one client certificate per node, its NodeName as
#                                 DNS name and common name
#
# For tests and demos: the keys are unencrypted and valid for 825 days. A
# production fleet should use its own PKI.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 DIR CONTROLLER-NAME [NODE...]" >&2
	exit 2
fi
dir=$1
controller=$2
shift 2
command -v openssl >/dev/null || { echo "$0: openssl is needed (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
umask 077

if [ ! -e "$dir/ca.pem" ]; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 3650 \
		-subj "/CN=bluechi-ts test CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
fi

# issue NAME USAGE: a key and a certificate for NAME signed by the CA.
issue() {
	local name=$1 usage=$2 san
	if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then san="IP:$name"; else san="DNS:$name"; fi
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
		-subj "/CN=$name" -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
	openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
		-days 825 -sha256 -out "$dir/$name.pem" \
		-extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' "$san" "$usage") 2>/dev/null
	rm -f "$dir/$name.csr"
}

issue "$controller" serverAuth,clientAuth
for node in "$@"; do
	[ "$node" = "$controller" ] && continue
	issue "$node" clientAuth
done
chmod 0644 "$dir"/*.pem
echo "$dir: ca.pem, $controller.pem/.key${*:+, and $* (.pem/.key)}"
