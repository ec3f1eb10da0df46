package redisstore_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	redisstore "github.com/offlinepush/push/tokenstore/redis"
)

// The tests run against a real Redis: the one at REDIS_ADDR when it is set,
// else a redis-server they start on a free loopback port and stop at the
// end. Without either they are skipped, except under CI (CI set), where
// .ci/run installs redis-server and a skip would hide a broken install.
var (
	redisAddr  string
	noRedisWhy string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	redis.SetLogger(discardLogger{})
	if addr := os.Getenv("REDIS_ADDR"); addr != "" {
		redisAddr = addr
		return m.Run()
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		noRedisWhy = "redis-server is not on PATH: install it (apt-get install redis-server) or set REDIS_ADDR=host:port to use a running Redis"
		if os.Getenv("CI") != "" { // .ci/run installs it: a skip there would hide a broken install step
			fmt.Fprintln(os.Stderr, "redisstore tests: CI is set but", noRedisWhy)
			return 1
		}
		return m.Run()
	}
	stop, addr, err := startRedis(bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "redisstore tests:", err)
		return 1
	}
	defer stop()
	redisAddr = addr
	return m.Run()
}

// startRedis runs redis-server on 127.0.0.1 with a free port, no
// persistence, in a temporary directory, and waits until it answers PING.
func startRedis(bin string) (stop func(), addr string, err error) {
	for attempt := 0; attempt < 3; attempt++ { // another process may take the port first
		port, err := freePort()
		if err != nil {
			return nil, "", err
		}
		dir, err := os.MkdirTemp("", "redisstore-test-")
		if err != nil {
			return nil, "", err
		}
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", dir, "--loglevel", "warning")
		cmd.SysProcAttr = procAttr() // dies with the test binary where the OS allows
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			os.RemoveAll(dir)
			return nil, "", fmt.Errorf("start redis-server: %w", err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		stop := func() {
			cmd.Process.Kill()
			<-exited
			os.RemoveAll(dir)
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if waitPing(addr, exited, 10*time.Second) {
			return stop, addr, nil
		}
		stop()
		if attempt == 2 {
			return nil, "", fmt.Errorf("redis-server on %s did not answer PING: %s", addr, out.String())
		}
	}
	panic("unreachable")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitPing(addr string, exited <-chan struct{}, within time.Duration) bool {
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// needRedis skips the test when there is no Redis to run against.
func needRedis(t testing.TB) {
	t.Helper()
	if redisAddr == "" {
		t.Skip(noRedisWhy)
	}
}

// newClient is one instance's connection to the shared Redis.
func newClient(t testing.TB) *redis.Client {
	t.Helper()
	needRedis(t)
	c := redis.NewClient(&redis.Options{Addr: redisAddr})
	t.Cleanup(func() { c.Close() })
	return c
}

var prefixSeq atomic.Int64

// testPrefix keeps each test's keys apart, so tests need no FLUSHALL and
// can share a Redis given with REDIS_ADDR; the keys are deleted after the
// test.
func testPrefix(t testing.TB) string {
	p := fmt.Sprintf("offlinepush-test:%d:%d:%s:", os.Getpid(), prefixSeq.Add(1), t.Name())
	if redisAddr != "" {
		t.Cleanup(func() {
			c := redis.NewClient(&redis.Options{Addr: redisAddr})
			defer c.Close()
			ctx := context.Background()
			iter := c.Scan(ctx, 0, p+"*", 100).Iterator()
			for iter.Next(ctx) {
				c.Del(ctx, iter.Val())
			}
		})
	}
	return p
}

// newStore is one instance's store: its own Redis client, the test's prefix.
func newStore(t testing.TB, prefix string, opts ...redisstore.Option) (*redisstore.Store, *redis.Client) {
	c := newClient(t)
	return redisstore.New(c, append([]redisstore.Option{redisstore.WithPrefix(prefix)}, opts...)...), c
}

// discardLogger silences go-redis's own log: the tests that make Redis
// unreachable on purpose would fill it with dial failures.
type discardLogger struct{}

func (discardLogger) Printf(context.Context, string, ...any) {}
