package form_test

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/offlinepush/push/internal/form"
)

// AppendField builds what url.Values.Encode would (keys written sorted) without the map.
func ExampleAppendField() {
	var body []byte
	body = form.AppendField(body, "description", "See you at 8? 你好")
	body = form.AppendField(body, "registration_id", "regid-1")
	body = form.AppendField(body, "title", "Alice & Bob")

	v := url.Values{"title": {"Alice & Bob"}, "description": {"See you at 8? 你好"}, "registration_id": {"regid-1"}}
	fmt.Println(string(body))
	fmt.Println(string(body) == v.Encode())
	// Output:
	// description=See+you+at+8%3F+%E4%BD%A0%E5%A5%BD&registration_id=regid-1&title=Alice+%26+Bob
	// true
}

// AppendEscaped writes a value in pieces, such as a comma-joined token list, without joining it first.
func ExampleAppendEscaped() {
	tokens := []string{"regid-1", "regid/2+x", "regid 3"}
	body := []byte("registration_id=")
	for i, t := range tokens {
		if i > 0 {
			body = append(body, "%2C"...) // an escaped comma
		}
		body = form.AppendEscaped(body, t)
	}
	fmt.Println(string(body))
	fmt.Println(string(body) == url.Values{"registration_id": {strings.Join(tokens, ",")}}.Encode())
	// Output:
	// registration_id=regid-1%2Cregid%2F2%2Bx%2Cregid+3
	// true
}
