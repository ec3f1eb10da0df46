// Package pushconfig loads certificates — one app's credentials with one
// vendor, known by an ID — from a JSON file into a ready push.Router.
//
// The file lists certificates with the keys their vendor needs:
//
//	{
//	  "certificates": [
//	    {"id": "mi-prod", "vendor": "xiaomi", "appSecret": "env:MI_APP_SECRET",
//	     "packageName": "com.example.chat", "channelId": "im_private"},
//	    {"id": "apns-prod", "vendor": "apns", "teamId": "ABCDE12345", "keyId": "KEY1234567",
//	     "privateKey": "file:AuthKey_KEY1234567.p8", "topic": "com.example.chat"}
//	  ]
//	}
//
// Two keys shape what a certificate's client reports and shows:
//
//   - "defaultTitle" (Xiaomi, HarmonyOS, Honor, OPPO, vivo, Meizu: the
//     vendors that require a title) titles a message whose Title is empty,
//     typically with the app's name (push.WithDefaultTitle). Without it such
//     a message is titled with its own Desc; it is never refused for lacking
//     a title. Huawei, FCM and APNs send no title then (the phone shows the
//     app's name), so the key is not theirs. A blank value is an error.
//   - "misconfigGuard" (every vendor) is push.WithMisconfigGuard: after that
//     many dead-token verdicts in a row with no token accepted, further ones
//     are reported as push.ErrAuth (a likely misconfiguration: wrong
//     package, project, environment or topic) instead of ErrInvalidToken, so
//     a wrong setting does not get live tokens deleted. Left out it is
//     push.DefaultMisconfigGuard (10); 0 turns the guard off.
//
// Any secret may be written as "env:NAME" (read from the environment) or
// "file:PATH" (read from a file, relative to the config file; a regular
// file of at most MaxSecretFile, 1 MiB: a device, directory, named pipe or
// larger file is refused, never read). Every mistake is an error naming
// the certificate, the key and the rule.
//
// This package imports every vendor package; import push alone to stay light.
package pushconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/offlinepush/push"
)

// File is the config file.
type File struct {
	Certificates []Certificate `json:"certificates"`
}

// Certificate is one entry of the file. Which keys apply depends on
// Vendor (see Keys); a key that does not apply is an error, so a typo
// never silently drops a setting.
type Certificate struct {
	ID     string      `json:"id"`
	Vendor push.Vendor `json:"vendor"`

	// credentials (secrets may be "env:NAME" or "file:PATH")
	AppID           string `json:"appId,omitempty"`
	AppKey          string `json:"appKey,omitempty"`
	AppSecret       string `json:"appSecret,omitempty"`
	MasterSecret    string `json:"masterSecret,omitempty"`
	ClientID        string `json:"clientId,omitempty"`
	ClientSecret    string `json:"clientSecret,omitempty"`
	PackageName     string `json:"packageName,omitempty"`
	CredentialsJSON string `json:"credentialsJson,omitempty"`
	TeamID          string `json:"teamId,omitempty"`
	KeyID           string `json:"keyId,omitempty"`
	PrivateKey      string `json:"privateKey,omitempty"`
	Topic           string `json:"topic,omitempty"`

	// channel and category settings
	ChannelID      string          `json:"channelId,omitempty"`
	Category       string          `json:"category,omitempty"`
	Importance     string          `json:"importance,omitempty"`
	BadgeClass     string          `json:"badgeClass,omitempty"`
	NotifyLevel    int             `json:"notifyLevel,omitempty"`
	Classification string          `json:"classification,omitempty"` // vivo: "system" or "operational"
	PushMode       string          `json:"pushMode,omitempty"`       // vivo: "production" or "test"
	NotifyType     int             `json:"notifyType,omitempty"`     // vivo: 1..4
	NoticeMsgType  string          `json:"noticeMsgType,omitempty"`  // meizu: "private" or "public"
	PushType       int             `json:"pushType,omitempty"`       // harmony
	ProjectID      string          `json:"projectId,omitempty"`
	Priority       json.RawMessage `json:"priority,omitempty"` // fcm "high"/"normal"; apns 10/5/1
	Sandbox        bool            `json:"sandbox,omitempty"`
	MutableContent bool            `json:"mutableContent,omitempty"`
	TokenURL       string          `json:"tokenUrl,omitempty"`
	Host           string          `json:"host,omitempty"`
	TTL            Duration        `json:"ttl,omitempty"`
	Click          *Click          `json:"click,omitempty"`

	// DefaultTitle titles a message that has none, on the vendors that
	// require a title (Xiaomi, HarmonyOS, Honor, OPPO, vivo, Meizu): see
	// push.WithDefaultTitle. Without it such a message is titled with its
	// own Desc.
	DefaultTitle string `json:"defaultTitle,omitempty"`

	// client options
	Endpoint    string   `json:"endpoint,omitempty"`
	Timeout     Duration `json:"timeout,omitempty"`
	Concurrency int      `json:"concurrency,omitempty"`
	// MisconfigGuard is push.WithMisconfigGuard: how many dead-token
	// verdicts in a row, with no token accepted, are trusted before further
	// ones are reported as ErrAuth (a likely misconfiguration). nil means
	// push.DefaultMisconfigGuard; 0 turns the guard off.
	MisconfigGuard *int `json:"misconfigGuard,omitempty"`

	dir string // where file: paths are relative to
}

