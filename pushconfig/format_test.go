package pushconfig_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push/internal/secret/secrettest"
	"github.com/offlinepush/push/pushconfig"
	"github.com/offlinepush/push/pushtest"
)

// TestSecretsMaskedUnderEveryVerb formats a File, its Certificates (value
// and pointer, inline secrets and env:/file: references), the Router and a
// Sandbox built from them, alone and inside containers, under every fmt
// verb, and finds no secret in any form. File and Certificate had no
// String at all: every verb printed the inline secrets.
func TestSecretsMaskedUnderEveryVerb(t *testing.T) {
	dir := t.TempDir()
	fileKey := pushtest.APNsKey()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "AuthKey.p8"), fileKey, 0o600))
	t.Setenv("PUSHCONFIG_FMT_SECRET", "env-secret-5b0f7e1c9a")

	harmony, fcm, apns := string(pushtest.HarmonyCredentials()), string(pushtest.FCMCredentials("fmt-project")), string(pushtest.APNsKey())
	secrets := map[string]string{
		"xiaomi appSecret":    "xm-inline-secret-1a2b3c4d",
		"huawei appSecret":    "hw-inline-secret-5e6f7a8b",
		"honor clientId":      "hn-client-id-0c1d2e3f",
		"honor clientSecret":  "hn-inline-secret-9c0d1e2f",
		"oppo masterSecret":   "op-master-secret-3a4b5c6d",
		"vivo appKey":         "vv-app-key-7e8f9a0b",
		"vivo appSecret":      "vv-inline-secret-1c2d3e4f",
		"meizu appSecret":     "mz-inline-secret-5a6b7c8d",
		"harmony credentials": harmony,
		"fcm credentials":     fcm,
		"apns privateKey":     apns,
		"env secret":          "env-secret-5b0f7e1c9a",
		"file privateKey":     string(fileKey),
		"proxy password":      "proxy-pass-2f3e4d5c",
		"harmony private key": privateKeyOf(t, harmony),
		"fcm private key":     privateKeyOf(t, fcm),
	}
	cfg := fmt.Sprintf(`{"certificates":[
	  {"id":"mi","vendor":"xiaomi","appSecret":%q,"packageName":"com.example.chat","channelId":"im"},
	  {"id":"mi-env","vendor":"xiaomi","appSecret":"env:PUSHCONFIG_FMT_SECRET","packageName":"com.example.chat","channelId":"im"},
	  {"id":"hw","vendor":"huawei","appId":"100","appSecret":%q,"endpoint":"https://user:proxy-pass-2f3e4d5c@proxy.example.com"},
	  {"id":"hn","vendor":"honor","appId":"100","clientId":%q,"clientSecret":%q},
	  {"id":"op","vendor":"oppo","appKey":"op-app-key","masterSecret":%q,"channelId":"im"},
	  {"id":"vv","vendor":"vivo","appId":"100","appKey":%q,"appSecret":%q},
	  {"id":"mz","vendor":"meizu","appId":"100","appSecret":%q},
	  {"id":"hm","vendor":"harmony","credentialsJson":%q},
	  {"id":"gg","vendor":"fcm","credentialsJson":%q},
	  {"id":"ios","vendor":"apns","teamId":"TEAM123456","keyId":"KEY1234567","privateKey":%q,"topic":"com.example.chat"},
	  {"id":"ios-file","vendor":"apns","teamId":"TEAM123456","keyId":"KEY1234567","privateKey":"file:AuthKey.p8","topic":"com.example.chat","ttl":"1h","priority":5}
	]}`, secrets["xiaomi appSecret"], secrets["huawei appSecret"], secrets["honor clientId"], secrets["honor clientSecret"],
		secrets["oppo masterSecret"], secrets["vivo appKey"], secrets["vivo appSecret"], secrets["meizu appSecret"],
		harmony, fcm, apns)
	f, err := pushconfig.Parse([]byte(cfg), dir)
	require.NoError(t, err)
	r, err := f.Router()
	require.NoError(t, err)
	values := map[string]any{"File": *f, "*File": f, "*Router": r}
	for i := range f.Certificates {
		c := &f.Certificates[i]
		values["Certificate "+c.ID] = *c
		values["*Certificate "+c.ID] = c
	}
	for _, id := range []string{"mi-env", "ios-file", "hm"} {
		c, _ := f.Certificate(id)
		sb, err := c.StartSandbox()
		require.NoError(t, err)
		t.Cleanup(sb.Close)
		values["*Sandbox "+id] = sb
	}
	for name, x := range values {
		values["[]"+name] = []any{x}
		values["map of "+name] = map[string]any{"k": x}
		values["field of "+name] = struct{ X any }{x}
	}

	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for verb, out := range secrettest.Render(values[n]) {
			for what, s := range secrets {
				if form, ok := secrettest.Find(out, s); ok {
					t.Errorf("%s of %s shows the %s (%s)", verb, n, what, form)
				}
			}
		}
	}

	// What the text does show: references, names, settings.
	mi, _ := f.Certificate("mi-env")
	assert.Equal(t, `pushconfig.Certificate{id:"mi-env" vendor:xiaomi appSecret:"env:PUSHCONFIG_FMT_SECRET" packageName:"com.example.chat" channelId:"im"}`, fmt.Sprintf("%v", mi))
	ios, _ := f.Certificate("ios-file")
	assert.Equal(t, `pushconfig.Certificate{id:"ios-file" vendor:apns teamId:"TEAM123456" keyId:"KEY1234567" privateKey:"file:AuthKey.p8" topic:"com.example.chat" priority:5 ttl:1h0m0s}`, fmt.Sprintf("%v", ios))
	hw, _ := f.Certificate("hw")
	assert.Equal(t, `pushconfig.Certificate{id:"hw" vendor:huawei appId:"100" appSecret:<redacted> endpoint:"https://user:xxxxx@proxy.example.com"}`, fmt.Sprintf("%+v", hw))
	assert.Contains(t, fmt.Sprintf("%d", f), `%!d(pushconfig.File{Certificates:[pushconfig.Certificate{id:"mi" vendor:xiaomi appSecret:<redacted>`)
}

// privateKeyOf is the PEM private key inside a service-account JSON.
func privateKeyOf(t *testing.T, credentials string) string {
	t.Helper()
	var sa struct {
		PrivateKey string `json:"private_key"`
	}
	require.NoError(t, json.Unmarshal([]byte(credentials), &sa))
	require.NotEmpty(t, sa.PrivateKey)
	return sa.PrivateKey
}
