package pushtest

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	vAppID  = "10004"
	vKey    = "demo-key"
	vSecret = "demo-secret"
)

type vivoAns struct {
	Result      int    `json:"result"`
	Desc        string `json:"desc"`
	AuthToken   string `json:"authToken"`
	TaskID      string `json:"taskId"`
	InvalidUser *struct {
		Status int
		UserID string `json:"userid"`
	} `json:"invalidUser"`
	InvalidUsers []struct {
		Status int
		UserID string `json:"userid"`
	} `json:"invalidUsers"`
}

func vivoPost(t *testing.T, srv *Vivo, path, token, ctype, body string) (int, vivoAns) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+path, strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	if token != "" {
		req.Header.Set("authToken", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var a vivoAns
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatalf("answer %s: %v", b, err)
		}
	}
	return resp.StatusCode, a
}

func vivoAuthBody(appID string, ts int64, sign string) string {
	if sign == "" {
		sign = vivoSign(ts)
	}
	return fmt.Sprintf(`{"appId":%s,"appKey":%q,"timestamp":%d,"sign":%q}`, appID, vKey, ts, sign)
}

func vivoSign(ts int64) string {
	s := md5.Sum([]byte("10004" + vKey + strconv.FormatInt(ts, 10) + vSecret))
	return hex.EncodeToString(s[:])
}

func vivoToken(t *testing.T, srv *Vivo) string {
	t.Helper()
	_, a := vivoPost(t, srv, "/message/auth", "", "application/json", vivoAuthBody("10004", time.Now().UnixMilli(), ""))
	if a.Result != 0 || a.AuthToken == "" {
		t.Fatalf("auth: %+v", a)
	}
	return a.AuthToken
}

func TestVivoAuth(t *testing.T) {
	srv := NewVivo(vAppID, vKey, vSecret)
	defer srv.Close()
	now := time.Now().UnixMilli()
	good := vivoAuthBody("10004", now, "")
	for _, tc := range []struct {
		name, body string
		code       int
	}{
		{"ok", good, 0},
		{"appId as a string", vivoAuthBody(`"10004"`, now, ""), 10205},
		{"other appId", vivoAuthBody("10005", now, ""), 10205},
		{"no appId", `{"appKey":"demo-key","timestamp":1,"sign":"x"}`, 10200},
		{"wrong appKey", strings.Replace(good, vKey, "other", 1), 10202},
		{"stale timestamp", vivoAuthBody("10004", now-11*60*1000, ""), 10207},
		{"timestamp as a string", strings.Replace(good, strconv.FormatInt(now, 10), `"`+strconv.FormatInt(now, 10)+`"`, 1), 10203},
		{"wrong sign", vivoAuthBody("10004", now, strings.Repeat("0", 32)), 10206},
		{"upper-case sign", vivoAuthBody("10004", now, strings.ToUpper(vivoSign(now))), 10206},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, a := vivoPost(t, srv, "/message/auth", "", "application/json;charset=UTF-8", tc.body)
			if st != 200 || a.Result != tc.code {
				t.Errorf("HTTP %d result %d (%s), want %d", st, a.Result, a.Desc, tc.code)
			}
		})
	}
	if st, _ := vivoPost(t, srv, "/message/auth", "", "application/x-www-form-urlencoded", good); st != 415 {
		t.Errorf("form body: HTTP %d, want 415", st)
	}
}