// Click is the certificate's default click action.
type Click struct {
	Kind     string `json:"kind"` // "app", "url" or "page"
	URL      string `json:"url,omitempty"`
	Intent   string `json:"intent,omitempty"`
	Activity string `json:"activity,omitempty"`
}

// Duration is a time.Duration written as "24h", "90s" or a number of seconds.
type Duration time.Duration

// UnmarshalJSON accepts "1h30m" or 5400.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil || v < 0 {
			return fmt.Errorf("must be a duration such as \"24h\", got %q", s)
		}
		*d = Duration(v)
		return nil
	}
	var n float64
	if err := json.Unmarshal(b, &n); err != nil || n < 0 {
		return errors.New(`must be a duration such as "24h" or a number of seconds`)
	}
	*d = Duration(time.Duration(n * float64(time.Second)))
	return nil
}

// MarshalJSON writes the duration as text.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// Keys lists the keys vendor accepts besides id, vendor, click, ttl,
// endpoint, timeout, concurrency and misconfigGuard; nil for a vendor it
// does not know. The slice is new on every call: changing it changes no
// config check.
//
// defaultTitle belongs to the vendors that require a title; Huawei, FCM
// and APNs send a message without one as it is (the phone shows the app's
// name), so there it would be a setting without effect.
func Keys(vendor push.Vendor) []string { return slices.Clone(vendorKeys[vendor]) }

var vendorKeys = map[push.Vendor][]string{
	push.Xiaomi:  {"appSecret", "packageName", "channelId", "host", "defaultTitle"},
	push.Huawei:  {"appId", "appSecret", "category", "importance", "badgeClass", "channelId", "host"},
	push.Harmony: {"credentialsJson", "category", "pushType", "host", "defaultTitle"},
	push.Honor:   {"appId", "clientId", "clientSecret", "importance", "badgeClass", "tokenUrl", "defaultTitle"},
	push.OPPO:    {"appKey", "masterSecret", "channelId", "category", "notifyLevel", "host", "defaultTitle"},
	push.Vivo:    {"appId", "appKey", "appSecret", "category", "classification", "pushMode", "notifyType", "host", "defaultTitle"},
	push.Meizu:   {"appId", "appSecret", "noticeMsgType", "host", "defaultTitle"},
	push.FCM:     {"credentialsJson", "projectId", "channelId", "priority"},
	push.APNs:    {"teamId", "keyId", "privateKey", "topic", "sandbox", "priority", "mutableContent"},
}

var commonKeys = []string{"id", "vendor", "click", "ttl", "endpoint", "timeout", "concurrency", "misconfigGuard"}

// Error is a config mistake: which certificate, which key, which rule.
type Error struct {
	Certificate string // the id, or "#N" (1-based) when it has none
	Key         string // the JSON key, "" for the whole entry
	Rule        string
}

func (e *Error) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("certificate %s: %s", e.Certificate, e.Rule)
	}
	return fmt.Sprintf("certificate %s: %s: %s", e.Certificate, e.Key, e.Rule)
}

// Unwrap makes every config error match push.ErrConfig.
func (e *Error) Unwrap() error { return push.ErrConfig }

// MaxConfigFile is the most Load reads of a config file: 16 MiB, thousands
// of certificates. A pipe is fine (pushctl --config <(…)); /dev/zero or a
// wrong path to a large file is an error, not an exhausted memory.
const MaxConfigFile = 16 << 20

// Load reads a config file.
func Load(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", push.ErrConfig, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigFile+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", push.ErrConfig, err)
	}
	if len(data) > MaxConfigFile {
		return nil, fmt.Errorf("%w: config file %s: more than %s (is it the right file?)", push.ErrConfig, path, sizeText(MaxConfigFile))
	}
	return Parse(data, filepath.Dir(path))
}

