package auth

import (
	"net/http"
	"testing"

	"github.com/offlinepush/push/internal/transport"
)

// TestHeaderDryRunDoesNotEvict: a preview's placeholder token never
// replaces the header real sends share.
func TestHeaderDryRunDoesNotEvict(t *testing.T) {
	builds := 0
	h := NewHeader(func(tok string) http.Header { builds++; return http.Header{"Authorization": {"Bearer " + tok}} })
	real := h.For("live-token")
	preview := h.For(transport.Unfetched)
	if got := preview.Get("Authorization"); got != "Bearer "+transport.Unfetched {
		t.Fatalf("preview header %q", got)
	}
	again := h.For("live-token")
	if &again["Authorization"][0] != &real["Authorization"][0] || builds != 2 {
		t.Fatalf("the live header was rebuilt after a preview (%d builds)", builds)
	}
}
