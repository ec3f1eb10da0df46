package fcm

import (
	"net/http"
	"testing"

	"github.com/offlinepush/push/internal/transport"
)

// BenchmarkDecode maps FCM HTTP v1 answers for one token: a success
// ({"name":…}) and an UNREGISTERED error (404 with FcmError details), as the
// pushtest fake answers them.
func BenchmarkDecode(b *testing.B) {
	token := "fYx3kQ:APA91b" + "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	cases := []struct {
		name string
		resp *transport.Response
	}{
		{"ok", &transport.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json; charset=UTF-8"}},
			Body: []byte(`{"name":"projects/bench-project/messages/0:0000000000000001%fake0001"}`)}},
		{"unregistered", &transport.Response{Status: 404, Header: http.Header{"Content-Type": {"application/json; charset=UTF-8"}},
			Body: []byte(`{"error":{"code":404,"details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNREGISTERED"}],"message":"Requested entity was not found.","status":"NOT_FOUND"}}`)}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if o := decode(tc.resp, token); o.Token != token {
					b.Fatal("wrong token")
				}
			}
		})
	}
}
