package push

import (
	"context"
	"fmt"
	"time"
)

// Vendor names a push channel. Each vendor package reports its own.
type Vendor string

// The channels this module speaks to.
const (
	Xiaomi  Vendor = "xiaomi"
	Huawei  Vendor = "huawei"  // Push Kit v1: Android/EMUI and HarmonyOS 3/4
	Harmony Vendor = "harmony" // Push Kit v3: HarmonyOS NEXT (HarmonyOS 5+)
	Honor   Vendor = "honor"
	OPPO    Vendor = "oppo"
	Vivo    Vendor = "vivo"
	Meizu   Vendor = "meizu"
	FCM     Vendor = "fcm"
	APNs    Vendor = "apns"
)

// Vendors lists every channel, in a stable order. The slice is new on every
// call: a caller may change it without changing anyone else's.
func Vendors() []Vendor {
	return []Vendor{Xiaomi, Huawei, Harmony, Honor, OPPO, Vivo, Meizu, FCM, APNs}
}

// OfflinePushInfo is the one vendor-neutral notification an IM server hands
// to every channel. It mirrors Tencent IM's OfflinePushInfo: the zero value of
// every optional field means "the vendor's default".
type OfflinePushInfo struct {
	// Title is the notification title. Where a vendor requires one
	// (Xiaomi, HarmonyOS, Honor, OPPO, vivo, Meizu) and it is empty, the
	// client's default title (WithDefaultTitle: normally the app's name) is
	// used, else the Desc, so the message still reaches the phone. Huawei,
	// FCM and APNs send no title then. Over the vendor's limit it is
	// shortened, ending with "…" (see WithStrictLength).
	Title string
	// Desc is the notification body. An empty Desc means "no offline push"
	// (a custom message without a description) and is rejected with
	// ErrInvalidMessage before anything is sent. Over the vendor's field or
	// body limit it is shortened first, ending with "…"; Ext is never cut.
	Desc string
	// Ext is custom passthrough content, normally the text of a JSON object.
	// Each vendor delivers it under the key "ext" where the Tencent-style
	// client looks for it.
	Ext string
	// IOSSound is the APNs sound file name (APNs, and FCM's apns block).
	// Empty means "default".
	IOSSound string
	// Click is the tap action. The zero value uses the certificate's default
	// (Config.Click), which itself defaults to opening the app.
	Click ClickAction

	// TTL is how long the vendor keeps the message for an offline device.
	// Zero means the vendor default; vendors cap it at their maximum.
	TTL time.Duration
	// Badge, when positive, adds that number to the app icon badge
	// (APNs sets it, Huawei/Honor/HarmonyOS add it).
	Badge int
	// CollapseID, when set, makes a later notification with the same id
	// replace this one on the device (apns-collapse-id, Android notify id).
	// Empty means every message shows as its own notification.
	CollapseID string
	// ID is the caller's id for this message. Vendors that deduplicate on a
	// message key (OPPO app_message_id, vivo requestId) get a key derived from
	// it, so a caller's own retry of the same message is not shown twice.
	// Empty means a fresh random id per call.
	ID string
}

// ClickKind says what happens when the user taps the notification.
type ClickKind int

// Click kinds. ClickDefault (the zero value) means "the certificate's default".
const (
	ClickDefault ClickKind = iota
	ClickOpenApp
	ClickOpenURL
	ClickOpenPage
)

func (k ClickKind) String() string {
	switch k {
	case ClickDefault:
		return "default"
	case ClickOpenApp:
		return "open-app"
	case ClickOpenURL:
		return "open-url"
	case ClickOpenPage:
		return "open-page"
	}
	return fmt.Sprintf("ClickKind(%d)", int(k))
}

// ClickAction is the tap action of a notification.
type ClickAction struct {
	Kind ClickKind
	// URL is the page to open for ClickOpenURL: an absolute http(s) URL
	// (Huawei, Honor and HarmonyOS accept https only).
	URL string
	// Intent is the Android intent URI for ClickOpenPage,
	// "intent://…#Intent;…;end" or "intent:#Intent;…;end".
	Intent string
	// Activity is the full Activity class name for ClickOpenPage (OPPO,
	// Meizu). When empty it is taken from the intent URI's component=.
	Activity string
}

// Pusher is what every vendor client implements.
type Pusher interface {
	// Vendor names the channel.
	Vendor() Vendor
	// Push sends info to every token (any number: the client splits them into
	// the vendor's batch size and sends batches concurrently). The Result has
	// exactly one Outcome per token, in the order given. err != nil only when
	// nothing could be attempted: an invalid message, a bad configuration, a
	// context already done.
	Push(ctx context.Context, info *OfflinePushInfo, tokens ...string) (*Result, error)
}
