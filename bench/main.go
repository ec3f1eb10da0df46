// Command bench measures the offlinepush vendor clients against the
// pushtest fake vendor servers on loopback, beside the floor (a raw net/http
// client replaying the very same requests at the same concurrency) and, for
// FCM and APNs, beside firebase-admin-go and sideshow/apns2.
//
//	cd bench && go run . -svg chart.svg            # the full run (BENCHMARKS.md)
//	cd bench && go run . -quick                    # a few seconds: every vendor, N = 1 and 100
//	cd bench && go run . -vendors xiaomi,fcm -n 1,1000
//
// Each fake runs in a child process (this binary again), so allocations and
// heap are the client's alone; the fake still takes CPU from the same cores,
// equally for the library, the floor and the peers.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/offlinepush/push"
)

type config struct {
	ns         []int
	vendors    []spec
	peers      bool
	floor      bool
	target     time.Duration
	peerMaxN   int
	rounds     int
	conc       int
	svg        string
	cpuProfile string
	memProfile string
}

// row is one vendor at one N.
type row struct {
	vendor       push.Vendor
	n, reps      int
	conc         int
	libTPS       float64
	floorTPS     float64
	sends, auth  int // HTTP requests over the whole run (reps pushes)
	jwts         int // provider JWTs the fake verified (APNs, HarmonyOS)
	accepted     int // tokens the fake accepted
	libAllocs    float64
	floorAllocs  float64
	libPeakMB    float64
	libStartMB   float64 // HeapInuse before the pushes: the tokens and the bench
	rounds       int
	libElapsed   time.Duration
	floorElapsed time.Duration
}

func (r row) ratio() float64 {
	if r.floorTPS == 0 {
		return 0
	}
	return r.libTPS / r.floorTPS
}

func main() {
	if v := os.Getenv(childEnv); v != "" {
		if err := runChild(v); err != nil {
			fmt.Fprintln(os.Stderr, "bench child:", err)
			os.Exit(1)
		}
		return
	}
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if err := run(cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	ns := fs.String("n", "1,1000,100000", "comma-separated token counts per push")
	vendors := fs.String("vendors", "all", "comma-separated vendors ("+vendorList()+")")
	peers := fs.Bool("peers", true, "compare FCM with firebase-admin-go and APNs with sideshow/apns2")
	floor := fs.Bool("floor", true, "measure the raw net/http floor beside each run")
	target := fs.Duration("target", 300*time.Millisecond, "repeat pushes of a small N until one measurement takes about this long")
	peerMaxN := fs.Int("peer-max-n", 10000, "cap N at this in the peer comparison (one request per token on three clients); 0: no cap")
	conc := fs.Int("c", 0, "requests in flight per client (0: each vendor's default)")
	svg := fs.String("svg", "", "write the chart to this SVG file")
	rounds := fs.Int("rounds", 3, "measure each side this many times, alternating library and floor; report the best")
	quick := fs.Bool("quick", false, "a quick run: N = 1 and 100, one short round (overrides -n, -target and -rounds)")
	cpu := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (use -floor=false -peers=false to profile the library alone)")
	mem := fs.String("memprofile", "", "write an allocation profile at the end to this file")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	cfg := &config{peers: *peers, floor: *floor, target: *target, peerMaxN: *peerMaxN, rounds: max(1, *rounds), conc: *conc, svg: *svg, cpuProfile: *cpu, memProfile: *mem}
	if *quick {
		*ns, cfg.target, cfg.rounds = "1,100", 20*time.Millisecond, 1
	}
	for _, f := range strings.Split(*ns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-n: %q is not a positive count", f)
		}
		cfg.ns = append(cfg.ns, n)
	}
	if *vendors == "all" {
		cfg.vendors = specs
	} else {
		for _, v := range strings.Split(*vendors, ",") {
			s, ok := specOf(strings.TrimSpace(v))
			if !ok {
				return nil, fmt.Errorf("-vendors: unknown vendor %q (have %s)", v, vendorList())
			}
			cfg.vendors = append(cfg.vendors, s)
		}
	}
	return cfg, nil
}

