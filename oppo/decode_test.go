package oppo

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/transport"
	"github.com/offlinepush/push/internal/wire"
	"github.com/offlinepush/push/internal/wire/wiretest"
)

func TestCodeClasses(t *testing.T) {
	tests := []struct {
		code string
		kind error
	}{
		{"10000", push.ErrInvalidToken},
		// issue 12 finding 5: notifications switched off is not a dead token
		{"10001", push.ErrDisabled},
		{"11", push.ErrAuth},
		{"33", push.ErrQuota}, {"34", push.ErrQuota}, {"42", push.ErrQuota},
		{"-1", push.ErrUnavailable},
		{"-2", push.ErrRateLimited}, {"13", push.ErrRateLimited}, {"55", push.ErrRateLimited},
		{"14", push.ErrAuth}, {"15", push.ErrAuth}, {"16", push.ErrAuth}, {"17", push.ErrAuth}, {"18", push.ErrAuth},
		{"19", push.ErrAuth}, {"26", push.ErrAuth}, {"27", push.ErrAuth}, {"28", push.ErrAuth}, {"29", push.ErrAuth},
		{"30", push.ErrAuth}, {"59", push.ErrAuth},
		{"12", push.ErrInvalidMessage}, {"20", push.ErrInvalidMessage}, {"24", push.ErrInvalidMessage},
		{"25", push.ErrInvalidMessage}, {"31", push.ErrInvalidMessage}, {"32", push.ErrInvalidMessage},
		{"40", push.ErrInvalidMessage}, {"41", push.ErrInvalidMessage}, {"51", push.ErrInvalidMessage},
		{"67", push.ErrInvalidMessage},
		{"10002", push.ErrUnavailable}, {"999", push.ErrUnavailable}, {"abc", push.ErrUnavailable},
		{"", push.ErrUnavailable}, {`{"x":1}`, push.ErrUnavailable},
	}
	kinds := []error{push.ErrInvalidToken, push.ErrDisabled, push.ErrAuth, push.ErrQuota, push.ErrRateLimited,
		push.ErrUnavailable, push.ErrInvalidMessage}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			e := codeError(tt.code, "msg")
			for _, k := range kinds {
				assert.Equal(t, k == tt.kind, errors.Is(e, k), "%v", k)
			}
			assert.Equal(t, tt.code, e.Code)
			assert.Equal(t, push.OPPO, e.Vendor)
			assert.Equal(t, tt.code == "11", errors.Is(e, auth.ErrExpired), "only 11 re-authenticates")
		})
	}
}

