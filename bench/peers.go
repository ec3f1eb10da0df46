package main

// Peers side by side: firebase-admin-go's messaging client (SendEach) against
// our fake FCM, and sideshow/apns2 against our fake APNs, with the same
// tokens, the same concurrency, in the same run as our own clients.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/messaging"
	"github.com/sideshow/apns2"
	apnspayload "github.com/sideshow/apns2/payload"
	apnstoken "github.com/sideshow/apns2/token"
	"golang.org/x/net/http2"
	"google.golang.org/api/option"

	"github.com/offlinepush/push"
)

// firebaseConcurrency is SendEach's fixed worker count (numWorkers in
// messaging/messaging_batch.go); our FCM client runs at the same bound here.
const firebaseConcurrency = 50

// firebaseMaxBatch is the most messages one SendEach call takes.
const firebaseMaxBatch = 500

// peerSide is one client's figures in a peer comparison.
type peerSide struct {
	tps       float64
	allocs    float64 // per message
	peakMB    float64
	sends     int
	auth      int
	errors    int
	firstErr  string
	accepted  int
	elapsedMS float64
	last      time.Duration // the latest round
}

// peerRow compares ours with one peer at one N.
type peerRow struct {
	peer     string // "firebase-admin-go" or "sideshow/apns2"
	vendor   push.Vendor
	n, reps  int
	conc     int
	rounds   int
	ours     peerSide
	theirs   peerSide
	floorTPS float64
}

// defaultPool is trusted by net/http's default transport. firebase-admin-go
// builds its transport (and fetches its OAuth token) from it, so this is how
// it trusts the fake without option.WithHTTPClient, which drops the
// credentials.
var (
	defaultPoolOnce sync.Once
	defaultPool     *x509.CertPool
)

func trustOnDefaultTransport(h *hello) {
	defaultPoolOnce.Do(func() {
		defaultPool = x509.NewCertPool()
		t := http.DefaultTransport.(*http.Transport)
		t.TLSClientConfig = &tls.Config{RootCAs: defaultPool}
	})
	defaultPool.AppendCertsFromPEM(h.CertPEM)
}

// firebaseSender sends tokens with firebase-admin-go: messages of ≤500 per
// SendEach call, one call after the other.
type firebaseSender struct {
	mc   *messaging.Client
	base messaging.Message
}

func newFirebase(ctx context.Context, h *hello) (*firebaseSender, error) {
	trustOnDefaultTransport(h)
	// The service account's token_uri points at the fake's token endpoint.
	var sa map[string]any
	if err := json.Unmarshal(h.Credential, &sa); err != nil {
		return nil, err
	}
	sa["token_uri"] = h.URL + "/token"
	creds, _ := json.Marshal(sa)
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: fcmProject},
		option.WithCredentialsJSON(creds), option.WithEndpoint(h.URL+"/v1"))
	if err != nil {
		return nil, err
	}
	mc, err := app.Messaging(ctx)
	if err != nil {
		return nil, err
	}
	// The same message our fcm client sends for info (see BENCHMARKS.md).
	data := map[string]string{"ext": info.Ext, "url": info.Click.URL}
	return &firebaseSender{mc: mc, base: messaging.Message{
		Notification: &messaging.Notification{Title: info.Title, Body: info.Desc},
		Data:         data,
		Android: &messaging.AndroidConfig{Priority: "high",
			Notification: &messaging.AndroidNotification{ChannelID: "im_msg", Sound: "default"}},
		APNS: &messaging.APNSConfig{
			Headers: map[string]string{"apns-priority": "10", "apns-push-type": "alert"},
			Payload: &messaging.APNSPayload{Aps: &messaging.Aps{Sound: info.IOSSound},
				CustomData: map[string]any{"ext": info.Ext, "url": info.Click.URL}},
		},
	}}, nil
}

