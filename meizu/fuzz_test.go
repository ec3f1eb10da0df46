package meizu

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/fuzzkit"
)

// FuzzDecode: any answer decodes to one outcome per pushId, in order, each
// accepted or of exactly one error class.
func FuzzDecode(f *testing.F) {
	two := "PID_A\nPID_B"
	for _, s := range []struct {
		status int
		body   string
	}{
		{200, `{"code":"200","message":"","value":{},"redirect":"","msgId":"NS20190212105656529_0_11549376_1_3"}`},
		{200, `{"code":200,"value":{},"msgId":"m1"}`},
		{200, `{"code":"200","message":"","value":"","msgId":"m2"}`},
		{200, `{"code":"200"}`},
		{200, `{"code":"200","value":{"110002":["PID_B"]},"msgId":"m3"}`},
		{200, `{"code":"200","value":{"110002":"PID_B"},"msgId":"m3"}`},
		{200, `{"code":"200","value":{"110002":["PID_X"]},"msgId":"m4"}`},
		{200, `{"code":"200","value":{"110003":[" PID_A"],"110010":["PID_B"],"110011":["PID_A"]},"msgId":"m5"}`},
		{200, `{"code":"200","value":{"520":["PID_A"],"9999":["PID_B"]},"msgId":"m5"}`},
		{200, `{"code":"200","value":{},"msgId":12345}`},
		{200, `{"code":"200","value":{"110002":[1,null]},"msgId":{}}`},
		{200, `{"code":`},
		{200, `{"code":"777","message":"新错误","value":""}`},
		{200, `{"code":"110002","message":"pushId未订阅","value":""}`},
		{200, `{"code":"110003","message":"pushId非法"}`},
		{200, `{"code":"110010","message":"请求频率过高"}`},
		{200, `{"code":"110019","message":"超过每日推送上限"}`},
		{200, `{"code":"1006","message":"签名认证失败"}`},
		{200, `{"code":"1003","message":"服务器忙"}`},
		{200, `{"code":"520","message":"折叠"}`},
		{200, `{"code":"1005","message":"参数错误"}`},
		{200, `{"code":true}`},
		{400, `{"code":"1005","message":"参数错误"}`},
		{502, `<html>bad gateway</html>`},
		{200, ``},
	} {
		f.Add(s.status, "", []byte(s.body), two)
	}
	f.Add(503, "7", []byte(`{"code":"1001"}`), "pushid-alice-phone")
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", []byte{0xff, 0x00}, "\xff\n\xfe\nPID_A\nPID_B\nPID_C\nPID_D")

	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte, toks string) {
		tokens := fuzzkit.Tokens(toks)
		out := decode(fuzzkit.Response(status, retryAfter, body), tokens)
		fuzzkit.RequireOutcomes(t, tokens, out)
	})
}

// The push path writes the signed form without url.Values; it must equal
// what Form (the documented mapping) gives.
func TestRequestEqualsForm(t *testing.T) {
	c, err := New(Config{AppID: "100999", AppSecret: "test_app_secret"})
	require.NoError(t, err)
	info := &push.OfflinePushInfo{Title: "a&b=c 你好", Desc: "d +%~", Ext: `{"k":"v"}`, ID: "x"}
	for _, ids := range [][]string{{"p1"}, {"p1", "p 2", "p+3"}} {
		t.Run(strings.Join(ids, ","), func(t *testing.T) {
			want, err := c.Form(info, ids...)
			require.NoError(t, err)
			msg, err := c.messageJSON(info)
			require.NoError(t, err)
			joined := strings.Join(ids, ",")
			sign := c.signature(msg, joined)
			assert.Equal(t, want.Encode(), string(c.request(msg, joined, string(sign[:])).Body))
		})
	}
}
