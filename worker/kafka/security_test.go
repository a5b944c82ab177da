package kafka

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
)

// testCA issues a CA and a server certificate for the given SANs.
func testCA(t *testing.T, ips []net.IP, dns []string) (caPEM []byte, server tls.Certificate) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "wharf test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "broker"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: ips, DNSNames: dns,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	server, err = tls.X509KeyPair(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), server
}

func connects(t *testing.T, addrs []string, props map[string]string) error {
	t.Helper()
	cfg, err := SaramaConfig(props, RoleWorker)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Metadata.Retry.Max = 0
	cfg.Net.DialTimeout = 2 * time.Second
	c, err := sarama.NewClient(addrs, cfg)
	if err == nil {
		c.Close()
	}
	return err
}

func TestTLS(t *testing.T) {
	// The broker's certificate names another host: the chain is valid but
	// the host name is not.
	caPEM, server := testCA(t, nil, []string{"broker.example"})
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.TLS(&tls.Config{Certificates: []tls.Certificate{server}}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addrs := c.ListenAddrs()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	ssl := map[string]string{"security.protocol": "SSL", "ssl.truststore.type": "PEM", "ssl.truststore.location": caFile}
	if err := connects(t, addrs, ssl); err == nil {
		t.Error("connected although the host name does not match")
	}
	ssl["ssl.endpoint.identification.algorithm"] = ""
	if err := connects(t, addrs, ssl); err != nil {
		t.Errorf("host name verification off: %v", err)
	}
	otherCA, _ := testCA(t, nil, nil)
	if err := connects(t, addrs, map[string]string{"security.protocol": "SSL",
		"ssl.truststore.certificates": string(otherCA), "ssl.endpoint.identification.algorithm": ""}); err == nil {
		t.Error("connected with an untrusted chain")
	}
}

func TestTLSHostVerified(t *testing.T) {
	caPEM, server := testCA(t, []net.IP{net.IPv4(127, 0, 0, 1)}, nil)
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.TLS(&tls.Config{Certificates: []tls.Certificate{server}}),
		kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "u", "p"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = connects(t, c.ListenAddrs(), map[string]string{
		"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
		"sasl.jaas.config":            `org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";`,
		"ssl.truststore.certificates": string(caPEM),
	})
	if err != nil {
		t.Fatalf("SASL_SSL: %v", err)
	}
}
