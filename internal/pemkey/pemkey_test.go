package pemkey

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ek384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	pk8 := func(k any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		require.NoError(t, err)
		return der
	}
	sec1, err := x509.MarshalECPrivateKey(ek)
	require.NoError(t, err)
	armour := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }

	tests := []struct {
		name    string
		in      []byte
		rsaErr  string // "" = RSA accepts it
		p256Err string // "" = P256 accepts it
	}{
		{"RSA PKCS #8", armour("PRIVATE KEY", pk8(rk)), "", "is not an ECDSA P-256 key"},
		{"RSA PKCS #1", armour("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk)), "", "is not an ECDSA P-256 key"},
		{"RSA bare base64, wrapped", []byte(wrap(base64.StdEncoding.EncodeToString(pk8(rk)))), "", "is not an ECDSA P-256 key"},
		{"P-256 PKCS #8 (.p8)", armour("PRIVATE KEY", pk8(ek)), "is not an RSA key", ""},
		{"P-256 SEC 1", armour("EC PRIVATE KEY", sec1), "is not an RSA key", ""},
		{"P-384", armour("PRIVATE KEY", pk8(ek384)), "is not an RSA key", "is not an ECDSA P-256 key"},
		{"public key block", armour("PUBLIC KEY", []byte{1, 2, 3}), "is a PEM PUBLIC KEY block, not a private key", "is a PEM PUBLIC KEY block, not a private key"},
		{"broken DER", armour("PRIVATE KEY", []byte("not a key")), "cannot be parsed", "cannot be parsed"},
		{"bare base64 of no key", []byte(base64.StdEncoding.EncodeToString([]byte("not a key"))), "is not a PEM private key", "is not a PEM private key"},
		{"truncated bare body", []byte(base64.StdEncoding.EncodeToString(pk8(rk))[:40]), "is not a PEM private key", "is not a PEM private key"},
		{"not PEM", []byte("hello world!"), "is not a PEM private key", "is not a PEM private key"},
		{"empty", nil, "is not a PEM private key", "is not a PEM private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				want string
				err  error
			}{{tt.rsaErr, second(RSA(tt.in))}, {tt.p256Err, second(P256(tt.in))}} {
				if c.want == "" {
					assert.NoError(t, c.err)
					continue
				}
				require.Error(t, c.err)
				assert.Contains(t, c.err.Error(), c.want)
				assert.NotContains(t, c.err.Error(), "MII", "an error never quotes the key")
			}
		})
	}
}

func second[T any](_ T, err error) error { return err }

func wrap(s string) string {
	var b strings.Builder
	for len(s) > 64 {
		b.WriteString(s[:64] + "\n")
		s = s[64:]
	}
	return b.String() + s
}
