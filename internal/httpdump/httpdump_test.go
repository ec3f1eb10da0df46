package httpdump

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMaskHeader(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"Authorization", "Bearer abc.def", "Bearer <redacted>"},
		{"authorization", "key=app-secret", "key=<redacted>"},
		{"Authorization", "bare", "<redacted>"},
		{"authToken", "tok", "<redacted>"},
		{"Auth_Token", "tok", "<redacted>"},
		{"Content-Type", "application/json", "application/json"},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			assert.Equal(t, tc.want, MaskHeader(tc.name, tc.value))
		})
	}
}

func TestDump(t *testing.T) {
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Authorization": {"key=s3cret"}, "User-Agent": {"Go"}}
	got := Dump("POST", "https://api.example/send", h, []byte("b=2&a=1+x"), nil)
	assert.Equal(t, "POST https://api.example/send\nAuthorization: key=<redacted>\nContent-Type: application/x-www-form-urlencoded\n\na = 1 x\nb = 2\n", got)

	h = http.Header{"Content-Type": {"application/json; charset=UTF-8"}}
	assert.Equal(t, "GET /x\nContent-Type: application/json; charset=UTF-8\n\n{\n  \"a\": 1\n}", Dump("GET", "/x", h, []byte(`{"a":1}`), nil))
	assert.Equal(t, "not json", Pretty("application/json", []byte("not json")))
}
