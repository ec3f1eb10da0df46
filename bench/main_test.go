package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the test binary serve a fake vendor too: the bench starts
// its fakes by running its own executable with childEnv set.
func TestMain(m *testing.M) {
	if v := os.Getenv(childEnv); v != "" {
		if err := runChild(v); err != nil {
			fmt.Fprintln(os.Stderr, "bench child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestQuick runs the -quick mode once: every vendor, the floor and both
// peers, and checks the report and the chart.
func TestQuick(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "chart.svg")
	cfg, err := parseFlags([]string{"-quick", "-svg", svg})
	if err != nil {
		t.Fatal(err)
	}
	var out, log bytes.Buffer
	if err := run(cfg, &out, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	report := out.String()
	for _, s := range specs {
		for _, n := range []string{"| 1 |", "| 100 |"} {
			if !strings.Contains(report, "| "+string(s.vendor)+" "+n) {
				t.Errorf("the report has no row for %s N%s\n%s", s.vendor, strings.Trim(n, "|"), report)
			}
		}
	}
	for _, peer := range []string{"firebase-admin-go", "sideshow/apns2"} {
		if !strings.Contains(report, peer) {
			t.Errorf("the report does not compare with %s", peer)
		}
	}
	b, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("<svg")) || !bytes.Contains(b, []byte("xiaomi")) || !bytes.HasSuffix(b, []byte("</svg>\n")) {
		t.Errorf("the chart is not a complete SVG:\n%s", b)
	}
	t.Logf("\n%s", report)
}

// TestPlanChains checks that the floor keeps vivo's save-then-push order.
func TestPlanChains(t *testing.T) {
	s, _ := specOf("vivo")
	recs := []wireRecord{
		{Method: "POST", Path: "/message/auth", Status: 200},
		{Method: "POST", Path: "/message/saveListPayload", Status: 200, Response: []byte(`{"result":0,"taskId":"1"}`)},
		{Method: "POST", Path: "/message/saveListPayload", Status: 200, Response: []byte(`{"result":0,"taskId":"2"}`)},
		{Method: "POST", Path: "/message/pushToList", Status: 200, Body: []byte(`{"taskId":"2"}`)},
		{Method: "POST", Path: "/message/pushToList", Status: 200, Body: []byte(`{"taskId":"1"}`)},
	}
	p, err := newPlan(s, "http://x", recs, 1, 16)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.auth) != 1 || len(p.pushes) != 1 || len(p.pushes[0]) != 2 {
		t.Fatalf("plan: %d auth, %d pushes", len(p.auth), len(p.pushes))
	}
	for i, ch := range p.pushes[0] {
		if len(ch) != 2 || !strings.HasSuffix(ch[0].url, "saveListPayload") || !strings.HasSuffix(ch[1].url, "pushToList") {
			t.Errorf("chain %d is not save then push: %v", i, ch)
		}
	}
}