func TestVivoSendChecks(t *testing.T) {
	srv := NewVivo(vAppID, vKey, vSecret)
	defer srv.Close()
	tok := vivoToken(t, srv)
	base := map[string]any{"appId": 10004, "regId": "r1", "notifyType": 4, "title": "T", "content": "C",
		"skipType": 1, "networkType": -1, "classification": 1, "category": "IM", "pushMode": 0}
	n := 0
	with := func(kv ...any) string {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		n++
		m["requestId"] = fmt.Sprintf("req-%d", n)
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
			} else {
				m[kv[i].(string)] = kv[i+1]
			}
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	for _, tc := range []struct {
		name string
		body string
		code int
	}{
		{"ok", with(), 0},
		{"no regId", with("regId", nil), 10050},
		{"appId mismatch", with("appId", 10005), 10094},
		{"appId as a string", with("appId", "10004"), 10094},
		{"notifyType as a string", with("notifyType", "4"), 10054},
		{"notifyType 5", with("notifyType", 5), 10054},
		{"title 41 characters", with("title", strings.Repeat("标", 41)), 10056},
		{"blank title", with("title", " "), 10055},
		{"content 101 characters", with("content", strings.Repeat("x", 101)), 10058},
		{"ttl under 60", with("timeToLive", 30), 10059},
		{"ttl over 7 days", with("timeToLive", 604801), 10059},
		{"skipType 1 with content", with("skipContent", "https://e.com"), 10061},
		{"skipType 2 without URL", with("skipType", 2), 10061},
		{"skipType 4 without intent", with("skipType", 4, "skipContent", "https://e.com"), 10061},
		{"skipType 2 URL too long", with("skipType", 2, "skipContent", "https://e.com/"+strings.Repeat("x", 1000)), 10062},
		{"networkType 0", with("networkType", 0), 10063},
		{"classification mismatch", with("classification", 0), 10097},
		{"unknown category", with("category", "GAMES"), 10096},
		{"11 custom pairs", with("clientCustomMap", map[string]string{"a": "", "b": "", "c": "", "d": "", "e": "", "f": "", "g": "", "h": "", "i": "", "j": "", "k": ""}), 10066},
		{"custom too long", with("clientCustomMap", map[string]string{"ext": strings.Repeat("x", 1022)}), 10067},
		{"custom value a number", with("clientCustomMap", map[string]any{"ext": 1}), 10066},
		{"pushMode 2", with("pushMode", 2), 10051},
		{"notifyId 0", with("notifyId", 0), 10095},
		{"no requestId", with("requestId", nil), 10352},
		{"requestId 65", with("requestId", strings.Repeat("r", 65)), 10353},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, a := vivoPost(t, srv, "/message/send", tok, "application/json", tc.body)
			if st != 200 || a.Result != tc.code {
				t.Errorf("HTTP %d result %d (%s), want %d", st, a.Result, a.Desc, tc.code)
			}
		})
	}
	if _, a := vivoPost(t, srv, "/message/send", "", "application/json", with()); a.Result != 10000 {
		t.Errorf("no authToken: %d", a.Result)
	}
	if _, a := vivoPost(t, srv, "/message/send", "made-up", "application/json", with()); a.Result != 10000 {
		t.Errorf("unknown authToken: %d", a.Result)
	}
	srv.ExpireTokens()
	if _, a := vivoPost(t, srv, "/message/send", tok, "application/json", with()); a.Result != 10000 {
		t.Errorf("expired authToken: %d", a.Result)
	}
	if d := srv.Delivered(); d["r1"] != 1 || len(d) != 1 {
		t.Errorf("delivered %v, want r1 once", d)
	}
}

func TestVivoListAndDedupe(t *testing.T) {
	srv := NewVivo(vAppID, vKey, vSecret)
	defer srv.Close()
	srv.Invalidate("dead")
	tok := vivoToken(t, srv)
	msg := `{"appId":10004,"notifyType":4,"title":"T","content":"C","skipType":1,"classification":1,"category":"IM","requestId":"save-1","pushMode":0%s}`
	if _, a := vivoPost(t, srv, "/message/saveListPayload", tok, "application/json", fmt.Sprintf(msg, `,"timeToLive":120`)); a.Result != 10059 {
		t.Errorf("list ttl 120: %d, want 10059", a.Result)
	}
	_, saved := vivoPost(t, srv, "/message/saveListPayload", tok, "application/json", fmt.Sprintf(msg, ""))
	if saved.Result != 0 || saved.TaskID == "" {
		t.Fatalf("save: %+v", saved)
	}
	list := func(reqID, task string, ids ...string) vivoAns {
		b, _ := json.Marshal(map[string]any{"appId": 10004, "regIds": ids, "taskId": task, "requestId": reqID, "pushMode": 0})
		_, a := vivoPost(t, srv, "/message/pushToList", tok, "application/json", string(b))
		return a
	}
	if a := list("l0", saved.TaskID, "a"); a.Result != 10153 {
		t.Errorf("1 regId: %d, want 10153", a.Result)
	}
	if a := list("l0", "404", "a", "b"); a.Result != 10155 {
		t.Errorf("unknown task: %d, want 10155", a.Result)
	}
	a := list("l1", saved.TaskID, "a", "dead", "b")
	if a.Result != 0 || len(a.InvalidUsers) != 1 || a.InvalidUsers[0].UserID != "dead" || a.InvalidUsers[0].Status != 1 {
		t.Fatalf("list: %+v", a)
	}
	// the same requestId again: the same answer, nothing delivered again
	again := list("l1", saved.TaskID, "a", "dead", "b")
	if again.Result != 0 || len(again.InvalidUsers) != 1 {
		t.Errorf("repeat: %+v", again)
	}
	// the same requestId with other regIds: dropped, and reported
	list("l1", saved.TaskID, "c", "d")
	if d := srv.Delivered(); d["a"] != 1 || d["b"] != 1 || d["c"] != 0 || len(d) != 2 {
		t.Errorf("delivered %v", d)
	}
	if srv.Deduped() != 2 || len(srv.ReusedRequestIDs()) != 1 {
		t.Errorf("deduped %d, reused %v", srv.Deduped(), srv.ReusedRequestIDs())
	}
	// the same save requestId answers the same taskId
	if _, s := vivoPost(t, srv, "/message/saveListPayload", tok, "application/json", fmt.Sprintf(msg, "")); s.TaskID != saved.TaskID {
		t.Errorf("repeated save answered task %s, want %s", s.TaskID, saved.TaskID)
	}
	srv.ExpireTasks()
	if a := list("l2", saved.TaskID, "e", "f"); a.Result != 10155 {
		t.Errorf("expired task: %d, want 10155", a.Result)
	}
	// faults answer in vivo's shape
	srv.Inject(Fault{Code: "10070"})
	if a := list("l3", saved.TaskID, "e", "f"); a.Result != 10070 || a.Desc == "" {
		t.Errorf("fault: %+v", a)
	}
}

