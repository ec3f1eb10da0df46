// Package pemkey reads the private keys vendors hand out as PEM text (the
// APNs .p8 file; the private_key of Google's and Huawei's service-account
// files), for the clients that sign with them and the pushtest fakes that
// check the signatures. Its errors say what is wrong and never quote the
// key.
package pemkey

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
)

// ErrNotPEM is returned for text that is neither a PEM block nor the bare
// base64 body of a private key.
var ErrNotPEM = errors.New("is not a PEM private key")

// Parse returns the private key in p: a PEM "PRIVATE KEY" (PKCS #8), "RSA
// PRIVATE KEY" (PKCS #1) or "EC PRIVATE KEY" (SEC 1) block, or the bare
// base64 body of one (a key file's armour is sometimes lost in copying).
func Parse(p []byte) (any, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(string(p))))
	if block == nil {
		// Without the armour, only a body that is a whole key will do:
		// anything else is reported as not PEM, the likelier mistake.
		der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(p)), ""))
		if k := parseDER(der); err == nil && k != nil {
			return k, nil
		}
		return nil, ErrNotPEM
	}
	switch block.Type {
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
	default:
		return nil, errors.New("is a PEM " + block.Type + " block, not a private key")
	}
	if k := parseDER(block.Bytes); k != nil {
		return k, nil
	}
	return nil, errors.New("cannot be parsed as a PKCS #8, PKCS #1 or SEC 1 private key")
}

// parseDER returns the key in der, or nil.
func parseDER(der []byte) any {
	if len(der) == 0 {
		return nil
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return k
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k
	}
	return nil
}

// RSA is Parse for the RSA keys Google (RS256) and Huawei (PS256) sign with.
func RSA(p []byte) (*rsa.PrivateKey, error) {
	k, err := Parse(p)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("is not an RSA key")
	}
	return rk, nil
}

// P256 is Parse for the ECDSA P-256 keys APNs signs with (ES256).
func P256(p []byte) (*ecdsa.PrivateKey, error) {
	k, err := Parse(p)
	if err != nil {
		return nil, err
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, errors.New("is not an ECDSA P-256 key")
	}
	return ek, nil
}
