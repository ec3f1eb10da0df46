package batch_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/batch"
)

// Run gives one outcome per input token, in order: duplicates are sent once, empty tokens never.
func ExampleRun() {
	tokens := []string{"t1", "t2", "t1", "", "t3"}
	send := func(ctx context.Context, b []string) []push.Outcome {
		// one request per batch; the id shows which batch a token was in
		return batch.All(b, "msg("+strings.Join(b, ",")+")", nil)
	}
	res := batch.Run(context.Background(), push.Xiaomi, tokens, 2, 4, nil, send)
	for _, o := range res.Outcomes {
		fmt.Printf("%-4q %-10s %v\n", o.Token, o.MessageID, o.Err)
	}
	fmt.Println("delete:", res.InvalidTokens())
	// Output:
	// "t1" msg(t1,t2) <nil>
	// "t2" msg(t1,t2) <nil>
	// "t1" msg(t1,t2) <nil>
	// ""              xiaomi: invalid device token: empty device token (not sent)
	// "t3" msg(t3)    <nil>
	// delete: []
}
