package main

// The fake vendor server runs in a child process (this same binary, started
// with childEnv set), so that the allocation counts and the heap the parent
// measures are the client's alone: the fake's own request parsing, checks
// and request log would otherwise dominate both. The fake still shares the
// machine's cores with the client, equally for the library and the floor.

import (
	"bufio"
	"encoding/gob"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/offlinepush/push/pushtest"
)

// childEnv, when set to a vendor name, makes the binary serve that vendor's
// fake instead of running the benchmark.
const childEnv = "OFFLINEPUSH_BENCH_FAKE"

// Fixed credentials of the fakes without generated keys.
const (
	xiaomiSecret  = "bench-app-secret"
	pkgName       = "com.example.chat"
	huaweiAppID   = "104536617"
	honorAppID    = "104412345"
	honorClientID = "bench-client-id"
	honorSecret   = "bench-client-secret"
	oppoAppKey    = "bench-app-key"
	oppoMaster    = "bench-master-secret"
	vivoAppID     = "10004"
	vivoAppKey    = "bench-app-key"
	vivoSecret    = "bench-app-secret"
	meizuAppID    = "100999"
	meizuSecret   = "bench-app-secret"
	fcmProject    = "bench-project"
	apnsTeam      = "TEAM123456"
	apnsKeyID     = "KEY1234567"
	apnsTopic     = "com.example.chat"
)

// hello is the child's first line on stdout: where the fake listens and the
// generated credentials the client needs.
type hello struct {
	URL        string // the fake vendor server, for push.WithEndpoint
	Control    string // the child's control server
	CertPEM    []byte // the TLS fakes' certificate
	Credential []byte // FCM / HarmonyOS service-account JSON, or the APNs .p8 key
}

// wireRecord is one request the fake received, as the parent needs it.
type wireRecord struct {
	Method   string
	Path     string
	Header   http.Header
	Body     []byte
	Status   int
	Response []byte
	Accepted int
	Fault    bool
}

// take is the answer of the control endpoint /take: every request since the
// last take (the fake's log is then cleared), and the distinct provider JWTs
// the fake has verified so far (APNs, HarmonyOS).
type take struct {
	Records []wireRecord
	JWTs    int
	// Protos counts the requests by protocol since the last take (FCM only:
	// the fake that answers HTTP/1.1 too).
	Protos map[string]int
}

type fake struct {
	srv    *pushtest.Server
	reset  func()
	jwts   func() int
	protos func() map[string]int
	cred   []byte
}

func newFake(vendor string) (*fake, error) {
	f := &fake{jwts: func() int { return 0 }, protos: func() map[string]int { return nil }}
	switch vendor {
	case "xiaomi":
		s := pushtest.NewXiaomi(xiaomiSecret, pkgName)
		f.srv, f.reset = s.Server, s.Reset
	case "huawei":
		s := pushtest.NewHuawei(huaweiAppID, xiaomiSecret)
		f.srv, f.reset = s.Server, s.Reset
	case "harmony":
		f.cred = pushtest.HarmonyCredentials()
		s, err := pushtest.NewHarmony(f.cred)
		if err != nil {
			return nil, err
		}
		f.srv, f.reset, f.jwts = s.Server, s.Reset, s.JWTs
	case "honor":
		s := pushtest.NewHonor(honorAppID, honorClientID, honorSecret)
		f.srv, f.reset = s.Server, s.Reset
	case "oppo":
		s := pushtest.NewOPPO(oppoAppKey, oppoMaster)
		f.srv, f.reset = s.Server, s.Reset
	case "vivo":
		s := pushtest.NewVivo(vivoAppID, vivoAppKey, vivoSecret)
		f.srv, f.reset = s.Server, s.Reset // Vivo.Reset also forgets requestIds
	case "meizu":
		s := pushtest.NewMeizu(meizuAppID, meizuSecret)
		f.srv, f.reset = s.Server, s.Reset
	case "fcm":
		f.cred = pushtest.FCMCredentials(fcmProject)
		s := pushtest.NewFCM(f.cred)
		f.srv, f.reset, f.protos = s.Server, s.Reset, s.Protocols
	case "apns":
		f.cred = pushtest.APNsKey()
		s := pushtest.NewAPNs(apnsTeam, apnsKeyID, f.cred, apnsTopic)
		f.srv, f.reset, f.jwts = s.Server, s.Reset, s.Signatures
	default:
		return nil, fmt.Errorf("unknown vendor %q", vendor)
	}
	return f, nil
}

// runChild serves one vendor's fake until stdin closes.
func runChild(vendor string) error {
	f, err := newFake(vendor)
	if err != nil {
		return err
	}
	defer f.srv.Close()
	h := hello{URL: f.srv.URL(), Credential: f.cred}
	if len(h.URL) > 8 && h.URL[:8] == "https://" {
		// The certificate the fake serves, for the parent's clients to trust.
		resp, err := f.srv.Client().Get(h.URL + "/bench-cert-probe")
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		h.CertPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: resp.TLS.PeerCertificates[0].Raw})
	}
	f.reset()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	var mu sync.Mutex
	seen := f.protos()
	mux := http.NewServeMux()
	mux.HandleFunc("/take", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		recs := f.srv.Records()
		f.reset()
		t := take{Records: make([]wireRecord, len(recs)), JWTs: f.jwts(), Protos: map[string]int{}}
		now := f.protos()
		for k, v := range now {
			if d := v - seen[k]; d > 0 {
				t.Protos[k] = d
			}
		}
		seen = now
		for i, rec := range recs {
			t.Records[i] = wireRecord{Method: rec.Method, Path: rec.Path, Header: rec.Header, Body: rec.Body,
				Status: rec.Status, Response: rec.Response, Accepted: len(rec.Accepted), Fault: rec.Fault}
		}
		recs = nil
		if err := gob.NewEncoder(w).Encode(&t); err != nil {
			fmt.Fprintln(os.Stderr, "bench child: encoding records:", err)
		}
	})
	go http.Serve(ln, mux)
	h.Control = "http://" + ln.Addr().String()
	if err := json.NewEncoder(os.Stdout).Encode(&h); err != nil {
		return err
	}
	io.Copy(io.Discard, os.Stdin) // the parent closes stdin when done
	return nil
}

// child is the parent's handle on a running fake.
type child struct {
	hello
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// startChild runs this binary as vendor's fake server.
func startChild(vendor string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"="+vendor)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, stdin: stdin}
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		c.stop()
		return nil, fmt.Errorf("%s fake did not start: %v", vendor, err)
	}
	if err := json.Unmarshal(line, &c.hello); err != nil {
		c.stop()
		return nil, fmt.Errorf("%s fake: %v", vendor, err)
	}
	return c, nil
}

// take fetches and clears the fake's request log. Every send must have
// come over HTTP/2 where the vendor speaks it (an access-token request may
// not: firebase-admin-go fetches its token over HTTP/1.1).
func (c *child) take() (*take, error) {
	resp, err := http.Post(c.Control+"/take", "text/plain", nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var t take
	if err := gob.NewDecoder(resp.Body).Decode(&t); err != nil {
		return nil, err
	}
	other := 0
	for p, n := range t.Protos {
		if p != "HTTP/2.0" {
			other += n
		}
	}
	if other > 0 {
		auth := 0
		for _, r := range t.Records {
			if !strings.HasSuffix(r.Path, ":send") {
				auth++
			}
		}
		if other > auth {
			return nil, fmt.Errorf("%d sends did not come over HTTP/2: %v", other-auth, t.Protos)
		}
	}
	return &t, nil
}

func (c *child) stop() {
	c.stdin.Close()
	c.cmd.Wait()
}
