package huawei

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/pushkit"
	"github.com/offlinepush/push/internal/transport"
)

// TestDecode maps answers to per-token outcomes: "" delivered, else the
// class of each token's error, in order.
func TestDecode(t *testing.T) {
	ok := error(nil)
	tokens := []string{"A", "B", "C"}
	tests := []struct {
		name    string
		status  int
		body    string
		want    []error
		code    string
		expired bool // refresh the access token and send again
	}{
		{"success", 200, `{"code":"80000000","msg":"Success","requestId":"r1"}`, []error{ok, ok, ok}, "", false},
		{"numeric code", 200, `{"code":80000000,"msg":"Success","requestId":"r1"}`, []error{ok, ok, ok}, "", false},
		{"partial v1", 200, `{"code":"80100000","msg":"{\"success\":1,\"failure\":2,\"illegal_tokens\":[\"A\",\"C\"]}","requestId":"r1"}`,
			[]error{push.ErrInvalidToken, ok, push.ErrInvalidToken}, "80100000", false},
		{"partial lists an unknown token", 200, `{"code":"80100000","msg":"{\"illegal_tokens\":[\"Z\",\"B\"]}","requestId":"r1"}`,
			[]error{ok, push.ErrInvalidToken, ok}, "80100000", false},
		{"partial by reason", 200, `{"code":"80100000","msg":"{\"success\":1,\"failure\":2,\"illegalTokens\":{\"tokenFormatError\":[\"B\"],\"noPushTypeRight\":[\"C\"]}}","requestId":"r1"}`,
			[]error{ok, push.ErrInvalidToken, push.ErrAuth}, "80100000", false},
		{"partial unreadable msg", 200, `{"code":"80100000","msg":"Check Parameter Partial Success.","requestId":"r1"}`,
			[]error{ok, ok, ok}, "", false},
		{"all invalid", 200, `{"code":"80300007","msg":"All the tokens are invalid","requestId":"r1"}`,
			[]error{push.ErrInvalidToken, push.ErrInvalidToken, push.ErrInvalidToken}, "80300007", false},
		{"all invalid, HTTP 400", 400, `{"code":"80300007","msg":"All the tokens are invalid","requestId":"r1"}`,
			[]error{push.ErrInvalidToken, push.ErrInvalidToken, push.ErrInvalidToken}, "80300007", false},
		{"all invalid, every token named", 200, `{"code":"80300007","msg":"{\"success\":\"0\",\"failure\":\"3\",\"illegal_tokens\":[\"A\",\"B\",\"C\"]}","requestId":"r1"}`,
			[]error{push.ErrInvalidToken, push.ErrInvalidToken, push.ErrInvalidToken}, "80300007", false},
		{"all invalid naming one: the others not judged", 200, `{"code":"80300007","msg":"{\"illegal_tokens\":[\"B\"]}","requestId":"r1"}`,
			[]error{push.ErrUnavailable, push.ErrInvalidToken, push.ErrUnavailable}, "80300007", false},
		{"all invalid, app-level reason by key", 200, `{"code":"80300007","msg":"{\"illegalTokens\":{\"noRight\":[\"A\",\"B\",\"C\"]}}","requestId":"r1"}`,
			[]error{push.ErrAuth, push.ErrAuth, push.ErrAuth}, "80300007", false},
		{"all invalid, app-level reason in plain text", 200, `{"code":"80300007","msg":"All the tokens are invalid. appinfoError","requestId":"r1"}`,
			[]error{push.ErrAuth, push.ErrAuth, push.ErrAuth}, "80300007", false},
		{"partial, msg an object", 200, `{"code":"80100000","msg":{"illegal_tokens":["B"]},"requestId":"r1"}`,
			[]error{ok, push.ErrInvalidToken, ok}, "80100000", false},
		{"expired", 401, `{"code":"80200003","msg":"Oauth Token expired","requestId":"r1"}`, nil, "80200003", true},
		{"auth error", 200, `{"code":"80200001","msg":"Oauth authentication error","requestId":"r1"}`, nil, "80200001", true},
		{"jwt expired", 401, `{"code":"80200005","msg":"JSON Web Token expired"}`, nil, "80200005", true},
		{"no high-importance right", 200, `{"code":"80300011","msg":"no permission"}`, []error{push.ErrAuth, push.ErrAuth, push.ErrAuth}, "80300011", false},
		{"receipt address", 200, `{"code":"80300013","msg":"receipt address error"}`, []error{push.ErrAuth, push.ErrAuth, push.ErrAuth}, "80300013", false},
		{"bare 401", 401, ``, nil, "", true},
		{"param", 400, `{"code":"80100001","msg":"Parameter error"}`, []error{push.ErrInvalidMessage, push.ErrInvalidMessage, push.ErrInvalidMessage}, "80100001", false},
		{"too large", 200, `{"code":"80300008","msg":"too long"}`, []error{push.ErrInvalidMessage, push.ErrInvalidMessage, push.ErrInvalidMessage}, "80300008", false},
		{"internal", 200, `{"code":"81000001","msg":"Inner Error"}`, []error{push.ErrUnavailable, push.ErrUnavailable, push.ErrUnavailable}, "81000001", false},
		{"no permission", 403, `{"code":"80300002","msg":"no permission"}`, []error{push.ErrAuth, push.ErrAuth, push.ErrAuth}, "80300002", false},
		{"unknown code", 200, `{"code":"80999999","msg":"?"}`, []error{push.ErrUnavailable, push.ErrUnavailable, push.ErrUnavailable}, "80999999", false},
		{"unknown code, HTTP 400", 400, `{"code":"80999999","msg":"?"}`, []error{push.ErrInvalidMessage, push.ErrInvalidMessage, push.ErrInvalidMessage}, "80999999", false},
		{"503 html", 503, `<html>busy</html>`, []error{push.ErrUnavailable, push.ErrUnavailable, push.ErrUnavailable}, "", false},
		{"429", 429, ``, []error{push.ErrRateLimited, push.ErrRateLimited, push.ErrRateLimited}, "", false},
		{"200 garbage", 200, `not json`, []error{push.ErrUnavailable, push.ErrUnavailable, push.ErrUnavailable}, "", false},
		{"200 empty object", 200, `{}`, []error{push.ErrUnavailable, push.ErrUnavailable, push.ErrUnavailable}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &transport.Response{Status: tt.status, Header: http.Header{"Retry-After": {"7"}}, Body: []byte(tt.body)}
			out, err := decode(resp, tokens)
			if tt.expired {
				require.ErrorIs(t, err, auth.ErrExpired)
				require.ErrorIs(t, err, push.ErrAuth)
				var ve *push.VendorError
				require.True(t, errors.As(err, &ve))
				assert.Equal(t, tt.code, ve.Code)
				return
			}
			require.NoError(t, err)
			require.Len(t, out, len(tokens))
			for i, o := range out {
				assert.Equal(t, tokens[i], o.Token)
				if tt.want[i] == nil {
					assert.NoError(t, o.Err, o.Token)
					continue
				}
				assert.ErrorIs(t, o.Err, tt.want[i], o.Token)
				var ve *push.VendorError
				require.True(t, errors.As(o.Err, &ve))
				assert.Equal(t, tt.status, ve.HTTPStatus)
				assert.Equal(t, tt.code, ve.Code)
				assert.Equal(t, push.Huawei, ve.Vendor)
				if tt.status == 429 || tt.status >= 500 {
					assert.Equal(t, 7*time.Second, ve.RetryAfter)
				}
			}
			if tt.want[0] == nil && len(tt.body) > 0 && tt.body[0] == '{' {
				assert.Equal(t, "r1", out[0].MessageID)
			}
		})
	}
}

