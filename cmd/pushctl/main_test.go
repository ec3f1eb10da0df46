package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push/pushtest"
)

// These tests run the built command, as a script would.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pushctl")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "pushctl")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func pushctl(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var xe *exec.ExitError
	if errors.As(err, &xe) {
		code = xe.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return o.String(), e.String(), code
}

func TestHelpAndUsage(t *testing.T) {
	out, _, code := pushctl(t, nil, "help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "Exit codes:")
	assert.Contains(t, out, "--dry-run")

	_, errOut, code := pushctl(t, nil)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "Usage:")

	_, errOut, code = pushctl(t, nil, "frobnicate")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unknown command "frobnicate"`)

	_, errOut, code = pushctl(t, nil, "send", "--sandbox", "--cert", "demo-xiaomi", "--token", "t")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--desc is required")

	_, errOut, code = pushctl(t, nil, "send", "--sandbox", "--cert", "demo-xiaomi", "--token", "t", "--desc", "d", "--click", "sms:1")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--click")
}

func TestSendSandboxEveryVendor(t *testing.T) {
	token := map[string]string{"demo-apns": strings.Repeat("ab", 32)}
	for _, cert := range []string{"demo-xiaomi", "demo-huawei", "demo-harmony", "demo-honor", "demo-oppo", "demo-vivo", "demo-meizu", "demo-fcm", "demo-apns"} {
		t.Run(cert, func(t *testing.T) {
			tok := token[cert]
			if tok == "" {
				tok = "token-123"
			}
			out, errOut, code := pushctl(t, nil, "send", "--sandbox", "--cert", cert, "--token", tok,
				"--title", "Alice", "--desc", "See you at 8?", "--ext", `{"k":"v"}`, "--click", "url:https://example.com/c")
			require.Equal(t, 0, code, "stdout %s\nstderr %s", out, errOut)
			assert.Contains(t, out, "via sandbox")
			assert.Contains(t, out, "ok       "+tok)
		})
	}
}

func TestDryRunPrintsTheWireRequestMasked(t *testing.T) {
	out, errOut, code := pushctl(t, nil, "send", "--dry-run", "--cert", "demo-xiaomi", "--token", "REGID1",
		"--title", "Hello", "--desc", "World", "--ext", `{"k":"v"}`, "--click", "url:https://example.com/page")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "nothing was sent to the vendor")
	assert.Contains(t, out, "POST https://api.xmpush.xiaomi.com/v3/message/regid")
	assert.Contains(t, out, "Authorization: key=<redacted>")
	assert.Contains(t, out, "extra.web_uri = https://example.com/page")
	assert.Contains(t, out, "registration_id = REGID1")
	assert.NotContains(t, out, "demo-secret")

	out, _, code = pushctl(t, nil, "send", "--dry-run", "--cert", "demo-apns", "--token", strings.Repeat("0f", 32), "--desc", "d", "--sound", "ping.caf")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "POST https://api.push.apple.com/3/device/"+strings.Repeat("0f", 32))
	assert.Contains(t, out, `"sound": "ping.caf"`)
	assert.NotContains(t, out, "PRIVATE KEY")
}

func TestSendWithConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "certs.json")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"certificates":[
	  {"id":"mi","vendor":"xiaomi","appSecret":"env:PUSHCTL_TEST_MI_SECRET","packageName":"com.example.chat","channelId":"im"},
	  {"id":"hw","vendor":"huawei","appId":"100","appSecret":"s"}
	]}`), 0o600))

	// the secret is not in the environment: a config error naming it
	_, errOut, code := pushctl(t, nil, "send", "--config", cfg, "--sandbox", "--cert", "mi", "--token", "t", "--desc", "d", "--title", "t")
	assert.Equal(t, 3, code)
	assert.Contains(t, errOut, `certificate "mi": appSecret: environment variable PUSHCTL_TEST_MI_SECRET is not set`)

	out, errOut, code := pushctl(t, []string{"PUSHCTL_TEST_MI_SECRET=abc"}, "send", "--config", cfg, "--sandbox", "--cert", "mi", "--token", "t", "--desc", "d", "--title", "t")
	assert.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "ok       t")

	// Huawei accepts https only: the message error names the field
	_, errOut, code = pushctl(t, nil, "send", "--config", cfg, "--sandbox", "--cert", "hw", "--token", "t", "--title", "t", "--desc", "d", "--click", "url:http://example.com")
	assert.Equal(t, 4, code)
	assert.Contains(t, errOut, "Click.URL")

	_, errOut, code = pushctl(t, nil, "send", "--config", cfg, "--sandbox", "--cert", "nope", "--token", "t", "--desc", "d")
	assert.Equal(t, 3, code)
	assert.Contains(t, errOut, `certificate "nope" is not in the config (it has: mi, hw)`)
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	require.NoError(t, os.WriteFile(good, []byte(`{"certificates":[{"id":"mi","vendor":"xiaomi","appSecret":"s","packageName":"p","channelId":"c"}]}`), 0o600))
	out, _, code := pushctl(t, nil, "check", "--config", good)
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "ok      mi")

	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"certificates":[
	  {"id":"mi","vendor":"xiaomi","appSecret":"s","packageName":"p","channelId":"c"},
	  {"id":"op","vendor":"oppo","appKey":"k","masterSecret":"m"}]}`), 0o600))
	out, _, code = pushctl(t, nil, "check", "--config", bad)
	assert.Equal(t, 3, code)
	assert.Contains(t, out, `error   op`)
	assert.Contains(t, out, `certificate "op": channelId: is required`)

	typo := filepath.Join(dir, "typo.json")
	require.NoError(t, os.WriteFile(typo, []byte(`{"certificates":[{"id":"mi","vendor":"xiaomi","apSecret":"s"}]}`), 0o600))
	_, errOut, code := pushctl(t, nil, "check", "--config", typo)
	assert.Equal(t, 3, code)
	assert.Contains(t, errOut, `certificate "mi": apSecret: is not a xiaomi setting`)

	_, _, code = pushctl(t, nil, "check")
	assert.Equal(t, 2, code)

	out, errOut, code = pushctl(t, nil, "check", "--sandbox", "--auth")
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, 9, strings.Count(out, "ok      "), out)
}

// TestCheckSecretFileBounded: a file: secret naming /dev/zero is a config
// error (exit 3) at once; pushctl used to die out of memory (exit 2). (The
// FIFO, directory and oversize cases: pushconfig's
// TestSecretFileBoundedRegularOnly.)
func TestCheckSecretFileBounded(t *testing.T) {
	for _, path := range []string{"/dev/zero"} {
		t.Run(path, func(t *testing.T) {
			if _, err := os.Stat(path); err != nil {
				t.Skipf("%s: %v", path, err)
			}
			dir := t.TempDir()
			cfg := filepath.Join(dir, "certs.json")
			require.NoError(t, os.WriteFile(cfg, []byte(`{"certificates":[{"id":"ios","vendor":"apns","teamId":"TEAM123456","keyId":"KEY1234567","privateKey":"file:`+path+`","topic":"t"}]}`), 0o600))
			out, errOut, code := pushctl(t, nil, "check", "--config", cfg)
			assert.Equal(t, 3, code, "stdout %s\nstderr %s", out, errOut)
			assert.Contains(t, out, `certificate "ios": privateKey: file `+path+`: is `)
			assert.Contains(t, out, "not a regular file")
		})
	}
}

// TestCheckAuthUnreachableIsNotRejected: check --auth tells a vendor that
// refused the credentials (exit 5, "authentication failed") from one that
// could not be asked: nothing listening, a 503, a timeout (exit 7,
// "credentials not checked"). An unreachable vendor used to be reported
// "authentication failed" with exit 5.
func TestCheckAuthUnreachableIsNotRejected(t *testing.T) {
	fake := pushtest.NewHuawei("100", "right-secret")
	defer fake.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream unavailable", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens there now

	cert := func(id, secret, endpoint string) string {
		return fmt.Sprintf(`{"id":%q,"vendor":"huawei","appId":"100","appSecret":%q,"endpoint":%q,"timeout":"2s"}`, id, secret, endpoint)
	}
	tests := []struct {
		name  string
		certs []string
		code  int
		want  []string
	}{
		{"accepted", []string{cert("hw", "right-secret", fake.URL())}, 0, []string{"ok      hw", "valid, authenticated"}},
		{"rejected", []string{cert("hw", "wrong-secret", fake.URL())}, 5, []string{`certificate "hw": authentication failed:`}},
		{"nothing listening", []string{cert("hw", "right-secret", closed)}, 7, []string{`certificate "hw": credentials not checked: the vendor was not reached or gave no verdict:`}},
		{"503", []string{cert("hw", "right-secret", down.URL)}, 7, []string{`certificate "hw": credentials not checked`}},
		{"rejected beats unreachable", []string{cert("down", "s", closed), cert("bad", "wrong-secret", fake.URL())}, 5, []string{
			`certificate "down": credentials not checked`, `certificate "bad": authentication failed`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "certs.json")
			require.NoError(t, os.WriteFile(cfg, []byte(`{"certificates":[`+strings.Join(tt.certs, ",")+`]}`), 0o600))
			out, errOut, code := pushctl(t, nil, "check", "--config", cfg, "--auth")
			assert.Equal(t, tt.code, code, "stdout %s\nstderr %s", out, errOut)
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
			if tt.code == 7 {
				assert.NotContains(t, out, "authentication failed")
			}
		})
	}
	help, _, _ := pushctl(t, nil, "help")
	assert.Contains(t, help, "7  check --auth: a vendor could not be asked")
}

// TestDryRunReportsTokensNotSent: --dry-run lists each token it would not
// send and why (it used to print only the requests and exit 0, so a
// malformed token simply vanished from the output).
func TestDryRunReportsTokensNotSent(t *testing.T) {
	tests := []struct {
		name, cert string
		tokens     []string
		code       int
		want       []string
		notWant    []string
	}{
		{"xiaomi", "demo-xiaomi", []string{"", "\xff\xfe", "REGID1", "a,b", "REGID1"}, 6, []string{
			"registration_id = REGID1",
			"# 3 of 5 tokens would not be sent (refused before any request):",
			`#   "": empty device token`,
			`#   "\xff\xfe": malformed device token: not valid UTF-8`,
			`#   "a,b": malformed device token: a regId must not contain commas or white space`,
			`# "REGID1" is given 2 times: it is sent once`,
		}, []string{"registration_id = a,b", "no request"}},
		{"apns, every token malformed", "demo-apns", []string{"not-hex", strings.Repeat("ab", 300)}, 6, []string{
			"# no request: no token could be sent",
			`#   "not-hex": malformed device token: a device token must be hexadecimal`,
			"a device token is at most 512 hex digits",
		}, []string{"POST /3/device"}},
		{"meizu comma", "demo-meizu", []string{"pushid-1", "p,2"}, 6, []string{
			`#   "p,2": malformed device token: a pushId must not contain a comma`,
		}, nil},
		{"all good", "demo-huawei", []string{"token-1", "token-2"}, 0, []string{"POST "}, []string{"would not be sent", "refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"send", "--dry-run", "--cert", tt.cert, "--desc", "See you at 8?"}
			for _, tok := range tt.tokens {
				args = append(args, "--token", tok)
			}
			out, errOut, code := pushctl(t, nil, args...)
			assert.Equal(t, tt.code, code, "stdout %s\nstderr %s", out, errOut)
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
			for _, w := range tt.notWant {
				assert.NotContains(t, out, w)
			}
		})
	}
}

