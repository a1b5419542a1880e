package phone

import "testing"

func TestE164(t *testing.T) {
	tests := []struct {
		region, in, want string
		ok               bool
	}{
		{"", "+4930123456789", "+4930123456789", true},
		{"", "+49 30 123456789", "+4930123456789", true},
		{"", "+49 (30) 123-456-789", "+4930123456789", true},
		{"", "030 123456789", "", false}, // national form needs a region
		{"DE", "030 123456789", "+4930123456789", true},
		{"de", "+1 415 555 2671", "+14155552671", true},
		{"", "call me maybe", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		got, ok := E164(tt.region)(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("E164(%q)(%q) = %q, %v; want %q, %v", tt.region, tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
