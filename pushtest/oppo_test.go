package pushtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type oppoReply struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

func oppoPost(t *testing.T, o *OPPO, path string, form url.Values) oppoReply {
	t.Helper()
	resp, err := http.Post(o.URL()+path, "application/x-www-form-urlencoded;charset=UTF-8", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, 200, resp.StatusCode, string(b))
	var r oppoReply
	require.NoError(t, json.Unmarshal(b, &r), string(b))
	return r
}

func oppoSign(key, ts, secret string) string {
	s := sha256.Sum256([]byte(key + ts + secret))
	return hex.EncodeToString(s[:])
}

func oppoAuthForm(key, secret string, at time.Time) url.Values {
	ts := strconv.FormatInt(at.UnixMilli(), 10)
	return url.Values{"app_key": {key}, "timestamp": {ts}, "sign": {oppoSign(key, ts, secret)}}
}

func oppoToken(t *testing.T, o *OPPO) string {
	t.Helper()
	r := oppoPost(t, o, oppoAuthPath, oppoAuthForm(o.AppKey, o.MasterSecret, time.Now()))
	require.Equal(t, 0, r.Code, r.Message)
	var d struct {
		AuthToken  string `json:"auth_token"`
		CreateTime int64  `json:"create_time"`
	}
	require.NoError(t, json.Unmarshal(r.Data, &d))
	require.NotEmpty(t, d.AuthToken)
	require.NotZero(t, d.CreateTime)
	return d.AuthToken
}

const goodNotification = `{"title":"T","content":"C","click_action_type":0,"channel_id":"im","category":"IM","notify_level":2,"app_message_id":"m1"}`

func oppoMsg(target, notification string) string {
	return `{"target_type":2,"target_value":"` + target + `","notification":` + notification + `}`
}

func TestOPPOAuth(t *testing.T) {
	o := NewOPPO("key", "secret")
	defer o.Close()
	now := time.Now()
	tests := []struct {
		name string
		form url.Values
		code int
	}{
		{"good", oppoAuthForm("key", "secret", now), 0},
		{"9 minutes old", oppoAuthForm("key", "secret", now.Add(-9*time.Minute)), 0},
		{"wrong secret", oppoAuthForm("key", "other", now), 16},
		{"wrong app key", oppoAuthForm("other", "secret", now), 14},
		{"old timestamp", oppoAuthForm("key", "secret", now.Add(-11*time.Minute)), 19},
		{"future timestamp", oppoAuthForm("key", "secret", now.Add(11*time.Minute)), 19},
		{"seconds not ms", url.Values{"app_key": {"key"}, "timestamp": {strconv.FormatInt(now.Unix(), 10)},
			"sign": {oppoSign("key", strconv.FormatInt(now.Unix(), 10), "secret")}}, 19},
		{"no sign", url.Values{"app_key": {"key"}, "timestamp": {"1"}}, 17},
		{"no timestamp", url.Values{"app_key": {"key"}, "sign": {"x"}}, 18},
		{"no app key", url.Values{}, 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := oppoPost(t, o, oppoAuthPath, tt.form)
			assert.Equal(t, tt.code, r.Code, r.Message)
		})
	}
	assert.Equal(t, 2, o.AuthCalls())

	// The master secret and issued tokens never show in a dump.
	tok := oppoToken(t, o)
	oppoPost(t, o, oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("r", goodNotification)}})
	for _, rec := range o.Records() {
		assert.NotContains(t, rec.Dump(), tok)
	}
}

