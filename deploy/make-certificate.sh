#!/usr/bin/env bash
# Makes a self-signed certificate for every silo and client of one cluster (deploy/README.md, "TLS"):
#   deploy/make-certificate.sh DIR   ->  DIR/cluster.pfx (certificate and key, no password),
#                                        DIR/cluster.crt (the certificate alone, to give as Tls:TrustedCertificateFile)
# Each member presents it and accepts a peer that presents it too. Keep cluster.pfx secret: whoever
# holds it can reach every space. An existing certificate is kept.
set -euo pipefail
dir=${1:?usage: $0 DIR}
mkdir -p "$dir"
[[ -f $dir/cluster.pfx ]] && exit 0
command -v openssl >/dev/null || { echo "make-certificate: openssl is needed (apt-get install openssl)" >&2; exit 1; }
umask 077
openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=orleanskb-cluster" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$dir/cluster.key" -out "$dir/cluster.crt" 2>/dev/null
openssl pkcs12 -export -inkey "$dir/cluster.key" -in "$dir/cluster.crt" -out "$dir/cluster.pfx" -passout pass:
rm -f "$dir/cluster.key"
chmod 644 "$dir/cluster.crt"
