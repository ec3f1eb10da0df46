package pushtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push/pushtest"
)

// The fake must refuse what Xiaomi refuses, not just accept anything.
func TestXiaomiFakeChecksRequests(t *testing.T) {
	srv := pushtest.NewXiaomi("s3cret", "com.example.app")
	defer srv.Close()
	good := url.Values{
		"registration_id": {"r1"}, "restricted_package_name": {"com.example.app"}, "title": {"t"},
		"description": {"d"}, "pass_through": {"0"}, "extra.notify_effect": {"1"},
	}
	post := func(auth, ctype string, form url.Values) (int, map[string]any) {
		req, _ := http.NewRequest("POST", srv.URL()+"/v3/message/regid", strings.NewReader(form.Encode()))
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m), string(b))
		return resp.StatusCode, m
	}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range good {
			f[kk] = vv
		}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	form := "application/x-www-form-urlencoded;charset=UTF-8"
	tests := []struct {
		name       string
		auth, ct   string
		form       url.Values
		wantCode   float64
		wantResult string
	}{
		{"good", "key=s3cret", form, good, 0, "ok"},
		{"wrong secret", "key=nope", form, good, 21301, "error"},
		{"bearer instead of key", "Bearer s3cret", form, good, 21301, "error"},
		{"json body", "key=s3cret", "application/json", good, 10008, "error"},
		{"other package", "key=s3cret", form, with("restricted_package_name", "com.other"), 22022, "error"},
		{"no title", "key=s3cret", form, with("title", ""), 10017, "error"},
		{"title 50 chars", "key=s3cret", form, with("title", strings.Repeat("标", 50)), 10017, "error"},
		{"title 49 chars", "key=s3cret", form, with("title", strings.Repeat("标", 49)), 0, "ok"},
		{"title 25 emoji (50 UTF-16 units)", "key=s3cret", form, with("title", strings.Repeat("😀", 25)), 10017, "error"},
		{"title 24 emoji and a letter", "key=s3cret", form, with("title", strings.Repeat("😀", 24)+"a"), 0, "ok"},
		{"description 128 chars", "key=s3cret", form, with("description", strings.Repeat("x", 128)), 10017, "error"},
		{"pass_through 2", "key=s3cret", form, with("pass_through", "2"), 10017, "error"},
		{"web_uri missing", "key=s3cret", form, with("extra.notify_effect", "3"), 10017, "error"},
		{"notify_id not a number", "key=s3cret", form, with("notify_id", "x"), 10017, "error"},
		{"1001 regIds", "key=s3cret", form, with("registration_id", strings.Repeat("r,", 1000)+"r"), 10017, "error"},
		{"extra too long", "key=s3cret", form, with("extra.ext", strings.Repeat("x", 1025)), 65015, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, m := post(tt.auth, tt.ct, tt.form)
			assert.Equal(t, 200, status)
			assert.Equal(t, tt.wantCode, m["code"])
			assert.Equal(t, tt.wantResult, m["result"])
		})
	}
	for _, r := range srv.Records() {
		assert.NotContains(t, r.Dump(), "s3cret")
	}
}

func TestXiaomiFakeFaultsAndInvalidTokens(t *testing.T) {
	srv := pushtest.NewXiaomi("s", "p")
	defer srv.Close()
	srv.Invalidate("dead")
	srv.Inject(pushtest.Fault{Status: 503, RetryAfter: 2e9})
	send := func(ids string) (*http.Response, map[string]any) {
		f := url.Values{"registration_id": {ids}, "restricted_package_name": {"p"}, "title": {"t"}, "description": {"d"}, "pass_through": {"0"}}
		req, _ := http.NewRequest("POST", srv.URL()+"/v3/message/regid", strings.NewReader(f.Encode()))
		req.Header.Set("Authorization", "key=s")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp, m
	}
	resp, _ := send("a")
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "2", resp.Header.Get("Retry-After"))
	resp, m := send("a,dead")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "dead", m["data"].(map[string]any)["bad_regids"])
	_, m = send("dead")
	assert.EqualValues(t, 20301, m["code"])
	assert.Equal(t, map[string]int{"a": 1}, srv.Delivered())
	assert.Len(t, srv.Sends(), 3)
	assert.True(t, srv.Records()[0].Fault)
}

// Misconfigured: every send is answered 20301 "No valid targets!", the
// answer Xiaomi gives when the package name does not match the regIds.
func TestXiaomiFakeMisconfigured(t *testing.T) {
	srv := pushtest.NewXiaomi("s", "p")
	defer srv.Close()
	srv.SetMisconfigured(true)
	f := url.Values{"registration_id": {"a,b"}, "restricted_package_name": {"p"}, "title": {"t"}, "description": {"d"}, "pass_through": {"0"}}
	req, _ := http.NewRequest("POST", srv.URL()+"/v3/message/regid", strings.NewReader(f.Encode()))
	req.Header.Set("Authorization", "key=s")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var m map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	assert.EqualValues(t, 20301, m["code"])
	assert.Equal(t, "No valid targets!", m["reason"])
	assert.Empty(t, srv.Delivered())
}
