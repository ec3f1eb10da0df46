package redisstore_test

import (
	"context"
	"log"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/huawei"
	redisstore "github.com/offlinepush/push/tokenstore/redis"
)

// Every instance of the IM backend runs this with the same Redis: the
// instances share one Huawei access token (one fetch for the fleet, one
// replacement when Huawei rejects it) and one quota breaker.
func Example() {
	rdb := redis.NewClient(&redis.Options{
		Addr: "redis.internal:6379",
		// fail fast when Redis is away: the clients then fetch their own
		// tokens and pushes go on
		DialTimeout:   200 * time.Millisecond,
		ReadTimeout:   200 * time.Millisecond,
		WriteTimeout:  200 * time.Millisecond,
		DialerRetries: 1,
	})
	defer rdb.Close()
	store := redisstore.New(rdb) // keys under "offlinepush:"

	hw, err := huawei.New(huawei.Config{
		AppID:     "104536617",
		AppSecret: os.Getenv("HUAWEI_APP_SECRET"),
	}, push.WithTokenStore(store))
	if err != nil {
		log.Fatal(err)
	}

	r := push.NewRouter()
	r.Register("hw-prod", hw)
	r.SetLimits("hw-prod", push.Limits{
		Rate:         500,   // tokens per second from this instance
		QuotaBreaker: true,  // after Huawei says the daily quota is used up…
		Breaker:      store, // …every instance stops until midnight China time
	})

	res, err := r.Push(context.Background(), &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?"},
		push.Device{CertificateID: "hw-prod", Token: "IQAAAACy0…"})
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("%d delivered", res.Delivered())
}