func TestDecode(t *testing.T) {
	ok := func(body string) *transport.Response {
		return &transport.Response{Status: 200, Header: http.Header{}, Body: []byte(body)}
	}
	three := []string{"a", "b", "c"}
	dead := []error{push.ErrInvalidToken, push.ErrInvalidToken, push.ErrInvalidToken}
	tests := []struct {
		name    string
		resp    *transport.Response
		regIDs  []string
		batch   bool
		reqErr  error // whole-request error class
		ids     []string
		classes []error // per token; nil = delivered
	}{
		{name: "unicast ok", resp: ok(`{"code":0,"message":"","data":{"messageId":"AppID-1-1-x"}}`),
			regIDs: []string{"a"}, ids: []string{"AppID-1-1-x"}, classes: []error{nil}},
		{name: "unicast ok, code and messageId as other types", resp: ok(`{"code":"0","message":"","data":{"messageId":12345}}`),
			regIDs: []string{"a"}, ids: []string{"12345"}, classes: []error{nil}},
		{name: "unicast invalid regId", resp: ok(`{"code":10000,"message":"registration_id格式不正确"}`),
			regIDs: []string{"a"}, reqErr: push.ErrInvalidToken},
		{name: "unicast invalid regId, code as a string", resp: ok(`{"code":"10000","message":"registration_id格式不正确"}`),
			regIDs: []string{"a"}, reqErr: push.ErrInvalidToken},
		{name: "unicast notifications off", resp: ok(`{"code":10001,"message":"x"}`), regIDs: []string{"a"}, reqErr: push.ErrDisabled},
		{name: "batch partial", batch: true, regIDs: three,
			resp: ok(`{"code":0,"data":[{"messageId":"m1","registrationId":"a"},{"registrationId":"b","errorCode":10000,"errorMessage":"bad"},{"registrationId":"c","errorCode":33,"errorMessage":"quota"}]}`),
			ids:  []string{"m1", "", ""}, classes: []error{nil, push.ErrInvalidToken, push.ErrQuota}},
		// issue 12 finding 6: errorCode is a String in OPPO's Java SDK
		{name: "batch partial, errorCode as a string", batch: true, regIDs: three,
			resp: ok(`{"code":"0","data":[{"messageId":"m1","registrationId":"a"},{"registrationId":"b","errorCode":"10000","errorMessage":"bad"},{"registrationId":"c","errorCode":"10001"}]}`),
			ids:  []string{"m1", "", ""}, classes: []error{nil, push.ErrInvalidToken, push.ErrDisabled}},
		{name: "errorCode 0 or empty is no error", batch: true, regIDs: three,
			resp: ok(`{"code":0,"data":[{"messageId":"m1","registrationId":"a","errorCode":"0"},{"messageId":"m2","registrationId":"b","errorCode":0},{"messageId":"m3","registrationId":"c","errorCode":""}]}`),
			ids:  []string{"m1", "m2", "m3"}, classes: []error{nil, nil, nil}},
		{name: "an item neither accepted nor refused is not delivered", batch: true, regIDs: three,
			resp: ok(`{"code":0,"data":[{"messageId":"m1","registrationId":"a"},{"registrationId":"b"},{"registrationId":"c","messageId":""}]}`),
			ids:  []string{"m1", "", ""}, classes: []error{nil, push.ErrUnavailable, push.ErrUnavailable}},
		{name: "batch answered out of order", batch: true, regIDs: three,
			resp: ok(`{"code":0,"data":[{"messageId":"m3","registrationId":"c"},{"messageId":"m1","registrationId":"a"},{"messageId":"m2","registrationId":"b"}]}`),
			ids:  []string{"m1", "m2", "m3"}, classes: []error{nil, nil, nil}},
		{name: "batch item missing", batch: true, regIDs: three,
			resp: ok(`{"code":0,"data":[{"messageId":"m1","registrationId":"a"},{"messageId":"m3","registrationId":"c"}]}`),
			ids:  []string{"m1", "", "m3"}, classes: []error{nil, push.ErrUnavailable, nil}},
		{name: "batch items without regId, by position", batch: true, regIDs: three,
			resp: ok(`{"code":0,"data":[{"messageId":"m1"},{"errorCode":10000},{"messageId":"m3"}]}`),
			ids:  []string{"m1", "", "m3"}, classes: []error{nil, push.ErrInvalidToken, nil}},
		{name: "batch top-level 10000 names no regId: all-invalid rules", batch: true, regIDs: three,
			resp: ok(`{"code":10000,"message":"x"}`), ids: []string{"", "", ""}, classes: dead},
		{name: "expired", resp: ok(`{"code":11,"message":"Invalid AuthToken"}`), regIDs: []string{"a"}, reqErr: auth.ErrExpired},
		{name: "quota", batch: true, regIDs: three, resp: ok(`{"code":33,"message":"limit"}`), reqErr: push.ErrQuota},
		{name: "app-level refusal is not a token verdict", batch: true, regIDs: three, resp: ok(`{"code":30,"message":"Api Permission Denied"}`), reqErr: push.ErrAuth},
		{name: "refusal with a data of another shape", batch: true, regIDs: three,
			resp: ok(`{"code":-2,"message":"flow control","data":"n/a"}`), reqErr: push.ErrRateLimited},
		{name: "unicast refusal with a data array", regIDs: []string{"a"},
			resp: ok(`{"code":33,"message":"limit","data":[]}`), reqErr: push.ErrQuota},
		{name: "success with a batch data of the unicast shape", batch: true, regIDs: three,
			resp: ok(`{"code":0,"data":{"messageId":"m"}}`), reqErr: push.ErrUnavailable},
		{name: "success with a unicast data of the batch shape", regIDs: []string{"a"},
			resp: ok(`{"code":0,"data":[{"messageId":"m"}]}`), reqErr: push.ErrUnavailable},
		// an answer that does not say accepted is not a success (code was an
		// int: a missing code read as 0)
		{name: "empty object is not a success", resp: ok(`{}`), regIDs: []string{"a"}, reqErr: push.ErrUnavailable},
		{name: "null is not a success", resp: ok(`null`), regIDs: []string{"a"}, reqErr: push.ErrUnavailable},
		{name: "no code is not a success", resp: ok(`{"message":"success","data":{"messageId":"m"}}`), regIDs: []string{"a"}, reqErr: push.ErrUnavailable},
		{name: "code null is not a success", batch: true, regIDs: three, resp: ok(`{"code":null,"data":[]}`), reqErr: push.ErrUnavailable},
		{name: "broken json", resp: ok(`<html>`), regIDs: []string{"a"}, reqErr: push.ErrUnavailable},
		{name: "batch data not a list", batch: true, regIDs: three, resp: ok(`{"code":0,"data":{"messageId":"x"}}`), reqErr: push.ErrUnavailable},
		{name: "http 500", resp: &transport.Response{Status: 500, Body: []byte("oops")}, regIDs: []string{"a"}, reqErr: push.ErrUnavailable},
		{name: "http 401 with code", resp: &transport.Response{Status: 401, Body: []byte(`{"code":27,"message":"Access Denied"}`)}, regIDs: []string{"a"}, reqErr: push.ErrAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := decode(tt.resp, tt.regIDs, tt.batch)
			if tt.reqErr != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.reqErr)
				assert.Nil(t, out)
				return
			}
			require.NoError(t, err)
			require.Len(t, out, len(tt.regIDs))
			for i, o := range out {
				assert.Equal(t, tt.regIDs[i], o.Token)
				assert.Equal(t, tt.ids[i], o.MessageID, o.Token)
				if tt.classes[i] == nil {
					assert.NoError(t, o.Err)
				} else {
					assert.ErrorIs(t, o.Err, tt.classes[i])
				}
			}
		})
	}
}

