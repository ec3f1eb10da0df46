package main

import (
	"context"
	"encoding/json"
	"errors"
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
	Log    *slog.Logger
}

// Handler returns the HTTP API:
//
//	POST /v1/devices   {"user","certificateId","token"}  the app reports its token (setOfflinePushConfig)
//	POST /v1/presence  {"user","online"}                 the app connected or went away
//	POST /v1/logout    {"user"}                          forget the user's devices
//	POST /v1/messages  {"from","to","title","desc","ext","url"}  a message for a user
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/devices", s.devices)
	mux.HandleFunc("POST /v1/presence", s.presence)
	mux.HandleFunc("POST /v1/logout", s.logout)
	mux.HandleFunc("POST /v1/messages", s.messages)
	return mux
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (s *Server) devices(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User          string `json:"user"`
		CertificateID string `json:"certificateId"`
		Token         string `json:"token"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.User == "" || req.CertificateID == "" || req.Token == "" {
		http.Error(w, "user, certificateId and token are required", http.StatusBadRequest)
		return
	}
	if _, ok := s.Router.Pusher(req.CertificateID); !ok {
		http.Error(w, "unknown certificateId "+req.CertificateID, http.StatusBadRequest)
		return
	}
	s.Store.AddDevice(req.User, push.Device{CertificateID: req.CertificateID, Token: req.Token})
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
	s.Store.SetOnline(req.User, req.Online)
	reply(w, map[string]any{"ok": true})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User string `json:"user"`
	}
	if !decode(w, r, &req) {
		return
	}
	s.Store.Logout(req.User)
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
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
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
