// Package wiretest holds a hand-written encoder to encoding/json: Fill sets
// every field of a wire struct, found by reflection, so a differential
// test over the filled struct fails when a field added to the struct is
// not written by the encoder. It is used by tests only.
package wiretest

import (
	"reflect"
	"strconv"
)

// Fill sets every exported field of the struct v points to, recursively:
// strings to a value naming the field (with a character JSON escapes),
// numbers to distinct non-zero values, bools to true, pointers and slices
// and maps to one filled element. A field tagged `json:"-"` is skipped.
func Fill(v any) {
	n := 0
	fill(reflect.ValueOf(v).Elem(), "v", &n)
}

func fill(v reflect.Value, name string, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(name + "<&>\"é" + strconv.Itoa(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(*n))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), name, n)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), name+"[0]", n)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		fill(k, name+".key", n)
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, name+".value", n)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Tag.Get("json") == "-" {
				continue
			}
			fill(v.Field(i), name+"."+f.Name, n)
		}
	}
}
