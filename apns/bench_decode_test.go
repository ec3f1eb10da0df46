package apns

import (
	"net/http"
	"testing"

	"github.com/offlinepush/push/internal/transport"
)

// BenchmarkDecode maps APNs answers for one device token: a 200 (apns-id in
// the header, empty body) and a 410 Unregistered with its timestamp, as the
// pushtest fake answers them.
func BenchmarkDecode(b *testing.B) {
	token := "d60031739639ca72d034f45aa67c5a3931104bf7dcd2f6ff971855711d0f6beb"
	id := "0f6f5b1c-4a0e-4d7e-9c4b-7d3f6c2a9b11"
	cases := []struct {
		name string
		resp *transport.Response
	}{
		{"ok", &transport.Response{Status: 200, Header: http.Header{"Apns-Id": {id}, "Apns-Unique-Id": {id}}}},
		{"unregistered", &transport.Response{Status: 410, Header: http.Header{"Apns-Id": {id}, "Content-Type": {"application/json;charset=UTF-8"}},
			Body: []byte(`{"reason":"Unregistered","timestamp":1768456321000}`)}},
	}
	c := &Client{}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if o := c.decode(tc.resp, token, ""); o.Token != token {
					b.Fatal("wrong token")
				}
			}
		})
	}
}
