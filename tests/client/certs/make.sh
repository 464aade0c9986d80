#!/usr/bin/env bash
# Regenerates the TLS test certificates (test only, never use them elsewhere): a CA, and
# three leaves it signs with one key — good (localhost/127.0.0.1, valid to 2125), expired
# (2020–2021) and wrongname (other.example). Run from this folder; needs openssl.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/ca.cnf" <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = $work
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[ any ]
commonName = supplied
CNF
touch "$work/index.txt"
echo 01 > "$work/serial"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/ca.key" \
  -out ca.pem -days 36500 -subj "/CN=taosync test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/leaf.key"
openssl pkcs8 -topk8 -nocrypt -in "$work/leaf.key" -out leaf.key
leaf() { # name common-name subject-alt-names not-before not-after
  openssl req -new -key leaf.key -subj "/CN=$2" -addext "subjectAltName=$3" \
    -addext "basicConstraints=CA:FALSE" -addext "extendedKeyUsage=serverAuth" -out "$work/$1.csr"
  openssl ca -batch -config "$work/ca.cnf" -cert ca.pem -keyfile "$work/ca.key" -in "$work/$1.csr" \
    -out "$1.pem" -startdate "$4" -enddate "$5" -notext
}
leaf good localhost "DNS:localhost,IP:127.0.0.1" 20260101000000Z 21251231000000Z
leaf expired localhost "DNS:localhost,IP:127.0.0.1" 20200101000000Z 20210101000000Z
leaf wrongname other.example "DNS:other.example" 20260101000000Z 21251231000000Z
