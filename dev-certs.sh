#!/bin/sh
# A development CA for a Serve cluster and one certificate it issues, shared by every silo and client:
#   ./dev-certs.sh [folder]      (default: ./certs)  ->  ca.pem, ca.key, node.pem, node.key
# Then, on every silo and Orleans client of the cluster:
#   Serve__Cluster__Tls__CertificatePath=certs/node.pem Serve__Cluster__Tls__KeyPath=certs/node.key Serve__Cluster__Tls__CaPath=certs/ca.pem
# Peers are trusted because their certificate chains to this CA (host names are not checked): make one CA per cluster,
# and keep ca.key away from the machines (here it sits next to the certificates: development only).
set -eu
dir="${1:-certs}"
mkdir -p "$dir"
cd "$dir"
if [ -f ca.pem ] && [ -f node.pem ] && [ -f node.key ]; then
  echo "$dir already holds ca.pem, node.pem and node.key"
  exit 0
fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
  -subj "/CN=Serve development cluster CA" \
  -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout ca.key -out ca.pem
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=serve-node" -keyout node.key -out node.csr
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' > node.ext
openssl x509 -req -in node.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 90 -extfile node.ext -out node.pem
rm -f node.csr node.ext ca.srl
# Containers run as a non-root user that must read the key; on a real machine keep it 0600 and owned by the service.
chmod 644 node.key
echo "Made $dir/ca.pem (the CA to trust), $dir/node.pem and $dir/node.key (every silo's and client's certificate)."
