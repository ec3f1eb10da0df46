package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/offlinepush/push/internal/auth"
)

// A Cache makes a burst of concurrent pushes cost one token fetch, reused until shortly before expiry.
func ExampleCache() {
	c := auth.New(auth.SourceFunc(func(ctx context.Context) (*oauth2.Token, error) {
		return &oauth2.Token{AccessToken: "tok-1", Expiry: time.Now().Add(time.Hour)}, nil
	}), 5*time.Minute)

	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() { _, _ = c.Token(context.Background()) })
	}
	wg.Wait()
	tok, err := c.Token(context.Background())
	fmt.Println(tok.AccessToken, err, "fetches:", c.Fetches())
	// Output: tok-1 <nil> fetches: 1
}

// Do lets a send just return auth.ErrExpired: it fetches a fresh token and sends once more.
func ExampleDo() {
	n := 0
	c := auth.New(auth.SourceFunc(func(ctx context.Context) (*oauth2.Token, error) {
		n++
		return &oauth2.Token{AccessToken: fmt.Sprintf("tok-%d", n)}, nil
	}), time.Minute)

	id, err := auth.Do(context.Background(), c, func(ctx context.Context, token string) (string, error) {
		fmt.Println("send with", token)
		if token == "tok-1" { // the vendor revoked it before it expired
			return "", fmt.Errorf("vendor code 80200003: %w", auth.ErrExpired)
		}
		return "msg-42", nil
	})
	fmt.Println(id, err, "fetches:", c.Fetches())
	// Output:
	// send with tok-1
	// send with tok-2
	// msg-42 <nil> fetches: 2
}

// A Header builds "Bearer <token>" once per token instead of once per request.
func ExampleHeader() {
	builds := 0
	h := auth.NewHeader(func(token string) http.Header {
		builds++
		return http.Header{"Authorization": {"Bearer " + token}}
	})
	for _, tok := range []string{"tok-1", "tok-1", "tok-1", "tok-2"} {
		fmt.Println(h.For(tok).Get("Authorization"))
	}
	fmt.Println("builds:", builds)
	// Output:
	// Bearer tok-1
	// Bearer tok-1
	// Bearer tok-1
	// Bearer tok-2
	// builds: 2
}