func vendorList() string {
	var names []string
	for _, s := range specs {
		names = append(names, string(s.vendor))
	}
	return strings.Join(names, ",")
}

// longRun is how long a measured run must take for one round to be enough.
const longRun = 3 * time.Second

// maxReps bounds the pushes of one measurement.
const maxReps = 20000

// calibrate returns how many pushes of toks make one measurement last about
// target: it times one push of up to 1,000 of them (with a warm client) and
// extrapolates, so that N = 1 is not one lone request and N = 100,000 is
// not pushed just to be timed.
func calibrate(target time.Duration, toks []string, push func(toks []string)) int {
	probe := toks[:min(len(toks), 1000)]
	start := time.Now()
	push(probe)
	est := time.Since(start) * time.Duration(len(toks)) / time.Duration(len(probe))
	if est <= 0 {
		return 1
	}
	return int(min(max(1, (target+est-1)/est), maxReps))
}

// capNs is cfg.ns with every N above max (when max > 0) replaced by max.
// The peer comparison caps N (see BENCHMARKS.md): 100,000 single requests
// on each of three clients, in alternating rounds, do not fit the budget.
func capNs(ns []int, max int) []int {
	var out []int
	for _, n := range ns {
		if max > 0 && n > max {
			n = max
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

// results is everything one run measured.
type results struct {
	rows    []row
	peers   []peerRow
	elapsed time.Duration
}

func run(cfg *config, out, logw io.Writer) error {
	res, err := measureAll(cfg, logw)
	if err != nil {
		return err
	}
	writeReport(out, cfg, res)
	if cfg.svg != "" {
		if err := os.WriteFile(cfg.svg, []byte(chart(res)), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func measureAll(cfg *config, logw io.Writer) (*results, error) {
	start := time.Now()
	logf := func(format string, args ...any) { fmt.Fprintf(logw, format+"\n", args...) }
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	if cfg.memProfile != "" {
		runtime.MemProfileRate = 4096
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()

	res := &results{}
	for _, s := range cfg.vendors {
		rows, err := benchVendor(ctx, cfg, s, logf)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.vendor, err)
		}
		res.rows = append(res.rows, rows...)
	}
	if cfg.peers {
		for _, v := range []push.Vendor{push.FCM, push.APNs} {
			if !hasVendor(cfg, v) {
				continue
			}
			logf("peers: %s", v)
			rows, err := benchPeer(ctx, cfg, v, logf)
			if err != nil {
				return nil, fmt.Errorf("peers %s: %w", v, err)
			}
			res.peers = append(res.peers, rows...)
		}
	}
	if cfg.memProfile != "" {
		f, err := os.Create(cfg.memProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			return nil, err
		}
	}
	res.elapsed = time.Since(start)
	return res, nil
}

func hasVendor(cfg *config, v push.Vendor) bool {
	for _, s := range cfg.vendors {
		if s.vendor == v {
			return true
		}
	}
	return false
}

// benchVendor measures one vendor at every N on one fake.
func benchVendor(ctx context.Context, cfg *config, s spec, logf func(string, ...any)) ([]row, error) {
	ch, err := startChild(string(s.vendor))
	if err != nil {
		return nil, err
	}
	defer ch.stop()
	h := &ch.hello
	conc := s.conc
	if cfg.conc > 0 {
		conc = cfg.conc
	}
	floorHC := floorClient(h)

	// Warm-up: the library's code paths and connections, then the floor's.
	warm := make([]string, 256)
	for i := range warm {
		warm[i] = s.token(0xffff, i)
	}
	c, err := s.client(h, conc)
	if err != nil {
		return nil, err
	}
	if r, err := c.Push(ctx, info, warm...); err != nil {
		return nil, err
	} else if n, first := failures(r); n > 0 {
		return nil, fmt.Errorf("warm-up: %d of %d tokens failed: %s", n, len(warm), first)
	}
	t, err := ch.take()
	if err != nil {
		return nil, err
	}
	if cfg.floor {
		pl, err := newPlan(s, h.URL, t.Records, 1, conc)
		if err != nil {
			return nil, err
		}
		if bad := pl.run(floorHC); bad > 0 {
			return nil, fmt.Errorf("floor warm-up: %d answers differ from the library's", bad)
		}
		if _, err := ch.take(); err != nil {
			return nil, err
		}
	}
	jwts := t.JWTs

	var rows []row
	for idx, n := range cfg.ns {
		toks := make([]string, n)
		for i := range toks {
			toks[i] = s.token(idx+1, i)
		}
		reps := calibrate(cfg.target, toks, func(toks []string) { c.Push(ctx, info, toks...) })
		if _, err := ch.take(); err != nil {
			return nil, err
		}
		r := row{vendor: s.vendor, n: n, reps: reps, conc: conc}
		round := 0
		total := n * reps
		for ; round < cfg.rounds; round++ {
			// A fresh client each round: its first push fetches the access token.
			c, err := s.client(h, conc)
			if err != nil {
				return nil, err
			}
			var nerr int
			var firstErr string
			lib := measure(func() {
				for range reps {
					res, err := c.Push(ctx, info, toks...)
					if err != nil {
						nerr += n
						firstErr = err.Error()
						continue
					}
					if f, first := failures(res); f > 0 {
						nerr += f
						if firstErr == "" {
							firstErr = first
						}
					}
				}
			})
			if nerr > 0 {
				return nil, fmt.Errorf("N=%d: %d tokens failed: %s", n, nerr, firstErr)
			}
			t, err := ch.take()
			if err != nil {
				return nil, err
			}
			var sends, auth, accepted int
			for _, rec := range t.Records {
				if s.isSend(rec.Path) {
					sends++
					accepted += rec.Accepted
				} else {
					auth++
				}
			}
			if accepted != total {
				return nil, fmt.Errorf("N=%d: the fake accepted %d tokens, want %d", n, accepted, total)
			}
			if tps := float64(total) / lib.elapsed.Seconds(); tps > r.libTPS { // the best round
				r.libTPS, r.libElapsed = tps, lib.elapsed
				r.libAllocs = float64(lib.mallocs) / float64(total)
			}
			if mb(lib.peak) > r.libPeakMB {
				r.libPeakMB, r.libStartMB = mb(lib.peak), mb(lib.start)
			}
			if round == 0 {
				r.sends, r.auth, r.accepted = sends, auth, accepted
				r.jwts, jwts = t.JWTs-jwts, t.JWTs
			}
			if !cfg.floor {
				continue
			}
			pl, err := newPlan(s, h.URL, t.Records, reps, conc)
			if err != nil {
				return nil, err
			}
			t = nil
			var bad int64
			fl := measure(func() { bad = pl.run(floorHC) })
			ft, err := ch.take()
			if err != nil {
				return nil, err
			}
			if bad > 0 {
				return nil, fmt.Errorf("N=%d floor: %d answers differ from the library's", n, bad)
			}
			if len(ft.Records) != sends+auth {
				return nil, fmt.Errorf("N=%d floor: %d requests, the library sent %d", n, len(ft.Records), sends+auth)
			}
			jwts = ft.JWTs
			if tps := float64(total) / fl.elapsed.Seconds(); tps > r.floorTPS {
				r.floorTPS, r.floorElapsed = tps, fl.elapsed
				r.floorAllocs = float64(fl.mallocs) / float64(total)
			}
			if lib.elapsed > longRun {
				break // long enough that one round averages the noise out
			}
		}
		r.rounds = min(round+1, cfg.rounds)
		logf("%-8s N=%-7d x%-5d lib %9.0f tok/s  floor %9.0f tok/s  ratio %.2f  sends %d auth %d  allocs/tok %.1f  peak %.1f MB",
			s.vendor, n, reps, r.libTPS, r.floorTPS, r.ratio(), r.sends, r.auth, r.libAllocs, r.libPeakMB)
		rows = append(rows, r)
	}
	return rows, nil
}

func failures(res *push.Result) (n int, first string) {
	for _, o := range res.Outcomes {
		if o.Err != nil {
			if n == 0 {
				first = o.Err.Error()
				var ve *push.VendorError
				if errors.As(o.Err, &ve) && ve.Code != "" {
					first += " (" + ve.Code + ")"
				}
			}
			n++
		}
	}
	return n, first
}