// TestDryRunPrintsTheHostOfEveryVendor: the dry run goes through the
// client's DryRun, not a fake, so each request line carries the vendor's
// real URL; APNs production and development differ.
func TestDryRunPrintsTheHostOfEveryVendor(t *testing.T) {
	hexTok := strings.Repeat("0f", 32)
	for _, tc := range []struct{ cert, token, want string }{
		{"demo-xiaomi", "REGID1", "POST https://api.xmpush.xiaomi.com/v3/message/regid\n"},
		{"demo-huawei", "token-1", "POST https://push-api.cloud.huawei.com/v1/100000001/messages:send\n"},
		{"demo-harmony", "token-1", "POST https://push-api.cloud.huawei.com/v3/"},
		{"demo-honor", "token-1", "POST https://push-api.cloud.honor.com/"},
		{"demo-oppo", "token-1", "POST https://api.push.oppomobile.com/server/v1/message/notification/unicast\n"},
		{"demo-vivo", "token-1", "POST https://api-push.vivo.com.cn/message/send\n"},
		{"demo-meizu", "token-1", "POST https://server-api-push.meizu.com/"},
		{"demo-fcm", "token-1", "POST https://fcm.googleapis.com/v1/projects/demo-project/messages:send\n"},
		{"demo-apns", hexTok, "POST https://api.push.apple.com/3/device/" + hexTok + "\n"},
	} {
		t.Run(tc.cert, func(t *testing.T) {
			out, errOut, code := pushctl(t, nil, "send", "--dry-run", "--cert", tc.cert, "--token", tc.token, "--desc", "See you at 8?")
			require.Equal(t, 0, code, errOut)
			assert.Contains(t, out, tc.want)
			assert.Contains(t, out, "<redacted>", "the credential is shown masked")
			assert.NotContains(t, out, "demo-secret")
		})
	}

	cfg := filepath.Join(t.TempDir(), "certs.json")
	key, err := json.Marshal(string(pushtest.APNsKey()))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cfg, []byte(`{"certificates":[
	  {"id":"ios-dev","vendor":"apns","teamId":"TEAM123456","keyId":"KEY1234567","topic":"com.example.chat","sandbox":true,"privateKey":`+string(key)+`}
	]}`), 0o600))
	out, errOut, code := pushctl(t, nil, "send", "--dry-run", "--config", cfg, "--cert", "ios-dev", "--token", hexTok, "--desc", "d")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "POST https://api.sandbox.push.apple.com/3/device/"+hexTok+"\n")
}