// send pushes to tokens and returns the failures. Building one Message per
// token is part of using SendEach, so it is measured too.
func (f *firebaseSender) send(ctx context.Context, tokens []string) (failed int, first string) {
	for lo := 0; lo < len(tokens); lo += firebaseMaxBatch {
		chunk := tokens[lo:min(lo+firebaseMaxBatch, len(tokens))]
		msgs := make([]*messaging.Message, len(chunk))
		for i, t := range chunk {
			m := f.base
			m.Token = t
			msgs[i] = &m
		}
		br, err := f.mc.SendEach(ctx, msgs)
		if err != nil {
			failed += len(chunk)
			first = err.Error()
			continue
		}
		failed += br.FailureCount
		if br.FailureCount > 0 && first == "" {
			for _, r := range br.Responses {
				if r.Error != nil {
					first = r.Error.Error()
					break
				}
			}
		}
	}
	return failed, first
}

// apns2Sender sends tokens with sideshow/apns2: one token client, conc
// goroutines each pushing one notification at a time.
type apns2Sender struct {
	c       *apns2.Client
	payload []byte
	conc    int
}

func newAPNs2(h *hello, conc int) (*apns2Sender, error) {
	key, err := apnstoken.AuthKeyFromBytes(h.Credential)
	if err != nil {
		return nil, err
	}
	c := apns2.NewTokenClient(&apnstoken.Token{AuthKey: key, KeyID: apnsKeyID, TeamID: apnsTeam})
	c.Host = h.URL
	c.HTTPClient.Transport.(*http2.Transport).TLSClientConfig = &tls.Config{RootCAs: certPool(h)}
	// The payload our apns client sends for info, built once with apns2's
	// builder (apns2 sends []byte payloads as they are).
	p := apnspayload.NewPayload().AlertTitle(info.Title).AlertBody(info.Desc).Sound(info.IOSSound).
		Custom("ext", info.Ext).Custom("url", info.Click.URL)
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return &apns2Sender{c: c, payload: b, conc: conc}, nil
}

