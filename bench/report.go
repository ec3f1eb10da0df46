package main

import (
	"fmt"
	"html"
	"io"
	"runtime"
	"slices"
	"strings"

	"github.com/offlinepush/push"
)

// writeReport prints the markdown tables of a run.
func writeReport(w io.Writer, cfg *config, res *results) {
	fmt.Fprintf(w, "### Library vs floor\n\n")
	fmt.Fprintf(w, "| vendor | N | pushes × rounds | conc | tokens/s | floor tokens/s | ratio to floor | send requests per push | auth requests | allocs/token | floor allocs/token | peak heap MB (at start) |\n")
	fmt.Fprintf(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range res.rows {
		auth := fmt.Sprint(r.auth)
		if r.jwts > 0 {
			auth = fmt.Sprintf("0 (%d JWT signed)", r.jwts)
		}
		floor, ratio, fa := "—", "—", "—"
		if r.floorTPS > 0 {
			floor, ratio, fa = num(r.floorTPS), fmt.Sprintf("%.2f", r.ratio()), allocs(r.floorAllocs)
		}
		fmt.Fprintf(w, "| %s | %s | %d × %d | %d | %s | %s | %s | %s | %s | %s | %s | %.1f (%.1f) |\n",
			r.vendor, num(float64(r.n)), r.reps, r.rounds, r.conc, num(r.libTPS), floor, ratio,
			trim(float64(r.sends)/float64(r.reps)), auth, allocs(r.libAllocs), fa, r.libPeakMB, r.libStartMB)
	}
	if len(res.peers) > 0 {
		fmt.Fprintf(w, "\n### Peers\n\n")
		fmt.Fprintf(w, "| channel | peer | N | pushes × rounds | conc | ours tokens/s | peer tokens/s | ours/peer throughput | floor tokens/s | ours allocs/msg | peer allocs/msg | peer/ours allocs | ours peak MB | peer peak MB | requests ours / peer |\n")
		fmt.Fprintf(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
		for _, p := range res.peers {
			floor := "—"
			if p.floorTPS > 0 {
				floor = num(p.floorTPS)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %d × %d | %d | %s | %s | %.2f× | %s | %.1f | %.1f | %.2f× | %.1f | %.1f | %d+%d / %d+%d |\n",
				p.vendor, p.peer, num(float64(p.n)), p.reps, p.rounds, p.conc, num(p.ours.tps), num(p.theirs.tps),
				p.ours.tps/p.theirs.tps, floor, p.ours.allocs, p.theirs.allocs, p.theirs.allocs/p.ours.allocs,
				p.ours.peakMB, p.theirs.peakMB, p.ours.sends, p.ours.auth, p.theirs.sends, p.theirs.auth)
		}
		fmt.Fprintf(w, "\nrequests: send + auth requests the fake received over all pushes of that row.\n")
	}
	fmt.Fprintf(w, "\n%s/%s, %d CPUs (GOMAXPROCS %d), %s; run took %.0f s\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), res.elapsed.Seconds())
}

// allocs formats allocations per token: two decimals below 10, so that the
// per-token cost of a batch shows.
func allocs(f float64) string {
	if f < 10 {
		return fmt.Sprintf("%.2f", f)
	}
	return fmt.Sprintf("%.1f", f)
}

// num formats a count or a rate with thousands separators.
func num(f float64) string {
	s := fmt.Sprintf("%.0f", f)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func trim(f float64) string {
	s := fmt.Sprintf("%.2f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// chart draws the run as a hand-written SVG: on top, each vendor's
// library/floor throughput ratio per N (1.0 = as fast as a raw net/http
// client sending the same bytes; the dashed line is the 0.9 target); below,
// ours against firebase-admin-go and sideshow/apns2 (throughput, and
// allocations per message).
func chart(res *results) string {
	const (
		width    = 960
		left     = 110 // label column
		right    = 230
		barH     = 12
		gap      = 4
		groupGap = 12
	)
	plotW := float64(width - left - right)
	var b strings.Builder
	y := 0
	var body strings.Builder
	text := func(x, y int, anchor, style, s string) {
		fmt.Fprintf(&body, `<text x="%d" y="%d" text-anchor="%s" %s>%s</text>`+"\n", x, y, anchor, style, html.EscapeString(s))
	}
	rect := func(x, y int, w float64, h int, fill string) {
		fmt.Fprintf(&body, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", x, y, w, h, fill)
	}
	colors := []string{"#9ecae1", "#4292c6", "#08519c", "#063a70", "#041f3d"}

	// N values present, for the legend
	var ns []int
	seen := map[int]bool{}
	for _, r := range res.rows {
		if !seen[r.n] {
			seen[r.n] = true
			ns = append(ns, r.n)
		}
	}
	slices.Sort(ns)
	colorOf := func(n int) string {
		for i, x := range ns {
			if x == n {
				return colors[min(i, len(colors)-1)]
			}
		}
		return colors[0]
	}

	// Panel 1: ratio to floor.
	y = 30
	text(20, y, "start", `font-size="16" font-weight="bold"`, "Library throughput ÷ floor throughput (1.0 = as fast as raw net/http sending the same requests)")
	y += 18
	text(20, y, "start", `font-size="12" fill="#555"`, "Each vendor client against its pushtest fake on loopback; the floor replays the exact requests at the same concurrency.")
	y += 24
	lx := left
	for _, n := range ns {
		rect(lx, y-10, 12, 12, colorOf(n))
		text(lx+16, y, "start", `font-size="12"`, "N = "+num(float64(n)))
		lx += 110
	}
	y += 14
	const maxRatio = 1.2
	scale := func(v float64) float64 { return min(v, maxRatio) / maxRatio * plotW }
	top := y
	vendors := []push.Vendor{}
	byVendor := map[push.Vendor][]row{}
	for _, r := range res.rows {
		if _, ok := byVendor[r.vendor]; !ok {
			vendors = append(vendors, r.vendor)
		}
		byVendor[r.vendor] = append(byVendor[r.vendor], r)
	}
	for _, v := range vendors {
		rs := byVendor[v]
		gh := len(rs)*(barH+gap) - gap
		text(left-10, y+gh/2+5, "end", `font-size="13"`, string(v))
		for _, r := range rs {
			if r.floorTPS > 0 {
				if r.ratio() > maxRatio { // off the scale: a notch marks the cut
					fmt.Fprintf(&body, `<path d="M%d %d l6 %d l-6 %d z" fill="%s"/>`+"\n", left+int(plotW), y, barH/2, barH/2, colorOf(r.n))
				}
				rect(left, y, scale(r.ratio()), barH, colorOf(r.n))
				text(left+int(scale(r.ratio()))+5, y+barH-2, "start", `font-size="11"`,
					fmt.Sprintf("%.2f  (%s tok/s)", r.ratio(), num(r.libTPS)))
			}
			y += barH + gap
		}
		y += groupGap
	}
	bottom := y - groupGap
	for _, t := range []float64{0, 0.25, 0.5, 0.75, 1.0} {
		x := left + int(scale(t))
		fmt.Fprintf(&body, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#ccc" stroke-width="1"/>`+"\n", x, top-4, x, bottom+4)
		text(x, bottom+18, "middle", `font-size="11" fill="#555"`, trim(t))
	}
	x09 := left + int(scale(0.9))
	fmt.Fprintf(&body, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#d62728" stroke-width="1.5" stroke-dasharray="5,3"/>`+"\n", x09, top-4, x09, bottom+4)
	text(x09, bottom+18, "middle", `font-size="11" fill="#d62728"`, "0.9 target")
	y = bottom + 40

	// Panel 2: peers.
	if len(res.peers) > 0 {
		text(20, y, "start", `font-size="16" font-weight="bold"`, "Tokens/s against firebase-admin-go (FCM) and sideshow/apns2 (APNs)")
		y += 18
		text(20, y, "start", `font-size="12" fill="#555"`, "Same fake, same tokens, same concurrency; bars scaled to the fastest of each group; allocations per message in the labels.")
		y += 22
		rect(left, y-10, 12, 12, "#08519c")
		text(left+16, y, "start", `font-size="12"`, "offlinepush")
		rect(left+120, y-10, 12, 12, "#fd8d3c")
		text(left+136, y, "start", `font-size="12"`, "peer")
		rect(left+200, y-10, 12, 12, "#bbbbbb")
		text(left+216, y, "start", `font-size="12"`, "raw net/http floor")
		y += 14
		for _, p := range res.peers {
			best := max(p.ours.tps, p.theirs.tps, p.floorTPS)
			name := map[push.Vendor]string{push.FCM: "FCM", push.APNs: "APNs"}[p.vendor]
			label := fmt.Sprintf("%s N=%s", name, num(float64(p.n)))
			gh := 3*(barH+2) - 2
			text(left-10, y+gh/2+5, "end", `font-size="12"`, label)
			bars := []struct {
				v     float64
				fill  string
				extra string
			}{
				{p.ours.tps, "#08519c", fmt.Sprintf("offlinepush %s tok/s, %.0f allocs/msg", num(p.ours.tps), p.ours.allocs)},
				{p.theirs.tps, "#fd8d3c", fmt.Sprintf("%s %s tok/s, %.0f allocs/msg", p.peer, num(p.theirs.tps), p.theirs.allocs)},
				{p.floorTPS, "#bbbbbb", fmt.Sprintf("%s tok/s", num(p.floorTPS))},
			}
			for _, bar := range bars {
				if bar.v > 0 {
					w := bar.v / best * float64(width-left-290) // room for the label
					rect(left, y, w, barH, bar.fill)
					text(left+int(w)+5, y+barH-2, "start", `font-size="11"`, bar.extra)
				}
				y += barH + 2
			}
			y += groupGap
		}
		y += 10
	}
	text(left, y, "start", `font-size="11" fill="#555"`, fmt.Sprintf("%s/%s, %d CPUs, %s. The fake vendor servers run on the same cores.", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version()))
	y += 12

	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif">`+"\n", width, y, width, y)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	b.WriteString(body.String())
	b.WriteString("</svg>\n")
	return b.String()
}
