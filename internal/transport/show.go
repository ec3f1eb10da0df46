package transport

import (
	"net/http"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/httpdump"
)

// Unfetched stands for an access token, JWT or signature in a request
// built for a dry run: nothing is fetched or signed, and Show masks it
// like any credential.
const Unfetched = httpdump.Masked

// Show is r as push.Request, the dry-run view of a request: the URL as Do
// would send it (endpoint override applied), the headers copied with every
// credential masked, and the body with the client's secrets and the
// request's credentials masked (redact, as for answers). It reads
// nothing from the network.
func (c *Client) Show(r *Request, tokens []string) push.Request {
	method := r.Method
	if method == "" {
		method = http.MethodPost
	}
	h := make(http.Header, len(r.Header))
	for k, vs := range r.Header {
		out := make([]string, len(vs))
		for i, v := range vs {
			if httpdump.Credential(k) {
				out[i] = httpdump.MaskHeader(k, v)
			} else {
				out[i] = string(c.redact(r, []byte(v)))
			}
		}
		h[k] = out
	}
	body := c.redact(r, append([]byte(nil), r.Body...))
	return push.Request{Method: method, URL: c.URL(r.URL), Header: h, Body: body, Tokens: tokens}
}
