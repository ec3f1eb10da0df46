package pushconfig_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushconfig"
	"github.com/offlinepush/push/pushtest"
)

func TestParseErrorsNameCertificateKeyAndRule(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"not json", `{`, "config file"},
		{"no certificates", `{"certificates": []}`, "no certificates"},
		{"top-level typo", `{"certs": []}`, `unknown field "certs"`},
		{"missing id", `{"certificates":[{"vendor":"xiaomi"}]}`, "certificate #1: id: is required"},
		{"unknown vendor", `{"certificates":[{"id":"a","vendor":"nokia"}]}`, `certificate "a": vendor: "nokia" is not one of`},
		{"key of another vendor", `{"certificates":[{"id":"a","vendor":"xiaomi","masterSecret":"x"}]}`, `certificate "a": masterSecret: is not a xiaomi setting`},
		{"typo", `{"certificates":[{"id":"a","vendor":"oppo","chanelId":"x"}]}`, `certificate "a": chanelId: is not a oppo setting`},
		{"wrong type", `{"certificates":[{"id":"a","vendor":"apns","sandbox":"yes"}]}`, `certificate "a": sandbox: must be a JSON boolean`},
		{"bad ttl", `{"certificates":[{"id":"a","vendor":"xiaomi","ttl":"forever"}]}`, `certificate "a": ttl: must be a duration`},
		{"duplicate id", `{"certificates":[{"id":"a","vendor":"xiaomi"},{"id":"a","vendor":"meizu"}]}`, `certificate "a": id: is used by more than one certificate`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pushconfig.Parse([]byte(tt.json), "")
			require.Error(t, err)
			assert.ErrorIs(t, err, push.ErrConfig)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestBuildErrorsNameCertificateKeyAndRule(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.p8"), []byte("not a key"), 0o600))
	t.Setenv("PRESENT_SECRET", "s3cret")
	tests := []struct {
		name, cert, want string
	}{
		{"oppo without channel", `{"id":"op","vendor":"oppo","appKey":"k","masterSecret":"m"}`, `certificate "op": channelId: is required`},
		{"missing env secret", `{"id":"mi","vendor":"xiaomi","appSecret":"env:NOT_SET_ANYWHERE","packageName":"p","channelId":"c"}`, `certificate "mi": appSecret: environment variable NOT_SET_ANYWHERE is not set`},
		{"missing key file", `{"id":"ios","vendor":"apns","teamId":"TEAM123456","keyId":"KEY1234567","privateKey":"file:nope.p8","topic":"t"}`, `certificate "ios": privateKey: file ` + filepath.Join(dir, "nope.p8")},
		{"unreadable key", `{"id":"ios","vendor":"apns","teamId":"TEAM123456","keyId":"KEY1234567","privateKey":"file:bad.p8","topic":"t"}`, `certificate "ios": privateKey:`},
		{"bad click url", `{"id":"hw","vendor":"huawei","appId":"1","appSecret":"env:PRESENT_SECRET","click":{"kind":"url","url":"ftp://x"}}`, `certificate "hw": click.url: must use the http or https scheme`},
		{"bad click kind", `{"id":"hw","vendor":"huawei","appId":"1","appSecret":"x","click":{"kind":"dance"}}`, `certificate "hw": click.kind: must be "app", "url" or "page"`},
		{"empty secret", `{"id":"mz","vendor":"meizu","appId":"1"}`, `certificate "mz": appSecret:`},
		{"vivo classification", `{"id":"v","vendor":"vivo","appId":"1","appKey":"k","appSecret":"s","classification":"spam"}`, `certificate "v": classification: must be "system" or "operational"`},
		{"fcm bad json", `{"id":"f","vendor":"fcm","credentialsJson":"{}"}`, `certificate "f"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := pushconfig.Parse([]byte(`{"certificates":[`+tt.cert+`]}`), dir)
			require.NoError(t, err)
			_, err = f.Router()
			require.Error(t, err)
			assert.ErrorIs(t, err, push.ErrConfig)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "s3cret")
		})
	}
}

func TestSecretsFromEnvAndFile(t *testing.T) {
	dir := t.TempDir()
	key := pushtest.APNsKey()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "AuthKey.p8"), key, 0o600))
	t.Setenv("MI_SECRET", "mi-s3cret")
	cfg := `{"certificates":[
	  {"id":"mi","vendor":"xiaomi","appSecret":"env:MI_SECRET","packageName":"com.example.chat","channelId":"im"},
	  {"id":"ios","vendor":"apns","teamId":"TEAM123456","keyId":"KEY1234567","privateKey":"file:AuthKey.p8","topic":"com.example.chat","sandbox":true}
	]}`
	path := filepath.Join(dir, "certs.json")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	r, err := pushconfig.LoadRouter(path)
	require.NoError(t, err)
	assert.Equal(t, []string{"ios", "mi"}, r.Certificates())

	// The env secret really is the one used: the sandbox accepts it.
	f, err := pushconfig.Load(path)
	require.NoError(t, err)
	c, _ := f.Certificate("mi")
	sb, err := c.StartSandbox()
	require.NoError(t, err)
	defer sb.Close()
	p, err := sb.Pusher(&c)
	require.NoError(t, err)
	res, err := p.Push(context.Background(), &push.OfflinePushInfo{Title: "t", Desc: "d"}, "regid-1")
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Contains(t, sb.Server.Sends()[0].Header.Get("Authorization"), "mi-s3cret")
}

func apnsToken(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestRouterOverEveryVendor pushes to 10,000 devices spread over the
// certificates of every vendor, each served by its pushtest fake, and
// checks one outcome per device in input order, dead tokens grouped by
// certificate, and unknown certificates reported per device.
func TestRouterOverEveryVendor(t *testing.T) {
	demo := pushconfig.Demo()
	r := push.NewRouter()
	servers := map[string]*pushtest.Server{}
	for i := range demo.Certificates {
		c := &demo.Certificates[i]
		sb, err := c.StartSandbox()
		require.NoError(t, err, c.ID)
		t.Cleanup(sb.Close)
		p, err := sb.Pusher(c, push.WithRetry(push.NoRetry()))
		require.NoError(t, err, c.ID)
		r.Register(c.ID, p)
		servers[c.ID] = sb.Server
	}
	ids := r.Certificates()
	require.Len(t, ids, 9)

	var devices []push.Device
	dead := map[string][]string{}
	for i := range 10_000 {
		cert := ids[i%len(ids)]
		tok := fmt.Sprintf("tok-%05d", i)
		if strings.HasSuffix(cert, "apns") {
			tok = apnsToken(tok)
		}
		if i%97 == 0 {
			servers[cert].Invalidate(tok)
			dead[cert] = append(dead[cert], tok)
		}
		devices = append(devices, push.Device{CertificateID: cert, Token: tok})
	}
	devices = append(devices, push.Device{CertificateID: "no-such-cert", Token: "x"})

	res, err := r.Push(context.Background(), &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", Ext: `{"k":"v"}`}, devices...)
	require.NoError(t, err)
	require.Len(t, res.Outcomes, len(devices))
	for i, o := range res.Outcomes {
		require.Equal(t, devices[i], o.Device())
	}
	last := res.Outcomes[len(res.Outcomes)-1]
	assert.ErrorIs(t, last.Err, push.ErrUnknownCertificate)

	invalid := res.InvalidTokens()
	for cert, toks := range dead {
		assert.ElementsMatch(t, toks, invalid[cert], cert)
	}
	deadCount := 0
	for _, toks := range dead {
		deadCount += len(toks)
	}
	for _, o := range res.Failed() {
		if !errors.Is(o.Err, push.ErrInvalidToken) && !errors.Is(o.Err, push.ErrUnknownCertificate) {
			t.Errorf("%s %s: %v", o.CertificateID, o.Token, o.Err)
		}
	}
	assert.Equal(t, 10_000-deadCount, res.Delivered())
	for cert, srv := range servers {
		for tok, n := range srv.Delivered() {
			if n != 1 {
				t.Errorf("%s: token %s delivered %d times", cert, tok, n)
			}
		}
	}
}

func TestCheck(t *testing.T) {
	f, err := pushconfig.Parse([]byte(`{"certificates":[
	  {"id":"ok","vendor":"xiaomi","appSecret":"s","packageName":"p","channelId":"c"},
	  {"id":"bad","vendor":"oppo","appKey":"k","masterSecret":"m"}]}`), "")
	require.NoError(t, err)
	res := f.Check(context.Background(), false)
	require.Len(t, res, 2)
	assert.NoError(t, res[0].Err)
	assert.Equal(t, "ok", res[0].ID)
	assert.ErrorContains(t, res[1].Err, `certificate "bad": channelId`)
}

func TestCheckAuthAgainstAFake(t *testing.T) {
	srv := pushtest.NewHuawei("100", "right-secret")
	defer srv.Close()
	f, err := pushconfig.Parse([]byte(`{"certificates":[
	  {"id":"good","vendor":"huawei","appId":"100","appSecret":"right-secret","endpoint":"`+srv.URL()+`"},
	  {"id":"bad","vendor":"huawei","appId":"100","appSecret":"wrong-secret","endpoint":"`+srv.URL()+`"},
	  {"id":"mi","vendor":"xiaomi","appSecret":"s","packageName":"p","channelId":"c"}]}`), "")
	require.NoError(t, err)
	res := f.Check(context.Background(), true, push.WithRetry(push.NoRetry()))
	require.Len(t, res, 3)
	assert.NoError(t, res[0].Err)
	assert.True(t, res[0].Authenticated)
	var ae *pushconfig.AuthError
	require.ErrorAs(t, res[1].Err, &ae)
	assert.ErrorIs(t, res[1].Err, push.ErrAuth)
	assert.NotContains(t, res[1].Err.Error(), "wrong-secret")
	assert.NoError(t, res[2].Err)
	assert.False(t, res[2].Authenticated, "xiaomi has no access token")
}

// TestKeysIsACopy: every vendor has its keys, an unknown one none, and
// changing what Keys returned changes no config check (Keys used to be an
// exported map the parser read).
func TestKeysIsACopy(t *testing.T) {
	for _, v := range push.Vendors() {
		t.Run(string(v), func(t *testing.T) {
			keys := pushconfig.Keys(v)
			require.NotEmpty(t, keys)
			keys[0] = "changed"
			assert.NotContains(t, pushconfig.Keys(v), "changed")
		})
	}
	assert.Nil(t, pushconfig.Keys("nokia"))
}