func TestBusy(t *testing.T) {
	for body, want := range map[string]bool{
		`{"code":-1}`: true, `{"code":-2}`: true, `{"code":13}`: true, `{"code":55}`: true,
		`{"code":"-1"}`: true, `{"code":"13"}`: true,
		`{"code":0}`: false, `{"code":11}`: false, `{"code":33}`: false, `{}`: false, `{"code":"x"}`: false, `nope`: false,
	} {
		for name, check := range map[string]func([]byte) (bool, any){"unicast": unicastBusy, "batch": batchBusy, "auth": authBusy} {
			got, _ := check([]byte(body))
			assert.Equal(t, want, got, "%s check of %s", name, body)
		}
	}
}

// BenchmarkBuild measures building the request body of one send: the
// notification (mapped and encoded once per Push) and the per-device JSON.
func BenchmarkBuild(b *testing.B) {
	c, err := New(Config{AppKey: "k", MasterSecret: "s", ChannelID: "im"})
	if err != nil {
		b.Fatal(err)
	}
	info := &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", Ext: `{"entity":{"chatType":1,"sender":"alice"}}`,
		ID: "msg-1", Click: push.ClickAction{Kind: push.ClickOpenPage, Activity: "com.example.ChatActivity"}}
	for _, n := range []int{1, 1000} {
		toks := make([]string, n)
		for i := range toks {
			toks[i] = fmt.Sprintf("CN_%032x", i)
		}
		b.Run(fmt.Sprintf("tokens=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e, err := c.build(info)
				if err != nil {
					b.Fatal(err)
				}
				_, _, val := encode(e, toks)
				if len(val) == 0 {
					b.Fatal("empty")
				}
			}
		})
	}
}

// A regId spliced into the message is a JSON string that reads back as it
// was given, whatever its bytes.
func TestAppendRegID(t *testing.T) {
	e, err := encodedOf(&notification{Title: "T", Content: "C", ChannelID: "im", AppMessageID: "k"})
	require.NoError(t, err)
	for _, s := range []string{"", "CN_0123abc", `a"b`, `a\b`, "a\nb", "标", "a<b>&", "\x7f"} {
		got := e.appendMessage(nil, s)
		var back message
		require.NoError(t, json.Unmarshal(got, &back), string(got))
		assert.Equal(t, s, back.TargetValue)
	}
}

// The spliced request JSON is exactly the JSON of the message structs.
func TestEncodeMatchesMessage(t *testing.T) {
	n := &notification{Title: "T", Content: "C", ChannelID: "im", AppMessageID: "k", ActionParameters: `{"ext":"<&>"}`}
	e, err := encodedOf(n)
	require.NoError(t, err)
	toks := []string{"CN_a", `odd"token`, "a<b>&"}
	path, key, val := encode(e, toks)
	assert.Equal(t, BatchPath, path)
	assert.Equal(t, "messages", key)
	want, err := wire.JSON([]message{{2, toks[0], n}, {2, toks[1], n}, {2, toks[2], n}})
	require.NoError(t, err)
	assert.Equal(t, string(want), string(val))

	path, key, val = encode(e, toks[:1])
	assert.Equal(t, UnicastPath, path)
	assert.Equal(t, "message", key)
	want, _ = wire.JSON(message{2, toks[0], n})
	assert.Equal(t, string(want), string(val))

	// Every field, set by reflection: the splice is the struct's own encoding.
	var f notification
	wiretest.Fill(&f)
	e, err = encodedOf(&f)
	require.NoError(t, err)
	_, _, val = encode(e, toks)
	want, _ = wire.JSON([]message{{2, toks[0], &f}, {2, toks[1], &f}, {2, toks[2], &f}})
	assert.Equal(t, string(want), string(val))

	// A text holding the hole cannot be spliced: each message is encoded in full.
	h := *n
	h.Title = wire.Hole()
	e, err = encodedOf(&h)
	require.NoError(t, err)
	_, _, val = encode(e, toks)
	want, _ = wire.JSON([]message{{2, toks[0], &h}, {2, toks[1], &h}, {2, toks[2], &h}})
	assert.Equal(t, string(want), string(val))
}

// text reads what OPPO's docs and SDK disagree on: a number or a string.
func TestText(t *testing.T) {
	for in, want := range map[string]string{
		`"10000"`: "10000", `10000`: "10000", `" 33 "`: "33", `"a\"b"`: `a"b`, `"\u6807"`: "标", `"标"`: "标",
		`-1`: "-1", `true`: "true", `null`: "", `{"a":1}`: `{"a":1}`, "\"\xff\"": "\ufffd",
	} {
		var v struct {
			T text `json:"t"`
		}
		require.NoError(t, json.Unmarshal([]byte(`{"t":`+in+`}`), &v), in)
		assert.Equal(t, want, string(v.T), in)
	}
}
