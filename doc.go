// Package push is the vendor-neutral face of offlinepush: an SDK that an IM
// server imports to deliver offline push notifications through the phone
// vendors' own system channels (Xiaomi, Huawei, HarmonyOS NEXT, Honor, OPPO,
// vivo, Meizu, Google FCM and Apple APNs).
//
// One OfflinePushInfo (title, desc, ext passthrough, iOS sound, click
// action) goes in. Each vendor package (xiaomi, huawei, …) turns it into
// that vendor's exact wire request, authenticates, splits the tokens into
// the vendor's batch size, sends the batches concurrently, retries what may
// safely be retried, and returns a Result with exactly one Outcome per token,
// in input order:
//
//	res, err := client.Push(ctx, &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?"}, tokens...)
//	if err != nil {
//		// nothing was sent: invalid message, bad config or ctx done
//	}
//	for _, o := range res.Outcomes {
//		switch {
//		case o.Err == nil: // accepted by the vendor
//		case errors.Is(o.Err, push.ErrInvalidToken): // delete o.Token
//		case push.IsRetryable(o.Err): // try again later
//		}
//	}
//
// Every vendor client has the same shape, New(cfg, opts...) and the Pusher
// interface, and takes the same options (WithEndpoint, WithHTTPClient,
// WithRetry, WithTimeout, WithLogger, WithConcurrency, WithTokenSource).
// A client is safe for concurrent use and caches its access token for all
// goroutines. The pushtest package runs fake vendor servers for tests.
package push