// TestSandboxReportsTokensTheFakeRefuses: --sandbox sends to the fake,
// which refuses what the vendor would.
func TestSandboxReportsTokensTheFakeRefuses(t *testing.T) {
	out, errOut, code := pushctl(t, nil, "send", "--sandbox", "--cert", "demo-fcm", "--token", "a b", "--token", "token-1", "--desc", "d")
	assert.Equal(t, 6, code, errOut)
	assert.Contains(t, out, "dead     a b  fcm: invalid device token (HTTP 400")
	assert.Contains(t, out, "ok       token-1")
}

// TestDefaultTitleFromConfig: a certificate's defaultTitle titles a
// message sent without --title; help says what an empty title becomes and
// documents defaultTitle and misconfigGuard.
func TestDefaultTitleFromConfig(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "certs.json")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"certificates":[
	  {"id":"mi","vendor":"xiaomi","appSecret":"s","packageName":"com.example.chat","channelId":"im","defaultTitle":"Example Chat","misconfigGuard":5},
	  {"id":"mi-plain","vendor":"xiaomi","appSecret":"s","packageName":"com.example.chat","channelId":"im"}
	]}`), 0o600))
	out, errOut, code := pushctl(t, nil, "send", "--dry-run", "--config", cfg, "--cert", "mi", "--token", "REGID1", "--desc", "See you at 8?")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "title = Example Chat")
	out, errOut, code = pushctl(t, nil, "send", "--dry-run", "--config", cfg, "--cert", "mi-plain", "--token", "REGID1", "--desc", "See you at 8?")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "title = See you at 8?")

	help, _, _ := pushctl(t, nil, "help")
	for _, w := range []string{"defaultTitle TEXT", "misconfigGuard N", "else the message's own text (--desc)", "0 turns the guard off"} {
		assert.Contains(t, help, w)
	}
}
