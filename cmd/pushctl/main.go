// Command pushctl is the tool an app developer uses while integrating a
// vendor channel: send one test push to a device token and see what the
// vendor said, print the exact wire request without sending it, or check a
// certificate config file.
//
//	pushctl send  --config certs.json --cert ID --token T --title … --desc … [--ext JSON] [--click url:… | page:… | app]
//	pushctl send  … --dry-run     # print the wire request(s), send nothing to the vendor
//	pushctl send  … --sandbox     # send to an in-process fake vendor server instead
//	pushctl check --config certs.json [--auth]
//
// Run "pushctl help" for every flag and the exit codes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushconfig"
)

// Exit codes a script can rely on.
const (
	exitOK         = 0 // every token accepted / config valid
	exitFailed     = 1 // the vendor refused some tokens (see the output)
	exitUsage      = 2 // bad command line
	exitConfig     = 3 // the config file or a certificate is wrong
	exitMessage    = 4 // the message is invalid for this vendor
	exitAuth       = 5 // check --auth: a vendor rejected the credentials
	exitInvalidTok = 6 // every failed token is dead (unregistered): delete them
	exitNotReached = 7 // check --auth: a vendor could not be asked; credentials not checked
)

// worse is the exit code of a check that found both a and b: a definite
// mistake (5, then 3) before a vendor that could not be asked (7).
func worse(a, b int) int {
	rank := map[int]int{exitOK: 0, exitNotReached: 1, exitConfig: 2, exitAuth: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

const usage = `pushctl — send a test push through a vendor channel, or check a config.

Usage:
  pushctl send  [flags]   send one notification and print each token's outcome
  pushctl check [flags]   validate a certificate config file
  pushctl help            this text

send flags:
  --config FILE     certificate config (JSON, see the README); optional with
                    --sandbox or --dry-run, which then use built-in demo
                    certificates named demo-<vendor> (demo-xiaomi, demo-apns, …)
  --cert ID         certificate ID to send with (required)
  --token T         device token; repeat for several (required)
  --title TEXT      notification title (see Titles below)
  --desc TEXT       notification body (required: an empty body is never pushed)
  --ext JSON        passthrough content delivered to the app under "ext"
  --click ACTION    app | url:https://… | page:intent://…#Intent;…;end
  --ttl DURATION    offline cache time, e.g. 1h (default: the vendor's)
  --sound NAME      iOS sound file (APNs, FCM apns block)
  --id ID           message id: vendors that deduplicate (OPPO, vivo, Xiaomi)
                    show a message with the same id only once
  --dry-run         print the exact HTTP request(s) a send would make, with
                    the vendor's full URL (host included) and credentials
                    masked, and send nothing (no access token is fetched);
                    then every token that would not be sent and why (empty,
                    not valid UTF-8, malformed for the vendor, e.g. a Xiaomi
                    regId with a comma). Exit 0, or 6 when a token would
                    not be sent, 5 for a message the vendor cannot take
  --sandbox         send to an in-process fake vendor server, not the vendor
  --timeout D       give up after D (default 30s)

check flags:
  --config FILE     certificate config to validate (required)
  --auth            also fetch an access token from every vendor that uses one
                    (Huawei, HarmonyOS, Honor, OPPO, vivo, FCM; APNs signs locally).
                    A refusal prints "error … authentication failed" (exit 5); a
                    vendor that could not be asked prints "unknown … credentials
                    not checked" (exit 7)
  --sandbox         with --auth: authenticate against in-process fakes

Titles:
  Xiaomi, HarmonyOS, Honor, OPPO, vivo and Meizu require a title. When
  --title is empty (or blank) they show the certificate's defaultTitle (a
  config key, e.g. the app's name), else the message's own text (--desc):
  a message is never refused for lacking a title. Huawei, FCM and APNs send
  no title then (the phone shows the app's name). A title too long for the
  vendor is cut and ends with "…".

Config keys beyond each vendor's credentials and settings (see the README):
  defaultTitle TEXT   the title above (the six vendors that require one)
  misconfigGuard N    after N dead-token verdicts in a row with no token
                      accepted, further ones are reported as an auth /
                      misconfiguration failure (check the package name,
                      project id, APNs sandbox or topic), not as dead
                      tokens to delete; default 10, 0 turns the guard off

Exit codes:
  0  every token was accepted / the config is valid
  1  the vendor refused some tokens (temporary failures, quota, auth…)
  2  bad command line
  3  config error (the message names the certificate, the key and the rule)
  4  the message is invalid for this vendor (the message names the field)
  5  check --auth: a vendor rejected the credentials ("authentication failed")
  6  every failed token is dead (unregistered): delete them
  7  check --auth: a vendor could not be asked (no connection, DNS, TLS, a
     timeout, a 5xx or a rate limit: "credentials not checked"); nothing is
     known about those credentials, try again later
  When check finds several, it exits with the first of 5, 3, 7 that applies.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "send":
		return send(args[1:], stdout, stderr)
	case "check":
		return check(args[1:], stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "pushctl: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

func usageErr(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "pushctl: "+format+"\nRun 'pushctl help' for usage.\n", a...)
	return exitUsage
}

func loadConfig(path string, demoOK bool) (*pushconfig.File, error) {
	if path == "" {
		if demoOK {
			return pushconfig.Demo(), nil
		}
		return nil, errors.New("--config is required")
	}
	return pushconfig.Load(path)
}

func send(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("send", stderr)
	var (
		cfgPath, certID, title, desc, ext, click, sound, id string
		tokens                                              multi
		ttl                                                 time.Duration
		timeout                                             = 30 * time.Second
		dryRun, sandbox                                     bool
	)
	fs.StringVar(&cfgPath, "config", "", "")
	fs.StringVar(&certID, "cert", "", "")
	fs.Var(&tokens, "token", "")
	fs.StringVar(&title, "title", "", "")
	fs.StringVar(&desc, "desc", "", "")
	fs.StringVar(&ext, "ext", "", "")
	fs.StringVar(&click, "click", "", "")
	fs.StringVar(&sound, "sound", "", "")
	fs.StringVar(&id, "id", "", "")
	fs.DurationVar(&ttl, "ttl", 0, "")
	fs.DurationVar(&timeout, "timeout", timeout, "")
	fs.BoolVar(&dryRun, "dry-run", false, "")
	fs.BoolVar(&sandbox, "sandbox", false, "")
	if err := fs.Parse(args); err != nil {
		return usageErr(stderr, "send: %v", err)
	}
	switch {
	case fs.NArg() > 0:
		return usageErr(stderr, "send: unexpected argument %q", fs.Arg(0))
	case certID == "":
		return usageErr(stderr, "send: --cert is required")
	case len(tokens) == 0:
		return usageErr(stderr, "send: --token is required")
	case desc == "":
		return usageErr(stderr, "send: --desc is required (a notification without a body is never pushed)")
	}
	action, err := parseClick(click)
	if err != nil {
		return usageErr(stderr, "send: --click: %v", err)
	}
	info := &push.OfflinePushInfo{Title: title, Desc: desc, Ext: ext, IOSSound: sound, Click: action, TTL: ttl, ID: id}

	file, err := loadConfig(cfgPath, dryRun || sandbox)
	if err != nil {
		fmt.Fprintln(stderr, "pushctl:", err)
		return exitConfig
	}
	cert, ok := file.Certificate(certID)
	if !ok {
		fmt.Fprintf(stderr, "pushctl: certificate %q is not in the config (it has: %s)\n", certID, certIDs(file))
		return exitConfig
	}

	if dryRun {
		return dryRunSend(stdout, stderr, &cert, info, tokens)
	}
	var pusher push.Pusher
	if sandbox {
		var sb *pushconfig.Sandbox
		sb, err = cert.StartSandbox()
		if err == nil {
			defer sb.Close()
			pusher, err = sb.Pusher(&cert, push.WithRetry(push.NoRetry()))
		}
	} else {
		pusher, err = cert.Pusher()
	}
	if err != nil {
		fmt.Fprintln(stderr, "pushctl:", err)
		return exitConfig
	}

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	res, err := pusher.Push(ctx, info, tokens...)
	if err != nil {
		fmt.Fprintln(stderr, "pushctl:", err)
		if errors.Is(err, push.ErrInvalidMessage) {
			return exitMessage
		}
		return exitFailed
	}
	where := "vendor"
	if sandbox {
		where = "sandbox (in-process fake " + string(cert.Vendor) + " server)"
	}
	fmt.Fprintf(stdout, "%s certificate %q via %s:\n", cert.Vendor, cert.ID, where)
	failed, dead := 0, 0
	for _, o := range res.Outcomes {
		switch {
		case o.Err == nil:
			fmt.Fprintf(stdout, "  ok       %s  message id %s\n", o.Token, o.MessageID)
		case errors.Is(o.Err, push.ErrInvalidToken):
			failed++
			dead++
			fmt.Fprintf(stdout, "  dead     %s  %v\n", o.Token, o.Err)
		default:
			failed++
			fmt.Fprintf(stdout, "  failed   %s  %v\n", o.Token, o.Err)
		}
	}
	switch {
	case failed == 0:
		return exitOK
	case failed == dead:
		return exitInvalidTok
	}
	return exitFailed
}

// dryRunSend prints the requests a Push would send, through the client's
// DryRun (push.DryRunner): the full URL with the vendor's host, the
// headers with credentials masked, the body. Nothing is sent and no
// access token is fetched. After the requests it lists each token that
// would not be sent and why (empty, not valid UTF-8, a vendor's malformed
// form such as a Xiaomi regId with a comma) and tokens given more than
// once (sent once). Exit: 0 when every token would be sent, 6 when some
// would not, 5 for a message the vendor can never take.
func dryRunSend(stdout, stderr io.Writer, cert *pushconfig.Certificate, info *push.OfflinePushInfo, tokens []string) int {
	pusher, err := cert.Pusher()
	if err != nil {
		fmt.Fprintln(stderr, "pushctl:", err)
		return exitConfig
	}
	dr, ok := pusher.(push.DryRunner)
	if !ok {
		fmt.Fprintf(stderr, "pushctl: %s clients cannot show a dry run\n", cert.Vendor)
		return exitConfig
	}
	pv, err := dr.DryRun(info, tokens...)
	if err != nil {
		fmt.Fprintln(stderr, "pushctl:", err)
		if errors.Is(err, push.ErrInvalidMessage) {
			return exitMessage
		}
		return exitConfig
	}
	fmt.Fprintf(stdout, "# dry run: %s certificate %q; nothing was sent to the vendor\n", cert.Vendor, cert.ID)
	for _, r := range pv.Requests {
		fmt.Fprintf(stdout, "\n%s\n", strings.TrimRight(r.String(), "\n"))
	}
	if len(pv.Requests) == 0 {
		fmt.Fprintln(stdout, "\n# no request: no token could be sent")
	}
	if len(pv.Unsent) > 0 {
		fmt.Fprintf(stdout, "\n# %d of %d tokens would not be sent (refused before any request):\n", len(pv.Unsent), len(tokens))
		for _, o := range pv.Unsent {
			why := o.Err.Error()
			var ve *push.VendorError
			if errors.As(o.Err, &ve) {
				why = strings.Replace(ve.Message, " (not sent)", "", 1)
			}
			fmt.Fprintf(stdout, "#   %q: %s\n", o.Token, why)
		}
	}
	count := map[string]int{}
	for _, t := range tokens {
		count[t]++
	}
	for i, t := range tokens {
		if n := count[t]; n > 1 && !slices.Contains(tokens[:i], t) && !unsent(pv, t) {
			fmt.Fprintf(stdout, "\n# %q is given %d times: it is sent once\n", t, n)
		}
	}
	if len(pv.Unsent) > 0 {
		return exitInvalidTok
	}
	return exitOK
}

func unsent(pv *push.Preview, token string) bool {
	return slices.ContainsFunc(pv.Unsent, func(o push.Outcome) bool { return o.Token == token })
}

func parseClick(s string) (push.ClickAction, error) {
	switch {
	case s == "":
		return push.ClickAction{}, nil
	case s == "app":
		return push.ClickAction{Kind: push.ClickOpenApp}, nil
	case strings.HasPrefix(s, "url:"):
		return push.ClickAction{Kind: push.ClickOpenURL, URL: strings.TrimPrefix(s, "url:")}, nil
	case strings.HasPrefix(s, "page:"):
		v := strings.TrimPrefix(s, "page:")
		if strings.Contains(v, "#Intent;") {
			return push.ClickAction{Kind: push.ClickOpenPage, Intent: v}, nil
		}
		return push.ClickAction{Kind: push.ClickOpenPage, Activity: v}, nil
	}
	return push.ClickAction{}, fmt.Errorf("%q: want app, url:<URL> or page:<intent URI or Activity class>", s)
}

func certIDs(f *pushconfig.File) string {
	var ids []string
	for _, c := range f.Certificates {
		ids = append(ids, c.ID)
	}
	return strings.Join(ids, ", ")
}

func check(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", stderr)
	var cfgPath string
	var auth, sandbox bool
	fs.StringVar(&cfgPath, "config", "", "")
	fs.BoolVar(&auth, "auth", false, "")
	fs.BoolVar(&sandbox, "sandbox", false, "")
	if err := fs.Parse(args); err != nil {
		return usageErr(stderr, "check: %v", err)
	}
	if fs.NArg() > 0 {
		return usageErr(stderr, "check: unexpected argument %q", fs.Arg(0))
	}
	if cfgPath == "" && !sandbox {
		return usageErr(stderr, "check: --config is required")
	}
	file, err := loadConfig(cfgPath, sandbox)
	if err != nil {
		fmt.Fprintln(stderr, "pushctl:", err)
		return exitConfig
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var results []pushconfig.CheckResult
	if sandbox {
		for i := range file.Certificates {
			c := &file.Certificates[i]
			sb, err := c.StartSandbox()
			if err != nil {
				results = append(results, pushconfig.CheckResult{ID: c.ID, Vendor: c.Vendor, Err: err})
				continue
			}
			one := &pushconfig.File{Certificates: []pushconfig.Certificate{*c}}
			results = append(results, one.Check(ctx, auth, sb.Options...)...)
			sb.Close()
		}
	} else {
		results = file.Check(ctx, auth)
	}
	code := exitOK
	for _, r := range results {
		var ae *pushconfig.AuthError
		var ue *pushconfig.UnreachableError
		switch {
		case r.Err == nil:
			what := "valid"
			switch {
			case r.Authenticated:
				what = "valid, authenticated"
			case auth:
				what = "valid (no access token to fetch)"
			}
			fmt.Fprintf(stdout, "ok      %-20s %-8s %s\n", r.ID, r.Vendor, what)
		case errors.As(r.Err, &ae):
			fmt.Fprintf(stdout, "error   %-20s %-8s %v\n", r.ID, r.Vendor, r.Err)
			code = worse(code, exitAuth)
		case errors.As(r.Err, &ue):
			fmt.Fprintf(stdout, "unknown %-20s %-8s %v\n", r.ID, r.Vendor, r.Err)
			code = worse(code, exitNotReached)
		default:
			fmt.Fprintf(stdout, "error   %-20s %-8s %v\n", r.ID, r.Vendor, r.Err)
			code = worse(code, exitConfig)
		}
	}
	return code
}
