package main

// The floor: a minimal raw net/http client that sends exactly the requests
// the library sent (captured from the fake's log: same paths, headers and
// bodies, auth requests included) to the same fake, with the same
// concurrency and the same push boundaries. What the library costs on top
// of it is JSON/form building, auth caching, batching, retries and answer
// decoding.

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// replay is one pre-built request.
type replay struct {
	method, url string
	header      http.Header
	body        []byte
	status      int    // what the fake answered the library
	answer      []byte // and its body
}

// plan is the library run's requests, in the order they arrived: the auth
// requests (sent one by one first, as the library fetches a token before
// its first send), then one group per Push call. A group is a list of
// chains: requests the library sends one after the other (vivo saves a list
// body, then pushes its taskId); chains go out concurrently.
type plan struct {
	auth   []replay
	pushes [][][]replay
	conc   int
}

// newPlan splits the records of reps sequential Push calls into auth
// requests and one group of sends per push.
func newPlan(s spec, base string, recs []wireRecord, reps, conc int) (*plan, error) {
	p := &plan{conc: conc}
	var sends []replay
	for _, r := range recs {
		h := r.Header.Clone()
		for _, k := range []string{"Content-Length", "Accept-Encoding", "Connection"} {
			delete(h, k)
		}
		rp := replay{method: r.Method, url: base + r.Path, header: h, body: r.Body, status: r.Status, answer: r.Response}
		if s.isSend(r.Path) {
			sends = append(sends, rp)
		} else {
			p.auth = append(p.auth, rp)
		}
	}
	if len(sends)%reps != 0 {
		return nil, fmt.Errorf("%d sends do not split into %d equal pushes", len(sends), reps)
	}
	k := len(sends) / reps
	for i := 0; i < reps; i++ {
		group := sends[i*k : (i+1)*k]
		var chains [][]replay
		if s.chains != nil {
			var err error
			if chains, err = s.chains(group); err != nil {
				return nil, err
			}
		} else {
			chains = make([][]replay, len(group))
			for j := range group {
				chains[j] = group[j : j+1]
			}
		}
		p.pushes = append(p.pushes, chains)
	}
	return p, nil
}

// floorClient is a plain http.Client: keep-alive pool sized for the
// concurrency, HTTP/2 for the TLS fakes.
func floorClient(h *hello) *http.Client {
	t := &http.Transport{
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 128,
		IdleConnTimeout:     90 * time.Second,
	}
	if len(h.CertPEM) > 0 {
		t.ForceAttemptHTTP2 = true
		t.TLSClientConfig = &tls.Config{RootCAs: certPool(h)}
	}
	return &http.Client{Transport: t}
}

// run sends the plan and returns how many answers differed in status from
// the library's (0 when the floor did the same work).
func (p *plan) run(hc *http.Client) (mismatch int64) {
	var bad atomic.Int64
	do := func(r *replay) {
		req, err := http.NewRequest(r.method, r.url, bytes.NewReader(r.body))
		if err != nil {
			bad.Add(1)
			return
		}
		req.Header = r.header
		resp, err := hc.Do(req)
		if err != nil {
			bad.Add(1)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != r.status {
			bad.Add(1)
		}
	}
	for i := range p.auth {
		do(&p.auth[i])
	}
	for _, chains := range p.pushes {
		w := min(p.conc, len(chains))
		if w <= 1 {
			for _, ch := range chains {
				for i := range ch {
					do(&ch[i])
				}
			}
			continue
		}
		var next atomic.Int64
		var wg sync.WaitGroup
		for range w {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= len(chains) {
						return
					}
					for j := range chains[i] {
						do(&chains[i][j])
					}
				}
			}()
		}
		wg.Wait()
	}
	return bad.Load()
}
