// Command imserver is a small, readable IM server that uses offlinepush:
// apps report their device tokens, and a message for a user who is logged
// in but not connected is pushed to that user's devices through every
// vendor at once. Dead tokens the vendors report are deleted, and a device
// token reported by another user moves to that user.
//
//	IMSERVER_API_KEY=… go run ./examples/imserver --config certs.json   # real vendors
//	go run ./examples/imserver --sandbox      # in-process fake vendors, demo certificates and API key
//
// Authentication (auth.go, replaceable through the Auth interface):
//
//   - The IM backend calls /v1/login, /v1/presence and /v1/messages with
//     "Authorization: Bearer $IMSERVER_API_KEY" (compared in constant time).
//   - After its own login has checked the user, the backend gets a user
//     token from /v1/login and hands it to the app. The app sends it as
//     "Authorization: Bearer <token>" to /v1/devices and /v1/logout, which
//     act for that user only. A token is the user id, an expiry
//     (--token-ttl) and a session generation, signed with HMAC-SHA256 under
//     IMSERVER_SIGNING_KEY (base64, 32 bytes or more; random per process if
//     unset); logout ends the user's tokens.
//
// The HTTP server cuts slow clients (header, body, response and idle
// timeouts) and refuses bodies over 64 KiB.
//
// For example, with --sandbox (its API key is SandboxAPIKey):
//
//	KEY=sandbox-demo-api-key-not-secret
//	curl -H "Authorization: Bearer $KEY" -d '{"user":"bob"}' localhost:8080/v1/login   # → {"token":"…"}
//	curl -H "Authorization: Bearer $BOB_TOKEN" -d '{"certificateId":"demo-xiaomi","token":"regid-1"}' localhost:8080/v1/devices
//	curl -H "Authorization: Bearer $KEY" -d '{"from":"alice","to":"bob","desc":"See you at 8?"}' localhost:8080/v1/messages
//
// What a real deployment must add:
//
//   - TLS: the API key and user tokens are bearer secrets. Terminate TLS in
//     front of the server (or use ListenAndServeTLS) and never listen on a
//     public address in plain HTTP.
//   - A real user store: the IM's own accounts and sessions instead of the
//     in-memory device store and logout generations (lost at restart), the
//     same signing key on every instance, kept in a secret manager.
//   - Rate limits per client address, per user and per API key (login,
//     device registration, messages), and audit logs of who sent what.
//   - Key rotation: accept the previous API key and signing key for a while
//     after replacing them (KeyAuth takes one of each), and shorter token
//     lifetimes with refresh if a stolen phone's token is a concern.
package main

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushconfig"
)

// SandboxAPIKey is the API key of --sandbox when IMSERVER_API_KEY is not
// set: public, for trying the example against fake vendors only.
const SandboxAPIKey = "sandbox-demo-api-key-not-secret"

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	cfg := flag.String("config", "", "certificate config file (see the README)")
	sandbox := flag.Bool("sandbox", false, "use in-process fake vendor servers and demo certificates")
	ttl := flag.Duration("token-ttl", 12*time.Hour, "lifetime of the user tokens /v1/login issues")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	auth, err := loadAuth(*sandbox, *ttl, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "imserver:", err)
		os.Exit(1)
	}
	router, closeAll, err := buildRouter(*cfg, *sandbox)
	if err != nil {
		fmt.Fprintln(os.Stderr, "imserver:", err)
		os.Exit(1)
	}
	defer closeAll()
	srv := &Server{Store: NewMemoryStore(), Router: router, Auth: auth, Log: log}
	log.Info("listening", "addr", *addr, "certificates", router.Certificates())
	if err := newHTTPServer(*addr, srv.Handler(), DefaultTimeouts()).ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "imserver:", err)
		os.Exit(1)
	}
}

// loadAuth reads the keys from the environment (not flags: the process
// list shows flags to every local user).
func loadAuth(sandbox bool, ttl time.Duration, log *slog.Logger) (*KeyAuth, error) {
	apiKey := os.Getenv("IMSERVER_API_KEY")
	if apiKey == "" && sandbox {
		apiKey = SandboxAPIKey
		log.Warn("sandbox: using the public demo API key SandboxAPIKey")
	}
	if apiKey == "" {
		return nil, errors.New("set IMSERVER_API_KEY (at least 16 random characters) for the IM backend")
	}
	var signing []byte
	if v := os.Getenv("IMSERVER_SIGNING_KEY"); v != "" {
		var err error
		if signing, err = base64.StdEncoding.DecodeString(v); err != nil {
			return nil, errors.New("IMSERVER_SIGNING_KEY is not base64")
		}
	} else {
		signing = RandomKey(32)
		log.Warn("IMSERVER_SIGNING_KEY is not set: user tokens work on this process only, until it stops")
	}
	return NewKeyAuth(apiKey, signing, ttl)
}

// Timeouts of the HTTP server. Each cuts a client that is too slow: one
// trickling its headers or body holds a connection and a goroutine.
type Timeouts struct {
	Header time.Duration // to read the request headers
	Read   time.Duration // to read the whole request, body included
	Write  time.Duration // to handle the request and write the answer
	Idle   time.Duration // a kept-alive connection waiting for its next request
}

// DefaultTimeouts allow a message's push (bounded at MessageTimeout) to
// finish within Write.
func DefaultTimeouts() Timeouts {
	return Timeouts{Header: 5 * time.Second, Read: 15 * time.Second, Write: MessageTimeout + 15*time.Second, Idle: time.Minute}
}

// newHTTPServer returns the server for h with every timeout set.
func newHTTPServer(addr string, h http.Handler, t Timeouts) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: t.Header,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    16 << 10,
	}
}

// buildRouter loads the certificates, or with sandbox the demo certificates
// each served by its in-process fake vendor server.
func buildRouter(path string, sandbox bool) (*push.Router, func(), error) {
	var file *pushconfig.File
	var err error
	if path != "" {
		file, err = pushconfig.Load(path)
	} else if sandbox {
		file = pushconfig.Demo()
	} else {
		return nil, nil, fmt.Errorf("--config or --sandbox is required")
	}
	if err != nil {
		return nil, nil, err
	}
	if !sandbox {
		r, err := file.Router()
		return r, func() {}, err
	}
	r := push.NewRouter()
	var closers []func()
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	for i := range file.Certificates {
		c := &file.Certificates[i]
		sb, err := c.StartSandbox()
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		closers = append(closers, sb.Close)
		p, err := sb.Pusher(c)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		r.Register(c.ID, p)
	}
	return r, closeAll, nil
}
