package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/offlinepush/push"
)

// Server is the push part of a small IM server. The apps report their
// device tokens; when a message arrives for a user who is logged in but not
// connected, it is pushed to that user's devices through the Router, and
// the dead tokens the vendors report are deleted.
type Server struct {
	Store  Store
	Router *push.Router
	Auth   Auth // required: who may call what
	Log    *slog.Logger
}

// MessageTimeout bounds a message's offline push.
const MessageTimeout = 30 * time.Second

// MaxBody bounds a request body: the largest is a message (vendors take
// about 4 KiB).
const MaxBody = 64 << 10

// Handler returns the HTTP API. "backend" calls carry the IM backend's API
// key, "app" calls a user token from /v1/login (the backend may make them
// too, naming the user):
//
//	POST /v1/login     backend  {"user"}                      → {"token","expiresAt"} for the user's app
//	POST /v1/devices   app      {"certificateId","token"}     the app reports its token (setOfflinePushConfig)
//	POST /v1/logout    app      {}                            forget the user's devices, end its tokens
//	POST /v1/presence  backend  {"user","online"}             the user connected or went away
//	POST /v1/messages  backend  {"from","to","title","desc","ext","url"}  a message for a user
func (s *Server) Handler() http.Handler {
	if s.Auth == nil {
		panic("imserver: Server.Auth is required")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/login", s.backend(s.login))
	mux.HandleFunc("POST /v1/devices", s.devices)
	mux.HandleFunc("POST /v1/logout", s.logout)
	mux.HandleFunc("POST /v1/presence", s.backend(s.presence))
	mux.HandleFunc("POST /v1/messages", s.backend(s.messages))
	return mux
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="imserver"`)
	http.Error(w, "unauthorized", http.StatusUnauthorized)
}

// backend lets only the IM backend call h.
func (s *Server) backend(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.Auth.Backend(r) {
			unauthorized(w)
			return
		}
		h(w, r)
	}
}

// appCall authenticates an app call, then decodes its body into v. The
// call acts for the signed-in user, who may not name another in *named, or
// for the user the backend names.
func (s *Server) appCall(w http.ResponseWriter, r *http.Request, v any, named *string) (string, bool) {
	backend := s.Auth.Backend(r)
	user, signed := "", false
	if !backend {
		if user, signed = s.Auth.User(r); !signed {
			unauthorized(w) // before reading the body
			return "", false
		}
	}
	if !decode(w, r, v) {
		return "", false
	}
	switch {
	case backend && *named == "":
		http.Error(w, "user is required", http.StatusBadRequest)
		return "", false
	case backend:
		return *named, true
	case *named != "" && *named != user:
		http.Error(w, "forbidden: signed in as another user", http.StatusForbidden)
		return "", false
	}
	return user, true
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) { // no body: no fields
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return false
		}
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User string `json:"user"`
	}
	if !decode(w, r, &req) {
		return
	}
	token, exp, err := s.Auth.Login(req.User)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	reply(w, map[string]any{"token": token, "expiresAt": exp.UTC().Format(time.RFC3339)})
}

func (s *Server) devices(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User          string `json:"user"` // optional for an app: its own
		CertificateID string `json:"certificateId"`
		Token         string `json:"token"`
	}
	user, ok := s.appCall(w, r, &req, &req.User)
	if !ok {
		return
	}
	if req.CertificateID == "" || req.Token == "" {
		http.Error(w, "certificateId and token are required", http.StatusBadRequest)
		return
	}
	if _, ok := s.Router.Pusher(req.CertificateID); !ok {
		http.Error(w, "unknown certificateId", http.StatusBadRequest)
		return
	}
	s.Store.AddDevice(user, push.Device{CertificateID: req.CertificateID, Token: req.Token})
	reply(w, map[string]any{"ok": true})
}

func (s *Server) presence(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User   string `json:"user"`
		Online bool   `json:"online"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.User == "" {
		http.Error(w, "user is required", http.StatusBadRequest)
		return
	}
	s.Store.SetOnline(req.User, req.Online)
	reply(w, map[string]any{"ok": true})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User string `json:"user"` // optional for an app: its own
	}
	user, ok := s.appCall(w, r, &req, &req.User)
	if !ok {
		return
	}
	s.Store.Logout(user)
	s.Auth.Logout(user)
	reply(w, map[string]any{"ok": true})
}

// MessageResult says what happened to a message's offline push.
type MessageResult struct {
	Pushed    bool   `json:"pushed"`
	Reason    string `json:"reason,omitempty"` // why it was not pushed
	Devices   int    `json:"devices"`
	Delivered int    `json:"delivered"`
	Removed   int    `json:"deadTokensRemoved"`
	Retryable int    `json:"retryable"`
}

func (s *Server) messages(w http.ResponseWriter, r *http.Request) {
	var req struct {
		From  string `json:"from"`
		To    string `json:"to"`
		Title string `json:"title"`
		Desc  string `json:"desc"`
		Ext   string `json:"ext"`
		URL   string `json:"url"`
	}
	if !decode(w, r, &req) {
		return
	}
	info := &push.OfflinePushInfo{Title: req.Title, Desc: req.Desc, Ext: req.Ext}
	if info.Title == "" {
		info.Title = req.From
	}
	if req.URL != "" {
		info.Click = push.ClickAction{Kind: push.ClickOpenURL, URL: req.URL}
	}
	ctx, cancel := context.WithTimeout(r.Context(), MessageTimeout)
	defer cancel()
	res, err := s.Deliver(ctx, req.To, info)
	if err != nil {
		code := http.StatusInternalServerError
		if errors.Is(err, push.ErrInvalidMessage) {
			code = http.StatusBadRequest
		}
		http.Error(w, err.Error(), code)
		return
	}
	reply(w, res)
}

// Deliver pushes info to user if the user is offline but logged in.
func (s *Server) Deliver(ctx context.Context, user string, info *push.OfflinePushInfo) (MessageResult, error) {
	switch {
	case strings.TrimSpace(info.Desc) == "":
		// A custom message without a description gets no offline push.
		return MessageResult{Reason: "no desc"}, nil
	case s.Store.Online(user):
		return MessageResult{Reason: "online: delivered over the connection"}, nil
	}
	devices := s.Store.Devices(user)
	if len(devices) == 0 {
		return MessageResult{Reason: "no devices (never reported, or logged out)"}, nil
	}
	res, err := s.Router.Push(ctx, info, devices...)
	if err != nil {
		return MessageResult{}, err
	}
	out := MessageResult{Pushed: true, Devices: len(devices), Delivered: res.Delivered(), Retryable: len(res.Retryable())}
	for cert, tokens := range res.InvalidTokens() {
		out.Removed += s.Store.DeleteTokens(cert, tokens)
	}
	if s.Log != nil {
		for _, o := range res.Failed() {
			s.Log.Info("offline push failed", "user", user, "certificate", o.CertificateID, "vendor", o.Vendor, "error", o.Err)
		}
	}
	return out, nil
}