// Parse reads config JSON; file: paths are relative to dir.
func Parse(data []byte, dir string) (*File, error) {
	var raw struct {
		Certificates []json.RawMessage `json:"certificates"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: config file: %v (want {\"certificates\": [...]})", push.ErrConfig, err)
	}
	if len(raw.Certificates) == 0 {
		return nil, fmt.Errorf("%w: config file: no certificates", push.ErrConfig)
	}
	f := &File{}
	seen := map[string]bool{}
	for i, entry := range raw.Certificates {
		c, err := parseCertificate(entry, i)
		if err != nil {
			return nil, err
		}
		if seen[c.ID] {
			return nil, &Error{Certificate: quote(c.ID), Key: "id", Rule: "is used by more than one certificate"}
		}
		seen[c.ID] = true
		c.dir = dir
		f.Certificates = append(f.Certificates, c)
	}
	return f, nil
}

func quote(id string) string { return fmt.Sprintf("%q", id) }

func parseCertificate(entry json.RawMessage, i int) (Certificate, error) {
	name := fmt.Sprintf("#%d", i+1)
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(entry, &keys); err != nil {
		return Certificate{}, &Error{Certificate: name, Rule: "must be a JSON object"}
	}
	var id, vendor string
	if v, ok := keys["id"]; ok && json.Unmarshal(v, &id) == nil && id != "" {
		name = quote(id)
	} else {
		return Certificate{}, &Error{Certificate: name, Key: "id", Rule: "is required (a non-empty string)"}
	}
	if v, ok := keys["vendor"]; !ok || json.Unmarshal(v, &vendor) != nil {
		return Certificate{}, &Error{Certificate: name, Key: "vendor", Rule: "is required"}
	}
	allowed, ok := vendorKeys[push.Vendor(vendor)]
	if !ok {
		return Certificate{}, &Error{Certificate: name, Key: "vendor", Rule: fmt.Sprintf("%q is not one of %v", vendor, push.Vendors())}
	}
	for k := range keys {
		if !slices.Contains(allowed, k) && !slices.Contains(commonKeys, k) {
			return Certificate{}, &Error{Certificate: name, Key: k, Rule: fmt.Sprintf("is not a %s setting (allowed: %s)", vendor, strings.Join(append(slices.Clone(commonKeys), allowed...), ", "))}
		}
	}
	var c Certificate
	for k, v := range keys {
		// decode key by key so a type error names its key
		one, _ := json.Marshal(map[string]json.RawMessage{k: v})
		if err := json.Unmarshal(one, &c); err != nil {
			rule := err.Error()
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				rule = "must be a JSON " + jsonKind(te.Type.Kind().String())
			}
			if k == "misconfigGuard" {
				rule = "must be a whole number (0 turns the guard off)"
			}
			return Certificate{}, &Error{Certificate: name, Key: k, Rule: strings.TrimPrefix(rule, "json: ")}
		}
	}
	if _, set := keys["defaultTitle"]; set && strings.TrimSpace(c.DefaultTitle) == "" {
		return Certificate{}, &Error{Certificate: name, Key: "defaultTitle", Rule: "must not be blank (leave it out and a message without a title is titled with its Desc)"}
	}
	if c.MisconfigGuard != nil && *c.MisconfigGuard < 0 {
		return Certificate{}, &Error{Certificate: name, Key: "misconfigGuard", Rule: "must be 0 (off) or more"}
	}
	return c, nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "int", "int64", "float64":
		return "number"
	case "ptr", "struct":
		return "object"
	}
	return "value of the right type"
}

// secret resolves "env:NAME" and "file:PATH" values.
func (c *Certificate) secret(key, v string) ([]byte, error) {
	switch {
	case strings.HasPrefix(v, "env:"):
		name := strings.TrimPrefix(v, "env:")
		val, ok := os.LookupEnv(name)
		if !ok || val == "" {
			return nil, &Error{Certificate: quote(c.ID), Key: key, Rule: fmt.Sprintf("environment variable %s is not set", name)}
		}
		return []byte(val), nil
	case strings.HasPrefix(v, "file:"):
		p := strings.TrimPrefix(v, "file:")
		if !filepath.IsAbs(p) && c.dir != "" {
			p = filepath.Join(c.dir, p)
		}
		b, reason := readSecretFile(p)
		if reason != "" {
			return nil, &Error{Certificate: quote(c.ID), Key: key, Rule: fmt.Sprintf("file %s: %s", p, reason)}
		}
		if len(bytes.TrimSpace(b)) == 0 {
			return nil, &Error{Certificate: quote(c.ID), Key: key, Rule: fmt.Sprintf("file %s is empty", p)}
		}
		return bytes.TrimRight(b, "\r\n"), nil
	}
	return []byte(v), nil
}

// MaxSecretFile is the most a "file:PATH" secret may hold: 1 MiB. The
// largest credential, a service-account JSON, is about 2.4 KB; a bound
// keeps a wrong path (/dev/zero, a log, a disk image) from exhausting
// memory.
const MaxSecretFile = 1 << 20

// readSecretFile reads a file: secret: a regular file of at most
// MaxSecretFile bytes. It opens without blocking, so a named pipe with no
// writer is refused instead of hanging; devices, directories, pipes and
// sockets are refused. The reason is "" on success.
func readSecretFile(p string) ([]byte, string) {
	f, err := os.OpenFile(p, os.O_RDONLY|openNonBlock, 0)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, pe.Err.Error()
		}
		return nil, "cannot be read"
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, "cannot be read"
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Sprintf("is %s, not a regular file (a secret is read from a file of at most %s)", fileKind(st.Mode()), sizeText(MaxSecretFile))
	}
	if st.Size() > MaxSecretFile {
		return nil, fmt.Sprintf("is %s, more than the %s a secret file may hold (is it the right file?)", sizeText(st.Size()), sizeText(MaxSecretFile))
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxSecretFile+1))
	if err != nil {
		return nil, "cannot be read"
	}
	if len(b) > MaxSecretFile { // it grew while being read
		return nil, fmt.Sprintf("is more than the %s a secret file may hold (is it the right file?)", sizeText(MaxSecretFile))
	}
	return b, ""
}

// fileKind names what a non-regular file is, for the error.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
