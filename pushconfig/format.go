package pushconfig

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/secret"
)

// clearKeys are the Certificate keys printed as written: names, ids and
// settings. Every other string key prints masked, so a key added later is
// masked until it is listed here.
var clearKeys = map[string]bool{
	"id": true, "vendor": true, "appId": true, "packageName": true, "teamId": true, "keyId": true,
	"topic": true, "channelId": true, "category": true, "importance": true, "badgeClass": true,
	"classification": true, "pushMode": true, "noticeMsgType": true, "projectId": true,
	"defaultTitle": true, "priority": true,
}

// urlKeys print with any password in them masked (a proxy URL may carry one).
var urlKeys = map[string]bool{"tokenUrl": true, "host": true, "endpoint": true}

// String shows the certificate's keys as the file names them, every secret
// masked: an inline secret prints as <redacted>, an "env:NAME" or
// "file:PATH" reference as itself (a name, not the secret). vivo's appKey
// and Honor's clientId are masked as their Configs mask them.
func (c Certificate) String() string {
	var b strings.Builder
	b.WriteString("pushconfig.Certificate{")
	v := reflect.ValueOf(c)
	typ := v.Type()
	n := 0
	for i := range typ.NumField() {
		sf, fv := typ.Field(i), v.Field(i)
		key, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || key == "" || fv.IsZero() {
			continue
		}
		if n > 0 {
			b.WriteByte(' ')
		}
		n++
		b.WriteString(key + ":")
		b.WriteString(c.show(key, fv.Interface()))
	}
	b.WriteByte('}')
	return b.String()
}

// show renders one key's value for String.
func (c Certificate) show(key string, v any) string {
	switch v := v.(type) {
	case push.Vendor:
		return string(v)
	case string:
		switch {
		case key == "appKey" && c.Vendor == push.OPPO, clearKeys[key]:
			return fmt.Sprintf("%q", v)
		case urlKeys[key]:
			if u, err := url.Parse(v); err == nil && u.User != nil {
				return fmt.Sprintf("%q", u.Redacted())
			} else if err != nil {
				return secret.Mask(v) // unparsable: it may hold anything
			}
			return fmt.Sprintf("%q", v)
		case strings.HasPrefix(v, "env:"), strings.HasPrefix(v, "file:"):
			return fmt.Sprintf("%q", v)
		}
		return secret.Mask(v)
	case Duration:
		return time.Duration(v).String()
	case json.RawMessage: // priority
		return string(v)
	case *Click:
		return fmt.Sprintf("{kind:%q url:%q intent:%q activity:%q}", v.Kind, v.URL, v.Intent, v.Activity)
	case *int:
		return fmt.Sprint(*v)
	}
	return fmt.Sprint(v)
}

// GoString masks the secrets in %#v too.
func (c Certificate) GoString() string { return c.String() }

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Certificate) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// String lists the certificates, each as Certificate.String shows it.
func (f File) String() string {
	parts := make([]string, len(f.Certificates))
	for i, c := range f.Certificates {
		parts[i] = c.String()
	}
	return "pushconfig.File{Certificates:[" + strings.Join(parts, " ") + "]}"
}

// GoString masks the secrets in %#v too.
func (f File) GoString() string { return f.String() }

// Format masks the secrets under every verb.
func (f File) Format(st fmt.State, verb rune) { secret.Format(st, verb, f.String()) }

// String names the fake's vendor and address: the fake holds the
// certificate's resolved credentials.
func (s *Sandbox) String() string {
	if s == nil || s.Server == nil {
		return "pushconfig.Sandbox(nil)"
	}
	return "pushconfig.Sandbox{" + s.Server.URL() + "}"
}

// Format masks the credentials under every verb.
func (s *Sandbox) Format(f fmt.State, verb rune) { secret.Format(f, verb, s.String()) }