// TestDecodeAllInvalid (issue 12 finding 2, issue 13 finding 4): 80300007
// is not a dead verdict for the tokens it does not name.
func TestDecodeAllInvalid(t *testing.T) {
	answer := func(msg string) []push.Outcome {
		b, _ := json.Marshal(map[string]string{"code": "80300007", "msg": msg, "requestId": "r1"})
		out, err := decode(&transport.Response{Status: 200, Body: b}, []string{"A", "B", "C"})
		require.NoError(t, err)
		return out
	}
	out := answer(`{"success":0,"failure":1,"illegal_tokens":["B"]}`)
	assert.ErrorIs(t, out[1].Err, push.ErrInvalidToken)
	for _, i := range []int{0, 2} {
		assert.ErrorIs(t, out[i].Err, pushkit.ErrNotJudged, "not named: not delivered, not dead")
		assert.True(t, push.IsRetryable(out[i].Err))
		assert.NotErrorIs(t, out[i].Err, push.ErrInvalidToken)
	}

	out = answer(`{"illegalTokens":{"noRight":["A"]}}`)
	for _, o := range out {
		assert.ErrorIs(t, o.Err, push.ErrAuth, "an app-level reason answers for the whole request")
		assert.ErrorContains(t, o.Err, "check the project id")
		assert.ErrorContains(t, o.Err, "token kept")
	}
}

// TestDecodeLenientTypes: fields the docs type as strings read as numbers
// or objects too, and counts as strings, so an answer stays readable.
func TestDecodeLenientTypes(t *testing.T) {
	out, err := decode(&transport.Response{Status: 200, Body: []byte(`{"code":80000000,"msg":"Success","requestId":17170001}`)}, []string{"A"})
	require.NoError(t, err)
	assert.NoError(t, out[0].Err)
	assert.Equal(t, "17170001", out[0].MessageID)
	out, err = decode(&transport.Response{Status: 200, Body: []byte(`{"code":"80100000","msg":{"success":"1","failure":"1","illegal_tokens":["B"]},"requestId":"r1"}`)}, []string{"A", "B"})
	require.NoError(t, err)
	assert.NoError(t, out[0].Err)
	assert.ErrorIs(t, out[1].Err, push.ErrInvalidToken)
	assert.ErrorContains(t, out[1].Err, "success 1, failure 1")
}

func TestBusy(t *testing.T) {
	assert.True(t, busyBody(`{"code":"81000001"}`))
	assert.True(t, busyBody(`{"code":"80600003"}`))
	assert.False(t, busyBody(`{"code":"80000000"}`))
	assert.False(t, busyBody(`{"code":"80300008"}`))
	assert.False(t, busyBody(`oops`))
}

func TestTTLString(t *testing.T) {
	assert.Equal(t, "86400s", ttlString(0, 0))
	assert.Equal(t, "60s", ttlString(0, time.Minute))
	assert.Equal(t, "1s", ttlString(time.Nanosecond, time.Minute))
	assert.Equal(t, "1296000s", ttlString(100*24*time.Hour, 0))
}

// busyBody runs the busy check a request carries on an answer body.
func busyBody(body string) bool {
	b, _ := checkBusy([]byte(body))
	return b
}
