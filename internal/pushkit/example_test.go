package pushkit_test

import (
	"encoding/json"
	"fmt"
	"log"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/pushkit"
)

// MarkFailed turns the failed tokens a partial success (80100000) lists in msg into per-token outcomes.
func ExampleMarkFailed() {
	body := `{"code":80100000,"requestId":"r-1","msg":"{\"success\":1,\"failure\":2,` +
		`\"illegal_tokens\":[\"tok-b\"],\"illegalTokens\":{\"noPushTypeRight\":[\"tok-c\"]}}"}`
	var r pushkit.Response
	if err := json.Unmarshal([]byte(body), &r); err != nil { // the code may be a number or a string
		log.Fatal(err)
	}
	fmt.Println(r.Code, r.CodeIn(pushkit.CodePartial))

	out := pushkit.MarkFailed(batch.All([]string{"tok-a", "tok-b", "tok-c"}, string(r.RequestID), nil),
		push.Huawei, 200, string(r.Code), string(r.Msg))
	for _, o := range out {
		fmt.Println(o.Token, o.Err)
	}
	fmt.Println("delete:", (&push.Result{Outcomes: out}).InvalidTokens())
	// Output:
	// 80100000 true
	// tok-a <nil>
	// tok-b huawei: invalid device token (HTTP 200, code 80100000): illegal token (success 1, failure 2)
	// tok-c huawei: authentication failed (HTTP 200, code 80100000): noPushTypeRight (success 1, failure 2)
	// delete: [tok-b]
}

// ReasonKind tells delete-the-token reasons from app-level ones, which must not wipe tokens.
func ExampleReasonKind() {
	for _, reason := range []string{"tokenFormatError", "noPushTypeRight", "notSupportPlayVoice", "countryNotSupport"} {
		fmt.Printf("%-19s %v\n", reason, pushkit.ReasonKind(reason))
	}
	// Output:
	// tokenFormatError    push: invalid device token
	// noPushTypeRight     push: authentication failed
	// notSupportPlayVoice push: invalid message
	// countryNotSupport   push: vendor unavailable
}

// AllInvalid trusts an 80300007 only as far as it names tokens: an
// app-level reason keeps every token, and tokens it does not name are left
// unjudged for Resend.
func ExampleAllInvalid() {
	tokens := []string{"tok-a", "tok-b"}
	for _, msg := range []string{
		`{"illegalTokens":{"noPushTypeRight":["tok-a","tok-b"]}}`,
		`{"illegalTokens":{"tokenFormatError":["tok-b"]}}`,
	} {
		for _, o := range pushkit.AllInvalid(tokens, push.Harmony, 200, msg, "r-1") {
			fmt.Println(o.Token, o.Err)
		}
	}
	// Output:
	// tok-a harmony: authentication failed (HTTP 200, code 80300007): noPushTypeRight (success 0, failure 0): the app has no entitlement for the push-type header (Config.PushType) in AppGallery Connect; not a token verdict, token kept
	// tok-b harmony: authentication failed (HTTP 200, code 80300007): noPushTypeRight (success 0, failure 0): the app has no entitlement for the push-type header (Config.PushType) in AppGallery Connect; not a token verdict, token kept
	// tok-a harmony: vendor unavailable (HTTP 200, code 80300007): not delivered: the vendor refused the whole request, naming other tokens invalid; this token was not judged (send it again)
	// tok-b harmony: invalid device token (HTTP 200, code 80300007): tokenFormatError (success 0, failure 0)
}