func TestOPPOSendChecks(t *testing.T) {
	o := NewOPPO("key", "secret")
	defer o.Close()
	tok := oppoToken(t, o)
	n := func(edit string) string { // goodNotification with edit spliced in
		return strings.TrimSuffix(goodNotification, "}") + "," + edit + "}"
	}
	many := make([]string, 1001)
	for i := range many {
		many[i] = oppoMsg(fmt.Sprint("r", i), goodNotification)
	}
	tests := []struct {
		name string
		path string
		form url.Values
		code int
	}{
		{"ok", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("a", goodNotification)}}, 0},
		{"ok batch", oppoBatchPath, url.Values{"auth_token": {tok}, "messages": {"[" + oppoMsg("a", goodNotification) + "," + oppoMsg("b", goodNotification) + "]"}}, 0},
		{"no token", oppoUnicastPath, url.Values{"message": {oppoMsg("a", goodNotification)}}, 29},
		{"unknown token", oppoUnicastPath, url.Values{"auth_token": {"nope"}, "message": {oppoMsg("a", goodNotification)}}, 11},
		{"no message", oppoUnicastPath, url.Values{"auth_token": {tok}}, 40},
		{"message not JSON", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {"title=x"}}, 41},
		{"notification as a string", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("a", strconv.Quote(goodNotification))}}, 41},
		{"camelCase key", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("a", n(`"channelId":"im"`))}}, 41},
		{"type as string", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {`{"target_type":"2","target_value":"a","notification":` + goodNotification + `}`}}, 41},
		{"target type 5", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {`{"target_type":5,"target_value":"a","notification":` + goodNotification + `}`}}, 41},
		{"no target", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {`{"target_type":2,"notification":` + goodNotification + `}`}}, 40},
		{"title too long", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("a", `{"title":"`+strings.Repeat("标", 51)+`","content":"C","channel_id":"im"}`)}}, 41},
		{"emoji counts 2", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("a", `{"title":"T","content":"`+strings.Repeat("😀", 26)+`","channel_id":"im"}`)}}, 41},
		{"no content", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("a", `{"title":"T","channel_id":"im"}`)}}, 40},
		{"no channel", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("a", `{"title":"T","content":"C"}`)}}, 40},
		{"type 4 without activity", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("a", `{"title":"T","content":"C","channel_id":"im","click_action_type":4}`)}}, 40},
		{"type 2 without url", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("a", `{"title":"T","content":"C","channel_id":"im","click_action_type":2}`)}}, 40},
		{"type 2 bad url", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("a", `{"title":"T","content":"C","channel_id":"im","click_action_type":2,"click_action_url":"/x"}`)}}, 41},
		{"type 3", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("a", `{"title":"T","content":"C","channel_id":"im","click_action_type":3}`)}}, 41},
		{"action_parameters not JSON", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("a", n(`"action_parameters":"ext=1"`))}}, 41},
		{"action_parameters an object, not text", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("a", n(`"action_parameters":{"ext":"1"}`))}}, 41},
		{"notify_level without category", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("a", `{"title":"T","content":"C","channel_id":"im","notify_level":2}`)}}, 67},
		{"bad category", oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("a", `{"title":"T","content":"C","channel_id":"im","category":"im"}`)}}, 67},
		{"empty batch", oppoBatchPath, url.Values{"auth_token": {tok}, "messages": {"[]"}}, 41},
		{"batch of 1001", oppoBatchPath, url.Values{"auth_token": {tok}, "messages": {"[" + strings.Join(many, ",") + "]"}}, 41},
		{"one bad item fails the batch", oppoBatchPath, url.Values{"auth_token": {tok}, "messages": {"[" + oppoMsg("a", goodNotification) + "," + oppoMsg("b", `{"title":"T"}`) + "]"}}, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := oppoPost(t, o, tt.path, tt.form)
			assert.Equal(t, tt.code, r.Code, r.Message)
		})
	}

	resp, err := http.Post(o.URL()+oppoUnicastPath, "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(b), `"code":41`, "JSON bodies are refused")
}