func (a *apns2Sender) send(ctx context.Context, tokens []string) (failed int, first string) {
	var nfail atomic.Int64
	var firstErr atomic.Value
	one := func(t string) {
		res, err := a.c.PushWithContext(ctx, &apns2.Notification{DeviceToken: t, Topic: apnsTopic,
			Payload: a.payload, Priority: apns2.PriorityHigh, PushType: apns2.PushTypeAlert})
		switch {
		case err != nil:
			nfail.Add(1)
			firstErr.CompareAndSwap(nil, err.Error())
		case !res.Sent():
			nfail.Add(1)
			firstErr.CompareAndSwap(nil, fmt.Sprintf("HTTP %d %s", res.StatusCode, res.Reason))
		}
	}
	w := min(a.conc, len(tokens))
	if w <= 1 {
		for _, t := range tokens {
			one(t)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range w {
			wg.Go(func() {
				for {
					i := int(next.Add(1)) - 1
					if i >= len(tokens) {
						return
					}
					one(tokens[i])
				}
			})
		}
		wg.Wait()
	}
	if s, ok := firstErr.Load().(string); ok {
		first = s
	}
	return int(nfail.Load()), first
}

// benchPeer runs ours, the peer and the floor on one fresh fake for each N.
func benchPeer(ctx context.Context, cfg *config, vendor push.Vendor, logf func(string, ...any)) ([]peerRow, error) {
	s, _ := specOf(string(vendor))
	ch, err := startChild(string(vendor))
	if err != nil {
		return nil, err
	}
	defer ch.stop()
	h := &ch.hello

	conc, peer := s.conc, "sideshow/apns2"
	if vendor == push.FCM {
		conc, peer = firebaseConcurrency, "firebase-admin-go"
	}
	type sender func(ctx context.Context, tokens []string) (int, string)
	newPeer := func() (sender, error) {
		if vendor == push.FCM {
			f, err := newFirebase(ctx, h)
			if err != nil {
				return nil, err
			}
			return f.send, nil
		}
		a, err := newAPNs2(h, conc)
		if err != nil {
			return nil, err
		}
		return a.send, nil
	}
	newOurs := func() (sender, error) {
		c, err := s.client(h, conc)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, tokens []string) (int, string) {
			res, err := c.Push(ctx, info, tokens...)
			if err != nil {
				return len(tokens), err.Error()
			}
			failed, first := 0, ""
			for _, o := range res.Outcomes {
				if o.Err != nil {
					if failed == 0 {
						first = o.Err.Error()
					}
					failed++
				}
			}
			return failed, first
		}, nil
	}
	floorHC := floorClient(h)

	// One long-lived client per side, as both peers advise; each is warmed
	// up (code paths, connections, access token) before anything is timed.
	ours, err := newOurs()
	if err != nil {
		return nil, err
	}
	theirs, err := newPeer()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", peer, err)
	}
	warm := make([]string, 64)
	for i := range warm {
		warm[i] = s.token(0xfffe, i)
	}
	for i, send := range []sender{ours, theirs} {
		if failed, first := send(ctx, warm); failed > 0 {
			return nil, fmt.Errorf("%s warm-up: %d failed: %s", peer, failed, first)
		}
		t, err := ch.take()
		if err != nil {
			return nil, err
		}
		if i == 0 && cfg.floor { // the floor's connection, with ours' requests
			pl, err := newPlan(s, h.URL, t.Records, 1, conc)
			if err != nil {
				return nil, err
			}
			pl.run(floorHC)
			if _, err := ch.take(); err != nil {
				return nil, err
			}
		}
	}

	var rows []peerRow
	peerNs := capNs(cfg.ns, cfg.peerMaxN)
	for idx, n := range peerNs {
		toks := make([]string, n)
		for i := range toks {
			toks[i] = s.token(0x100+idx, i)
		}
		reps := calibrate(cfg.target, toks, func(toks []string) { ours(ctx, toks) })
		if _, err := ch.take(); err != nil {
			return nil, err
		}
		total := n * reps
		row := peerRow{peer: peer, vendor: vendor, n: n, reps: reps, conc: conc}
		runSide := func(send sender, side *peerSide) (*take, error) {
			c := measure(func() {
				for range reps {
					f, first := send(ctx, toks)
					side.errors += f
					if side.firstErr == "" {
						side.firstErr = first
					}
				}
			})
			if side.errors > 0 {
				return nil, fmt.Errorf("N=%d: %d failed: %s", n, side.errors, side.firstErr)
			}
			t, err := ch.take()
			if err != nil {
				return nil, err
			}
			side.last = c.elapsed
			if tps := float64(total) / c.elapsed.Seconds(); tps > side.tps {
				side.tps = tps
				side.allocs = float64(c.mallocs) / float64(total)
				side.elapsedMS = float64(c.elapsed.Microseconds()) / 1000
			}
			side.peakMB = max(side.peakMB, mb(c.peak))
			side.sends, side.auth, side.accepted = 0, 0, 0
			for _, r := range t.Records {
				if s.isSend(r.Path) {
					side.sends++
					side.accepted += r.Accepted
				} else {
					side.auth++
				}
			}
			if side.accepted != total {
				return nil, fmt.Errorf("N=%d: the fake accepted %d tokens, want %d", n, side.accepted, total)
			}
			return t, nil
		}
		for range cfg.rounds {
			t, err := runSide(ours, &row.ours)
			if err != nil {
				return nil, err
			}
			if cfg.floor {
				pl, err := newPlan(s, h.URL, t.Records, reps, conc)
				if err != nil {
					return nil, err
				}
				t = nil
				var bad int64
				c := measure(func() { bad = pl.run(floorHC) })
				if _, err := ch.take(); err != nil {
					return nil, err
				}
				if bad > 0 {
					return nil, fmt.Errorf("%s floor: %d answers differ from the library's", vendor, bad)
				}
				row.floorTPS = max(row.floorTPS, float64(total)/c.elapsed.Seconds())
			}
			if _, err := runSide(theirs, &row.theirs); err != nil {
				return nil, fmt.Errorf("%s: %v", peer, err)
			}
			row.rounds++
			if row.ours.last > longRun && row.theirs.last > longRun {
				break // long enough that one round averages the noise out
			}
		}
		logf("  %-18s N=%-7d ours %9.0f tok/s %6.1f allocs/msg | %s %9.0f tok/s %6.1f allocs/msg | floor %9.0f tok/s",
			vendor, n, row.ours.tps, row.ours.allocs, peer, row.theirs.tps, row.theirs.allocs, row.floorTPS)
		rows = append(rows, row)
	}
	return rows, nil
}
