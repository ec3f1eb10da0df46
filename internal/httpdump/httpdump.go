// Package httpdump shows an HTTP request to a person: credential headers
// masked, a form one field per line, JSON indented. It is the one place
// that does this, for the fakes' records (pushtest) and for dry runs
// (push.Request, pushctl send --dry-run).
package httpdump

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Masked is what stands where a credential was.
const Masked = "<redacted>"

// Credential reports a header that carries a credential: an access token,
// a JWT or an app secret. Vendors spell them freely ("authToken").
func Credential(name string) bool {
	return strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "authToken") || strings.EqualFold(name, "auth_token")
}

// MaskHeader returns v with the credential it carries masked, keeping the
// scheme ("Bearer <redacted>", "key=<redacted>") so a reader sees which
// kind of credential went; other headers are returned as they are.
func MaskHeader(name, v string) string {
	if !Credential(name) {
		return v
	}
	if strings.EqualFold(name, "Authorization") {
		if scheme, _, ok := strings.Cut(v, " "); ok {
			return scheme + " " + Masked
		}
		if scheme, _, ok := strings.Cut(v, "="); ok {
			return scheme + "=" + Masked
		}
	}
	return Masked
}

// noise are headers net/http adds or that say nothing about the push.
var noise = map[string]bool{"Accept-Encoding": true, "User-Agent": true, "Content-Length": true}

// Dump renders a request: its request line, its headers in name order
// (credentials masked by MaskHeader, then by mask when not nil) and its
// body, made readable by Pretty.
func Dump(method, target string, h http.Header, body []byte, mask func(string) string) string {
	if mask == nil {
		mask = func(s string) string { return s }
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", method, target)
	keys := make([]string, 0, len(h))
	for k := range h {
		if !noise[http.CanonicalHeaderKey(k)] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, mask(MaskHeader(k, v)))
		}
	}
	b.WriteString("\n")
	b.WriteString(mask(Pretty(h.Get("Content-Type"), body)))
	return b.String()
}

// Pretty shows a form body one field per line (decoded, in name order) and
// a JSON body indented, so a person can read what went over the wire; any
// other body, or one that does not parse, as it is.
func Pretty(contentType string, body []byte) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			break
		}
		keys := make([]string, 0, len(form))
		for k := range form {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			for _, v := range form[k] {
				fmt.Fprintf(&b, "%s = %s\n", k, v)
			}
		}
		return b.String()
	case "application/json":
		var out bytes.Buffer
		if (bytes.HasPrefix(body, []byte("{")) || bytes.HasPrefix(body, []byte("["))) && json.Indent(&out, body, "", "  ") == nil {
			return out.String()
		}
	}
	return string(body)
}
