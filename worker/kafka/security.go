package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/IBM/sarama"
)

// SSL property keys (Apache Kafka client names). Only PEM material is
// supported: JKS and PKCS12 stores need Java tooling to read.
const (
	// KeySSLTruststoreType is `ssl.truststore.type`: JKS (default upstream), PKCS12 or PEM; only PEM works here.
	KeySSLTruststoreType = "ssl.truststore.type"
	// KeySSLTruststoreLocation is `ssl.truststore.location`: CA certificates file; default none (system roots).
	KeySSLTruststoreLocation = "ssl.truststore.location"
	// KeySSLTruststoreCertificates is `ssl.truststore.certificates`: inline PEM CA certificates.
	KeySSLTruststoreCertificates = "ssl.truststore.certificates"
	// KeySSLKeystoreType is `ssl.keystore.type`: only PEM works here.
	KeySSLKeystoreType = "ssl.keystore.type"
	// KeySSLKeystoreLocation is `ssl.keystore.location`: PEM file holding the client certificate chain and key.
	KeySSLKeystoreLocation = "ssl.keystore.location"
	// KeySSLKeystoreCertificateChain is `ssl.keystore.certificate.chain`: inline PEM client certificate chain.
	KeySSLKeystoreCertificateChain = "ssl.keystore.certificate.chain"
	// KeySSLKeystoreKey is `ssl.keystore.key`: inline PEM (unencrypted) client private key.
	KeySSLKeystoreKey = "ssl.keystore.key"
	// KeySSLEndpointIdentification is `ssl.endpoint.identification.algorithm`: https (default) or
	// empty to skip host name verification (the chain is still verified).
	KeySSLEndpointIdentification = "ssl.endpoint.identification.algorithm"
)

func applySecurity(cfg *sarama.Config, props map[string]string) error {
	proto := strings.ToUpper(strings.TrimSpace(props[KeySecurityProtocol]))
	var useSASL, useTLS bool
	switch proto {
	case "", "PLAINTEXT":
	case "SSL":
		useTLS = true
	case "SASL_PLAINTEXT":
		useSASL = true
	case "SASL_SSL":
		useSASL, useTLS = true, true
	default:
		return fmt.Errorf("%s: unsupported value %q (PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)", KeySecurityProtocol, proto)
	}
	if useTLS {
		tc, err := tlsConfig(props)
		if err != nil {
			return err
		}
		cfg.Net.TLS.Enable = true
		cfg.Net.TLS.Config = tc
	}
	if useSASL {
		return applySASL(cfg, props)
	}
	return nil
}

func applySASL(cfg *sarama.Config, props map[string]string) error {
	mech := strings.ToUpper(strings.TrimSpace(props[KeySASLMechanism]))
	if mech == "" {
		mech = sarama.SASLTypePlaintext
	}
	user, pass, err := parseJAAS(props[KeySASLJAASConfig])
	if err != nil {
		return fmt.Errorf("%s: %w", KeySASLJAASConfig, err)
	}
	cfg.Net.SASL.Enable = true
	cfg.Net.SASL.Handshake = true
	cfg.Net.SASL.User = user
	cfg.Net.SASL.Password = pass
	switch mech {
	case sarama.SASLTypePlaintext:
		cfg.Net.SASL.Mechanism = sarama.SASLTypePlaintext
	case sarama.SASLTypeSCRAMSHA256, sarama.SASLTypeSCRAMSHA512:
		cfg.Net.SASL.Mechanism = sarama.SASLMechanism(mech)
		cfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return newSCRAMClient(mech) }
	default:
		return fmt.Errorf("%s: unsupported mechanism %q (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)", KeySASLMechanism, mech)
	}
	return nil
}

// parseJAAS extracts username and password from a JAAS login line such as
// `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";`.
func parseJAAS(s string) (user, pass string, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "", errors.New("missing: SASL needs a login module line with username and password")
	}
	opts := map[string]string{}
	i := 0
	// Skip the module class and control flag: options start after the flag.
	for n := 0; n < 2; n++ {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		for i < len(s) && s[i] != ' ' && s[i] != ';' {
			i++
		}
	}
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
		if i >= len(s) || s[i] == ';' {
			break
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			return "", "", fmt.Errorf("option without value near %q", s[i:])
		}
		key := strings.TrimSpace(s[i : i+eq])
		i += eq + 1
		var val strings.Builder
		if i < len(s) && s[i] == '"' {
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				val.WriteByte(s[i])
				i++
			}
			if i >= len(s) {
				return "", "", errors.New("unterminated quoted value")
			}
			i++
		} else {
			for i < len(s) && s[i] != ' ' && s[i] != ';' {
				val.WriteByte(s[i])
				i++
			}
		}
		opts[key] = val.String()
	}
	user, pass = opts["username"], opts["password"]
	if user == "" {
		return "", "", errors.New("no username option")
	}
	return user, pass, nil
}

func tlsConfig(props map[string]string) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	caPEM, err := pemMaterial(props, KeySSLTruststoreType, KeySSLTruststoreCertificates, KeySSLTruststoreLocation)
	if err != nil {
		return nil, err
	}
	if caPEM != nil {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, errors.New("ssl trust store: no PEM certificates found")
		}
		tc.RootCAs = pool
	}
	if err := clientCert(tc, props); err != nil {
		return nil, err
	}
	if alg, ok := props[KeySSLEndpointIdentification]; ok && strings.TrimSpace(alg) == "" {
		// Kafka then verifies the chain but not the host name; Go can only
		// express that by verifying the chain ourselves.
		roots := tc.RootCAs
		tc.InsecureSkipVerify = true
		tc.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("tls: broker sent no certificate")
			}
			inter := x509.NewCertPool()
			for _, c := range cs.PeerCertificates[1:] {
				inter.AddCert(c)
			}
			_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
			return err
		}
	}
	return tc, nil
}

func clientCert(tc *tls.Config, props map[string]string) error {
	if chain, key := props[KeySSLKeystoreCertificateChain], props[KeySSLKeystoreKey]; chain != "" || key != "" {
		cert, err := tls.X509KeyPair([]byte(chain), []byte(key))
		if err != nil {
			return fmt.Errorf("ssl key store: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
		return nil
	}
	pemBytes, err := pemMaterial(props, KeySSLKeystoreType, "", KeySSLKeystoreLocation)
	if err != nil || pemBytes == nil {
		return err
	}
	cert, err := tls.X509KeyPair(pemBytes, pemBytes)
	if err != nil {
		return fmt.Errorf("ssl key store %s: %w", props[KeySSLKeystoreLocation], err)
	}
	tc.Certificates = []tls.Certificate{cert}
	return nil
}

// pemMaterial returns inline PEM text or the content of a PEM file; nil when
// neither is configured.
func pemMaterial(props map[string]string, typeKey, inlineKey, locationKey string) ([]byte, error) {
	if inlineKey != "" && props[inlineKey] != "" {
		return []byte(props[inlineKey]), nil
	}
	loc := props[locationKey]
	if loc == "" {
		return nil, nil
	}
	b, err := os.ReadFile(loc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", locationKey, err)
	}
	if !strings.Contains(string(b), "-----BEGIN") {
		return nil, fmt.Errorf("%s: %s is not PEM (%s=%q); only PEM stores are supported, convert with keytool/openssl",
			locationKey, loc, typeKey, props[typeKey])
	}
	return b, nil
}
