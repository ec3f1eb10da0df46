package push

import (
	"net/http"

	"github.com/offlinepush/push/internal/httpdump"
)

// DryRunner is implemented by every vendor client. DryRun returns the HTTP
// requests a Push of info to tokens would send, after the same checks and
// the same fitting of text to the vendor's limits, and sends nothing: it
// does no I/O at all. Push refuses exactly the messages DryRun refuses,
// with the same error.
//
// Use it to see what goes over the wire (pushctl send --dry-run prints it)
// and, in tests, to assert on the request without a fake server.
type DryRunner interface {
	DryRun(info *OfflinePushInfo, tokens ...string) (*Preview, error)
}

// A Preview is what a Push would send.
type Preview struct {
	// Requests are the send requests, in the order Push builds them (it
	// sends batches concurrently). An access-token request is not shown:
	// it carries only the credentials.
	Requests []Request
	// Unsent has an Outcome, in the caller's order, for each token no
	// request carries because it is refused before any request (empty, not
	// valid UTF-8, malformed for this vendor). A token given twice is
	// carried once and not listed.
	Unsent []Outcome
}

// A Request is one HTTP request as it goes over the wire, with its
// credentials masked: an access token, a JWT, an app secret or a request
// signature, in a header or in the body, reads "<redacted>" (a dry run
// fetches no access token, so there is none to show, and a signature would
// let anyone replay the request). Everything else is byte for byte what is
// sent.
type Request struct {
	Method string
	URL    string // absolute, host included (push.WithEndpoint applied)
	Header http.Header
	Body   []byte
	// Tokens are the device tokens this request carries, in order (none
	// for a request that only stores a message, like vivo's saveListPayload).
	Tokens []string
}

// String renders r for a person: the request line with the full URL, the
// headers in name order, and the body (a form one field per line, decoded;
// JSON indented).
func (r Request) String() string {
	return httpdump.Dump(r.Method, r.URL, r.Header, r.Body, nil)
}
