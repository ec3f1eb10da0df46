// Command imserver is a small, readable IM server that uses offlinepush:
// apps report their device tokens, and a message for a user who is logged
// in but not connected is pushed to that user's devices through every
// vendor at once. Dead tokens the vendors report are deleted.
//
//	go run ./examples/imserver --config certs.json   # real vendors
//	go run ./examples/imserver --sandbox             # in-process fake vendors, demo certificates
//
// Then, for example:
//
//	curl -d '{"user":"bob","certificateId":"demo-xiaomi","token":"regid-1"}' localhost:8080/v1/devices
//	curl -d '{"from":"alice","to":"bob","desc":"See you at 8?"}' localhost:8080/v1/messages
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushconfig"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	cfg := flag.String("config", "", "certificate config file (see the README)")
	sandbox := flag.Bool("sandbox", false, "use in-process fake vendor servers and demo certificates")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	router, closeAll, err := buildRouter(*cfg, *sandbox)
	if err != nil {
		fmt.Fprintln(os.Stderr, "imserver:", err)
		os.Exit(1)
	}
	defer closeAll()
	srv := &Server{Store: NewMemoryStore(), Router: router, Log: log}
	log.Info("listening", "addr", *addr, "certificates", router.Certificates())
	hs := &http.Server{Addr: *addr, Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	if err := hs.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "imserver:", err)
		os.Exit(1)
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