func TestOPPODeliveryRules(t *testing.T) {
	o := NewOPPO("key", "secret")
	defer o.Close()
	tok := oppoToken(t, o)
	o.Invalidate("dead")

	batch := func(ids ...string) []map[string]any {
		var items []string
		for _, id := range ids {
			items = append(items, oppoMsg(id, goodNotification))
		}
		r := oppoPost(t, o, oppoBatchPath, url.Values{"auth_token": {tok}, "messages": {"[" + strings.Join(items, ",") + "]"}})
		require.Equal(t, 0, r.Code, r.Message)
		var out []map[string]any
		require.NoError(t, json.Unmarshal(r.Data, &out))
		return out
	}
	got := batch("a", "dead", "b")
	require.Len(t, got, 3)
	assert.Equal(t, "a", got[0]["registrationId"])
	assert.NotEmpty(t, got[0]["messageId"])
	assert.Equal(t, 10000.0, got[1]["errorCode"])
	assert.Nil(t, got[1]["messageId"])

	// unicast reports a dead token at the top level
	r := oppoPost(t, o, oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("dead", goodNotification)}})
	assert.Equal(t, 10000, r.Code)

	// the same app_message_id is delivered once per device
	again := batch("a", "c")
	assert.Equal(t, got[0]["messageId"], again[0]["messageId"])
	assert.Equal(t, map[string]int{"a": 1, "b": 1, "c": 1}, o.Delivered())

	// quota
	o.SetQuota(1)
	q := batch("d", "e")
	assert.Nil(t, q[0]["errorCode"])
	assert.Equal(t, 33.0, q[1]["errorCode"])
	r = oppoPost(t, o, oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("f", goodNotification)}})
	assert.Equal(t, 33, r.Code)
	o.SetQuota(-1)

	// expired tokens, then a new one works
	o.ExpireTokens()
	r = oppoPost(t, o, oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("g", goodNotification)}})
	assert.Equal(t, 11, r.Code)
	tok = oppoToken(t, o)
	r = oppoPost(t, o, oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("g", goodNotification)}})
	assert.Equal(t, 0, r.Code)
	var d struct {
		MessageID string `json:"messageId"`
	}
	require.NoError(t, json.Unmarshal(r.Data, &d))
	assert.NotEmpty(t, d.MessageID)

	// faults in OPPO's shape, sends only unless a Path is given
	o.Inject(Fault{Code: "-2"})
	assert.Equal(t, 0, oppoPost(t, o, oppoAuthPath, oppoAuthForm("key", "secret", time.Now())).Code)
	r = oppoPost(t, o, oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("h", goodNotification)}})
	assert.Equal(t, -2, r.Code)
	last := o.Sends()[len(o.Sends())-1]
	assert.True(t, last.Fault)
	assert.Empty(t, last.Accepted)
}

func TestOPPOMisconfiguredAndStringCodes(t *testing.T) {
	o := NewOPPO("key", "secret")
	defer o.Close()
	tok := oppoToken(t, o)
	o.SetMisconfigured(true)
	r := oppoPost(t, o, oppoBatchPath, url.Values{"auth_token": {tok}, "messages": {"[" + oppoMsg("a", goodNotification) + "," + oppoMsg("b", goodNotification) + "]"}})
	require.Equal(t, 0, r.Code)
	var items []map[string]any
	require.NoError(t, json.Unmarshal(r.Data, &items))
	require.Len(t, items, 2)
	for _, it := range items {
		assert.Equal(t, 10000.0, it["errorCode"], "every regId is refused")
		assert.Nil(t, it["messageId"])
	}
	r = oppoPost(t, o, oppoUnicastPath, url.Values{"auth_token": {tok}, "message": {oppoMsg("a", goodNotification)}})
	assert.Equal(t, 10000, r.Code)
	assert.Empty(t, o.Delivered())

	o.SetMisconfigured(false)
	o.StringCodes = true
	o.Invalidate("dead")
	resp, err := http.Post(o.URL()+oppoBatchPath, "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"auth_token": {tok}, "messages": {"[" + oppoMsg("a", goodNotification) + "," + oppoMsg("dead", goodNotification) + "]"}}.Encode()))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	assert.Contains(t, string(b), `"code":"0"`)
	assert.Contains(t, string(b), `"errorCode":"10000"`)
	assert.Equal(t, map[string]int{"a": 1}, o.Delivered())
}
