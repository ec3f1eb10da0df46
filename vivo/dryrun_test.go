package vivo

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
)

// DryRun of a two-batch push (MaxTokens+1 regIds, an empty one and a
// duplicate): the list is saved (no Tokens) and pushed with the taskId
// placeholder, the lone last regId goes through /message/send; the bodies
// are those the fake receives for the same Push, and no secret shows.
func TestDryRun(t *testing.T) {
	toks := tokens(MaxTokens + 1)
	in := append(append([]string{toks[0], ""}, toks...), toks[5])

	c, srv := newTest(t, Config{})
	pv, err := c.DryRun(info(), in...)
	require.NoError(t, err)
	assert.Empty(t, srv.Records(), "a dry run sends nothing, not even the auth request")

	want := []struct {
		path   string
		tokens []string
	}{
		{SaveListPath, nil},
		{PushToListPath, toks[:MaxTokens]},
		{SendPath, toks[MaxTokens:]},
	}
	require.Len(t, pv.Requests, len(want))
	for i, w := range want {
		r := pv.Requests[i]
		assert.Equal(t, "POST", r.Method)
		assert.Equal(t, srv.URL()+w.path, r.URL)
		assert.Equal(t, w.tokens, r.Tokens, w.path)
		assert.Equal(t, []string{"<redacted>"}, r.Header["authToken"], w.path)
	}
	var list listRequest
	require.NoError(t, json.Unmarshal(pv.Requests[1].Body, &list))
	assert.Equal(t, taskIDPending, list.TaskID)
	require.Len(t, pv.Unsent, 1)
	assert.Equal(t, "", pv.Unsent[0].Token)
	assert.ErrorIs(t, pv.Unsent[0].Err, push.ErrInvalidToken)

	// The same push, sent: the fake receives the bodies DryRun showed (the
	// taskId is the one the fake answered).
	res, err := c.Push(context.Background(), info(), in...)
	require.NoError(t, err)
	assert.Equal(t, len(in)-1, res.Delivered())
	sends := srv.Sends()
	require.Len(t, sends, len(want))
	var authTokens []string
	for _, r := range srv.Records() {
		if r.Path == AuthPath {
			var a struct{ AuthToken string }
			require.NoError(t, json.Unmarshal(r.Response, &a))
			authTokens = append(authTokens, a.AuthToken)
		}
	}
	for i, w := range want {
		var got []byte
		for _, s := range sends {
			if s.Path == w.path {
				got = s.Body
				authTokens = append(authTokens, s.Header.Get("authToken"))
			}
		}
		if w.path == PushToListPath {
			var sent listRequest
			require.NoError(t, json.Unmarshal(got, &sent))
			require.NotEmpty(t, sent.TaskID)
			got = []byte(strings.Replace(string(got), `"taskId":"`+sent.TaskID+`"`, `"taskId":"`+taskIDPending+`"`, 1))
		}
		assert.Equal(t, string(got), string(pv.Requests[i].Body), w.path)
	}
	require.NotEmpty(t, authTokens)
	require.NotEmpty(t, authTokens[0], "the authToken the fake issued")
	for _, r := range pv.Requests {
		for _, secret := range append([]string{testKey, testSecret}, authTokens...) {
			if secret == "" {
				continue
			}
			assert.NotContains(t, r.String(), secret)
			assert.NotContains(t, string(r.Body), secret)
			assert.NotContains(t, r.URL, secret)
		}
	}
}

// The URL names vivo's real host without an endpoint override.
func TestDryRunHost(t *testing.T) {
	c, err := New(Config{AppID: testAppID, AppKey: testKey, AppSecret: testSecret})
	require.NoError(t, err)
	pv, err := c.DryRun(info(), "regid-a")
	require.NoError(t, err)
	require.Len(t, pv.Requests, 1)
	assert.Equal(t, HostChina+SendPath, pv.Requests[0].URL)
	assert.Equal(t, []string{"regid-a"}, pv.Requests[0].Tokens)
}

// While vivo refuses to save lists today, Push sends each regId alone, and
// DryRun shows that.
func TestDryRunListOff(t *testing.T) {
	c, err := New(Config{AppID: testAppID, AppKey: testKey, AppSecret: testSecret})
	require.NoError(t, err)
	c.listOffUntil.Store(nextCST(c.now(), 0).UnixMilli())
	pv, err := c.DryRun(info(), "regid-a", "regid-b")
	require.NoError(t, err)
	require.Len(t, pv.Requests, 2)
	for i, tok := range []string{"regid-a", "regid-b"} {
		assert.Equal(t, HostChina+SendPath, pv.Requests[i].URL)
		assert.Equal(t, []string{tok}, pv.Requests[i].Tokens)
	}
}

// DryRun refuses what Push refuses, with the same error, before anything.
func TestDryRunRefusesLikePush(t *testing.T) {
	c, srv := newTest(t, Config{})
	bad := &push.OfflinePushInfo{Title: "t", Desc: "hi", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/" + strings.Repeat("x", MaxURL)}}
	_, derr := c.DryRun(bad, "regid-a")
	_, perr := c.Push(context.Background(), bad, "regid-a")
	require.ErrorIs(t, derr, push.ErrInvalidMessage)
	assert.Equal(t, perr.Error(), derr.Error())
	assert.Empty(t, srv.Records())
}
