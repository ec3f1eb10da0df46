package auth

import (
	"net/http"
	"sync/atomic"

	"github.com/offlinepush/push/internal/transport"
)

// Header caches the request header built from an access token: every
// request made with one token (for an hour or a day) shares one read-only
// header instead of building "Bearer <token>" and a map each time. The
// transport never writes to a request's header, so sharing it is safe.
type Header struct {
	build func(token string) http.Header
	cur   atomic.Pointer[tokenHeader]
}

type tokenHeader struct {
	token  string
	header http.Header
}

// NewHeader returns a cache of build's header for the current token.
func NewHeader(build func(token string) http.Header) *Header {
	return &Header{build: build}
}

// For returns the header for token, built once per token. Callers must not
// modify it. A dry run's placeholder (transport.Unfetched) is built but
// never cached: a preview must not evict the header real sends share.
func (h *Header) For(token string) http.Header {
	if t := h.cur.Load(); t != nil && t.token == token {
		return t.header
	}
	if token == transport.Unfetched {
		return h.build(token)
	}
	t := &tokenHeader{token: token, header: h.build(token)}
	h.cur.Store(t)
	return t.header
}
