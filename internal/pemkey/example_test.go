package pemkey_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"github.com/offlinepush/push/internal/pemkey"
)

// A client checks at New that its key file holds the kind of key it signs
// with, and says what is wrong without quoting the key.
func ExampleP256() {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	p8 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}) // an APNs .p8 file

	key, err := pemkey.P256(p8)
	fmt.Println(key.Curve.Params().Name, err)
	_, err = pemkey.RSA(p8)
	fmt.Println(err)
	_, err = pemkey.RSA([]byte("-----BEGIN PRIVATE KEY-----"))
	fmt.Println(err)
	// Output:
	// P-256 <nil>
	// is not an RSA key
	// is not a PEM private key
}