func TestVivoDumpMasks(t *testing.T) {
	srv := NewVivo(vAppID, vKey, vSecret)
	defer srv.Close()
	vivoToken(t, srv)
	for _, r := range srv.Records() {
		if d := r.Dump(); strings.Contains(d, vKey) || strings.Contains(d, vSecret) {
			t.Errorf("Dump shows a credential:\n%s", d)
		}
	}
}

// TestVivoMisconfigured: with SetMisconfigured the regIds belong to another
// vivo app. vivo finds none of them within the authToken's app: each is
// answered as not existing (10302 with invalidUser status 1 for send,
// invalidUsers status 1 for pushToList), while auth and saveListPayload,
// which carry no regId, still succeed. Nothing is delivered.
func TestVivoMisconfigured(t *testing.T) {
	srv := NewVivo(vAppID, vKey, vSecret)
	defer srv.Close()
	srv.SetMisconfigured(true)
	tok := vivoToken(t, srv)
	send := `{"appId":10004,"regId":"%s","notifyType":4,"title":"T","content":"C","skipType":1,"classification":1,"category":"IM","requestId":"%s","pushMode":0}`
	_, a := vivoPost(t, srv, "/message/send", tok, "application/json", fmt.Sprintf(send, "r1", "s1"))
	assert.Equal(t, 10302, a.Result)
	require.NotNil(t, a.InvalidUser)
	assert.Equal(t, 1, a.InvalidUser.Status)
	assert.Equal(t, "r1", a.InvalidUser.UserID)

	_, saved := vivoPost(t, srv, "/message/saveListPayload", tok, "application/json",
		`{"appId":10004,"notifyType":4,"title":"T","content":"C","skipType":1,"classification":1,"category":"IM","requestId":"save-1","pushMode":0}`)
	require.Equal(t, 0, saved.Result, "saveListPayload carries no regId")
	require.NotEmpty(t, saved.TaskID)
	b, _ := json.Marshal(map[string]any{"appId": 10004, "regIds": []string{"a", "b", "c"}, "taskId": saved.TaskID, "requestId": "l1", "pushMode": 0})
	_, a = vivoPost(t, srv, "/message/pushToList", tok, "application/json", string(b))
	assert.Equal(t, 0, a.Result)
	require.Len(t, a.InvalidUsers, 3)
	for i, u := range a.InvalidUsers {
		assert.Equal(t, 1, u.Status)
		assert.Equal(t, []string{"a", "b", "c"}[i], u.UserID)
	}
	assert.Empty(t, srv.Delivered())

	srv.SetMisconfigured(false)
	_, a = vivoPost(t, srv, "/message/send", tok, "application/json", fmt.Sprintf(send, "r1", "s2"))
	assert.Equal(t, 0, a.Result)
	assert.Equal(t, map[string]int{"r1": 1}, srv.Delivered())
}
