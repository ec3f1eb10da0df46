package transport_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/settings"
	"github.com/offlinepush/push/internal/transport"
)

// vendor stands in for a vendor API: it answers the given bodies in turn
// (an empty one as a 503), then repeats the last.
func vendor(bodies ...string) *httptest.Server {
	var n atomic.Int32
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := bodies[min(int(n.Add(1)), len(bodies))-1]
		if b == "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, b)
	}))
}

// client sends every request to srv, with a millisecond backoff to keep the
// examples fast.
func client(srv *httptest.Server) *transport.Client {
	c, err := transport.New(push.Xiaomi, settings.New(push.WithEndpoint(srv.URL),
		push.WithRetry(push.RetryPolicy{MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond})), 4)
	if err != nil {
		log.Fatal(err)
	}
	return c
}

// Do retries a 503 under the retry policy and returns the final answer for the vendor to decode.
func ExampleClient_Do() {
	srv := vendor("", `{"code":0,"id":"msg-1"}`)
	defer srv.Close()
	c := client(srv)

	// The vendor's own URL: WithEndpoint sends it to srv instead.
	resp, err := c.Do(context.Background(), &transport.Request{URL: "https://api.xmpush.xiaomi.com/v3/message/regid"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Status, string(resp.Body), "attempts:", c.Attempts())
	// Output: 200 {"code":0,"id":"msg-1"} attempts: 2
}

// BusyJSON retries a "busy" code inside a 200 like a 503; DecodeJSON reuses its parse.
func ExampleBusyJSON() {
	type answer struct {
		Code int    `json:"code"`
		ID   string `json:"id"`
	}
	srv := vendor(`{"code":81000001}`, `{"code":0,"id":"msg-1"}`)
	defer srv.Close()
	c := client(srv)

	resp, err := c.Do(context.Background(), &transport.Request{URL: "https://api.xmpush.xiaomi.com/v3/message/regid",
		Busy: transport.BusyJSON(func(a *answer) bool { return a.Code == 81000001 })})
	if err != nil {
		log.Fatal(err)
	}
	a, err := transport.DecodeJSON[answer](resp)
	fmt.Println(a.Code, a.ID, err, "parsed once:", resp.Parsed != nil, "attempts:", c.Attempts())
	// Output: 0 msg-1 <nil> parsed once: true attempts: 2
}
